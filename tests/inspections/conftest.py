"""The inspection catalogue of the test county (the demo loader writes the same one)."""

from __future__ import annotations

import pytest


def add_catalogue(bureau) -> None:
    from jingwu.engine import vocab
    from jingwu.places.models import ElementRequirement, InspectionElement

    if InspectionElement.objects.filter(bureau=bureau).exists():
        return
    by_code = {
        t.code: InspectionElement.objects.create(bureau=bureau, code=t.code, name_zh=t.zh, name_en=t.en)
        for t in vocab.INSPECTION_ELEMENTS
    }
    for cat, reqs in vocab.ELEMENT_REQUIREMENTS.items():
        for el, n in reqs.items():
            ElementRequirement.objects.create(
                bureau=bureau, category=cat, element=by_code[el], visits_per_year=n
            )


@pytest.fixture
def catalogue(county, other_county):
    add_catalogue(county.bureau)
    add_catalogue(other_county.bureau)
    return county
