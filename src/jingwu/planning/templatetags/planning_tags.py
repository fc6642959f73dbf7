"""Words for the codes the planning pages show (pipeline steps, baseline methods)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from jingwu.planning.choices import Step

register = template.Library()

BASELINES = {
    "current": _("Today's postings"),
    "proportional": _("Proportional to workload"),
    "greedy": _("Greedy moves"),
    "plan": _("This plan"),
}
STEPS = {**dict(Step.choices), "baselines": _("Baselines")}


@register.filter
def step_label(code: str) -> str:
    """A pipeline step in words (``reassign`` is 警力调配)."""
    return str(STEPS.get(code, code))


@register.filter
def baseline_label(code: str) -> str:
    """A baseline method of the reassignment in words."""
    return str(BASELINES.get(code, code))
