"""Step 5, reassignment: CP-SAT chooses who moves where (``engine.reassign``).

Within +/- ``band`` of each target, balancing ages and genders, an even workload per
officer across the stations, few moves and short commutes. The problem is prepared once:
the plan and the baselines of the report share it.
"""

from __future__ import annotations

from jingwu.engine.reassign import plan_reassignment, prepare

from .problem import reassign_problem
from .run import PlanRun


def reassign_officers(run: PlanRun) -> PlanRun:
    run.problem = reassign_problem(run.state, run.params, run.types, run.targets, run.workload_hours)
    run.prepared = prepare(run.problem)
    run.plan = plan_reassignment(run.prepared)
    return run
