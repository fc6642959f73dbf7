"""Each indicator's source query: shown on hover, in the indicator's page and in the reports;
running it gives back the tile's value."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.analytics.test_dashboard_links import BJ, data  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_smoke(client, data):  # noqa: F811
    county = data
    client.force_login(county.chief)
    r = client.get(reverse("analytics:dashboard", args=[county.west.pk]))
    d = r.context["d"]
    for code, text in d.source_text.items():
        print(code, "::", text)
    for code, srcs in d.sources.items():
        for s in srcs:
            print(code, s.name, s.run(), s.sql()[:300])
    r = client.get(reverse("analytics:indicator_detail", args=[county.west.pk, "incidents"]))
    print(r.status_code)
    assert 0
