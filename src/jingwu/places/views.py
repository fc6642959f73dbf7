from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from .filters import PremisesFilter
from .models import ElementRequirement
from .selectors import premises_for

PAGE_SIZE = 50
MAP_LIMIT = 5000


@login_required
def premises_list(request):
    f = PremisesFilter(
        request.GET, queryset=premises_for(request.user).order_by("station__code", "name"), request=request
    )
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "places/premises_list.html", {"filter": f, "page": page, "query": query.urlencode()}
    )


@login_required
def premises_map(request):
    f = PremisesFilter(request.GET, queryset=premises_for(request.user), request=request)
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {"id": p["id"], "name": p["name"], "category": p["category"]},
        }
        for p in f.qs.values("id", "name", "category", "lon", "lat")[:MAP_LIMIT]
    ]
    return JsonResponse(
        {"layers": {"premises": {"type": "FeatureCollection", "features": feats}}, "labels": {}}
    )


@login_required
def premises_detail(request, pk: int):
    premises = get_object_or_404(premises_for(request.user), pk=pk)
    requirements = ElementRequirement.objects.filter(bureau_id=premises.bureau_id, category=premises.category)
    return render(
        request,
        "places/premises_detail.html",
        {"premises": premises, "requirements": requirements.select_related("element")},
    )
