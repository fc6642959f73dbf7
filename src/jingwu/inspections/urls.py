from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.due_list, name="due_list"),
    path("timers/", views.timer_list, name="timer_list"),
    path("visits/", views.visit_list, name="visit_list"),
    path("premises/<int:pk>/timers/new/", views.timer_add, name="timer_add"),
    path("timers/<int:pk>/close/", views.timer_close, name="timer_close"),
    path("premises/<int:pk>/visit/", views.visit_begin, name="visit_begin"),
    path("visits/<int:pk>/", views.visit_checklist, name="visit_checklist"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("findings/<int:pk>/sanction/", views.sanction_add, name="sanction_add"),
    path("measures/", views.measures_page, name="measures"),
    path("measures.xlsx", views.measures_export, name="measures_export"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/routes/", views.plan_routes, name="plan_routes"),
]
