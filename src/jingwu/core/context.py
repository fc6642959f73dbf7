from django.conf import settings


def site(request):
    nav = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from jingwu.incidents.models import Incident
        from jingwu.inspections.models import LegalTimer
        from jingwu.personnel.models import Officer
        from jingwu.places.models import Premises
        from jingwu.planning.models import Scenario

        from .models import AuditEvent
        from .scope import can

        nav = {
            "officers": can(user, Officer, "view"),
            "premises": can(user, Premises, "view"),
            "incidents": can(user, Incident, "view"),
            "audit": can(user, AuditEvent, "view"),
            "planning": can(user, Scenario, "view"),
            "inspections": can(user, LegalTimer, "view"),
        }
    return {"TILE_URL": settings.TILE_URL, "TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION, "perms_nav": nav}
