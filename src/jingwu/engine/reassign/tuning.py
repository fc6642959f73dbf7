"""The reassignment engine's tuning numbers, each with where it comes from.

Every number that shapes a plan and is not an input lives here, so that a reader can
see them together and a change shows in one place. "Chosen by hand" means the value
was set by judgement and checked on the test county (``tests/engine/test_reassign.py``)
and the benchmark county (``bench/bench_reassign.py``), not derived from data; the
figures those checks gave are in ``docs/engine-reassign.md``.
"""

from __future__ import annotations

# --- default weights of the objective (``ObjectiveWeights``) --------------------------------

#: Per person away from a unit's target: the reform staffs units to their workload first,
#: so one person off target outweighs ten moves or 200 km of commuting (chosen by hand).
WEIGHT_TARGET = 100.0
#: Per year x person of a unit's age sum away from its reference: a 10-officer unit whose
#: mean is 3 years off costs 30, a third of one person off target (chosen by hand).
WEIGHT_AGE = 1.0
#: Per woman away from the unit's reference share x headcount (chosen by hand).
WEIGHT_GENDER = 10.0
#: Reward per female back-office officer moved into an operational unit: the reform's
#: "eight women to a strike squad" (domain.md) as an incentive, not a rule; twice a move's
#: cost, so such a move pays for itself (chosen by hand).
WEIGHT_FEMALE_OPERATIONAL = 20.0
#: Per officer moved: a posting change has a cost for the officer and the unit (chosen by hand).
WEIGHT_MOVES = 10.0
#: Per km from home to the unit's base, for every movable officer (chosen by hand: 20 km
#: of extra commuting costs as much as a move).
WEIGHT_COMMUTE = 0.5
#: Workload balance: off by default; the planning app sets its own (docs/planning.md).
WEIGHT_WORKLOAD = 0.0

# --- default rules (``ReassignParams``) -----------------------------------------------------

#: Officers this old or older stay put: three years before the statutory retirement age
#: of 60, a posting is not changed (chosen by hand; the planning app lets a planner set it).
LOCK_AGE = 57
#: Candidate units within this many km of an officer's home (about half an hour's drive
#: in a county of the reform's size, ~1,500 km²; chosen by hand).
RADIUS_KM = 30.0
#: Lead-eligible officers also reach units that need a lead within this many radii.
LEAD_RADIUS_FACTOR = 2.0
#: At most this many candidate units per officer: on the 1,000-officer benchmark county
#: 14.4 per officer on average instead of 60 (docs/engine-reassign.md).
MAX_CANDIDATES = 15
#: Shifts per day (three 8-hour shifts, the staffing module's default post).
SHIFTS_PER_DAY = 3
#: Default tolerance of ``Headcount.around``: a band of +/- 15 % around a target (chosen by hand).
HEADCOUNT_TOLERANCE = 0.15

# --- solver effort (``ReassignParams``) -----------------------------------------------------

#: CP-SAT deterministic seconds for the full model: gap 5.4 % on the 1,000-officer county.
MAX_DETERMINISTIC_TIME = 8.0
#: CP-SAT workers (the development and CI machines have 2 cores).
NUM_WORKERS = 2
#: Deterministic seconds per explanation solve (each core-shrinking step is one).
EXPLAIN_DETERMINISTIC_TIME = 10.0
#: Local search passes (each pass tries every movable officer once; 8 passes reach a
#: local optimum on the benchmark county).
LOCAL_SEARCH_PASSES = 8
#: LNS steps: 8-unit neighbourhoods found -2.7 % in 60 steps on the 60-unit county where
#: 3-unit ones stalled at -0.3 % in 120 (docs/engine-reassign.md).
LNS_ITERATIONS = 50
LNS_UNITS = 8
#: Deterministic seconds per LNS sub-model.
LNS_DETERMINISTIC_TIME = 1.0
#: Default LNS budget: this many times ``max_deterministic_time``, so one knob scales the
#: whole effort (the full model then gets the rest).
LNS_BUDGET_FACTOR = 2.0
#: An LNS neighbourhood covers at most this share of the units (a quarter) ...
LNS_MAX_UNIT_SHARE = 4
#: ... and at least two units.
LNS_MIN_UNITS = 2
#: Share of LNS steps whose seed unit is drawn uniformly; the others draw it weighted by
#: the unit's cost (chosen by hand: half exploring, half repairing the costliest units).
LNS_UNIFORM_SEED_SHARE = 0.5
#: Link weight, in officers, of an officer who has moved between two units in the
#: current plan (a plain "may move between them" link weighs 1): a move can then be
#: undone or passed on (chosen by hand).
LNS_MOVED_LINK = 10
#: The last LNS step gets at least this many deterministic seconds.
LNS_MIN_STEP_TIME = 0.01
#: CP-SAT seed of the LNS sub-models (the neighbourhoods are drawn from ``params.seed``).
LNS_SOLVER_SEED = 0

# --- integer scales of the objective ---------------------------------------------------------

#: Objective points per weighted objective unit (CP-SAT needs integer coefficients): the
#: weighted objective is kept to 1/1,000.
POINTS = 1000
#: Resolution of the terms: a tenth of a person, a tenth of a year, a hundredth of a
#: woman, a tenth of a km.
PERSON_STEPS = 10
AGE_STEPS = 10
FEMALE_STEPS = 100
KM_STEPS = 10
#: Per-unit factor ``mean unit size / unit size`` of the relative target and balance
#: terms, clamped so that a tiny unit cannot dominate nor a huge one vanish.
SIZE_FACTOR_MIN = 0.25
SIZE_FACTOR_MAX = 4.0
#: Search penalty, in points, per officer missing from (or over) a hard rule: larger than
#: any objective the rules allow, so the local search repairs before it optimises.
VIOLATION = 10**9

# --- greedy baseline --------------------------------------------------------------------------

#: A unit is over (under) its target when its surplus is above half a person (below minus
#: half a person): the nearest whole headcount is then not the current one.
GREEDY_SURPLUS = 0.5
#: At most this many balancing moves per officer of the county (a bound on the loop;
#: the balancing stops long before on every county seen).
GREEDY_MOVES_PER_OFFICER = 4
#: Float tolerance of the greedy gains.
EPSILON = 1e-9

# --- move reasons -----------------------------------------------------------------------------

#: A move "fills a target" or "relieves a surplus" when the gap is at least half a person.
REASON_GAP = 0.5
#: A move helps the age balance when the unit's mean moves this many years closer to its reference.
REASON_AGE_YEARS = 0.05
#: ... the gender balance when the share of women moves this much closer to its reference.
REASON_FEMALE_SHARE = 1e-3
