"""Reads through the scoping layer: what a user may see, or everything for the system."""

from __future__ import annotations

from jingwu.core.scope import restrict


def visible(model, user):
    """The model's rows a user may see (the scoping layer), or all of them for the system."""
    if user is None:
        return model._default_manager.all()
    return restrict(model._default_manager.all(), user)
