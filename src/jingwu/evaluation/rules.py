"""Who may see and do what in the evaluation (declared into the one permission table).

- Cycles and their rules are the bureau's: every role that takes part reads them; the
  political department sets them up, opens them, starts the public notice and publishes.
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


def declare() -> None:
    from jingwu.core.permissions import grant
    from jingwu.core.scope import register_scope

    for label in RULE_MODELS:
        for role in READERS:
            grant(role, label, "v", "bureau")
        grant(Role.POLITICAL_DEPARTMENT, label, "vac", "bureau")
    # Standards and criteria are read through their cycle's page.
    register_scope("evaluation.cycle", lambda unit: Q())
