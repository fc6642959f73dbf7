from django.urls import path

from . import views

app_name = "duty"
urlpatterns = [
    path("patterns/", views.pattern_list, name="pattern_list"),
    path("patterns/new/", views.pattern_new, name="pattern_new"),
    path("patterns/<int:pk>/", views.pattern_edit, name="pattern_edit"),
    path("stations/<int:pk>/", views.station_duty, name="station"),
    path("stations/<int:pk>/setup/", views.station_setup_save, name="station_setup"),
    path("stations/<int:pk>/coverage/", views.coverage_compute, name="coverage_compute"),
    path("stations/<int:pk>/rosters/new/", views.roster_start, name="roster_start"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/progress/", views.roster_progress, name="roster_progress"),
    path("rosters/<int:pk>/publish/", views.roster_publish, name="roster_publish"),
]
urlpatterns.append(path("", views.duty_index, name="index"))
urlpatterns += [
    path("stations/<int:pk>/leave/", views.leave_request, name="leave_request"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("rosters/<int:pk>/swap/", views.swap_request, name="swap_request"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap_decide"),
]
urlpatterns.append(path("grids/<int:pk>/", views.grid_page, name="grid"))
urlpatterns.append(path("work/", views.work_log, name="work_log"))
urlpatterns.append(path("duties/", views.entry_list, name="entry_list"))
urlpatterns += [
    path("rosters/<int:pk>/roster.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("rosters/<int:pk>/print/", views.roster_print, name="roster_print"),
    path("rosters/<int:pk>/roster.pdf", views.roster_pdf, name="roster_pdf"),
]
urlpatterns += [
    path("stations/<int:pk>/retasking/", views.retasking_propose, name="retasking_propose"),
    path("retasking/<int:pk>/decide/", views.retasking_decide, name="retasking_decide"),
]
