from django.urls import path

from . import views

app_name = "personnel"
urlpatterns = [
    path("", views.officer_list, name="officer_list"),
    path("<int:pk>/", views.officer_detail, name="officer_detail"),
]
