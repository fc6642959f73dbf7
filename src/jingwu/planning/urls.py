from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("", views.scenario_list, name="scenario_list"),
    path("new/", views.scenario_new, name="scenario_new"),
    path("compare/", views.compare, name="compare"),
    path("<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("<int:pk>/progress/", views.scenario_progress, name="scenario_progress"),
    path("<int:pk>/map/", views.scenario_map, name="scenario_map"),
    path("<int:pk>/report.html", views.scenario_report, name="scenario_report"),
    path("<int:pk>/report.xlsx", views.scenario_xlsx, name="scenario_xlsx"),
    path("<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("<int:pk>/cancel/", views.scenario_cancel, name="scenario_cancel"),
    path("<int:pk>/approve/", views.scenario_approve, name="scenario_approve"),
    path("<int:pk>/withdraw/", views.scenario_withdraw, name="scenario_withdraw"),
    path("<int:pk>/apply/", views.scenario_apply, name="scenario_apply"),
    path("<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
]
