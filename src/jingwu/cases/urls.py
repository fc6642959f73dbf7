from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("board/", views.case_board, name="case_board"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/transfer/", views.case_transfer, name="case_transfer"),
    path("<int:pk>/suspend/", views.case_suspend, name="case_suspend"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("reviews/", views.review_report, name="review_report"),
    path("<int:pk>/review/", views.case_review, name="case_review"),
    path("deadlines/", views.deadline_list, name="deadline_list"),
    path("deadlines/limits/", views.deadline_limits, name="deadline_limits"),
    path("deadlines/escalate/", views.deadline_escalate, name="deadline_escalate"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]
