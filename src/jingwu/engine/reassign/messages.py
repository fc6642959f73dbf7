"""The engine's messages about rules, in English and Chinese.

The templates are in ``vocab.REASSIGN_MESSAGES`` (both languages, like every label of the
vocabulary); :func:`say` fills one in both languages. A value is either the same in
both (a number) or an ``(english, chinese)`` pair: units by their label (code and
name), officer kinds, skills, roles and ranks by their vocabulary labels.
"""

from __future__ import annotations

from collections.abc import Iterable

from jingwu.engine.vocab import (
    LOCK_REASONS,
    OFFICER_KINDS,
    POSTING_ROLES,
    RANKS,
    REASSIGN_MESSAGES,
    SKILLS,
    Term,
)

from .problem import SkillRequirement, Unit

Text = tuple[str, str]
"""A text in English and in Chinese."""

_MESSAGES = {t.code: t for t in REASSIGN_MESSAGES}


def _zh(terms: Iterable[Term], code: str) -> str:
    for t in terms:
        if t.code == code:
            return t.zh
    return code


def say(code: str, **values: object) -> Text:
    """The message ``code`` with ``values`` filled in, in English and in Chinese."""
    term = _MESSAGES[code]
    en = {k: v[0] if isinstance(v, tuple) else v for k, v in values.items()}
    zh = {k: v[1] if isinstance(v, tuple) else v for k, v in values.items()}
    return term.en.format(**en), term.zh.format(**zh)


def unit_name(unit: Unit) -> Text:
    return unit.name("en"), unit.name("zh")


def kind_name(kind: str) -> Text:
    """An officer kind: its code in English ("police officers"), its label in Chinese."""
    return kind, _zh(OFFICER_KINDS, kind)


def skill_name(skill: str) -> Text:
    return skill, _zh(SKILLS, skill)


def requirement_name(req: SkillRequirement) -> Text:
    """A skill requirement as a kind of officer: ``investigation>=3 police`` / 刑事侦查3级以上民警."""
    who = _zh(OFFICER_KINDS, req.officer_kind) if req.officer_kind else "人员"
    return req.label, f"{_zh(SKILLS, req.skill)}{req.min_level}级以上{who}"


def roles_name(roles: Iterable[str]) -> Text:
    roles = tuple(roles)
    return ", ".join(roles), "、".join(_zh(POSTING_ROLES, r) for r in roles)


def rank_name(rank: str) -> Text:
    return rank, _zh(RANKS, rank)


def lock_reason_name(reason: str) -> Text:
    for t in LOCK_REASONS:
        if t.code == reason:
            return t.en, t.zh
    return reason, reason


def lead_name() -> Text:
    term = _MESSAGES["lead_officers"]
    return term.en, term.zh
