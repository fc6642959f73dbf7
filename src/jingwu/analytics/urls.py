from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard_home, name="dashboard_home"),
    path("units/<int:pk>/", views.dashboard, name="dashboard"),
    path("effect/", views.effect, name="effect"),
    path("claims/", views.claims, name="claims"),
]
