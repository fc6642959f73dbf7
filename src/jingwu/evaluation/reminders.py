"""Reminders of a cycle's deadlines to the people who must act (the daily sweep).

On the bureau's data date ``D`` (not the calendar's day), for each cycle that is open or
on public notice:

- ``self``: a nominated officer who has not assessed themselves, ``D`` within
  ``REMIND_DAYS`` of the self-assessment deadline (and not past it): the officer's
  account;
- ``score``: files of a unit not scored yet, ``D`` within ``REMIND_DAYS`` of the unit
  scoring deadline: the unit's own scorers (its chief, a center's head), or, for a unit
  without one (headquarters), the political department;
- ``review``: scored files not reviewed, ``D`` within ``REMIND_DAYS`` of the review
  deadline: the political department;
- ``objection``: objections not answered while the cycle is on notice (publication waits
  for them), due the notice's last day: the political department.

One reminder per person, cycle, kind and unit: running the sweep again updates how
many files wait and raises nothing twice; a reminder whose files no longer wait (or
whose step has closed) is marked done. Each reminder raised or closed is an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from jingwu.core import audit
from jingwu.core.services import authorize, service

from .choices import CycleStatus, FileStatus, ReminderKind
from .models import Cycle, Nomination, Objection, Reminder

REMIND_DAYS = 3  # deadlines this many days ahead (or fewer) are reminded of

# kind -> (the permission the person acts with, the file statuses that still wait)
ACTS = {
    ReminderKind.SCORE: ("evaluation.score", "add"),
    ReminderKind.REVIEW: ("evaluation.nomination", "change"),
    ReminderKind.OBJECTION: ("evaluation.objection", "change"),
}


def in_window(on: dt.date, due: dt.date) -> bool:
    """Whether a deadline ``due`` is reminded of on ``on`` (due within ``REMIND_DAYS``, not past)."""
    return on <= due <= on + dt.timedelta(days=REMIND_DAYS)


def _members(bureau, label: str, action: str) -> list[tuple[int, str, str]]:
    """(user id, reach, unit path) of the bureau's current memberships allowing ``action`` on ``label``."""
    from jingwu.accounts.models import Membership
    from jingwu.core.permissions import allowed

    today = dt.date.today()  # memberships are valid by the calendar, as in the scoping layer
    rows = (
        Membership.objects.filter(bureau=bureau, user__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("user_id", "role", "unit__path")
    )
    out = []
    for user_id, role, path in rows:
        ok, reach = allowed(role, label, action)
        if ok:
            out.append((user_id, reach, path))
    return out


def _who_acts(members, unit_path: str) -> set[int]:
    """Users whose membership covers a unit at ``unit_path``."""
    return {u for u, reach, path in members if reach == "bureau" or unit_path.startswith(path)}


def _unit_scorers(members, unit_path: str) -> set[int]:
    """The unit's own scorers (memberships over its subtree); the bureau-wide ones when it has none."""
    own = {u for u, reach, path in members if reach != "bureau" and unit_path.startswith(path)}
    return own or {u for u, reach, _path in members if reach == "bureau"}


def wanted(bureau, on: dt.date) -> dict[tuple, dict]:
    """The reminders that should be open on ``on``: (recipient, cycle, kind, unit) -> due, pending."""
    from jingwu.accounts.models import User
    from jingwu.org.models import Unit

    out: dict[tuple, dict] = {}
    cycles = list(Cycle.objects.filter(bureau=bureau, status__in=(CycleStatus.OPEN, CycleStatus.NOTICE)))
    if not cycles:
        return out
    root = Unit.objects.filter(bureau=bureau, parent__isnull=True).order_by("pk").first()
    members = {kind: _members(bureau, *act) for kind, act in ACTS.items()}
    for cycle in cycles:
        files = Nomination.objects.filter(bureau=bureau, cycle=cycle)
        if cycle.status == CycleStatus.OPEN:
            if in_window(on, cycle.self_assessment_deadline):
                waiting = files.filter(status=FileStatus.NOMINATED).values_list("officer_id", "unit_id")
                accounts = defaultdict(list)
                officer_unit = dict(waiting)
                for uid, oid in User.objects.filter(
                    officer_id__in=list(officer_unit), is_active=True
                ).values_list("pk", "officer_id"):
                    accounts[uid].append(oid)
                for uid, oids in accounts.items():
                    key = (uid, cycle.pk, ReminderKind.SELF, officer_unit[oids[0]])
                    out[key] = {"due": cycle.self_assessment_deadline, "pending": len(oids)}
            if in_window(on, cycle.scoring_deadline):
                per_unit = defaultdict(int)
                paths = {}
                for unit_id, path in files.filter(
                    status__in=(FileStatus.NOMINATED, FileStatus.SELF_ASSESSED)
                ).values_list("unit_id", "unit__path"):
                    per_unit[unit_id] += 1
                    paths[unit_id] = path
                for unit_id, n in per_unit.items():
                    for uid in _unit_scorers(members[ReminderKind.SCORE], paths[unit_id]):
                        out[(uid, cycle.pk, ReminderKind.SCORE, unit_id)] = {
                            "due": cycle.scoring_deadline,
                            "pending": n,
                        }
            if in_window(on, cycle.review_deadline) and root is not None:
                n = files.filter(status=FileStatus.SCORED).count()
                if n:
                    for uid, reach, _path in members[ReminderKind.REVIEW]:
                        if reach == "bureau":  # reviews are the political department's, bureau-wide
                            out[(uid, cycle.pk, ReminderKind.REVIEW, root.pk)] = {
                                "due": cycle.review_deadline,
                                "pending": n,
                            }
        elif root is not None:  # on notice
            n = Objection.objects.filter(
                bureau=bureau, nomination__cycle=cycle, answered_on__isnull=True
            ).count()
            if n:
                for uid in _who_acts(members[ReminderKind.OBJECTION], root.path):
                    out[(uid, cycle.pk, ReminderKind.OBJECTION, root.pk)] = {
                        "due": cycle.notice_end,
                        "pending": n,
                    }
    return out


@service
def do_remind(bureau, *, actor=None, on: dt.date | None = None) -> dict[str, int]:
    """Raise, update and close the bureau's reminders on its data date; idempotent.

    Returns how many reminders were raised, updated and closed."""
    from .services import today

    authorize(actor, Reminder, "add", bureau=bureau)
    on = on or today(bureau)
    want = wanted(bureau, on)
    have = {
        (r.recipient_id, r.cycle_id, r.kind, r.unit_id): r
        for r in Reminder.objects.select_for_update().filter(bureau=bureau)
    }
    counts = {"raised": 0, "updated": 0, "closed": 0}
    for key, row in want.items():
        r = have.get(key)
        if r is None:
            uid, cycle_id, kind, unit_id = key
            r = Reminder.objects.create(
                bureau=bureau,
                recipient_id=uid,
                cycle_id=cycle_id,
                kind=kind,
                unit_id=unit_id,
                due=row["due"],
                pending=row["pending"],
                raised_on=on,
                seen_on=on,
            )
            audit.record("create", actor=actor, bureau=bureau, obj=r, after=audit.snapshot(r))
            counts["raised"] += 1
        elif r.done_on is not None or r.due != row["due"] or r.pending != row["pending"]:
            before = audit.snapshot(r)
            reopened = r.done_on is not None
            r.due, r.pending, r.seen_on, r.done_on = row["due"], row["pending"], on, None
            r.save(update_fields=["due", "pending", "seen_on", "done_on", "updated_at"])
            audit.record(
                "update",
                actor=actor,
                bureau=bureau,
                obj=r,
                before=before,
                after=audit.snapshot(r),
                reason="reminder raised again" if reopened else "reminder updated",
            )
            counts["updated"] += 1
    for key, r in have.items():
        if key not in want and r.done_on is None:
            before = audit.snapshot(r)
            r.done_on, r.pending = on, 0
            r.save(update_fields=["done_on", "pending", "updated_at"])
            audit.record(
                "update",
                actor=actor,
                bureau=bureau,
                obj=r,
                before=before,
                after=audit.snapshot(r),
                reason="reminder done",
            )
            counts["closed"] += 1
    return counts


def open_reminders(user):
    """The user's open reminders (their home page), soonest first."""
    if not getattr(user, "is_authenticated", False):
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(recipient=user, done_on__isnull=True)
        .select_related("cycle", "unit")
        .order_by("due", "pk")
    )
