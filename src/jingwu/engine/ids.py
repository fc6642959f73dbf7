"""Resident ID numbers (居民身份证号码, GB 11643-1999): check digit, validation, masking."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(value: str) -> str | None:
    """Return None when ``value`` is a valid 18-character ID number, else a reason code.

    Reason codes: ``length``, ``format``, ``birth_date``, ``check_digit``.
    """
    v = (value or "").strip().upper()
    if len(v) != 18:
        return "length"
    if not _PATTERN.match(v):
        return "format"
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return "birth_date"
    if check_digit(v[:17]) != v[17]:
        return "check_digit"
    return None


def make_id_number(region: str, birth: dt.date, sequence: int, female: bool) -> str:
    """Build a valid ID number. ``sequence`` 0-99 plus the gender digit (odd = male)."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be 6 digits")
    gender_digit = (sequence * 2 + (0 if female else 1)) % 10
    seq3 = f"{sequence % 100:02d}{gender_digit}"
    first17 = f"{region}{birth:%Y%m%d}{seq3}"
    return first17 + check_digit(first17)


def mask_id_number(value: str) -> str:
    """Show region and the last character only: 330522********123X style."""
    v = (value or "").strip()
    if len(v) != 18:
        return "*" * len(v)
    return v[:6] + "*" * 8 + v[14:]


def mask_name(value: str) -> str:
    """Mask a person's name the way Chinese records do: 张*, 欧阳** ."""
    v = (value or "").strip()
    if len(v) <= 1:
        return v
    return v[0] + "*" * (len(v) - 1)


def mask_phone(value: str) -> str:
    v = (value or "").strip()
    if len(v) != 11:
        return "*" * len(v)
    return v[:3] + "****" + v[7:]
