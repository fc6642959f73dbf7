"""Fixtures of the import/export tests: uploads and reject files go to a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..conftest import DX, DY, X0, Y0

__all__ = ["DX", "DY", "X0", "Y0", "shared_data"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sync_q(monkeypatch):
    """Run django-q tasks inline (as the worker would), not through the queue; a job is
    handed out at once (in a test, the transaction it waits for never commits)."""
    from django.db import transaction
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


def shared_data() -> Path | None:
    """The shared real-data folder (env JINGWU_SHARED_DATA, else ../shared/data next to the repo)."""
    env = os.environ.get("JINGWU_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"
    return path if path.is_dir() else None


WEST = (-1.45, 50.88, -1.35, 50.94)  # west of Greenwich (Southampton): negative longitudes


def build_west_bureau(code: str = "W00001"):
    """A one-station bureau west of Greenwich, with a planner: (bureau, planner)."""
    from shapely.geometry import box, mapping

    from jingwu.accounts.choices import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit

    sync_categories()
    b = Bureau.objects.create(code=code, name_zh="西经试验局", name_en="West test PSB")
    boundary = mapping(box(*WEST))
    parent = hq = None
    for kind, unit_code, name in (
        ("headquarters", "HQ", "局机关"),
        ("station", "S1", "一所"),
        ("zone", "S1-Z1", "一片"),
        ("grid", "S1-Z1-G1", "一格"),
    ):
        extra = {"station_type": "full_spectrum"} if kind == "station" else {}
        parent = do_create_unit(
            actor=None,
            bureau=b,
            parent=parent,
            kind=kind,
            code=unit_code,
            name_zh=name,
            boundary=boundary,
            **extra,
        )
        hq = hq or parent
    planner = do_create_user(
        actor=None, username=f"{code}-planner", password="x", bureau=b, check_password=False
    )
    do_grant_membership(actor=None, user=planner, unit=hq, role=Role.PLANNER)
    return b, planner


@pytest.fixture
def west(db):
    return build_west_bureau()
