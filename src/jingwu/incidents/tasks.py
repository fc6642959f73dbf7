"""Periodic tasks (django-q2 schedules) of incidents."""

from __future__ import annotations


def refresh_near_repeats() -> dict:
    """Each bureau's near-repeat profile for its data date (computed when missing)."""
    from .nearrepeat import refresh_every_bureau

    return refresh_every_bureau()
