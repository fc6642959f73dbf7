from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_home, name="dashboard_home"),
    path("units/<int:pk>/", views.dashboard, name="dashboard"),
    path("units/<int:pk>/indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("units/<int:pk>/report/", views.report_new, name="report_new"),
    path("units/<int:pk>/hotspots/", views.hotspots, name="hotspots"),
    path("units/<int:pk>/hotspots.json", views.hotspots_map, name="hotspots_map"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/<str:fmt>/", views.report_file, name="report_file"),
    path("units/<int:pk>/patrols/", views.patrols, name="patrols"),
    path("indicators/", views.indicators, name="indicators"),
    path("reports/", views.report_list, name="report_list"),
    path("effect/", views.effect, name="effect"),
    path("claims/", views.claims, name="claims"),
]
