"""Station–zone–grid duty rosters with CP-SAT (framework-free).

* :mod:`.model` - the inputs (shift types, staff and their limits, needs per zone, day and
  shift, leave, requests, weights) and the result (:class:`Roster`).
* :mod:`.solve` - the CP-SAT model, :func:`solve_roster`, re-planning a window
  (:func:`resolve_window`), the reason for every need left unmet.
* :mod:`.rules` - independent checks of the hard rules, and swaps refused by rule.
* :mod:`.templates` - duty patterns used in Chinese stations, as data.
* :mod:`.curtois` - the Curtois & Qu benchmark format read into the general model.
* :mod:`.reasons` - reason codes with English and Chinese texts.
"""

from jingwu.engine.roster.model import (
    Assignment,
    Conflict,
    Leave,
    Need,
    Progress,
    Request,
    Roster,
    RosterParams,
    RosterProblem,
    ShiftType,
    Staff,
    Unmet,
    Weights,
)
from jingwu.engine.roster.reasons import REASONS, RULES, describe, rule_name
from jingwu.engine.roster.rules import RosterRuleError, Violation, check_swap, violations
from jingwu.engine.roster.solve import changes, fairness, resolve_window, solve_roster

__all__ = [
    "REASONS",
    "RULES",
    "Assignment",
    "Conflict",
    "Leave",
    "Need",
    "Progress",
    "Request",
    "Roster",
    "RosterParams",
    "RosterProblem",
    "RosterRuleError",
    "ShiftType",
    "Staff",
    "Unmet",
    "Violation",
    "Weights",
    "changes",
    "check_swap",
    "describe",
    "fairness",
    "resolve_window",
    "rule_name",
    "solve_roster",
    "violations",
]
