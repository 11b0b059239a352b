"""Service accounts and their API tokens: created, rotated and revoked by an administrator;
the clear token is returned once and only its SHA-256 is kept. Every write is audited."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.connect.models import ApiToken, Scope
from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import User
from dixian.core.roles import Capability, Role

PREFIX = "dxn_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scoped_accounts(actor):
    require(actor, Capability.MANAGE_DEPARTMENTS)
    from dixian.core.access import scope_q

    return User.objects.filter(scope_q(scope_of(actor), "region__code"),
                               role=Role.SERVICE_ACCOUNT)


def access_account(actor, account_id: int) -> User:
    account = scoped_accounts(actor).filter(pk=account_id).first()
    if account is None:
        raise NotFound
    return account


def do_create_service_account(*, name: str, department: str, region_code: str,
                              actor) -> User:
    from dixian.core.actions import do_create_user

    require(actor, Capability.MANAGE_DEPARTMENTS)
    if not scope_of(actor).contains(region_code):
        raise ValidationError("the region must be within your own region")
    return do_create_user(username=name, role=Role.SERVICE_ACCOUNT, region_code=region_code,
                          password="", department=department, actor=actor)


def _issue(account: User, name: str, scopes: list[str], expires_days: int | None,
           actor) -> tuple[ApiToken, str]:
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValidationError(f"scopes: choose among {', '.join(Scope.values)}")
    prefix = secrets.token_hex(4)
    clear = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        account=account, name=name[:100], prefix=prefix, digest=digest(clear),
        scopes=sorted(set(scopes)), created_by=actor,
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None)
    return token, clear


def do_create_token(account: User, *, name: str, scopes: list[str], actor,
                    expires_days: int | None = 365) -> tuple[ApiToken, str]:
    """A new token for the service account; the clear value is returned once."""
    account = access_account(actor, account.pk)
    if not account.is_active:
        raise ValidationError("the service account is disabled")
    with transaction.atomic():
        token, clear = _issue(account, name, scopes, expires_days, actor)
        audit.record("token.create", actor=actor, obj=token, region_code=account.region_id,
                     after={"account": account.username, "prefix": token.prefix,
                            "scopes": token.scopes, "expires_at": str(token.expires_at)})
    return token, clear


def access_token(actor, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, account__in=scoped_accounts(actor)).first()
    if token is None:
        raise NotFound
    return token


def do_revoke_token(token: ApiToken, *, actor) -> None:
    token = access_token(actor, token.pk)
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("token.revoke", actor=actor, obj=token,
                     region_code=token.account.region_id, after={"prefix": token.prefix})


def do_rotate_token(token: ApiToken, *, actor) -> tuple[ApiToken, str]:
    """A new token with the same scopes replaces the old one, which is revoked at once."""
    token = access_token(actor, token.pk)
    if token.revoked_at is not None:
        raise ValidationError("a revoked token cannot be rotated: create a new one")
    with transaction.atomic():
        days = None
        if token.expires_at:
            days = max(1, (token.expires_at - token.created_at).days)
        new, clear = _issue(token.account, token.name, token.scopes, days, actor)
        token.revoked_at, token.replaced_by = timezone.now(), new
        token.save(update_fields=["revoked_at", "replaced_by"])
        audit.record("token.rotate", actor=actor, obj=new, region_code=token.account.region_id,
                     before={"prefix": token.prefix}, after={"prefix": new.prefix})
    return new, clear


class TokenRefused(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def authenticate(clear: str, scope: str | None) -> User:
    """The service account of a valid token holding ``scope``; refused otherwise (401: no
    such token, revoked, expired, or the account is disabled; 403: scope; 429: rate)."""
    token = ApiToken.objects.select_related("account").filter(digest=digest(clear or "")).first()
    now = timezone.now()
    if (token is None or token.revoked_at is not None or not token.account.is_active
            or (token.expires_at is not None and token.expires_at <= now)):
        raise TokenRefused(401, "invalid, revoked or expired token")
    if scope is None or scope not in token.scopes:
        raise TokenRefused(403, f"this token does not have the scope {scope or 'for this call'}")
    key = f"token-rate:{token.pk}:{int(now.timestamp() // 60)}"
    cache.add(key, 0, 120)
    if cache.incr(key) > settings.DIXIAN_TOKEN_RATE:
        raise TokenRefused(429, "too many requests: wait a minute")
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    account = token.account
    account.api_token = token
    return account


def refuse_person(actor) -> None:
    if getattr(actor, "role", None) == Role.SERVICE_ACCOUNT:
        raise PermissionDenied
