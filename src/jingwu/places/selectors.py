from jingwu.core.scope import restrict

from .models import Premises


def premises_for(user, action: str = "view"):
    return restrict(Premises.objects.select_related("grid", "station"), user, action)
