"""``generate_county``: one deterministic synthetic county bureau."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import shapely

from .common import END, REFORM_DATE, START, Frame, int_seed, rng_for
from .geometry import build_layout, county_outline
from .incidents import build_incidents
from .model import County
from .modus import modus_operandi
from .names import REAL_COUNTY, PlaceNamer, make_faker
from .org import build_units, station_plans
from .people import BeforeReform, build_people
from .petitions import build_petitions
from .premises import build_premises
from .robbery import robbery_series


def region_code_for(index: int) -> str:
    """Six digits for ID numbers and the bureau code: Changxing's for county 0."""
    return "330522" if index == 0 else f"9{index:05d}"


def generate_county(seed: int = 2019, index: int = 0, *, before: BeforeReform | None = None) -> County:
    """Generate county ``index`` (0..N-1) of a province; same arguments, same county.

    ``before`` changes the old urban and textile-town stations' state before the reform
    (default: the reform's own figures, see ``people.BeforeReform``).
    """
    if index < 0 or index > 99_999:
        raise ValueError("index must be between 0 and 99999")
    frame = Frame.for_index(index)
    region = region_code_for(index)
    namer = PlaceNamer(rng_for(seed, index, "names"), reserved={REAL_COUNTY[0]})

    outline = county_outline(rng_for(seed, index, "outline"), index)
    plans, names = station_plans(rng_for(seed, index, "plans"), index, outline, namer)
    layout = build_layout(rng_for(seed, index, "layout"), outline, plans)
    org = build_units(rng_for(seed, index, "units"), plans, layout, frame, names, namer)

    fake = make_faker(int_seed(seed, index, "faker"))
    officers, postings = build_people(
        rng_for(seed, index, "people"),
        fake,
        plans,
        org,
        layout,
        frame,
        region,
        index,
        before or BeforeReform(),
    )
    scale = float(np.clip(org.grid_residents.sum() / 630_000, 0.5, 1.5))
    premises = build_premises(
        rng_for(seed, index, "premises"),
        plans,
        org,
        layout,
        frame,
        names.county_zh,
        names.tourist_zh,
        region,
        region,
        scale,
    )
    n_series = 7 if index == 0 else int(rng_for(seed, index, "series").integers(5, 11))
    incidents, series = build_incidents(
        rng_for(seed, index, "incidents"), plans, org, layout, frame, names.county_zh, START, END, n_series
    )
    mo = modus_operandi(rng_for(seed, index, "modus"), incidents.category, incidents.series)
    incidents = dataclasses.replace(incidents, mo=mo)
    petitions = build_petitions(rng_for(seed, index, "petitions"), incidents, names.county_zh, START, END)
    # Street-robbery series: a layer with its own streams that only adds incidents.
    rob = rng_for(seed, index, "robbery")
    incidents, series, petitions = robbery_series(
        rob,
        rng_for(seed, index, "robbery_modus"),
        4 if index == 0 else int(rob.integers(2, 5)),
        incidents,
        series,
        petitions,
        plans,
        layout,
        frame,
        org.grid_codes,
        START,
        END,
    )
    hq = org.units[0]
    return County(
        bureau_code=region,
        bureau_name_zh=hq.name_zh,
        bureau_name_en=hq.name_en,
        region_code=region,
        boundary=hq.boundary,
        units=tuple(org.units),
        officers=tuple(officers),
        postings=tuple(postings),
        premises=tuple(premises),
        incidents=incidents,
        series=tuple(series),
        reform_date=REFORM_DATE,
        start=START,
        end=END,
        petitions=petitions,
    )


def county_digest(county: County) -> str:
    """SHA-256 over every field of the county (geometry as WKB, arrays as bytes)."""
    h = hashlib.sha256()
    _feed(h, county)
    return h.hexdigest()


def _feed(h: Any, obj: Any) -> None:
    if isinstance(obj, shapely.Geometry):
        h.update(b"G")
        h.update(shapely.to_wkb(obj, output_dimension=2, byte_order=1, include_srid=False))
    elif isinstance(obj, np.ndarray):
        h.update(f"A{obj.dtype.str}{obj.shape}".encode())
        h.update(np.ascontiguousarray(obj).tobytes())
    elif is_dataclass(obj) and not isinstance(obj, type):
        h.update(type(obj).__name__.encode())
        for f in fields(obj):
            h.update(f.name.encode())
            _feed(h, getattr(obj, f.name))
    elif isinstance(obj, tuple | list):
        h.update(f"T{len(obj)}".encode())
        for x in obj:
            _feed(h, x)
    else:
        h.update(repr(obj).encode())
        h.update(b"\x00")
