from django.urls import path

from . import views

app_name = "series"

urlpatterns = [
    path("", views.series_list, name="series_list"),
    path("board/", views.board, name="board"),
    path("board/score/", views.score, name="score"),
    path("board/build/", views.build, name="build"),
    path("links/<int:pk>/<str:decision>/", views.decide, name="decide"),
    path("<int:pk>/", views.series_detail, name="series_detail"),
    path("<int:pk>/leads/add/", views.lead_add, name="lead_add"),
    path("<int:pk>/leads/premises/<int:premises>/", views.lead_from_premises, name="lead_from_premises"),
    path("follow-up/", views.lead_list, name="lead_list"),
    path("follow-up/<int:pk>/outcome/", views.lead_outcome, name="lead_outcome"),
]
