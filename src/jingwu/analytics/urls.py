from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("effect/", views.effect, name="effect"),
    path("claims/", views.claims, name="claims"),
]
