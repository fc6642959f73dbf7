from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from jingwu.core import audit
from jingwu.core.i18n import choices
from jingwu.core.scope import personal_level, restrict
from jingwu.engine import vocab

from .filters import OfficerFilter
from .models import Posting
from .selectors import officers_for
from .services import REVEAL_REASON_MIN, do_reveal_personal_data

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
    level = personal_level(request.user, officer)
    revealed, errors, form = None, {}, {}
    if request.method == "POST":
        # The full ID number and birth date are shown only to a role that may reveal them,
        # with a reason code and a text of substance; the reveal is the audit event.
        if level != "reveal":
            raise PermissionDenied
        form = {"reason_code": request.POST.get("reason_code", ""), "reason": request.POST.get("reason", "")}
        try:
            revealed = do_reveal_personal_data(officer, actor=request.user, **form)
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
    if revealed is None:
        with transaction.atomic():  # looking at a person's details is on record
            audit.record("view", actor=request.user, bureau=officer.bureau, obj=officer)
    return render(
        request,
        "personnel/officer_detail.html",
        {
            "officer": officer,
            "postings": postings,
            "age": officer.age(),
            "level": level,
            "revealed": revealed,
            "errors": errors,
            "form": form,
            "reasons": choices(vocab.REVEAL_REASONS),
            "reason_min": REVEAL_REASON_MIN,
        },
    )
