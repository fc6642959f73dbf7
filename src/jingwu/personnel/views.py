from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.scope import restrict

from .filters import OfficerFilter
from .models import Posting
from .selectors import officers_for

PAGE_SIZE = 50


@login_required
def officer_list(request):
    f = OfficerFilter(
        request.GET, queryset=officers_for(request.user).order_by("police_number"), request=request
    )
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "personnel/officer_list.html",
        {"filter": f, "page": page, "query": query.urlencode()},
    )


@login_required
def officer_detail(request, pk: int):
    officer = get_object_or_404(officers_for(request.user), pk=pk)
    postings = (
        restrict(Posting.objects.filter(officer=officer), request.user)
        .select_related("unit")
        .order_by("-start")
    )
    revealed, reason_error, reason = False, "", ""
    if request.method == "POST":
        # The full ID number is shown only with a recorded reason.
        reason = request.POST.get("reason", "").strip()[:300]
        if len(reason) < 4:
            reason_error = _("Say why you need the full ID number (at least a few words).")
        else:
            revealed = True
    with transaction.atomic():  # looking at a person's details is on record
        audit.record(
            "view",
            actor=request.user,
            bureau=officer.bureau,
            obj=officer,
            after={"fields": ["id_number"]} if revealed else None,
            reason=reason if revealed else "",
        )
    return render(
        request,
        "personnel/officer_detail.html",
        {
            "officer": officer,
            "postings": postings,
            "age": officer.age(),
            "revealed": revealed,
            "reason_error": reason_error,
        },
    )
