"""The REST API: one router for every app's viewsets, the token, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from jingwu.accounts.tokens import obtain_token
from jingwu.cases.api import (
    CaseDeadlineViewSet,
    CaseReviewViewSet,
    CaseViewSet,
    DeadlineLimitViewSet,
    RoutingRuleViewSet,
)
from jingwu.duty.api import RosterEntryViewSet, RosterViewSet
from jingwu.evaluation.api import (
    AppealViewSet,
    CareerPlanViewSet,
    CycleViewSet,
    FamilyVisitViewSet,
    FileViewSet,
    ObjectionViewSet,
    StandardViewSet,
    StarViewSet,
    TrainingDayViewSet,
)
from jingwu.incidents.api import CallbackViewSet, IncidentViewSet
from jingwu.org.api import UnitViewSet
from jingwu.personnel.api import OfficerViewSet, PostingViewSet
from jingwu.places.api import PremisesViewSet
from jingwu.series.api import CandidateLinkViewSet, LinkRunViewSet, SeriesViewSet, UnreportedLeadViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("officers", OfficerViewSet, basename="officer")
router.register("postings", PostingViewSet, basename="posting")
router.register("premises", PremisesViewSet, basename="premises")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-callbacks", CallbackViewSet, basename="incident-callback")
router.register("cases", CaseViewSet, basename="case")
router.register("case-routing-rules", RoutingRuleViewSet, basename="case-routing-rule")
router.register("case-deadline-limits", DeadlineLimitViewSet, basename="case-deadline-limit")
router.register("case-deadlines", CaseDeadlineViewSet, basename="case-deadline")
router.register("case-reviews", CaseReviewViewSet, basename="case-review")
router.register("series", SeriesViewSet, basename="series")
router.register("series-links", CandidateLinkViewSet, basename="series-link")
router.register("series-runs", LinkRunViewSet, basename="series-run")
router.register("series-leads", UnreportedLeadViewSet, basename="series-lead")
router.register("duty-rosters", RosterViewSet, basename="duty-roster")
router.register("duty-entries", RosterEntryViewSet, basename="duty-entry")
router.register("eval-cycles", CycleViewSet, basename="eval-cycle")
router.register("eval-standards", StandardViewSet, basename="eval-standard")
router.register("eval-files", FileViewSet, basename="eval-file")
router.register("eval-objections", ObjectionViewSet, basename="eval-objection")
router.register("eval-appeals", AppealViewSet, basename="eval-appeal")
router.register("eval-stars", StarViewSet, basename="eval-star")
router.register("eval-family-visits", FamilyVisitViewSet, basename="eval-family-visit")
router.register("eval-training-days", TrainingDayViewSet, basename="eval-training-day")
router.register("eval-career-plans", CareerPlanViewSet, basename="eval-career-plan")

urlpatterns = [
    path("v1/token/", obtain_token, name="api-token"),
    path("v1/", include((router.urls, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
