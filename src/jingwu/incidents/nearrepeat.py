"""Near repeats of the bureau's own burglaries: the Knox test on the year up to the data
date (``engine.nearrepeat``), kept per bureau, and the alerts a new burglary raises for the
zones within the risk distance the test supports, until the window it supports ends.

The test is computed once per data date of a bureau (a cached computation: the first
burglary recorded on a new data date, the hourly schedule or ``do_compute_profile`` by
hand computes it) and each profile keeps its evidence (the ratio and p-value of the
nearest band, and the whole table). When the bureau's burglaries do not support a pattern
(the nearest band is not significant, or there are too few to test) no alert is raised,
and the page says so.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date, day_bounds, local_day, zone
from jingwu.core.services import authorize, service
from jingwu.org.models import Unit

from .models import Incident, NearRepeatAlert, NearRepeatProfile

BURGLARY = "0102"  # the category (and every category under it)
YEAR_DAYS = 365
MIN_EVENTS = 30  # fewer burglaries in the year: no test
# The test's settings: 100 m x 4 distance bands, 7 days x 4 time bands, 99 iterations
# (the smallest p-value is 0.01), the corrected band convention.
PARAMS = {
    "distance_band": 100.0,
    "distance_bands": 4,
    "time_band": 7.0,
    "time_bands": 4,
    "iterations": 99,
    "seed": 0,
}
ALPHA = 0.05


def _burglaries(bureau, first: dt.date, last: dt.date):
    start, end = day_bounds(first, last, zone(bureau))
    return Incident.objects.filter(
        bureau=bureau,
        category__code__startswith=BURGLARY,
        received_at__gte=start,
        received_at__lt=end,
        lon__isnull=False,
        lat__isnull=False,
    )


def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres on a plane tangent at the points' centre (a county is small enough)."""
    lat0 = math.radians(float(np.mean(lat)))
    lon0 = float(np.mean(lon))
    x = (lon - lon0) * 111_320.0 * math.cos(lat0)
    y = (lat - float(np.mean(lat))) * 110_574.0
    return x, y


@service
def do_compute_profile(*, actor, bureau, as_of: dt.date | None = None) -> NearRepeatProfile:
    """Run the Knox test on the bureau's burglaries of the year up to ``as_of`` (its data
    date) and keep the result; audited."""
    from jingwu.engine.nearrepeat import KnoxParams, knox_test, near_repeat_extent
    from jingwu.engine.spacetime import Events

    authorize(actor, NearRepeatProfile, "add", bureau=bureau)
    as_of = as_of or data_date(bureau)
    first = as_of - dt.timedelta(days=YEAR_DAYS - 1)
    tz = zone(bureau)
    rows = list(_burglaries(bureau, first, as_of).values_list("lon", "lat", "received_at"))
    params = KnoxParams(**PARAMS)
    profile = NearRepeatProfile(
        bureau=bureau,
        as_of=as_of,
        first_day=first,
        events=len(rows),
        computed_at=timezone.now(),
        **PARAMS,
    )
    if len(rows) >= MIN_EVENTS:
        lon = np.array([r[0] for r in rows], dtype=float)
        lat = np.array([r[1] for r in rows], dtype=float)
        x, y = _project(lon, lat)
        t = np.array(
            [
                (r[2].astimezone(tz).replace(tzinfo=None) - dt.datetime(1970, 1, 1)).total_seconds()
                for r in rows
            ]
        )
        result = knox_test(Events(x, y, t / 86400.0), params)
        extent = near_repeat_extent(result, ALPHA)
        profile.table = result.as_dict()
        profile.ratio = _finite(result.ratios[0, 0])
        profile.p_value = _finite(result.p_values[0, 0])
        if extent is not None:
            profile.supported = True
            profile.distance = float(extent.distance)
            profile.days = float(extent.days)
    profile.save()
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=profile,
        unit_path=_hq_path(bureau),
        after={
            "as_of": as_of.isoformat(),
            "events": profile.events,
            "supported": profile.supported,
            "distance": profile.distance,
            "days": profile.days,
            "ratio": profile.ratio,
            "p_value": profile.p_value,
        },
    )
    return profile


def _finite(v) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _hq_path(bureau) -> str:
    hq = Unit.objects.filter(bureau=bureau, parent__isnull=True).first()
    return hq.path if hq else ""


def current_profile(bureau, *, compute: bool = True) -> NearRepeatProfile | None:
    """The profile of the bureau's data date and burglaries; computed again (as the system)
    when the data date moved or burglaries of the year were added or removed since.
    Without ``compute``: the newest profile, whatever it is."""
    if not compute:
        return NearRepeatProfile.objects.filter(bureau=bureau).order_by("-as_of", "-id").first()
    as_of = data_date(bureau)
    found = NearRepeatProfile.objects.filter(bureau=bureau, as_of=as_of).order_by("-id").first()
    if found is not None:
        n = _burglaries(bureau, found.first_day, as_of).count()
        if n == found.events:
            return found
    return do_compute_profile(actor=None, bureau=bureau, as_of=as_of)


def verdict(profile: NearRepeatProfile | None) -> str:
    """What the profile says, in words (in the active language)."""
    if profile is None:
        return _("The near-repeat test has not been run for this bureau yet.")
    if profile.events < MIN_EVENTS:
        return _(
            "Only %(n)d burglaries from %(first)s to %(last)s: too few for a near-repeat test, so no "
            "near-repeat alert is raised."
        ) % {"n": profile.events, "first": profile.first_day, "last": profile.as_of}
    if not profile.supported:
        return _(
            "The bureau's %(n)d burglaries from %(first)s to %(last)s show no near-repeat pattern "
            "(Knox ratio %(ratio)s, p = %(p)s in the nearest band): no near-repeat alert is raised."
        ) % {
            "n": profile.events,
            "first": profile.first_day,
            "last": profile.as_of,
            "ratio": _num(profile.ratio),
            "p": _num(profile.p_value),
        }
    return _(
        "After a burglary, the risk of another within %(m)s m is raised for %(d)s days (Knox ratio "
        "%(ratio)s, p = %(p)s in the nearest band; %(n)d burglaries from %(first)s to %(last)s)."
    ) % {
        "m": _num(profile.distance),
        "d": _num(profile.days),
        "ratio": _num(profile.ratio),
        "p": _num(profile.p_value),
        "n": profile.events,
        "first": profile.first_day,
        "last": profile.as_of,
    }


def _num(v) -> str:
    return "–" if v is None else f"{v:.3g}"


def _circle(lon: float, lat: float, radius: float):
    from shapely.affinity import scale
    from shapely.geometry import Point

    return scale(
        Point(lon, lat).buffer(1.0, 32),
        xfact=radius / (111_320.0 * max(0.01, math.cos(math.radians(lat)))),
        yfact=radius / 110_574.0,
    )


def _zones(bureau) -> list[tuple[Unit, object]]:
    from shapely.geometry import shape

    out = []
    for u in Unit.objects.filter(bureau=bureau, kind="zone", valid_to__isnull=True).exclude(boundary=None):
        try:
            out.append((u, shape(u.boundary)))
        except Exception:  # a zone without a usable boundary is left out
            continue
    return out


def raise_alerts(bureau, incidents) -> list[NearRepeatAlert]:
    """The alerts of burglaries just recorded (the duty desk, the API, an import): one per
    zone within the supported distance, from the burglary's day for the supported window;
    none when the bureau's burglaries support no pattern, or the window has already ended
    on the bureau's data date (an old record imported)."""
    burglaries = [
        i
        for i in incidents
        if i.lon is not None and i.lat is not None and i.category.code.startswith(BURGLARY)
    ]
    if not burglaries:
        return []
    profile = current_profile(bureau)
    if profile is None or not profile.supported:
        return []
    tz = zone(bureau)
    as_of = profile.as_of
    zones = _zones(bureau)
    rows = []
    for inc in burglaries:
        starts = local_day(inc.received_at, tz)
        ends = starts + dt.timedelta(days=math.ceil(profile.days))
        if ends < as_of:
            continue
        area = _circle(inc.lon, inc.lat, profile.distance)
        for unit, boundary in zones:
            if boundary.intersects(area):
                rows.append(
                    NearRepeatAlert(
                        bureau=bureau,
                        incident=inc,
                        zone=unit,
                        profile=profile,
                        lon=inc.lon,
                        lat=inc.lat,
                        radius=profile.distance,
                        starts=starts,
                        ends=ends,
                    )
                )
    return NearRepeatAlert.objects.bulk_create(rows, ignore_conflicts=True)


def raise_alerts_for_ids(bureau, runs: list[list[int]]) -> int:
    """After an import: the alerts of the burglaries among the rows it wrote (runs of ids)."""
    from django.db.models import Q

    if not runs:
        return 0
    q = Q()
    for first, last in runs:
        q |= Q(pk__gte=first, pk__lte=last)
    found = Incident.objects.filter(q, bureau=bureau, category__code__startswith=BURGLARY).select_related(
        "category"
    )
    return len(raise_alerts(bureau, list(found)))


def alerts_for(user, bureau, as_of: dt.date | None = None):
    """The alerts the user sees whose window has not ended on the bureau's data date."""
    from jingwu.core.scope import restrict

    as_of = as_of or data_date(bureau)
    return (
        restrict(NearRepeatAlert.objects.filter(bureau=bureau, ends__gte=as_of), user)
        .select_related("incident", "zone", "profile")
        .order_by("-starts", "-id")
    )


def alerts_on_data_date(bureau) -> tuple[NearRepeatProfile | None, int]:
    """For records written without raising alerts (the demo's bulk load): the profile of the
    data date, as the hourly schedule computes it, and the alerts of the burglaries whose
    window is still open on that date, as recording them would have raised. Alerts already
    raised are kept (none is raised twice). Returns the profile and the alerts written."""
    profile = current_profile(bureau)
    if profile is None or not profile.supported:
        return profile, 0
    first = profile.as_of - dt.timedelta(days=math.ceil(profile.days))
    recent = list(_burglaries(bureau, first, profile.as_of).select_related("category").order_by("pk"))
    before = NearRepeatAlert.objects.filter(bureau=bureau).count()
    raise_alerts(bureau, recent)
    return profile, NearRepeatAlert.objects.filter(bureau=bureau).count() - before


def refresh_every_bureau() -> dict[str, bool]:
    """The periodic computation: each bureau's profile for its data date (when missing);
    whether it supports a pattern."""
    from jingwu.core.models import Bureau

    out = {}
    for b in Bureau.objects.order_by("code"):
        p = current_profile(b)
        out[b.code] = bool(p is not None and p.supported)
    return out
