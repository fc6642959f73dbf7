from jingwu.core.scope import restrict

from .models import Incident


def incidents_for(user, action: str = "view"):
    return restrict(Incident.objects.select_related("category", "grid", "zone", "station"), user, action)
