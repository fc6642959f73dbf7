from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.job_new, name="job_new"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/rejects.csv", views.job_rejects, name="job_rejects"),
    path("mappings/", views.mapping_list, name="mapping_list"),
    path("mappings/new/", views.mapping_edit, name="mapping_new"),
    path("mappings/<int:pk>/", views.mapping_edit, name="mapping_edit"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
]
