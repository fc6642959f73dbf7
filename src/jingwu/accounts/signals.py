"""Log-ins, failed log-ins and lock-outs go into the audit trail (the chain of the user's bureau).

A failed log-in names the user name that was tried (``actor_label``): it may belong to
no one, and then the event goes to the system chain.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from jingwu.core import audit

from .models import User


def _account(username: str) -> User | None:
    if not username:
        return None
    return User.objects.select_related("bureau").filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="jingwu-audit-login")
def record_login(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        audit.record("login", actor=user, bureau=user.bureau, obj=user, object_repr=user.username)


def _record_attempt(action: str, username: str, after: dict) -> None:
    """A failed log-in or a lock-out of ``username`` (which may belong to no one)."""
    username = username[:150]
    account = _account(username)
    with transaction.atomic():
        audit.record(
            action,
            actor=None,
            actor_label=username or "anonymous",
            bureau=account.bureau if account is not None else None,
            object_type="accounts.user",
            object_id=str(account.pk) if account is not None else "",
            object_repr=username,
            after=after,
        )


@receiver(user_login_failed, dispatch_uid="jingwu-audit-login-failed")
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")
    _record_attempt("login_fail", username, {"locked_out": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="jingwu-audit-lockout")
def record_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    _record_attempt("lockout", str(username or ""), {"ip": ip_address or ""})
