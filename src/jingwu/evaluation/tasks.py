"""The evaluation's daily sweep (a django-q schedule, ``apps.schedule_sweep``)."""

from __future__ import annotations

import datetime as dt

#: The sweep starts a bureau's early-support check at most once in this many hours.
SUPPORT_EVERY_HOURS = 20


def sweep_bureau(bureau, *, hand_out: bool = True) -> dict:
    """One bureau's reminders (on its data date) and, unless one ran lately, its early-support check."""
    from django.utils import timezone

    from jingwu.jobs.models import LIVE

    from .reminders import do_remind
    from .services import do_start_support_check, support_job

    out: dict = {"reminders": do_remind(bureau, actor=None)}
    last = support_job(bureau)
    recent = last is not None and (
        last.state in LIVE or last.created_at > timezone.now() - dt.timedelta(hours=SUPPORT_EVERY_HOURS)
    )
    if not recent:
        out["support_job"] = do_start_support_check(bureau, actor=None, hand_out=hand_out).pk
    return out


def sweep() -> dict:
    """Every bureau that runs the evaluation (has a cycle): reminders and the support check."""
    from jingwu.core.models import Bureau

    from .models import Cycle

    bureaus = Bureau.objects.filter(pk__in=Cycle.objects.values("bureau_id")).order_by("pk")
    return {b.pk: sweep_bureau(b) for b in bureaus}
