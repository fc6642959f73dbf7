"""The hard rules, in named groups, and the one test of whether an officer counts toward one.

A rule group is a unit's headcount minimum or maximum for one officer kind, the police it
needs to keep ``min_on_duty`` on duty every shift, its zone leads, or one of its skill
requirements. Two more groups appear only in explanations: ``locked:<unit>`` (the
unit's locked officers stay) and ``candidates`` (officers only go to their candidate
units).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .problem import OFFICER_KIND_CODES, Officer, SkillRequirement, Unit

HEADCOUNT_MIN = "headcount_min"
HEADCOUNT_MAX = "headcount_max"
ON_DUTY = "on_duty"
LEAD = "lead"
SKILL = "skill"
#: Groups that are not :class:`Rule` objects: locked officers staying put, and the
#: candidate limits (explanations only).
LOCKED = "locked"
CANDIDATES = "candidates"


@dataclass(frozen=True)
class Rule:
    """One hard-rule group: at least (at most, for ``headcount_max``) ``required``
    officers who count toward it in unit number ``unit``.

    ``kind`` is the officer kind of a headcount or on-duty rule; ``skill`` the
    requirement of a skill rule.
    """

    name: str
    rule: str
    unit: int
    required: int
    kind: str | None = None
    skill: SkillRequirement | None = None

    @property
    def is_max(self) -> bool:
        return self.rule == HEADCOUNT_MAX

    def counts(self, officer: Officer, lead_ok: bool) -> bool:
        """Whether ``officer`` counts toward this rule (``lead_ok``: they may lead a zone).

        The one definition used by the model, the searches, the baselines, the figures
        and the explanations.
        """
        if self.rule == LEAD:
            return lead_ok
        if self.skill is not None:
            return self.skill.met_by(officer)
        return officer.kind == self.kind

    def broken(self, have: int) -> bool:
        """Whether ``have`` officers who count break the rule."""
        return have > self.required if self.is_max else have < self.required

    def gap(self, have: int) -> int:
        """Officers missing from the rule (over it, for a maximum); 0 or less when it holds."""
        return have - self.required if self.is_max else self.required - have


def hard_rules(units: Sequence[Unit], on_duty_min: Sequence[int]) -> tuple[Rule, ...]:
    """Every hard-rule group, unit by unit: bands per kind, on duty, leads, skills."""
    out: list[Rule] = []
    for ui, unit in enumerate(units):
        for kind in OFFICER_KIND_CODES:
            hc = unit.headcount(kind)
            if hc.minimum > 0:
                out.append(
                    Rule(f"{HEADCOUNT_MIN}:{unit.id}:{kind}", HEADCOUNT_MIN, ui, hc.minimum, kind=kind)
                )
            if hc.maximum is not None:
                out.append(
                    Rule(f"{HEADCOUNT_MAX}:{unit.id}:{kind}", HEADCOUNT_MAX, ui, hc.maximum, kind=kind)
                )
        if on_duty_min[ui] > 0:
            out.append(Rule(f"{ON_DUTY}:{unit.id}", ON_DUTY, ui, on_duty_min[ui], kind="police"))
        if unit.leads:
            out.append(Rule(f"{LEAD}:{unit.id}", LEAD, ui, int(unit.leads)))
        for req in unit.skills:
            out.append(Rule(f"{SKILL}:{unit.id}:{req.label}", SKILL, ui, req.minimum, skill=req))
    return tuple(out)
