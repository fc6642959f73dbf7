"""Lock-out after failed log-ins, by account and by address, each with its own limit.

- An account is locked after ``AXES_FAILURE_LIMIT`` failures (``JINGWU_LOGIN_FAILURES``),
  from whatever addresses they come: one account attacked from many addresses is stopped.
- An address is locked after ``JINGWU_LOGIN_FAILURES_PER_ADDRESS`` failures, on whatever
  accounts: one address trying a few passwords on every account is stopped. Its limit
  is higher because several people may log in through one address (a proxy).

Both count the failures of the cool-off period (``AXES_COOLOFF_TIME``). A successful
log-in clears the failures of that account only: logging in to one's own account does
not wipe the failures an address piled up on other accounts.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _failures(qs) -> int:
    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The account's recent failures, or the limit itself once the address is over its own."""
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_account = _failures(recent.filter(username=username)) if username else 0
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        by_address = _failures(recent.filter(ip_address=address)) if address else 0
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
