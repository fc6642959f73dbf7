from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/notice/", views.notice, name="notice"),
    path("files/<int:pk>/", views.file_detail, name="file_detail"),
    path("results/", views.results, name="results"),
    path("promotion/", views.promotion, name="promotion"),
    path("officers/<int:pk>/", views.officer_stars, name="officer_stars"),
    path("care/", views.care, name="care"),
    path("support/", views.support, name="support"),
    path("care/officers/<int:pk>/", views.officer_care, name="officer_care"),
    path("files/<int:pk>/evidence/<int:eid>/", views.evidence_attachment, name="evidence_attachment"),
]
