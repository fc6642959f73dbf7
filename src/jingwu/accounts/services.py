"""Writes for users and memberships."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.services import service

from .choices import Role
from .models import Membership, User


@service
def do_create_user(
    *,
    actor,
    username: str,
    password: str,
    bureau=None,
    officer=None,
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    if actor is not None and not actor.is_superuser:
        raise ValidationError(_("Only a system administrator may create users."))
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("A user name is required.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(
        username=username,
        bureau=bureau,
        officer=officer,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record("create", actor=actor, bureau=bureau, obj=user, after=audit.snapshot(user))
    return user


@service
def do_grant_membership(*, actor, user: User, unit, role: str, valid_from=None, valid_to=None) -> Membership:
    if actor is not None and not actor.is_superuser:
        raise ValidationError(_("Only a system administrator may grant roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if user.bureau_id and user.bureau_id != unit.bureau_id:
        raise ValidationError({"unit": _("The unit belongs to another bureau than the user.")})
    m = Membership(
        bureau_id=unit.bureau_id, user=user, unit=unit, role=role, valid_from=valid_from, valid_to=valid_to
    )
    if Membership.objects.filter(bureau_id=unit.bureau_id, user=user, unit=unit, role=role).exists():
        raise ValidationError(_("The user already has this role in this unit."))
    m.save()
    audit.record(
        "create", actor=actor, bureau=unit.bureau, obj=m, unit_path=unit.path, after=audit.snapshot(m)
    )
    return m
