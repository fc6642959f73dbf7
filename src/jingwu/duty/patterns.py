"""Duty patterns: the built-in ones as data, checking a bureau's edits, and the engine's shift types.

A pattern is checked by the rules a person can actually work (each refusal names its
rule, in the user's language): a shift has a code, a start time and a length of up to 24
hours; the rotation names only the pattern's shifts and has a working day; no shift
starts before the one before it ends (overlapping shifts); and the rest between the end
of a shift and the start of the next one in the rotation is at least the pattern's
minimum rest.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.engine.roster import ShiftType
from jingwu.engine.roster.model import DAY
from jingwu.engine.roster.templates import PATTERNS, DutyPattern, validate_pattern

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,15}$")

# Chinese and English names of the built-in patterns' shifts.
SHIFT_NAMES = {
    "day": ("白班", "Day"),
    "night": ("夜班", "Night"),
    "early": ("早班", "Early"),
    "late": ("中班", "Late"),
    "duty24": ("24小时值班", "24-hour duty"),
}
# Minimum rest (hours) of the built-in patterns: what their rotation gives.
BUILTIN_REST = {
    "day_office": 12,
    "day_night_2": 12,
    "three_shift": 8,
    "duty_24h_1on2off": 24,
    "duty_24h_1on3off": 24,
}


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def builtin_rows() -> list[dict]:
    """The engine's duty patterns as rows of ``DutyPattern`` (code, names, shifts, rotation)."""
    out = []
    for p in PATTERNS:
        out.append(
            {
                "code": p.code,
                "name_zh": p.zh,
                "name_en": p.en,
                "shifts": [
                    {
                        "code": s.code,
                        "name_zh": SHIFT_NAMES.get(s.code, (s.code, s.code))[0],
                        "name_en": SHIFT_NAMES.get(s.code, (s.code, s.code))[1],
                        "start": _hhmm(s.start_minute or 0),
                        "hours": s.minutes / 60,
                        "night": s.night,
                    }
                    for s in p.shifts
                ],
                "cycle": list(p.cycle),
                "weekdays_only": p.weekdays_only,
                "min_rest_hours": BUILTIN_REST.get(p.code, 8),
            }
        )
    return out


def _minutes(text: str) -> int | None:
    m = _TIME.match(str(text or "").strip())
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None


def shift_types(shifts: list[dict]) -> tuple[ShiftType, ...]:
    """The engine's shift types of a checked pattern."""
    return tuple(
        ShiftType(
            s["code"],
            int(round(float(s["hours"]) * 60)),
            start_minute=_minutes(s["start"]),
            night=bool(s.get("night")),
        )
        for s in shifts
    )


def check_pattern(shifts, cycle, *, min_rest_hours: int, weekdays_only: bool = False) -> None:
    """Raise ``ValidationError`` (keyed by field, naming the rule) unless the pattern can be worked."""
    if not isinstance(shifts, list) or not shifts:
        raise ValidationError({"shifts": _("A duty pattern needs at least one shift.")})
    codes: dict[str, dict] = {}
    for i, s in enumerate(shifts, start=1):
        code = str(s.get("code") or "").strip() if isinstance(s, dict) else ""
        if not _CODE.match(code):
            raise ValidationError(
                {
                    "shifts": _("Shift %(n)s: the code must be lower-case letters, digits or _ (up to 16).")
                    % {"n": i}
                }
            )
        if code in codes:
            raise ValidationError({"shifts": _("Shift code %(code)s is used twice.") % {"code": code}})
        if _minutes(s.get("start")) is None:
            raise ValidationError(
                {"shifts": _("Shift %(code)s: the start must be a time like 08:00.") % {"code": code}}
            )
        try:
            hours = float(s.get("hours"))
        except (TypeError, ValueError):
            hours = -1.0
        if not 0 < hours <= 24:
            raise ValidationError(
                {
                    "shifts": _(
                        "Shift %(code)s breaks the rule: a shift lasts more than 0 and at most 24 hours."
                    )
                    % {"code": code}
                }
            )
        codes[code] = s
    if not isinstance(cycle, list) or not cycle:
        raise ValidationError({"cycle": _("The rotation needs at least one day.")})
    if weekdays_only and len(cycle) != 7:
        raise ValidationError({"cycle": _("A weekdays-only pattern has a rotation of 7 days, Monday first.")})
    for i, c in enumerate(cycle, start=1):
        if c is not None and c not in codes:
            raise ValidationError(
                {
                    "cycle": _(
                        "Day %(n)s of the rotation names %(code)s, which is not a shift of this pattern."
                    )
                    % {"n": i, "code": c}
                }
            )
    if all(c is None for c in cycle):
        raise ValidationError({"cycle": _("The rotation has no working day.")})
    types = {t.code: t for t in shift_types(list(codes.values()))}
    n = len(cycle)
    rest_rule = int(min_rest_hours) * 60
    for i, c in enumerate(cycle):
        if c is None:
            continue
        a = types[c]
        end = (a.start_minute or 0) + a.minutes
        for gap in (1, 2):
            if gap >= n + 1:
                break
            nxt = cycle[(i + gap) % n]
            if nxt is None:
                continue
            b = types[nxt]
            rest = gap * DAY + (b.start_minute or 0) - end
            if rest < 0:
                raise ValidationError(
                    {
                        "cycle": _(
                            "Rotation day %(d2)s: shift %(b)s starts before shift %(a)s of day %(d1)s ends. "
                            "It breaks the rule: shifts may not overlap."
                        )
                        % {"d1": i + 1, "d2": (i + gap) % n + 1, "a": c, "b": nxt}
                    }
                )
            if rest < rest_rule:
                raise ValidationError(
                    {
                        "cycle": _(
                            "Only %(h)s hours of rest between shift %(a)s (day %(d1)s) and shift %(b)s "
                            "(day %(d2)s). It breaks the rule: minimum rest between shifts (%(rule)s hours)."
                        )
                        % {
                            "h": f"{rest / 60:g}",
                            "a": c,
                            "d1": i + 1,
                            "b": nxt,
                            "d2": (i + gap) % n + 1,
                            "rule": min_rest_hours,
                        }
                    }
                )
    # the engine's own check, as a second opinion on the same rules
    validate_pattern(
        DutyPattern("check", "", "", tuple(types.values()), tuple(cycle), weekdays_only=weekdays_only),
        rest_rule,
    )
