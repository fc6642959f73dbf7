from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from jingwu.accounts.otp import otp_view
from jingwu.site import audit_views
from jingwu.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", otp_view, name="otp"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", audit_views.audit_detail, name="audit_detail"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("units/", include("jingwu.org.urls")),
    path("officers/", include("jingwu.personnel.urls")),
    path("premises/", include("jingwu.places.urls")),
    path("incidents/", include("jingwu.incidents.urls")),
    path("cases/", include("jingwu.cases.urls")),
    path("series/", include("jingwu.series.urls")),
    path("intake/", include("jingwu.cases.intake_urls")),
    path("imports/", include("jingwu.imports.urls")),
    path("planning/", include("jingwu.planning.urls")),
    path("jobs/", include("jingwu.jobs.urls")),
    path("measure/", include("jingwu.analytics.urls")),
    path("duty/", include("jingwu.duty.urls")),
    path("evaluation/", include("jingwu.evaluation.urls")),
    path("inspections/", include("jingwu.inspections.urls")),
    path("leads/", include("jingwu.leads.urls")),
    path("api/", include("jingwu.site.api")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
