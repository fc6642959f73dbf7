"""Identity and phone numbers of officers: validation and masking, per bureau scheme.

Scheme ``cn`` (mainland China, the default): the 18-character resident ID number
(居民身份证号码, GB 11643-1999) with its birth date and ISO 7064 check digit, and an
11-digit mobile number. Scheme ``other`` (a bureau outside the mainland): numbers are
stored as given, with a sanity check of length and characters only.
"""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")
# Other schemes: a passport or national identity number, letters and digits with the
# usual separators, 4-32 characters; a phone in any national or international writing.
_OTHER_ID = re.compile(r"^[0-9A-Za-z](?:[0-9A-Za-z ./-]{2,30})[0-9A-Za-z]$")
_OTHER_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*[0-9]$")

SCHEMES = ("cn", "other")


def check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(value: str, scheme: str = "cn") -> str | None:
    """Return None when ``value`` is a valid identity number of the scheme, else a reason code.

    Reason codes (``cn``): ``length``, ``format``, ``birth_date``, ``check_digit``;
    (``other``): ``other_length``, ``other_format``.
    """
    if scheme != "cn":
        v = (value or "").strip()
        if not 4 <= len(v) <= 32:
            return "other_length"
        if not _OTHER_ID.match(v) or "  " in v:
            return "other_format"
        return None
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


def phone_problem(value: str, scheme: str = "cn") -> str | None:
    """None when ``value`` is a plausible phone number of the scheme (or empty), else a reason code.

    Reason codes: ``cn_phone`` (not 11 digits), ``other_phone`` (not 4-15 digits with
    an optional + and separators, at most 20 characters).
    """
    v = (value or "").strip()
    if not v:
        return None
    if scheme == "cn":
        return None if len(v) == 11 and v.isdigit() else "cn_phone"
    digits = sum(ch.isdigit() for ch in v)
    if len(v) > 20 or not 4 <= digits <= 15 or not _OTHER_PHONE.match(v):
        return "other_phone"
    return None


def birth_date_of(value: str) -> dt.date | None:
    """The birth date a mainland ID number carries (None for any other number)."""
    v = (value or "").strip().upper()
    if not _PATTERN.match(v):
        return None
    try:
        return dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return None


def mask_id_number(value: str) -> str:
    """A masked identity number that gives back neither the birth date nor the check digit.

    Mainland numbers keep the region and the three sequence digits (330522********123*):
    with the check digit shown, the birth date could be narrowed down from an age to a
    few dozen days. Other numbers keep their last three characters.
    """
    v = (value or "").strip()
    if _PATTERN.match(v.upper()):
        return v[:6] + "*" * 8 + v[14:17] + "*"
    if len(v) < 8:
        return "*" * len(v)
    return "*" * (len(v) - 3) + v[-3:]


def mask_name(value: str) -> str:
    """Mask a person's name the way Chinese records do: 张*, 欧阳** ."""
    v = (value or "").strip()
    if len(v) <= 1:
        return v
    return v[0] + "*" * (len(v) - 1)


def mask_phone(value: str) -> str:
    """139****5678 for a mainland mobile; other numbers keep their last four digits."""
    v = (value or "").strip()
    if len(v) == 11 and v.isdigit():
        return v[:3] + "****" + v[7:]
    if len(v) < 8:
        return "*" * len(v)
    return "".join("*" if ch.isdigit() else ch for ch in v[:-4]) + v[-4:]
