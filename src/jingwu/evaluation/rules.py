"""Who may see and do what in the evaluation (declared into the one permission table).

- Cycles and their rules are the bureau's: every role that takes part reads them; the
  political department sets them up, opens them, starts the public notice and publishes.
- An officer's file (a nomination, its scores, objections, stars and appeals) hangs off the
  unit that nominated them: that unit's chief (a station, or a center) nominates and
  scores; the political department reviews, answers objections and appeals, and with
  command decides as the committee ("approve"); auditors read. The officer reads their
  own file (``selectors.files_for``: the one rule not held by a role).
- During the public notice anyone of the bureau who takes part may raise an objection.
"""

from __future__ import annotations

from django.db.models import Q

from jingwu.accounts.choices import Role

RULE_MODELS = ("evaluation.cycle", "evaluation.standard", "evaluation.criterion")
# Everyone who takes part in or oversees the evaluation reads the rules of the bureau.
READERS = (
    Role.BUREAU_COMMAND,
    Role.INVESTIGATION_CENTER,
    Role.PREVENTION_CENTER,
    Role.STATION_CHIEF,
    Role.ZONE_LEAD,
    Role.COMMUNITY_OFFICER,
    Role.AUXILIARY_OFFICER,
    Role.AUDITOR,
)

FILE_MODELS = (
    "evaluation.nomination",
    "evaluation.score",
    "evaluation.objection",
    "evaluation.staraward",
    "evaluation.appeal",
    "evaluation.ownevidence",
)

CARE_MODELS = ("evaluation.familyvisit", "evaluation.trainingday", "evaluation.careerplan")


def declare() -> None:
    from jingwu.core.permissions import grant
    from jingwu.core.scope import register_scope

    for label in RULE_MODELS:
        for role in READERS:
            grant(role, label, "v", "bureau")
        grant(Role.POLITICAL_DEPARTMENT, label, "vac", "bureau")
    # Standards and criteria are read through their cycle's page.
    register_scope("evaluation.cycle", lambda unit: Q())

    units = (Role.STATION_CHIEF, Role.INVESTIGATION_CENTER, Role.PREVENTION_CENTER)
    for role in units:
        grant(role, "evaluation.nomination", "vac", "subtree")
        grant(role, "evaluation.score", "vac", "subtree")
        for label in ("evaluation.staraward", "evaluation.appeal", "evaluation.ownevidence"):
            grant(role, label, "v", "subtree")
    grant(Role.POLITICAL_DEPARTMENT, "evaluation.nomination", "vacp", "bureau")
    grant(Role.BUREAU_COMMAND, "evaluation.nomination", "vp", "bureau")
    grant(Role.BUREAU_COMMAND, "evaluation.score", "v", "bureau")
    # the political department nominates and scores headquarters' officers too
    grant(Role.POLITICAL_DEPARTMENT, "evaluation.score", "vac", "bureau")
    for label in ("evaluation.staraward", "evaluation.ownevidence"):
        grant(Role.POLITICAL_DEPARTMENT, label, "v", "bureau")
        grant(Role.BUREAU_COMMAND, label, "v", "bureau")
    for label in ("evaluation.objection", "evaluation.appeal"):
        grant(Role.POLITICAL_DEPARTMENT, label, "vac", "bureau")
    grant(Role.BUREAU_COMMAND, "evaluation.appeal", "v", "bureau")
    for label in FILE_MODELS:
        grant(Role.AUDITOR, label, "v", "bureau")
    # Objections: raised by anyone taking part, read by those who answer them (and command).
    for role in READERS:
        if role not in (Role.AUDITOR, Role.BUREAU_COMMAND):
            grant(role, "evaluation.objection", "a", "bureau")
    grant(Role.BUREAU_COMMAND, "evaluation.objection", "va", "bureau")

    # Conduct records (commendations, complaints, discipline) follow the officer's postings,
    # like the officer: the chief records them for the station's officers.
    grant(Role.POLITICAL_DEPARTMENT, "evaluation.conductrecord", "vac", "bureau")
    grant(Role.STATION_CHIEF, "evaluation.conductrecord", "vac", "subtree")
    grant(Role.BUREAU_COMMAND, "evaluation.conductrecord", "v", "bureau")
    grant(Role.AUDITOR, "evaluation.conductrecord", "v", "bureau")
    register_scope("evaluation.conductrecord", _posted_q)

    # Officer care: the political department keeps it, command and auditors read it; the
    # officer reads their own (``selectors.care_for``).
    for label in CARE_MODELS:
        grant(Role.POLITICAL_DEPARTMENT, label, "vac", "bureau")
        grant(Role.BUREAU_COMMAND, label, "v", "bureau")
        grant(Role.AUDITOR, label, "v", "bureau")
        register_scope(label, lambda unit: Q())

    # Early support flags go to the officer's chief (station or center), for support; the
    # political department runs the check and reads all; command and auditors read.
    for role in units:
        grant(role, "evaluation.supportflag", "vc", "subtree")
    grant(Role.POLITICAL_DEPARTMENT, "evaluation.supportflag", "vac", "bureau")
    grant(Role.BUREAU_COMMAND, "evaluation.supportflag", "v", "bureau")
    grant(Role.AUDITOR, "evaluation.supportflag", "v", "bureau")
    register_scope("evaluation.supportflag", lambda unit: Q(unit__path__startswith=unit.path))

    # Reminders are their recipient's (the home page); the political department, who runs
    # the evaluation, and auditors read the bureau's.
    from jingwu.core.permissions import PERMISSIONS

    for role in list(PERMISSIONS):
        grant(role, "evaluation.reminder", "v", "own")
    grant(Role.POLITICAL_DEPARTMENT, "evaluation.reminder", "va", "bureau")
    grant(Role.AUDITOR, "evaluation.reminder", "v", "bureau")
    register_scope("evaluation.reminder", lambda unit: Q(), owner="recipient")

    register_scope("evaluation.nomination", lambda unit: Q(unit__path__startswith=unit.path))
    for label in FILE_MODELS[1:]:
        register_scope(label, lambda unit: Q(nomination__unit__path__startswith=unit.path))


def _posted_q(unit) -> Q:
    """Rows of officers posted under ``unit`` on the bureau's data date."""
    if unit.kind == "headquarters":
        return Q()
    from jingwu.core.clock import data_date
    from jingwu.personnel.models import Posting

    on = data_date(unit.bureau_id)
    posted = Posting.objects.current(on).filter(bureau_id=unit.bureau_id, unit__path__startswith=unit.path)
    return Q(officer_id__in=posted.values("officer_id"))
