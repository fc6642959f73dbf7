from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.premises_list, name="premises_list"),
    path("map.json", views.premises_map, name="premises_map"),
    path("<int:pk>/", views.premises_detail, name="premises_detail"),
]
