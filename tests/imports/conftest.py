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
    """Run django-q tasks inline (as the worker would), not through the queue."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def shared_data() -> Path | None:
    """The shared real-data folder (env JINGWU_SHARED_DATA, else ../shared/data next to the repo)."""
    env = os.environ.get("JINGWU_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "data"
    return path if path.is_dir() else None
