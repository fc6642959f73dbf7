from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("<int:pk>/map.json", views.unit_map, name="unit_map"),
]
