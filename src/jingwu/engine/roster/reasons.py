"""Reason codes for roster rules, unmet needs and refused changes, in English and Chinese.

Codes are stable (stored with a roster run and shown by the app); the texts are templates
with named fields (``{staff}``, ``{day}``, ``{zone}``, ``{shift}``, ``{n}``, ``{m}``,
``{skill}``) that :func:`describe` fills. The app may translate codes itself; these texts
are the engine's defaults so a result is readable without the app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    en: str
    zh: str


_ROWS = (
    # Why a need could not be met (or a staff member could not take it).
    ("no_staff", "Nobody is posted to zone {zone}", "片区{zone}没有可排班人员"),
    ("no_skill", "Nobody in zone {zone} has the skill {skill}", "片区{zone}没有具备{skill}技能的人员"),
    ("no_lead", "Nobody in zone {zone} can lead a shift", "片区{zone}没有可担任带班的人员"),
    ("leave", "{n} of {m} eligible staff are on leave that day", "{m}名符合条件人员中有{n}名当天休假"),
    (
        "shift_not_allowed",
        "{n} of {m} eligible staff may not work shift {shift}",
        "{m}名符合条件人员中有{n}名不能上{shift}班",
    ),
    (
        "busy_elsewhere",
        "{n} of {m} eligible staff already work another shift or zone that day",
        "{m}名符合条件人员中有{n}名当天已在其他班次或片区",
    ),
    (
        "rest",
        "{n} of {m} eligible staff would not get the minimum rest between shifts",
        "{m}名符合条件人员中有{n}名将不满足班次间最短休息时间",
    ),
    (
        "max_shifts",
        "{n} of {m} eligible staff already have the most {shift} shifts allowed",
        "{m}名符合条件人员中有{n}名{shift}班次数已达上限",
    ),
    (
        "max_minutes",
        "{n} of {m} eligible staff would exceed their hours for the period",
        "{m}名符合条件人员中有{n}名将超过本期最长工作时间",
    ),
    (
        "max_week_minutes",
        "{n} of {m} eligible staff would exceed the maximum hours a week",
        "{m}名符合条件人员中有{n}名将超过每周最长工作时间",
    ),
    (
        "max_consecutive",
        "{n} of {m} eligible staff would work too many days in a row",
        "{m}名符合条件人员中有{n}名将连续工作天数超限",
    ),
    (
        "min_consecutive",
        "{n} of {m} eligible staff would work a run of days shorter than allowed",
        "{m}名符合条件人员中有{n}名将出现过短的连续工作段",
    ),
    (
        "min_consecutive_off",
        "{n} of {m} eligible staff would get too short a break",
        "{m}名符合条件人员中有{n}名的连续休息天数将不足",
    ),
    (
        "max_weekends",
        "{n} of {m} eligible staff already work the most weekends allowed",
        "{m}名符合条件人员中有{n}名周末上班次数已达上限",
    ),
    ("min_minutes", "Staff {staff} cannot reach their minimum hours", "{staff}无法达到最少工作时间"),
    (
        "fixed",
        "{n} of {m} eligible staff are fixed outside the window being re-planned",
        "{m}名符合条件人员中有{n}名在重排时段外已固定",
    ),
    (
        "trade_off",
        "{n} of {m} eligible staff could take it only at a higher cost elsewhere",
        "{m}名符合条件人员中有{n}名只能以牺牲其他需求为代价补上",
    ),
)

REASONS: dict[str, Reason] = {code: Reason(code, en, zh) for code, en, zh in _ROWS}

#: Short names of the hard rules, for messages about one person ("breaks the rule ...").
RULES: dict[str, Reason] = {
    code: Reason(code, en, zh)
    for code, en, zh in (
        ("leave", "no duty on a day of leave", "休假日不排班"),
        ("shift_not_allowed", "only the shifts this person may work", "只排本人可上的班次"),
        ("zone", "only the zones this person is posted to", "只排本人所属片区"),
        ("busy_elsewhere", "one shift a day", "每天只上一个班"),
        ("rest", "minimum rest between shifts", "班次间最短休息时间"),
        ("max_shifts", "most shifts of one kind", "同类班次上限"),
        ("max_minutes", "most hours in the period", "本期最长工作时间"),
        ("min_minutes", "least hours in the period", "本期最少工作时间"),
        ("max_week_minutes", "most hours a week", "每周最长工作时间"),
        ("max_consecutive", "most days in a row", "最多连续工作天数"),
        ("min_consecutive", "least days in a row", "最少连续工作天数"),
        ("min_consecutive_off", "least days off in a row", "最少连续休息天数"),
        ("max_weekends", "most weekends worked", "周末上班次数上限"),
    )
}


def rule_name(code: str, lang: str = "en") -> str:
    """The short name of hard rule ``code`` in ``lang``."""
    rule = RULES.get(code)
    if rule is None:
        raise ValueError(f"unknown rule code {code!r}")
    return rule.zh if lang.startswith("zh") else rule.en


def describe(code: str, lang: str = "en", **fields: object) -> str:
    """The plain sentence for ``code`` in ``lang`` (``"en"`` or ``"zh"``), fields filled."""
    reason = REASONS.get(code)
    if reason is None:
        raise ValueError(f"unknown reason code {code!r}")
    text = reason.zh if lang.startswith("zh") else reason.en
    values = {"staff": "", "day": "", "zone": "", "shift": "", "n": 0, "m": 0, "skill": ""}
    values.update(fields)
    return text.format(**values)
