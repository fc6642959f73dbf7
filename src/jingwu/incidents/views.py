from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from jingwu.core import audit

from .filters import IncidentFilter
from .selectors import incidents_for

PAGE_SIZE = 50


class _FastCountPaginator(Paginator):
    """Paginator that counts without the ORDER BY (cheaper on large tables)."""

    @property
    def count(self):  # type: ignore[override]
        if not hasattr(self, "_count"):
            self._count = self.object_list.order_by().count()
        return self._count


@login_required
def incident_list(request):
    f = IncidentFilter(
        request.GET, queryset=incidents_for(request.user).order_by("-received_at", "-id"), request=request
    )
    page = _FastCountPaginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "incidents/incident_list.html", {"filter": f, "page": page, "query": query.urlencode()}
    )


@login_required
def incident_detail(request, pk: int):
    incident = get_object_or_404(incidents_for(request.user), pk=pk)
    with transaction.atomic():  # the reporter is a person: looking is on record
        audit.record(
            "view",
            actor=request.user,
            bureau=incident.bureau,
            obj=incident,
            unit_path=incident.grid.path if incident.grid else "",
        )
    series = incident.series.all()
    from jingwu.cases.models import Case
    from jingwu.core.scope import can

    return render(
        request,
        "incidents/incident_detail.html",
        {"incident": incident, "series": series, "can_open_case": can(request.user, Case, "add")},
    )
