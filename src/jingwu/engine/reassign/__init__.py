"""Where do the people go? Reassigning officers to units after the reform (CP-SAT).

The reform regroups a county bureau: an investigation center staffed by young officers
drawn from the stations, a prevention center that needs every public-order specialism,
zones led by deputy chiefs, old stations made younger, female officers moved from back
offices into operational units. This package turns that into an assignment problem:

* **Decision.** Each officer goes to one unit (possibly the one they are in). Only a
  short list of *candidate* units is modelled per officer (:func:`candidate_units`): the
  current unit, the centers, units whose skill requirements the officer meets, and the
  nearest other units within ``radius_km`` of home, at most ``max_candidates`` in all.
  Locked officers (near retirement, on leave, pinned) have one candidate: where they are.
* **Hard rules**, in named groups: headcount min/max per unit and officer kind, the
  police a unit needs to keep ``min_on_duty`` officers on duty every shift (with the
  shift relief factor of :mod:`jingwu.engine.staffing`), zone leads, skill requirements
  (the investigation center's investigators, the prevention center's specialisms),
  locked officers staying put.
* **Objective** (weights in :class:`ObjectiveWeights`; all terms documented there):
  deviation from the (fair-share) targets, age balance, gender balance, a reward for
  moving female back-office officers into operational units, number of moves,
  commuting distance.
* **Output** (:class:`ReassignmentPlan`): moves with reason codes and numbers, per-unit
  figures before and after, solver status, objective, best bound and gap, and - when the
  rules cannot all hold - which rule groups conflict: rules impossible by counting alone
  are reported at once; otherwise CP-SAT assumption literals, one per rule group, and
  ``SufficientAssumptionsForInfeasibility`` give a core, shrunk to a minimal set by
  deletion.

Two baselines take the same inputs: :func:`proportional_baseline` (split each kind of
staff over the units in proportion to their targets, largest remainders) and
:func:`greedy_baseline` (repair the hard rules, then move officers from the most
over-target to the most under-target unit). :func:`imbalance` is the coefficient of
variation of workload hours per officer across units, the figure the benchmark compares.

**Search.** CP-SAT alone finds good plans slowly on this model (the age and gender
terms are absolute values of long sums, and its generic neighbourhoods rarely improve
them), so :func:`plan_reassignment` hands it a start: the greedy baseline, improved by
a local search (moves and swaps on the model's own objective) and a unit-neighbourhood
LNS (small CP-SAT models over a few linked units, solved one after another). The full
model then improves that start, proves a bound and reports the gap.

Every stage is deterministic: fixed orders, a seeded neighbourhood choice, CP-SAT with
fixed parameters (``random_seed``, ``num_workers``, interleaved search when more than
one worker) and *deterministic* time limits, so the same inputs give the same plan
whatever the machine load.

**Layout** (one concern per module): ``problem`` (inputs and their validation),
``results`` (outputs), ``tuning`` (every tuning number, with where it comes from),
``prepare`` (fair share, candidates, locks, distances: computed once per problem and
passed along as a :class:`Prepared`), ``rules`` (the rule groups and whether an officer
counts toward one), ``metrics`` (figures, violations, imbalance), ``baselines``,
``objective`` (the objective, defined once), ``search`` (local search and LNS),
``model`` (the CP-SAT model), ``explain`` (conflicting rules), ``messages`` (their
texts, in English and Chinese) and ``plan`` (move reasons and the entry point).
"""

from __future__ import annotations

from .baselines import greedy_baseline, proportional_baseline
from .metrics import imbalance, rule_violations, unit_figures
from .plan import plan_reassignment
from .prepare import Prepared, candidate_units, fair_share_targets, prepare
from .problem import (
    BACK_OFFICE_KINDS,
    CENTER_KINDS,
    DEFAULT_LEAD_ROLES,
    OPERATIONAL_KINDS,
    Headcount,
    ObjectiveWeights,
    Officer,
    ReassignParams,
    ReassignProblem,
    SkillRequirement,
    Unit,
)
from .results import Move, ReassignmentPlan, RuleConflict, UnitFigures

__all__ = [
    "BACK_OFFICE_KINDS",
    "CENTER_KINDS",
    "DEFAULT_LEAD_ROLES",
    "OPERATIONAL_KINDS",
    "Headcount",
    "Move",
    "ObjectiveWeights",
    "Officer",
    "Prepared",
    "ReassignParams",
    "ReassignProblem",
    "ReassignmentPlan",
    "RuleConflict",
    "SkillRequirement",
    "Unit",
    "UnitFigures",
    "candidate_units",
    "fair_share_targets",
    "greedy_baseline",
    "imbalance",
    "plan_reassignment",
    "prepare",
    "proportional_baseline",
    "rule_violations",
    "unit_figures",
]
