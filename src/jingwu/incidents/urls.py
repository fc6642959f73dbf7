from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/callback/", views.callback_record, name="callback_record"),
    path("callbacks/", views.callback_list, name="callback_list"),
    path("near-repeats/", views.near_repeats, name="near_repeats"),
    path("near-repeats/evidence/", views.near_repeat_profiles, name="near_repeat_profiles"),
    path("near-repeats/compute/", views.near_repeats_compute, name="near_repeats_compute"),
]
