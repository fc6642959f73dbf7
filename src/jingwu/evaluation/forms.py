"""Form parsing helpers: turn posted strings into values, or a clear error."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def int_field(data, name: str, label, *, required: bool = True) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationError({name: _("%(f)s is required.") % {"f": label}})
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({name: _("%(f)s must be a whole number.") % {"f": label}}) from None


def date_field(data, name: str, label, *, required: bool = True) -> dt.date | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationError({name: _("%(f)s is required.") % {"f": label}})
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: _("%(f)s must be a date (YYYY-MM-DD).") % {"f": label}}) from None


def errors_of(exc: ValidationError) -> dict[str, str]:
    """A flat dict field -> message ("form" for the rest) of a ValidationError."""
    if hasattr(exc, "error_dict"):
        return {("form" if k == "__all__" else k): " ".join(v) for k, v in exc.message_dict.items()}
    return {"form": " ".join(exc.messages)}
