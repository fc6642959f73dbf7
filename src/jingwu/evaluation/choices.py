from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: rules being set")
    OPEN = "open", _("Open: nominating, assessing, scoring, reviewing")
    NOTICE = "notice", _("Public notice")
    PUBLISHED = "published", _("Published")


class EvidenceSource(models.TextChoices):
    INCIDENTS = "incidents", _("Incidents handled")
    CASES = "cases", _("Cases")
    GRID_WORK = "grid_work", _("Grid work (visits, mediation)")
    COMMENDATIONS = "commendations", _("Commendations")
    COMPLAINTS = "complaints", _("Complaints")
    DISCIPLINE = "discipline", _("Discipline records")
    TRAINING = "training", _("Training")
    OWN = "own", _("The officer's own evidence")


class FileStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    SELF_ASSESSED = "self_assessed", _("Self-assessed")
    SCORED = "scored", _("Scored by the unit")
    REVIEWED = "reviewed", _("Reviewed by the political department")
    APPROVED = "approved", _("Approved by the committee")
    REJECTED = "rejected", _("Not approved by the committee")


class ReviewDecision(models.TextChoices):
    ENDORSED = "endorsed", _("Endorsed")
    DECLINED = "declined", _("Declined")


class CommitteeDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ScoreKind(models.TextChoices):
    SELF = "self", _("Self-assessment")
    UNIT = "unit", _("Unit score")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class AppealDecision(models.TextChoices):
    """What the political department decides on an appeal (the API's choice)."""

    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class ConductKind(models.TextChoices):
    COMMENDATION = "commendation", _("Commendation")
    COMPLAINT = "complaint", _("Complaint")
    DISCIPLINE = "discipline", _("Discipline record")


class ReminderKind(models.TextChoices):
    SELF = "self", _("Self-assessment due")
    SCORE = "score", _("Unit scoring due")
    REVIEW = "review", _("Review by the political department due")
    OBJECTION = "objection", _("Objections to answer")
