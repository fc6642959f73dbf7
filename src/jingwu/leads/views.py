"""Pages of the leads: the center's clusters with their evidence, entities and their mentions."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingwu.core import audit
from jingwu.core.i18n import choices
from jingwu.core.scope import can, current_memberships
from jingwu.engine import vocab
from jingwu.engine.leads import PERSONAL_KINDS, company_key, normalise
from jingwu.jobs.views import decorate
from jingwu.org.models import Unit

from .models import KIND_CHOICES, SOURCE_CHOICES, Cluster, Entity, ExtractionRun
from .selectors import by_year, clusters_for, entities_for, entity_summaries, mentions_for, runs_for
from .services import REVEAL_REASON_MIN, do_reveal_entity, do_start_extraction, may_reveal

PAGE_SIZE = 50
SOURCE_LABELS = dict(SOURCE_CHOICES)
KIND_LABELS = dict(KIND_CHOICES)


def _record_url(source: str, pk: int) -> str:
    if source == "incident":
        return reverse("incidents:incident_detail", args=[pk])
    if source == "case":
        return reverse("cases:case_detail", args=[pk])
    return ""


def _bureau(user):
    """The bureau whose leads the user runs (their first membership that may start a run)."""
    for m in current_memberships(user):
        if can(user, ExtractionRun, "add") and m.bureau_id:
            return m.bureau
    return None


@login_required
def cluster_list(request):
    if not can(request.user, Cluster, "view"):
        raise Http404
    run = runs_for(request.user).first()
    clusters = list(clusters_for(request.user).order_by("number"))
    ids = {ev["entity"] for c in clusters for ev in c.evidence}
    ents = {e.pk: e for e in entities_for(request.user).filter(pk__in=ids)}
    unit_ids = {r[4] for c in clusters for ev in c.evidence for r in ev["records"]}
    units = {u.pk: u.name for u in Unit.objects.filter(pk__in=unit_ids)}
    rows = []
    for c in clusters:
        evidence = []
        for ev in c.evidence:
            e = ents.get(ev["entity"])
            if e is None:
                continue
            evidence.append(
                {
                    "entity": e,
                    "records": [
                        {
                            "source": SOURCE_LABELS.get(src, src),
                            "number": num,
                            "date": on,
                            "unit": units.get(unit, ""),
                            "url": _record_url(src, pk),
                        }
                        for src, pk, num, on, unit in ev["records"]
                    ],
                }
            )
        rows.append({"cluster": c, "evidence": evidence})
    if run is not None and run.job is not None:
        run.job = decorate(run.job, request.user)
    return render(
        request,
        "leads/cluster_list.html",
        {
            "run": run,
            "rows": rows,
            "clusters": clusters,
            "may_start": can(request.user, ExtractionRun, "add"),
        },
    )


@login_required
@require_POST
def run_start(request):
    if not can(request.user, ExtractionRun, "add"):
        raise PermissionDenied
    bureau = _bureau(request.user)
    try:
        run = do_start_extraction(bureau, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("leads:cluster_list")
    return redirect("leads:run_detail", pk=run.pk)


@login_required
def run_detail(request, pk: int):
    run = get_object_or_404(runs_for(request.user), pk=pk)
    if run.job is not None:
        run.job = decorate(run.job, request.user)
    return render(request, "leads/run_detail.html", {"run": run})


@login_required
def entity_list(request):
    if not can(request.user, Entity, "view"):
        raise Http404
    kind = request.GET.get("kind", "")
    q = (request.GET.get("q") or "").strip()
    qs = entities_for(request.user)
    if kind in KIND_LABELS:
        qs = qs.filter(kind=kind)
    if q:
        # a personal value is found by the whole of it, never by a part (no guessing the
        # masked digits); a company or an address by any part of its name
        full = re.sub(r"[ \-()（）·]", "", normalise(q)).upper()
        name = company_key(normalise(q))
        qs = qs.filter(
            Q(value=full, kind__in=PERSONAL_KINDS) | Q(value__contains=name, kind__in=["company", "address"])
        )
    qs = qs.order_by("kind", "value")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    seen = entity_summaries(request.user, [e.pk for e in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leads/entity_list.html",
        {
            "page": page,
            "rows": [(e, seen.get(e.pk, {})) for e in page.object_list],
            "kinds": KIND_CHOICES,
            "kind": kind,
            "q": q,
            "query": query.urlencode(),
            "may_clusters": can(request.user, Cluster, "view"),
        },
    )


@login_required
def entity_detail(request, pk: int):
    entity = get_object_or_404(entities_for(request.user).select_related("bureau"), pk=pk)
    mentions = mentions_for(request.user).filter(entity=entity).order_by("-on_date", "-pk")
    revealable = entity.personal and may_reveal(request.user, entity)
    revealed, errors, form = None, {}, {}
    if request.method == "POST":
        if not revealable:
            raise PermissionDenied
        form = {"reason_code": request.POST.get("reason_code", ""), "reason": request.POST.get("reason", "")}
        try:
            revealed = do_reveal_entity(entity, actor=request.user, **form)
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
    if revealed is None and entity.personal:
        with transaction.atomic():  # looking at where a person's number was named is on record
            audit.record("view", actor=request.user, bureau=entity.bureau, obj=entity)
    page = Paginator(mentions, PAGE_SIZE).get_page(request.GET.get("page"))
    years = by_year(mentions)
    peak = max((n for _, n in years), default=0)
    rows = [
        {
            "mention": m,
            "source": SOURCE_LABELS.get(m.source, m.source),
            "url": _record_url(m.source, m.record_id),
        }
        for m in page.object_list
    ]
    return render(
        request,
        "leads/entity_detail.html",
        {
            "entity": entity,
            "page": page,
            "rows": rows,
            "years": [(y, n, int(100 * n / peak) if peak else 0) for y, n in years],
            "total": mentions.count(),
            "revealable": revealable,
            "revealed": revealed,
            "errors": errors,
            "form": form,
            "reasons": choices(vocab.LEAD_REVEAL_REASONS),
            "reason_min": REVEAL_REASON_MIN,
            "no_data": _("No record you may see names this entity."),
        },
    )
