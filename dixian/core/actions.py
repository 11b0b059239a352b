"""Writes on regions' people: each action owns its transaction and its audit row."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from dixian.core import audit
from dixian.core.models import Region, User, role_binding_problems


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "region": user.region_id,
        "is_national": user.is_national,
        "department": user.department,
        "is_active": user.is_active,
    }


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def do_create_user(
    *,
    username: str,
    role: str,
    region_code: str | None,
    password: str | None,
    department: str = "",
    is_national: bool = False,
    full_name: str = "",
    actor=None,
) -> User:
    """Create a user; ``password=None`` creates an account that cannot sign in until a
    password is set (no hashing: the simulator's staff)."""
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError(f"region {region_code} is not loaded (dixian regions load)")
    problems = role_binding_problems(role, region, is_national, department)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        user = User(username=username, role=role, region=region, is_national=is_national,
                    department=department, first_name=full_name)
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record("user.create", actor=actor, obj=user, region_code=region_code or "",
                     after=_user_snapshot(user))
    return user


def do_reset_password(user: User, password: str, *, actor=None) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        # The audit row records that the password changed, never the password.
        audit.record("user.reset_password", actor=actor, obj=user,
                     region_code=user.region_id or "")


def do_deactivate_user(user: User, *, actor=None) -> None:
    with transaction.atomic():
        before = _user_snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record("user.deactivate", actor=actor, obj=user, region_code=user.region_id or "",
                     before=before, after=_user_snapshot(user))
