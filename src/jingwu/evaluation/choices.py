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
    COMMENDATIONS = "commendations", _("Commendations")
    COMPLAINTS = "complaints", _("Complaints")
    DISCIPLINE = "discipline", _("Discipline records")
    TRAINING = "training", _("Training")
    OWN = "own", _("The officer's own evidence")
