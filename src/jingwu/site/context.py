"""Context processors: what every page's frame needs (the menu the user may see, the map tiles)."""

from django.conf import settings


def site(request):
    nav = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from jingwu.cases.models import Case
        from jingwu.core.models import AuditEvent
        from jingwu.core.scope import can
        from jingwu.evaluation.models import Cycle
        from jingwu.incidents.models import Incident
        from jingwu.inspections.models import LegalTimer
        from jingwu.leads.models import Cluster, Entity
        from jingwu.personnel.models import Officer
        from jingwu.places.models import Premises
        from jingwu.planning.models import Scenario

        nav = {
            "officers": can(user, Officer, "view"),
            "premises": can(user, Premises, "view"),
            "incidents": can(user, Incident, "view"),
            "cases": can(user, Case, "view"),
            "intake": can(user, Incident, "add"),
            "audit": can(user, AuditEvent, "view"),
            "planning": can(user, Scenario, "view"),
            "evaluation": can(user, Cycle, "view"),
            "inspections": can(user, LegalTimer, "view"),
            "leads": "clusters"
            if can(user, Cluster, "view")
            else ("entities" if can(user, Entity, "view") else ""),
        }
    return {"TILE_URL": settings.TILE_URL, "TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION, "perms_nav": nav}
