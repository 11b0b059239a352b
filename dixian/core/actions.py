"""Writes on regions' people: each action owns its transaction and its audit row."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.core import audit, pii
from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import Region, User, role_binding_problems
from dixian.core.roles import Capability, Role, grantable


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "role": user.role,
        "region": user.region_id,
        "is_national": user.is_national,
        "department": user.department,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "two_factor": user.totp_confirmed_at is not None,
    }


def _administering(actor) -> bool:
    """Writes from the command line (no actor) are the installer's; from a person, they are
    checked: only roles below one's own, only within one's own region."""
    return getattr(actor, "is_authenticated", False)


def check_may_grant(actor, role: str, region: Region | None, is_national: bool) -> None:
    require(actor, Capability.MANAGE_USERS)
    if role not in grantable(actor.role):
        raise PermissionDenied(f"a {actor.role} cannot grant the role {role}")
    if is_national or region is None or not scope_of(actor).contains(region.code):
        raise ValidationError("the region must be within your own region")


def check_may_administer(actor, user: User) -> None:
    """An administrator acts on users within their region whose role is below their own;
    any other user looks absent."""
    require(actor, Capability.MANAGE_USERS)
    if user.is_national or not user.region_id or not scope_of(actor).contains(user.region_id):
        raise NotFound
    if user.role not in grantable(actor.role):
        raise PermissionDenied(f"a {actor.role} cannot administer a {user.role}")


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
    must_change_password: bool = False,
) -> User:
    """Create a user; ``password=None`` creates an account that cannot sign in until a
    password is set (no hashing: the simulator's staff)."""
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError(f"region {region_code} is not loaded (dixian regions load)")
    if _administering(actor) and role != Role.SERVICE_ACCOUNT:
        check_may_grant(actor, role, region, is_national)
    problems = role_binding_problems(role, region, is_national, department)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        user = User(username=username, role=role, region=region, is_national=is_national,
                    department=department, first_name=full_name,
                    must_change_password=must_change_password)
        if role == Role.SERVICE_ACCOUNT or password is None:
            user.set_unusable_password()  # signs in only with its API tokens, or not at all
        else:
            user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit.record("user.create", actor=actor, obj=user, region_code=region_code or "",
                     after=_user_snapshot(user))
    return user


def do_reset_password(user: User, password: str, *, actor=None,
                      must_change: bool | None = None) -> None:
    """Set a password. An administrator's reset is temporary: the person must change it at
    their next sign-in (``must_change`` defaults to that when an administrator resets)."""
    if _administering(actor) and actor.pk != user.pk:
        check_may_administer(actor, user)
    if must_change is None:
        must_change = _administering(actor) and actor.pk != user.pk
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = must_change
        user.save(update_fields=["password", "must_change_password"])
        # The audit row records that the password changed, never the password.
        audit.record("user.reset_password", actor=actor, obj=user,
                     region_code=user.region_id or "",
                     after={"must_change_password": must_change})


def do_change_own_password(user: User, old: str, new: str) -> None:
    """The person's own change (also the forced change after a reset)."""
    from django.contrib.auth import password_validation

    if not user.check_password(old):
        raise ValidationError("the current password is not right")
    if old == new:
        raise ValidationError("the new password must differ from the current one")
    password_validation.validate_password(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record("user.change_password", actor=user, obj=user,
                     region_code=user.region_id or "")


def do_deactivate_user(user: User, *, actor=None) -> None:
    if _administering(actor):
        check_may_administer(actor, user)
    with transaction.atomic():
        before = _user_snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record("user.deactivate", actor=actor, obj=user, region_code=user.region_id or "",
                     before=before, after=_user_snapshot(user))


def do_reactivate_user(user: User, *, actor) -> None:
    check_may_administer(actor, user)
    with transaction.atomic():
        before = _user_snapshot(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record("user.reactivate", actor=actor, obj=user, region_code=user.region_id or "",
                     before=before, after=_user_snapshot(user))


def do_rescope_user(user: User, *, role: str, region_code: str, department: str = "",
                    actor) -> User:
    """Move a user to another role or region, both within the administrator's reach."""
    check_may_administer(actor, user)
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError(f"region {region_code} is not loaded")
    check_may_grant(actor, role, region, False)
    problems = role_binding_problems(role, region, False, department)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        before = _user_snapshot(user)
        user.role, user.region, user.department = role, region, department
        user.save(update_fields=["role", "region", "department"])
        audit.record("user.rescope", actor=actor, obj=user, region_code=region.code,
                     before=before, after=_user_snapshot(user))
    return user


# Two-factor sign-in (TOTP, RFC 6238, by pyotp): the secret is kept encrypted like personal
# data; a code is accepted once (a used code is remembered for the 90 seconds it is valid).

TOTP_FIELD = "totp_secret"


def totp_secret(user: User) -> str:
    return pii.decrypt(user.totp_secret_enc, TOTP_FIELD) if user.totp_secret_enc else ""


def do_begin_two_factor(user: User) -> str:
    """A new secret for the person's authenticator app (not in force until confirmed)."""
    import pyotp

    secret = pyotp.random_base32()
    with transaction.atomic():
        user.totp_secret_enc = pii.encrypt(secret, TOTP_FIELD)
        user.totp_confirmed_at = None
        user.save(update_fields=["totp_secret_enc", "totp_confirmed_at"])
        audit.record("user.two_factor_begin", actor=user, obj=user,
                     region_code=user.region_id or "")
    return secret


def totp_ok(user: User, code: str) -> bool:
    import pyotp

    secret = totp_secret(user)
    code = (code or "").strip().replace(" ", "")
    if not (secret and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)):
        return False
    from django.core.cache import cache

    return cache.add(f"totp-used:{user.pk}:{code}", True, 90)


def do_confirm_two_factor(user: User, code: str) -> None:
    if not totp_ok(user, code):
        raise ValidationError("the code is not right (check the time on the phone)")
    with transaction.atomic():
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        audit.record("user.two_factor_confirm", actor=user, obj=user,
                     region_code=user.region_id or "")


def do_reset_two_factor(user: User, *, actor) -> None:
    """An administrator clears a lost authenticator: the person sets up a new one."""
    check_may_administer(actor, user)
    with transaction.atomic():
        user.totp_secret_enc, user.totp_confirmed_at = "", None
        user.save(update_fields=["totp_secret_enc", "totp_confirmed_at"])
        audit.record("user.two_factor_reset", actor=actor, obj=user,
                     region_code=user.region_id or "")
