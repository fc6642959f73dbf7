"""Writes of the series board: start a scoring run, decide a link, build a series."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core import audit, clock
from jingwu.core.services import authorize, service
from jingwu.jobs.services import do_start_job

from . import linking
from .models import CandidateLink, LinkRun, LinkStatus, RunStatus


@service
def do_start_scoring(bureau, *, actor, days: int = 365, method: str = "boosting") -> LinkRun:
    """Queue a scoring run over the ``days`` up to the bureau's data date."""
    authorize(actor, LinkRun, "add", bureau=bureau)
    if method not in ("logistic", "boosting"):
        raise ValidationError({"method": _("Unknown model.")})
    if not 30 <= days <= 3 * 366:
        raise ValidationError({"days": _("The window must be between 30 days and three years.")})
    if LinkRun.objects.filter(bureau=bureau, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ValidationError(_("A scoring run is already under way."))
    last = clock.data_date(bureau)
    first = last - dt.timedelta(days=days - 1)
    run = LinkRun.objects.create(
        bureau=bureau, started_by=actor, first_day=first, last_day=last, method=method
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=run,
        after={"from": str(first), "to": str(last), "method": method},
    )
    do_start_job("series.score", actor=actor, bureau=bureau, target=run)
    return run


@service
def do_decide_link(link: CandidateLink, *, actor, decision: str, note: str = "") -> CandidateLink:
    """Confirm or reject a candidate link (once)."""
    link = CandidateLink.objects.select_for_update().get(pk=link.pk)
    authorize(actor, CandidateLink, "change", bureau=link.bureau)
    if decision not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
        raise ValidationError({"decision": _("Choose confirm or reject.")})
    if link.status != LinkStatus.OPEN:
        raise ValidationError(_("This link has already been decided."))
    link.status = decision
    link.note = note[:200]
    link.decided_by = actor if getattr(actor, "pk", None) else None
    link.decided_at = timezone.now()
    link.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    audit.record(
        "update", actor=actor, bureau=link.bureau, obj=link, after={"status": decision, "note": link.note}
    )
    return link


def _next_code(bureau) -> str:
    n = Series.objects.filter(bureau=bureau, code__startswith="CB").count() + 1
    while Series.objects.filter(bureau=bureau, code=f"CB{n:05d}").exists():
        n += 1
    return f"CB{n:05d}"


@service
def do_build_series(bureau, *, actor, name: str, link_ids: list[int], note: str = "") -> Series:
    """A series (串并案) of the incidents of confirmed links (at least one link)."""
    authorize(actor, Series, "add", bureau=bureau)
    authorize(actor, CandidateLink, "change", bureau=bureau)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the series a name.")})
    if not link_ids:
        raise ValidationError({"links": _("Choose at least one confirmed link.")})
    links = list(CandidateLink.objects.filter(pk__in=link_ids).select_related("incident_a", "incident_b"))
    if len(links) != len(set(link_ids)) or any(lk.bureau_id != bureau.pk for lk in links):
        raise ValidationError({"links": _("A chosen link does not exist in this bureau.")})
    if any(lk.status != LinkStatus.CONFIRMED for lk in links):
        raise ValidationError(
            {"links": _("Only confirmed links can make a series: confirm or drop the others.")}
        )
    incidents = {lk.incident_a_id: lk.incident_a for lk in links} | {
        lk.incident_b_id: lk.incident_b for lk in links
    }
    if any(i.bureau_id != bureau.pk for i in incidents.values()):
        raise ValidationError({"links": _("A series may only hold incidents of its own bureau.")})
    series = Series.objects.create(
        bureau=bureau, code=_next_code(bureau), name=name[:120], origin="analyst", note=note
    )
    SeriesIncident.objects.bulk_create(
        [SeriesIncident(bureau=bureau, series=series, incident_id=pk) for pk in sorted(incidents)]
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=series,
        after={"incidents": sorted(incidents), "links": sorted(link_ids)},
        reason="series built from confirmed links",
    )
    return series


__all__ = ["do_build_series", "do_decide_link", "do_start_scoring", "linking"]
