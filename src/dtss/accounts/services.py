"""Writes owned by accounts: users for people, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
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


@transaction.atomic
def user_invite(*, person: Any, username: str, email: str, actor: Any, request: Any) -> User:
    """Give a person a login: the account starts without a password and a link to set one
    is emailed to them."""
    from django.contrib.auth.forms import PasswordResetForm

    from dtss.orgs.selectors import person_roles_all_within

    if not person_roles_all_within(user=actor, person=person):
        # A login carries every role of the person: only an administrator of all of them
        # may hand it out.
        raise PermissionDenied
    if User.objects.filter(person=person).exists():
        raise ValidationError({"username": _("This person already has an account.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = user_create(username=username, password=None, person=person, email=email, actor=actor)
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        # A user without a usable password gets no reset mail from Django's form, so send the
        # same mail directly for this one user.
        from django.contrib.auth.tokens import default_token_generator
        from django.contrib.sites.shortcuts import get_current_site
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        site = get_current_site(request)
        form.send_mail(
            "accounts/invite_subject.txt",
            "accounts/invite_email.txt",
            {
                "email": email,
                "domain": site.domain,
                "site_name": site.name,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "user": user,
                "token": default_token_generator.make_token(user),
                "protocol": "https" if request.is_secure() else "http",
            },
            None,
            email,
        )
    return user
