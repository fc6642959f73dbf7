"""The bureau's own clock: its time zone, its local days, and the day its data reach.

Every bureau has a time zone (``Bureau.time_zone``, an IANA name, default
Asia/Shanghai). Instants are stored in UTC; whatever speaks of a *day* or an *hour*
speaks of the bureau's: incident numbers (J + bureau + local day + sequence), the day
filters of lists, hour-of-week demand, planning periods, exports and pages.

``BureauTimeZoneMiddleware`` activates the time zone of the bureau the user belongs
to for the request, so templates and ``timezone.localtime`` show the bureau's
local time. Code that works on rows of a known bureau takes its zone explicitly
(``zone(bureau)``) rather than relying on the active one.

The **data date** of a bureau is the day its records reach: the later of its last
incident received (local day) and its latest posting date (a start or an end), never
after the bureau's today. Defaults, ages and "as of" figures follow it, not the wall
clock: a county whose records end on 2018-12-31 is looked at as of that day.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "Asia/Shanghai"


@functools.lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    """Refuse anything but an IANA time zone name (``Europe/London``, ``America/Chicago``)."""
    if not isinstance(name, str) or name not in _known_zones():
        raise ValidationError(
            _("%(name)s is not a time zone name; write one like Asia/Shanghai or America/Chicago.")
            % {"name": repr(name)},
            code="time_zone",
        )


@functools.lru_cache(maxsize=256)
def _zone_info(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def zone(bureau_or_name) -> zoneinfo.ZoneInfo:
    """The time zone of a bureau (or of a zone name); the default for None or a bad name."""
    name = bureau_or_name if isinstance(bureau_or_name, str) or bureau_or_name is None else None
    if name is None and bureau_or_name is not None:
        name = getattr(bureau_or_name, "time_zone", "") or ""
    try:
        return _zone_info(name or DEFAULT_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _zone_info(DEFAULT_TIME_ZONE)


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The instant a local day starts (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def day_bounds(first: dt.date, last: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of the local days ``first`` to ``last`` (both included)."""
    return day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)


def local_day(value: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return value.astimezone(tz).date()


def today(bureau=None) -> dt.date:
    """The bureau's today (its own calendar, not the server's)."""
    return timezone.now().astimezone(zone(bureau)).date()


# --- the day filters of lists ------------------------------------------------------------


def zones_of_bureaus(ids: Iterable[int] | None = None) -> dict[str, list[int]]:
    """Bureau ids grouped by time zone name (all bureaus when ``ids`` is None)."""
    from .models import Bureau

    qs = Bureau.objects.all() if ids is None else Bureau.objects.filter(pk__in=list(ids))
    out: dict[str, list[int]] = {}
    for pk, name in qs.values_list("pk", "time_zone").order_by("pk"):
        out.setdefault(name or DEFAULT_TIME_ZONE, []).append(pk)
    return out


def local_days_q(
    field: str,
    first: dt.date | None,
    last: dt.date | None,
    *,
    bureau_ids: Iterable[int] | None = None,
    bureau_field: str = "bureau",
    nullable: bool = False,
) -> Q:
    """Rows whose ``field`` (a date-time) falls on the local days ``first``..``last`` of
    their own bureau: a range on the stored instant, so the bureau's time index serves it.

    ``bureau_ids`` are the bureaus the rows may belong to (all when None). When they
    share one time zone (a user of one bureau, or a province in one zone) this is one
    range; else one range per time zone, each with its bureaus. ``nullable``: rows
    without a bureau (audit events of the system) read the default zone.
    """
    groups = zones_of_bureaus(bureau_ids)
    names = set(groups) | ({DEFAULT_TIME_ZONE} if nullable else set())

    def span(tz: dt.tzinfo) -> Q:
        q = Q()
        if first is not None:
            q &= Q(**{f"{field}__gte": day_start(first, tz)})
        if last is not None:
            q &= Q(**{f"{field}__lt": day_start(last + dt.timedelta(days=1), tz)})
        return q

    if len(names) <= 1:
        return span(zone(next(iter(names), DEFAULT_TIME_ZONE)))
    out = Q()
    for name in sorted(names):
        part = Q(**{f"{bureau_field}__in": groups[name]}) if name in groups else Q(pk__in=[])
        if nullable and name == DEFAULT_TIME_ZONE:
            part |= Q(**{f"{bureau_field}__isnull": True})
        out |= part & span(zone(name))
    # the range that holds them all (a day or so wider), which an index on the time serves
    envelope = Q()
    if first is not None:
        envelope &= Q(**{f"{field}__gte": min(day_start(first, zone(n)) for n in names)})
    if last is not None:
        end = last + dt.timedelta(days=1)
        envelope &= Q(**{f"{field}__lt": max(day_start(end, zone(n)) for n in names)})
    return envelope & out


def local_day_filter(field: str, bound: str, label, *, nullable: bool = False):
    """A list filter on the local day of a date-time field (``bound``: "from" or "to"):
    each row's bureau's day, for the bureaus the user belongs to (all for a superuser).
    Its date input displays its value (an ISO date, whatever the language)."""
    import django_filters
    from django import forms

    class Filter(django_filters.DateFilter):
        def filter(self, qs, value):
            if not value:
                return qs
            request = getattr(self.parent, "request", None)
            user = getattr(request, "user", None)
            ids = None
            if user is not None and not getattr(user, "is_superuser", False):
                from .scope import user_bureau_ids

                ids = user_bureau_ids(user)
            first, last = (value, None) if bound == "from" else (None, value)
            return qs.filter(local_days_q(field, first, last, bureau_ids=ids, nullable=nullable))

    return Filter(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


# --- the data date -----------------------------------------------------------------------

# Data dates computed during one request (set up by the middleware), by bureau id.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("jingwu_data_dates", default=None)


def as_bureau(bureau):
    """The bureau itself, given it or its id (None for an id of none)."""
    from .models import Bureau

    return bureau if isinstance(bureau, Bureau) else Bureau.objects.filter(pk=bureau).first()


# The days a bureau's records reach, by kind of record: functions (bureau, its today) ->
# the dates (None for none), each registered by the app holding the records (its ``ready()``).
_DATA_DATE_SOURCES: list[Callable[..., Iterable[dt.date | None]]] = []


def register_data_date_source(fn: Callable[..., Iterable[dt.date | None]]) -> None:
    """Count ``fn(bureau, today)`` (the latest days of some records) into the data date."""
    if fn not in _DATA_DATE_SOURCES:
        _DATA_DATE_SOURCES.append(fn)


def data_date(bureau) -> dt.date:
    """The day the bureau's records reach (see the module's docstring); its today when it
    holds neither incidents nor postings. The apps holding those records count them in
    (``register_data_date_source``)."""
    bureau_id = getattr(bureau, "pk", bureau)
    memo = _memo.get()
    if memo is not None and bureau_id in memo:
        return memo[bureau_id]
    b = as_bureau(bureau)
    now = today(b)
    days = [d for source in _DATA_DATE_SOURCES for d in source(b, now) if d is not None]
    out = min(max(days), now) if days else now
    if memo is not None:
        memo[bureau_id] = out
    return out


def latest_day(bureau) -> dt.date:
    """The last day a record of work done may be dated: the bureau's own today while its
    records are live (they reach today or yesterday: the first incident of the day may not
    be in yet), else the data date (a historical county, whose "today" is its last day)."""
    last, now = data_date(bureau), today(as_bureau(bureau))
    return now if last >= now - dt.timedelta(days=1) else last


def user_bureau(user):
    """The one bureau a user belongs to (their account's, else their memberships'), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    from .models import Bureau

    if getattr(user, "bureau_id", None):
        return Bureau.objects.filter(pk=user.bureau_id).first()
    from .scope import current_memberships

    ids = {m.bureau_id for m in current_memberships(user)}
    return Bureau.objects.filter(pk=next(iter(ids))).first() if len(ids) == 1 else None


def activate_for(user) -> dt.tzinfo:
    """Make the time zone of the user's bureau the current one (the default without one)."""
    bureau = user_bureau(user)
    tz = zone(bureau) if bureau is not None else zone(settings.TIME_ZONE)
    timezone.activate(tz)
    return tz


class BureauTimeZoneMiddleware:
    """Activate the time zone of the user's bureau for the request (the default otherwise),
    and keep the data dates computed during it. The API authenticates tokens in the view:
    ``core.api.ScopedViewSet.initial`` activates the zone again for the token's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        memo = _memo.set({})
        request.bureau_tz = activate_for(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _memo.reset(memo)


# --- the one write of the clock ----------------------------------------------------------


def do_set_time_zone(bureau, *, actor, time_zone: str):
    """Change a bureau's time zone (system administrators: the command line or the admin).

    Incident numbers already given keep their day; new ones follow the new zone.
    """
    from django.db import transaction

    from . import audit
    from .models import Bureau
    from .services import authorize

    authorize(actor, Bureau, "change", bureau=bureau)
    time_zone = (time_zone or "").strip()
    validate_time_zone(time_zone)
    with transaction.atomic():
        bureau = Bureau.objects.select_for_update().get(pk=bureau.pk)
        before = audit.snapshot(bureau, ["time_zone"])
        bureau.time_zone = time_zone
        bureau.save(update_fields=["time_zone"])
        audit.record(
            "update", actor=actor, bureau=bureau, obj=bureau, before=before, after={"time_zone": time_zone}
        )
    return bureau
