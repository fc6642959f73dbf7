"""The whole plan, step by step: station types, demand, staffing, zones, reassignment, figures.

``run_pipeline(state, params, progress)`` takes the bureau's state (``inputs.load_state``)
and a scenario's parameters and returns a JSON-safe ``results`` dict, the list of moves
and the engine objects (for the benchmark). ``progress(step, percent)`` is called at the
start of every step. Nothing here writes to the database.

The steps (``STEPS``, in order), one module each; every step takes the run (``PlanRun``)
and returns it with its part filled in:

1. ``station_types.apply_station_types`` - each station's type (k-means with reasons,
   the planner's overrides last);
2. ``demand.estimate_demand`` - officer-hours a year per grid and station, and criminal
   cases a year per station;
3. ``staffing.set_targets`` - the reform's what-if, the officers each unit needs, and the
   targets by the reform's rules (``targets``);
4. ``zones.redesign_zones`` - one station's grids into zones (optional);
5. ``reassignment.reassign_officers`` - CP-SAT chooses who moves where (``problem``
   builds its input);
6. ``report.report_figures`` - the moves, the baselines, before and after, the reform's
   shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..choices import STEP_START, Step
from ..inputs import BureauState, ScenarioParams
from .demand import estimate_demand
from .reassignment import reassign_officers
from .report import report_figures
from .roles import new_role
from .run import RESULTS_VERSION, PipelineOutput, PlanRun, Progress
from .staffing import set_targets
from .station_types import apply_station_types
from .zones import redesign_zones

__all__ = ["RESULTS_VERSION", "STEPS", "PipelineOutput", "PlanRun", "Progress", "new_role", "run_pipeline"]

#: The steps in the order they run: (progress step, function of the run).
STEPS: tuple[tuple[Step, Callable[[PlanRun], PlanRun]], ...] = (
    (Step.CLASSIFY, apply_station_types),
    (Step.DEMAND, estimate_demand),
    (Step.STAFFING, set_targets),
    (Step.ZONES, redesign_zones),
    (Step.REASSIGN, reassign_officers),
    (Step.REPORT, report_figures),
)


def run_pipeline(
    state: BureauState, params: ScenarioParams, progress: Progress | None = None
) -> PipelineOutput:
    """Run every step on ``state`` with ``params``; ``results["timings"]`` holds each step's seconds."""
    check_state(state)
    run = PlanRun(state, params)
    for step, do in STEPS:
        if progress is not None:
            progress(step, STEP_START[step])
        started = time.perf_counter()
        run = do(run)
        run.timings[step.value] = time.perf_counter() - started
    run.results["timings"] = {k: round(v, 3) for k, v in run.timings.items()}
    if progress is not None:
        progress(Step.DONE, STEP_START[Step.DONE])
    return PipelineOutput(results=run.results, moves=run.moves, problem=run.problem, plan=run.plan)


def check_state(state: BureauState) -> None:
    """Refuse a state the plan cannot stand on, before any step runs."""
    if not state.stations:
        raise ValueError("the bureau has no police stations in force on the reform date")
    if not state.grids:
        raise ValueError("the stations have no grids: the demand is computed per grid")
    if not state.officers:
        raise ValueError("no one was posted in the bureau on the day of the state")
