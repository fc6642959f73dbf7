"""Results of the reassignment: moves, rule conflicts, unit figures and the plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One officer moved, with the reasons as ``(code, *numbers)`` tuples.

    Reason codes: ``("fills_target", unit, kind, gap)`` (the destination was ``gap``
    short of its target), ``("relieves_surplus", unit, kind, surplus)``,
    ``("unit_closing", unit)``, ``("skill_needed", skill, min_level, required, before)``,
    ``("lead_needed", unit, required, before)``, ``("age_balance", unit, before, after)``
    (mean age of the destination or origin moving towards its reference),
    ``("gender_balance", unit, before, after)`` (share of women),
    ``("female_to_operational", from_kind, to_kind)``, and always
    ``("commute_km", new_km, old_km)``.
    """

    officer: str
    from_unit: str
    to_unit: str
    reasons: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class RuleConflict:
    """A hard-rule group that fails (in a plan) or cannot hold together with others.

    ``rule`` is one of ``headcount_min``, ``headcount_max``, ``on_duty``, ``lead``,
    ``skill``, ``locked``, ``candidates``; ``group`` its unique name (e.g.
    ``"skill:IC:investigation>=3 police"``). ``required`` is what the rule needs,
    ``available`` how many officers could at best satisfy it (for a conflict) or have
    it (for a violation). ``message`` says it in English and ``message_zh`` in Chinese
    (the texts are in ``vocab.REASSIGN_MESSAGES``); units are named by their ``label``.
    """

    group: str
    rule: str
    unit: str | None
    required: int | None
    available: int | None
    message: str
    message_zh: str = ""


@dataclass(frozen=True)
class UnitFigures:
    """A unit's staff under one assignment.

    ``target_police``/``target_auxiliary`` are the (fair-share) targets the plan steers
    to; ``hours_per_officer`` and ``officers_per_1000_hours`` need ``workload_hours``;
    ``requirements`` lists ``(label, required, have)`` for each skill requirement and the
    lead rule (``"lead"``); ``skills_covered`` the skills at least one officer holds.
    """

    unit: str
    kind: str
    police: int
    auxiliary: int
    target_police: float
    target_auxiliary: float
    workload_hours: float | None
    hours_per_officer: float | None
    officers_per_1000_hours: float | None
    mean_age: float | None
    share_female: float | None
    requirements: tuple[tuple[str, int, int], ...]
    requirements_met: bool
    skills_covered: tuple[str, ...]

    @property
    def headcount(self) -> int:
        return self.police + self.auxiliary


@dataclass(frozen=True)
class ReassignmentPlan:
    """The CP-SAT plan.

    ``status`` is CP-SAT's (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID);
    ``objective``/``best_bound`` are in weighted objective units (see
    :class:`ObjectiveWeights`); ``gap = (objective - bound) / max(1, |objective|)``.
    ``terms`` holds each term's unweighted value (persons, year x persons, km, moves).
    ``assignment`` maps every officer to a unit (the current one when no plan was
    found). ``conflicts`` names the rule groups that cannot hold together when the
    instance is infeasible (a minimal set when ``minimal_conflict``).
    ``start_objective`` is the cost of the start (greedy, local search, LNS) handed to
    CP-SAT as a hint (it includes a penalty of 10^6 per officer missing from a hard
    rule; None when the instance failed the counting check before any search).
    ``stage_seconds`` splits ``wall_seconds`` by stage; ``deterministic_seconds``
    adds up CP-SAT's deterministic time over the LNS steps and the full solve.
    """

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    terms: Mapping[str, float]
    moves: tuple[Move, ...]
    assignment: Mapping[str, str]
    before: tuple[UnitFigures, ...]
    after: tuple[UnitFigures, ...]
    imbalance_before: float | None
    imbalance_after: float | None
    conflicts: tuple[RuleConflict, ...]
    minimal_conflict: bool
    start_objective: float | None
    wall_seconds: float
    stage_seconds: Mapping[str, float]
    deterministic_seconds: float
    variables: int

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def conflict_summary(self) -> str:
        """The conflicting rules in one English sentence ("" when there are none)."""
        return self.summary("en")

    def summary(self, language: str = "en") -> str:
        """The conflicting rules in one sentence in ``language`` ("en" or "zh")."""
        if not self.conflicts:
            return ""
        if language == "zh":
            return "这些规则无法同时满足：" + "；".join(c.message_zh or c.message for c in self.conflicts)
        return "These rules cannot all be met together: " + "; ".join(c.message for c in self.conflicts)
