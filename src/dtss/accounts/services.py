"""Writes owned by accounts: users for people, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.accounts.models import ApiToken, User
from dtss.core.services import audit_record

TOKEN_PREFIX = "dtss_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    person: Any = None,
    email: str = "",
    is_superuser: bool = False,
    actor: Any = None,
) -> User:
    user = User(username=username, email=email, person=person)
    user.is_superuser = user.is_staff = is_superuser
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        actor=actor, action="user.create", obj=user, county=getattr(person, "county", None)
    )
    return user


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None, request: Any = None
) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:12], key_hash=_hash(key), expires_at=expires_at
    )
    audit_record(actor=user, action="api_token.create", obj=token, request=request)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, request: Any = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token, request=request)


def api_token_authenticate(*, key: str) -> User | None:
    """The active user behind a token, or None. Records when the token was last used."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
