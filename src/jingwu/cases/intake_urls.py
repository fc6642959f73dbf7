from django.urls import path

from . import intake

app_name = "intake"
urlpatterns = [
    path("", intake.desk, name="desk"),
    path("categories/", intake.categories, name="categories"),
    path("addresses/", intake.addresses, name="addresses"),
    path("where/", intake.where, name="where"),
    path("duplicates/", intake.duplicates, name="duplicates"),
]
