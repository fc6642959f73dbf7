"""The auditor's pages: search the audit trail, look at one event, export the result."""

from __future__ import annotations

import csv

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingwu.core import audit
from jingwu.core.clock import local_day_filter
from jingwu.core.filters import StyledFilterSet
from jingwu.core.models import AuditEvent
from jingwu.core.scope import can, restrict
from jingwu.org.filters import UnitFilter

PAGE_SIZE = 50

# How an event reached us (``AuditEvent.via``), in words.
VIA_LABELS = {
    "web": _("Web page"),
    "api": _("API"),
    "cli": _("Command line"),
    "job": _("Background job"),
}
# Object types that are not models.
OTHER_TYPES = {"demo.county": _("Demo county")}
# Reasons the system itself records (a person's reason is shown as typed).
SYSTEM_REASONS = {
    "run": _("Plan run started"),
    "run finished": _("Plan run finished"),
    "run failed": _("Plan run failed"),
    "admin": _("Changed in the administration pages"),
    "demo county generator": _("Demo county generator"),
    "job done": _("Background job finished"),
    "job failed": _("Background job failed"),
    "job cancelled": _("Background job cancelled"),
    "job resumed after its worker stopped": _("Background job resumed after its worker stopped"),
    "job interrupted; queued again": _("Background job interrupted and queued again"),
    "run cancelled": _("Plan run cancelled"),
    "import cancelled": _("Import cancelled"),
    "cancel requested": _("Asked the background job to stop"),
}


def object_type_label(label: str) -> str:
    """The object type in words: a model's verbose name (``personnel.officer`` is 警务人员)."""
    if label in OTHER_TYPES:
        return str(OTHER_TYPES[label])
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(model._meta.verbose_name)


def _field_label(model, key: str) -> str:
    """A snapshot key in words: the field's verbose name (``police_number`` is 警号)."""
    if model is not None:
        for f in model._meta.concrete_fields:
            if key in (f.name, f.attname):
                return str(f.verbose_name)
    return key


def changes(event: AuditEvent) -> list[dict]:
    """The event's before/after snapshots as rows: field name in words, value before, value after."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    keys = list(before) + [k for k in after if k not in before]
    return [
        {
            "key": k,
            "label": _field_label(model, k),
            "named": _field_label(model, k) != k,
            "before": before.get(k),
            "after": after.get(k),
            "changed": k in before and k in after and before[k] != after[k],
        }
        for k in keys
    ]


def _label(event: AuditEvent) -> AuditEvent:
    """Attach the words a page shows for an event's codes."""
    event.type_label = object_type_label(event.object_type)
    event.via_label = str(VIA_LABELS.get(event.via, event.via))
    event.reason_label = str(SYSTEM_REASONS.get(event.reason, event.reason))
    event.actor_display = (
        str(_("System")) if event.actor_id is None and event.actor_label == "system" else event.actor_label
    )
    return event


class AuditFilter(StyledFilterSet):
    actor = django_filters.CharFilter(
        label=_("Who (user name)"), field_name="actor_label", lookup_expr="icontains"
    )
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEvent.Action.choices)
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="icontains")
    object_id = django_filters.CharFilter(label=_("Object id"))
    q = django_filters.CharFilter(label=_("Object or reason"), method="search")
    unit = UnitFilter(lookup_for=lambda u: Q(unit_path__startswith=u.path))
    # the bureau's local days, as a range on the time
    at_from = local_day_filter("at", "from", _("From"), nullable=True)
    at_to = local_day_filter("at", "to", _("To"), nullable=True)

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "q", "unit", "at_from", "at_to"]

    def search(self, queryset, name, value):
        return (
            queryset.filter(Q(object_repr__icontains=value) | Q(reason__icontains=value))
            if value
            else queryset
        )


def _events(request):
    if not can(request.user, AuditEvent, "view"):
        raise Http404
    return restrict(AuditEvent.objects.all(), request.user).order_by("-at", "-id")


@login_required
def audit_list(request):
    f = AuditFilter(request.GET, queryset=_events(request), request=request)
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [_label(e) for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"filter": f, "page": page, "query": query.urlencode()})


@login_required
def audit_detail(request, pk: int):
    event = _label(get_object_or_404(_events(request), pk=pk))
    other = {
        "before": event.before if event.before is not None and not isinstance(event.before, dict) else None,
        "after": event.after if event.after is not None and not isinstance(event.after, dict) else None,
    }
    return render(
        request, "core/audit_detail.html", {"event": event, "changes": changes(event), "other": other}
    )


@login_required
def audit_export(request):
    f = AuditFilter(request.GET, queryset=_events(request), request=request)
    rows = f.qs[:100_000]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "seq",
            "time",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object",
            "reason",
            "via",
            "ip",
            "request_id",
            "hash",
        ]
    )
    n = 0
    for e in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                e.seq,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_label,
                e.action,
                e.object_type,
                e.object_id,
                _safe(e.object_repr),
                _safe(e.reason),
                e.via,
                e.ip,
                e.request_id,
                e.hash,
            ]
        )
        n += 1
    with transaction.atomic():
        audit.record(
            "export",
            actor=request.user,
            bureau=request.user.bureau,
            object_type="core.auditevent",
            object_repr=f"{n} events",
            after={"filters": request.GET.dict(), "rows": n},
        )
    return response


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in exported text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
