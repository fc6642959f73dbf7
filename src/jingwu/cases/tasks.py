"""Periodic tasks (django-q2 schedules) of cases."""

from __future__ import annotations


def escalate_overdue() -> dict:
    """Escalate (督办) every bureau's overdue deadlines, as of each bureau's data date."""
    from .deadlines import escalate_every_bureau

    return escalate_every_bureau()
