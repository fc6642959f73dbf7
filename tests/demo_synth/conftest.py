"""These tests need no Django: neutralise the project-wide autouse fixture that needs settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Overrides tests/conftest.py's fixture of the same name (it needs pytest-django's settings)."""
