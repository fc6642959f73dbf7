from django.urls import path

from . import views

app_name = "leads"
urlpatterns = [
    path("", views.cluster_list, name="cluster_list"),
    path("runs/new/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/<int:pk>/", views.entity_detail, name="entity_detail"),
]
