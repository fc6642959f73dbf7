"""Reads of the evaluation for a user, through the scoping layer."""

from __future__ import annotations

from jingwu.core.scope import can, restrict, scope_q

from .models import Criterion, Cycle, Standard


def cycles_for(user):
    return restrict(Cycle, user)


def can_manage(user) -> bool:
    """Whether the user sets up and runs cycles (the political department)."""
    return can(user, Cycle, "change")


def rules_of(cycle: Cycle):
    """The standards of a cycle (read through ``cycles_for``) with their criteria."""
    crit = Criterion.objects.filter(standard__cycle=cycle).order_by("order", "code")
    standards = list(Standard.objects.filter(cycle=cycle).order_by("order", "code"))
    by_std: dict[int, list] = {}
    for c in crit:
        by_std.setdefault(c.standard_id, []).append(c)
    for s in standards:
        s.rows = by_std.get(s.pk, [])
        s.weight_total = sum(c.weight for c in s.rows)
    return standards


def files_for(user):
    """The evaluation files the user reads: those of their units' nominations (through the
    scoping layer) and their own file as an officer."""
    from django.db.models import Q

    from .models import Nomination

    qs = Nomination.objects.all()
    q = scope_q(user, Nomination, "view")
    officer_id = getattr(user, "officer_id", None) if getattr(user, "is_authenticated", False) else None
    if officer_id and user.is_active:
        own = Q(officer_id=officer_id)
        q = own if q is None else (q | own)
    if q is None:
        return qs.none()
    return qs.filter(q)


def on_notice(cycle):
    """The files a cycle puts on public notice (the committee's approved ones): shown to
    everyone of the bureau who reads the cycle, as a notice board would."""
    from .choices import FileStatus
    from .models import Nomination

    return (
        Nomination.objects.filter(cycle=cycle, status=FileStatus.APPROVED)
        .select_related("officer", "unit")
        .order_by("unit__path", "officer__police_number")
    )


def nominating_units(user, bureau):
    """Units from which the user may nominate: stations and centers they hold the right over."""
    from jingwu.org.models import Unit

    from .models import Nomination
    from .services import NOMINATING_KINDS

    q = scope_q(user, Nomination, "add")
    if q is None:
        return Unit.objects.none()
    out = Unit.objects.none()
    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships

    ids = set()
    for m in current_memberships(user):
        if m.bureau_id != bureau.pk or not allowed(m.role, "evaluation.nomination", "add")[0]:
            continue
        reach = allowed(m.role, "evaluation.nomination", "add")[1]
        units = Unit.objects.filter(bureau=bureau, kind__in=NOMINATING_KINDS)
        if reach != "bureau":
            units = units.filter(path__startswith=m.unit.path)
        ids |= set(units.values_list("pk", flat=True))
    if ids:
        out = Unit.objects.filter(pk__in=ids).order_by("path")
    return out


def stars_for(user):
    """Stars the user reads: through the scoping layer, and their own as an officer."""
    from django.db.models import Q

    from .models import StarAward

    q = scope_q(user, StarAward, "view")
    officer_id = getattr(user, "officer_id", None) if getattr(user, "is_authenticated", False) else None
    if officer_id and user.is_active:
        q = Q(officer_id=officer_id) if q is None else (q | Q(officer_id=officer_id))
    return StarAward.objects.none() if q is None else StarAward.objects.filter(q)


def officer_for(user, pk: int):
    """An officer whose star history the user may read (their own, or one in scope), or None."""
    from jingwu.personnel.models import Officer

    if getattr(user, "officer_id", None) == pk:
        return Officer.objects.filter(pk=pk).first()
    return restrict(Officer, user).filter(pk=pk).first()


def care_for(user, model):
    """Officer-care rows the user reads: the political department's (scoping layer), and an
    officer's own."""
    from django.db.models import Q

    q = scope_q(user, model, "view")
    officer_id = getattr(user, "officer_id", None) if getattr(user, "is_authenticated", False) else None
    if officer_id and user.is_active:
        q = Q(officer_id=officer_id) if q is None else (q | Q(officer_id=officer_id))
    return model.objects.none() if q is None else model.objects.filter(q)
