"""Writes for planning scenarios: create, run (in the background or now), approve, apply.

Every write checks ``authorize`` and records an audit event in its transaction. A run
is a job of the job pattern (``jingwu.jobs``, kind ``planning``: ``run_scenario_job``,
``scenario_run_ended``); it reads the bureau through the selectors with the
permissions of the user who started it, and writes the results and the moves at the end
in one transaction. Applying an approved plan ends each moved officer's posting the day
before the apply date and creates the new posting from that date, through the
personnel services (each posting audited, attributed to the user), all or nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date, day_bounds, zone
from jingwu.core.scope import restrict
from jingwu.core.services import authorize, service
from jingwu.incidents.selectors import last_incident_day

from .choices import ACTIVE, RUNNABLE, STEP_START, ScenarioStatus, Step
from .inputs import ScenarioParams, load_state
from .models import Scenario, ScenarioMove

log = logging.getLogger(__name__)

# The scenario fields an audit event shows (not the results: they are large and derived).
_AUDIT_FIELDS = [
    "name",
    "note",
    "status",
    "as_of",
    "reform_date",
    "incidents_from",
    "incidents_to",
    "thin_data_reason",
    "params",
    "approved_by",
    "approved_at",
    "approval_note",
    "applied_by",
    "applied_at",
]


def scenarios_for(user, action: str = "view"):
    """The scenarios a user may see (bureau-wide for planner, command and auditor)."""
    return restrict(
        Scenario.objects.select_related("bureau", "created_by", "run_by", "approved_by", "applied_by", "run"),
        user,
        action,
    )


def can_plan(user) -> bool:
    from jingwu.core.scope import can

    return can(user, Scenario, "add")


def can_approve(user) -> bool:
    from jingwu.core.scope import can

    return can(user, Scenario, "approve")


def _snap(scenario: Scenario) -> dict:
    return audit.snapshot(scenario, _AUDIT_FIELDS)


def _params(data) -> ScenarioParams:
    try:
        return ScenarioParams.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"params": str(exc)}) from exc


def default_period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The year of incidents up to the day of the state."""
    return as_of - dt.timedelta(days=364), as_of


# --- the bureau's data: the defaults of a plan, and a period with too few incidents ----------

#: A period is *thin* when its incidents, counted per year (x 365 / its days), are fewer than
#: this share of the bureau's usual year (the incidents of the 365 days up to its last one).
THIN_SHARE = 0.5


def default_dates(bureau) -> dict[str, dt.date]:
    """The dates a new plan starts from: the state on the bureau's data date, the reform the
    day after, and the year of incidents up to its last incident (or to the state)."""
    as_of = data_date(bureau)
    last = last_incident_day(bureau)
    to = min(as_of, last) if last else as_of
    start, end = default_period(to)
    return {
        "as_of": as_of,
        "reform_date": as_of + dt.timedelta(days=1),
        "incidents_from": start,
        "incidents_to": end,
    }


@dataclass(frozen=True)
class IncidentCheck:
    """How many incidents a plan's period holds, against the bureau's usual year."""

    incidents_from: dt.date
    incidents_to: dt.date
    incidents: int
    per_year: float  # the period's incidents x 365 / its days
    usual: int  # incidents of the 365 days up to the bureau's last incident
    last_incident: dt.date | None
    data_date: dt.date

    @property
    def thin(self) -> bool:
        return self.incidents == 0 or self.per_year < THIN_SHARE * self.usual

    def as_dict(self) -> dict:
        return {
            "incidents_from": self.incidents_from.isoformat(),
            "incidents_to": self.incidents_to.isoformat(),
            "incidents": self.incidents,
            "per_year": round(self.per_year),
            "usual": self.usual,
            "last_incident": self.last_incident.isoformat() if self.last_incident else None,
            "data_date": self.data_date.isoformat(),
            "thin": self.thin,
        }

    def message(self) -> str:
        """What is wrong with the period, in words (empty when it is not thin)."""
        return thin_message(self.as_dict())


def thin_message(check: dict | None) -> str:
    """The warning of a stored ``IncidentCheck.as_dict()`` (empty when the period is fine)."""
    if not check or not check.get("thin"):
        return ""
    values = {
        "from": check["incidents_from"],
        "to": check["incidents_to"],
        "n": f"{check['incidents']:,}",
        "per_year": f"{check['per_year']:,}",
        "usual": f"{check['usual']:,}",
        "last": check.get("last_incident") or "",
        "share": f"{THIN_SHARE:.0%}",
    }
    if not check.get("last_incident"):
        return _(
            "The bureau holds no incidents yet: a plan would staff every unit as if nothing ever happened."
        )
    if check["incidents"] == 0:
        return (
            _(
                "The incident period %(from)s to %(to)s holds no incidents of this bureau (its last "
                "incident was received on %(last)s): a plan would staff every unit as if nothing happened."
            )
            % values
        )
    return (
        _(
            "The incident period %(from)s to %(to)s holds %(n)s incidents, about %(per_year)s a year, "
            "against %(usual)s in the bureau's usual year (the 365 days up to its last incident, "
            "%(last)s): fewer than %(share)s of it."
        )
        % values
    )


def check_incidents(bureau, incidents_from: dt.date, incidents_to: dt.date) -> IncidentCheck:
    """Count the period's incidents and the bureau's usual year (two ranges on its time index)."""
    from jingwu.incidents.models import Incident

    tz = zone(bureau)
    mine = Incident.objects.filter(bureau_id=bureau.pk)
    start, end = day_bounds(incidents_from, incidents_to, tz)
    n = mine.filter(received_at__gte=start, received_at__lt=end).count()
    last = last_incident_day(bureau)
    usual = 0
    if last is not None:
        u_start, u_end = day_bounds(last - dt.timedelta(days=364), last, tz)
        usual = mine.filter(received_at__gte=u_start, received_at__lt=u_end).count()
    days = (incidents_to - incidents_from).days + 1
    return IncidentCheck(
        incidents_from=incidents_from,
        incidents_to=incidents_to,
        incidents=n,
        per_year=n * 365.0 / max(days, 1),
        usual=usual,
        last_incident=last,
        data_date=data_date(bureau),
    )


def _check_period(scenario: Scenario) -> IncidentCheck:
    """Refuse a thin period unless the planner gave a reason to plan from it anyway."""
    check = check_incidents(scenario.bureau, scenario.incidents_from, scenario.incidents_to)
    scenario.thin_data_reason = (scenario.thin_data_reason or "").strip()
    if check.thin and len(scenario.thin_data_reason) < 4:
        d = default_dates(scenario.bureau)
        raise ValidationError(
            {
                "thin_data_reason": _(
                    "%(problem)s Choose a period within the bureau's data (e.g. %(from)s to %(to)s), "
                    "or say why the plan should be made from this one."
                )
                % {
                    "problem": check.message(),
                    "from": d["incidents_from"].isoformat(),
                    "to": d["incidents_to"].isoformat(),
                }
            }
        )
    return check


@service
def do_create_scenario(
    *,
    actor,
    bureau,
    name: str,
    as_of: dt.date,
    reform_date: dt.date | None = None,
    incidents_from: dt.date | None = None,
    incidents_to: dt.date | None = None,
    params: dict | None = None,
    note: str = "",
    thin_data_reason: str = "",
) -> Scenario:
    """A new draft scenario of ``bureau`` made from its state on ``as_of``.

    A period of incidents that holds none, or fewer than ``THIN_SHARE`` of the bureau's
    usual year, is refused unless ``thin_data_reason`` says why to plan from it anyway
    (recorded, audited, and shown at approval)."""
    authorize(actor, Scenario, "add", bureau=bureau)
    reform_date = reform_date or as_of + dt.timedelta(days=1)
    start, end = default_period(as_of)
    scenario = Scenario(
        bureau=bureau,
        name=(name or "").strip(),
        note=note,
        as_of=as_of,
        reform_date=reform_date,
        incidents_from=incidents_from or start,
        incidents_to=incidents_to or end,
        thin_data_reason=thin_data_reason,
        params=_params(params).to_dict(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _validate(scenario)
    check = _check_period(scenario)
    scenario.save()
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=scenario,
        after=_snap(scenario) | {"incident_check": check.as_dict()},
        reason=scenario.thin_data_reason,
    )
    return scenario


def _validate(scenario: Scenario) -> None:
    errors = {}
    if not scenario.name:
        errors["name"] = _("A scenario needs a name.")
    if scenario.reform_date <= scenario.as_of:
        errors["reform_date"] = _("The reform date must come after the day of the state.")
    if scenario.incidents_to < scenario.incidents_from:
        errors["incidents_to"] = _("The incident period ends before it starts.")
    if errors:
        raise ValidationError(errors)
    scenario.full_clean(exclude=["bureau", "created_by", "run_by", "approved_by", "applied_by"])


@service
def do_update_scenario(scenario: Scenario, *, actor, **changes) -> Scenario:
    """Change a scenario that is not approved yet; its results are dropped (run it again)."""
    authorize(actor, Scenario, "change", bureau=scenario.bureau)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status not in RUNNABLE:
        raise ValidationError(_("Only a draft, finished or failed scenario can be changed."))
    before = _snap(scenario)
    allowed = {
        "name",
        "note",
        "as_of",
        "reform_date",
        "incidents_from",
        "incidents_to",
        "params",
        "thin_data_reason",
    }
    for key, value in changes.items():
        if key not in allowed:
            raise ValidationError(_("This field cannot be changed here: %(field)s") % {"field": key})
        setattr(scenario, key, _params(value).to_dict() if key == "params" else value)
    scenario.name = (scenario.name or "").strip()
    _validate(scenario)
    check = _check_period(scenario)
    scenario.status = ScenarioStatus.DRAFT
    scenario.results = None
    scenario.error = ""
    scenario.save()
    ScenarioMove.objects.filter(scenario=scenario).delete()
    audit.record(
        "update",
        actor=actor,
        bureau=scenario.bureau,
        obj=scenario,
        before=before,
        after=_snap(scenario) | {"incident_check": check.as_dict()},
        reason=scenario.thin_data_reason,
    )
    return scenario


def do_run_scenario(scenario: Scenario, *, actor, sync: bool = False, progress=None) -> Scenario:
    """Start a run of the plan: a job of the kind ``planning`` (one at a time; an hour and
    4 GB), handed to the background worker, or run now in this process with ``sync=True``
    (``progress(step, percent)`` is then called as the steps start). Ctrl-C during a
    synchronous run leaves it queued for the worker."""
    from jingwu.jobs.services import do_start_job, run_now

    authorize(actor, Scenario, "change", bureau=scenario.bureau)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update(of=("self",)).select_related("run").get(pk=scenario.pk)
        if not scenario.runnable:
            raise ValidationError(_("This scenario is already running, or approved."))
        _params(scenario.params)  # refuse to queue settings that cannot run
        _check_period(scenario)  # the bureau's data may have changed since it was made
        before = _snap(scenario)
        scenario.status = ScenarioStatus.QUEUED
        scenario.error = ""
        scenario.results = None
        scenario.run_by = actor if getattr(actor, "pk", None) else None
        scenario.started_at = scenario.finished_at = None
        scenario.run = do_start_job(
            "planning", actor=actor, bureau=scenario.bureau, target=scenario, hand_out=not sync
        )
        scenario.save()
        ScenarioMove.objects.filter(scenario=scenario).delete()
        audit.record(
            "update",
            actor=actor,
            bureau=scenario.bureau,
            obj=scenario,
            before=before,
            after=_snap(scenario),
            reason="run",
        )
    if sync:

        def listen(ctx) -> None:
            state = ctx.snapshot()
            progress(state["phase"], state["percent"])

        run_now(scenario.run, progress=listen if progress is not None else None)
        return Scenario.objects.select_related("bureau", "run_by", "run").get(pk=scenario.pk)
    return scenario


@service
def do_cancel_run(scenario: Scenario, *, actor) -> Scenario:
    """Stop the plan's run (who may change the scenario): it stops at its next step, and
    the scenario is a draft again with nothing of the run kept."""
    from jingwu.jobs.services import do_cancel_job

    authorize(actor, Scenario, "change", bureau=scenario.bureau)
    # not locked here: the job's row is locked first, then the scenario's (as the runner does)
    scenario = Scenario.objects.select_related("run").get(pk=scenario.pk)
    if not scenario.is_active:
        raise ValidationError(_("This scenario is not running."))
    do_cancel_job(scenario.run, actor=actor, reason="run cancelled")
    scenario.refresh_from_db()
    return scenario


class _Ticker:
    """Moves the progress bar through the reassignment step while CP-SAT runs (no callback
    there): it reports to the run (``ctx.progress``), so the run's watchdog sees a cancel or
    a limit meanwhile; the run stops at its next step (a worker past its limit is ended)."""

    def __init__(self, ctx, expected_seconds: float) -> None:
        self.ctx = ctx
        self.expected = max(5.0, expected_seconds)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(
            target=self._run, name=f"scenario-{self.ctx.job.target_id}-progress", daemon=True
        )
        self.thread.start()

    def _run(self) -> None:
        from jingwu.jobs.runner import JobCancelled, JobLimitExceeded

        lo, hi = STEP_START[Step.REASSIGN], STEP_START[Step.REPORT] - 1
        t0 = time.monotonic()
        try:
            while not self.stop.wait(1.0):
                share = 1.0 - 0.5 ** ((time.monotonic() - t0) / (self.expected / 2))
                self.ctx.progress(phase=Step.REASSIGN, percent=int(lo + (hi - lo) * share))
        except (JobCancelled, JobLimitExceeded):
            pass  # the run stops at its next step
        except Exception:
            log.exception("progress ticker of %s", self.ctx.job)

    def finish(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def run_scenario_job(job, ctx) -> None:
    """The ``planning`` job kind's work: the whole pipeline, then the results and the
    moves in one transaction (a run interrupted before has written nothing: it starts over)."""
    from .pipeline import run_pipeline

    scenario = Scenario.objects.select_related("bureau", "run_by").filter(pk=job.target_id).first()
    if scenario is None or scenario.run_id != job.pk or scenario.status not in ACTIVE:
        return  # deleted, changed, or run again meanwhile: this run has nothing to do
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.RUNNING, started_at=timezone.now())
    ctx.target = scenario
    params = ScenarioParams.from_dict(scenario.params)
    tick: _Ticker | None = None

    def report(step: str, percent: int) -> None:
        nonlocal tick
        if tick is not None:
            tick.finish()
            tick = None
        ctx.progress(phase=step, percent=percent)  # raises when the run must stop
        if step == Step.REASSIGN:
            tick = _Ticker(ctx, 2.0 * float(params.time_limit) + 10.0)
            tick.start()

    try:
        report(Step.LOAD, STEP_START[Step.LOAD])
        t_load = time.perf_counter()
        state = load_state(
            scenario.bureau,
            as_of=scenario.as_of,
            reform_date=scenario.reform_date,
            incidents_from=scenario.incidents_from,
            incidents_to=scenario.incidents_to,
            user=scenario.run_by,
        )
        t_load = time.perf_counter() - t_load
        out = run_pipeline(state, params, report)
        out.results["timings"] = {"load": round(t_load, 3), **out.results["timings"]}
        # the period against the bureau's usual year, as it stood for this run (approval shows it)
        out.results["incident_check"] = check_incidents(
            scenario.bureau, scenario.incidents_from, scenario.incidents_to
        ).as_dict()
    except Exception:
        raise  # the run fails (or is cancelled): ``scenario_run_ended`` says so
    except BaseException:
        # interrupted (Ctrl-C): the runner puts the run back in the queue, and so the plan
        Scenario.objects.filter(pk=scenario.pk, run_id=job.pk).update(status=ScenarioStatus.QUEUED)
        raise
    finally:
        if tick is not None:
            tick.finish()
    ctx.check()  # a cancel or a limit that came during the last step
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if scenario.run_id != job.pk or scenario.status not in ACTIVE:
            return  # run again or changed meanwhile: keep the newer state
        ScenarioMove.objects.filter(scenario=scenario).delete()
        ScenarioMove.objects.bulk_create(
            [
                ScenarioMove(
                    bureau_id=scenario.bureau_id,
                    scenario=scenario,
                    officer_id=m["officer"],
                    from_unit_id=m["from_unit"],
                    to_unit_id=m["to_unit"],
                    from_posting_id=m["from_posting"],
                    role=m["role"],
                    reasons=m["reasons"],
                )
                for m in out.moves
            ],
            batch_size=500,
        )
        scenario.results = out.results
        scenario.status = ScenarioStatus.DONE
        scenario.error = ""
        scenario.finished_at = timezone.now()
        scenario.save()
        r = out.results["reassign"]
        audit.record(
            "update",
            actor=scenario.run_by,
            bureau=scenario.bureau,
            obj=scenario,
            after={
                "status": scenario.status,
                "moves": len(out.moves),
                "solver": r["status"],
                "gap": r["gap"],
                "objective": r["objective"],
            },
            reason="run finished",
        )


def scenario_run_ended(job) -> None:
    """The ``planning`` job kind's ending (in the job's ending transaction): a cancelled run
    puts the scenario back to draft; a failed one fails it with the run's error."""
    from jingwu.jobs.models import JobState

    scenario = (
        Scenario.objects.select_for_update(of=("self",))
        .select_related("bureau")
        .filter(pk=job.target_id)
        .first()
    )
    if scenario is None or scenario.run_id != job.pk or scenario.status not in ACTIVE:
        return  # finished by the run itself, or changed meanwhile
    if job.state == JobState.CANCELLED:
        scenario.status, reason = ScenarioStatus.DRAFT, "run cancelled"
        scenario.error = ""
    else:
        scenario.status, reason = ScenarioStatus.FAILED, "run failed"
        scenario.error = job.error or _("The run stopped before its end.")
    scenario.results = None
    scenario.finished_at = timezone.now()
    scenario.save(update_fields=["status", "error", "results", "finished_at", "updated_at"])
    ScenarioMove.objects.filter(scenario=scenario).delete()
    after = {"status": scenario.status}
    if scenario.error:
        after["error"] = scenario.error[:500]
    audit.record(
        "update",
        actor=job.cancelled_by if job.state == JobState.CANCELLED else scenario.run_by,
        bureau=scenario.bureau,
        obj=scenario,
        after=after,
        reason=reason,
    )


@service
def do_approve_scenario(scenario: Scenario, *, actor, note: str = "") -> Scenario:
    """Bureau command approves a finished plan (the ``approve`` action)."""
    authorize(actor, Scenario, "approve", bureau=scenario.bureau)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status != ScenarioStatus.DONE:
        raise ValidationError(_("Only a finished scenario can be approved."))
    if not (scenario.results or {}).get("reassign", {}).get("feasible"):
        raise ValidationError(
            _("This plan breaks the rules (no feasible reassignment): it cannot be approved.")
        )
    before = _snap(scenario)
    scenario.status = ScenarioStatus.APPROVED
    scenario.approved_by = actor if getattr(actor, "pk", None) else None
    scenario.approved_at = timezone.now()
    scenario.approval_note = note
    scenario.save()
    after = _snap(scenario)
    warning = thin_message(scenario.results.get("incident_check"))
    if warning:  # approved knowing the period is thin: the warning the page showed is on record
        after |= {"incident_check": scenario.results["incident_check"], "warning": warning}
    audit.record(
        "update",
        actor=actor,
        bureau=scenario.bureau,
        obj=scenario,
        before=before,
        after=after,
        reason=note or "approved",
    )
    return scenario


@service
def do_withdraw_approval(scenario: Scenario, *, actor, note: str = "") -> Scenario:
    """Bureau command withdraws its approval of a plan not applied yet."""
    authorize(actor, Scenario, "approve", bureau=scenario.bureau)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status != ScenarioStatus.APPROVED:
        raise ValidationError(_("Only an approved scenario that is not applied can be withdrawn."))
    before = _snap(scenario)
    scenario.status = ScenarioStatus.DONE
    scenario.approved_by = None
    scenario.approved_at = None
    scenario.approval_note = note
    scenario.save()
    audit.record(
        "update",
        actor=actor,
        bureau=scenario.bureau,
        obj=scenario,
        before=before,
        after=_snap(scenario),
        reason=note,
    )
    return scenario


def apply_problem(scenario: Scenario) -> str:
    """Why the plan cannot be applied to the postings as they stand (empty when it can).

    A plan is made from the postings on ``as_of``. When the records already hold postings
    of the officers it moves that start after that day (the bureau's history went on:
    the demo county holds its 2017 reform as it happened), applying it would write a
    second history over the first: it is refused, and the page says so before approval.
    """
    from jingwu.personnel.models import Posting

    moves = ScenarioMove.objects.filter(scenario=scenario)
    later = (
        Posting.objects.filter(
            bureau_id=scenario.bureau_id,
            officer_id__in=moves.values("officer_id"),
            start__gt=scenario.as_of,
        )
        .exclude(pk__in=moves.exclude(from_posting=None).values("from_posting_id"))
        .select_related("officer", "unit")
        .order_by("start", "officer__police_number")
    )
    officers = later.values("officer_id").distinct().count()
    if not officers:
        return ""
    first = list(later[:3])
    return _(
        "The bureau's records already go on after the day this plan was made from (%(as_of)s): "
        "%(n)d of the %(total)d officers it moves hold postings that start later (e.g. %(examples)s). "
        "A plan is applied to the postings as they stand and cannot write a second history over "
        "them. Make a plan from the bureau's current state (its records reach %(data_date)s) to "
        "apply one."
    ) % {
        "as_of": scenario.as_of.isoformat(),
        "n": officers,
        "total": moves.count(),
        "examples": ", ".join(
            _("%(officer)s: %(unit)s from %(start)s")
            % {"officer": p.officer.name, "unit": p.unit.name, "start": p.start.isoformat()}
            for p in first
        ),
        "data_date": data_date(scenario.bureau).isoformat(),
    }


@service
def do_apply_scenario(scenario: Scenario, *, actor, apply_date: dt.date | None = None) -> Scenario:
    """Write the approved plan's postings: each moved officer's posting ends the day before
    ``apply_date`` (default: the reform date) and a new one starts on it, in one transaction."""
    from jingwu.personnel.services import do_create_posting, do_end_posting

    authorize(actor, Scenario, "change", bureau=scenario.bureau)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status != ScenarioStatus.APPROVED:
        raise ValidationError(_("Only an approved scenario can be applied."))
    apply_date = apply_date or scenario.reform_date
    if apply_date <= scenario.as_of:
        raise ValidationError(_("The new postings must start after the day the plan was made from."))
    problem = apply_problem(scenario)
    if problem:
        raise ValidationError(problem)
    end = apply_date - dt.timedelta(days=1)
    moves = list(
        ScenarioMove.objects.filter(scenario=scenario)
        .select_related(
            "officer", "officer__bureau", "from_unit", "to_unit", "from_posting", "from_posting__unit"
        )
        .order_by("id")
    )
    stale = []
    for m in moves:
        p = m.from_posting
        if p is None or p.start > end or (p.end is not None and p.end < end):
            stale.append(m.officer.name)
    if stale:
        raise ValidationError(
            _(
                "The postings of %(n)d officers changed since the plan was made (e.g. %(names)s): run it again."
            )
            % {"n": len(stale), "names": ", ".join(stale[:5])}
        )
    before = _snap(scenario)
    for m in moves:
        try:
            do_end_posting(m.from_posting, actor=actor, end=end, reason=f"planning scenario #{scenario.pk}")
            m.posting = do_create_posting(
                actor=actor,
                officer=m.officer,
                unit=m.to_unit,
                role=m.role,
                start=apply_date,
                note=(_("Planning scenario #%(n)d") % {"n": scenario.pk})[:200],
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            raise ValidationError(
                _("%(officer)s: %(problem)s")
                % {"officer": m.officer.name, "problem": "; ".join(exc.messages)}
            ) from exc
        m.save(update_fields=["posting", "updated_at"])
    scenario.status = ScenarioStatus.APPLIED
    scenario.applied_by = actor if getattr(actor, "pk", None) else None
    scenario.applied_at = timezone.now()
    scenario.save()
    audit.record(
        "apply",
        actor=actor,
        bureau=scenario.bureau,
        obj=scenario,
        before=before,
        after=_snap(scenario) | {"moves": len(moves), "apply_date": apply_date.isoformat()},
        reason=f"{len(moves)} postings from {apply_date.isoformat()}",
    )
    return scenario


@service
def do_delete_scenario(scenario: Scenario, *, actor) -> None:
    """Delete a scenario that was never applied (an applied one is the record of the postings)."""
    authorize(actor, Scenario, "delete", bureau=scenario.bureau)
    if scenario.status in (ScenarioStatus.APPLIED, ScenarioStatus.RUNNING):
        raise ValidationError(_("An applied or running scenario cannot be deleted."))
    before = _snap(scenario)
    label, pk, text, bureau = scenario._meta.label_lower, str(scenario.pk), str(scenario), scenario.bureau
    scenario.delete()
    audit.record(
        "delete", actor=actor, bureau=bureau, object_type=label, object_id=pk, object_repr=text, before=before
    )
