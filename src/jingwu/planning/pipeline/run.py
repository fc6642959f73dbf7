"""What the steps share (``PlanRun``) and what the pipeline returns (``PipelineOutput``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jingwu.engine.demand import DemandResult
from jingwu.engine.reassign import Prepared, ReassignmentPlan, ReassignProblem

from ..inputs import BureauState, ScenarioParams

#: ``progress(step, percent)``: called as each step starts (the scenario's progress bar).
Progress = Callable[[str, int], None]
#: Version of the ``results`` layout stored on a scenario.
RESULTS_VERSION = 1


@dataclass
class PlanRun:
    """One run of the pipeline: its inputs, and what each step leaves for the next ones.

    Every step takes the run and returns it with its own fields filled in; ``results`` is
    the JSON-safe dict the scenario stores, each step adding its sections in order.
    """

    state: BureauState
    params: ScenarioParams
    results: dict[str, Any] = field(default_factory=lambda: {"version": RESULTS_VERSION})
    timings: dict[str, float] = field(default_factory=dict)
    # station types: station code -> the type applied (the method's, or the planner's override)
    types: dict[str, str] = field(default_factory=dict)
    # demand: officer-hours a year per grid and station; criminal cases a year per station
    demand: DemandResult | None = None
    criminal: np.ndarray | None = None
    # staffing: target per (planning unit, officer kind); workload hours per planning unit
    targets: dict[tuple[int, str], float] = field(default_factory=dict)
    workload_hours: dict[int, float] = field(default_factory=dict)
    # reassignment
    problem: ReassignProblem | None = None
    prepared: Prepared | None = None
    plan: ReassignmentPlan | None = None
    # report: the moves to store as ``ScenarioMove`` rows
    moves: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PipelineOutput:
    results: dict[str, Any]
    moves: list[dict[str, Any]]
    problem: ReassignProblem | None = None
    plan: ReassignmentPlan | None = None
