"""Writes on LRS credentials: create (the secret is shown once) and revoke."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.lrs.http import auth_cache_clear
from dtss.lrs.models import Credential, Scope

KEY_BYTES = 15  # 20 URL-safe characters
SECRET_BYTES = 32  # 256 bits


@dataclass(frozen=True)
class IssuedCredential:
    credential: Credential
    secret: str  # shown once, never stored


def scopes_clean(scopes: list[str] | None) -> list[str]:
    """The scopes, checked against the xAPI list; an unknown one is a ValidationError."""
    chosen = list(dict.fromkeys(scopes or [Scope.STATEMENTS_WRITE, Scope.STATE, Scope.PROFILE]))
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scope: %(s)s. Choose from %(all)s.")
                % {"s": ", ".join(unknown), "all": ", ".join(Scope.values)}
            }
        )
    return chosen


def _token(nbytes: int) -> str:
    """A random URL-safe token that does not start with "-" or "_" (a key or secret that does
    reads as an option on a command line: `dtss lrs credentials revoke -44b…` failed)."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if token[0].isalnum():
            return token


@transaction.atomic
def credential_create(
    *,
    name: str,
    county: Any | None,
    scopes: list[str] | None = None,
    platform: str = "",
    actor: Any = None,
    request: Any = None,
) -> IssuedCredential:
    """A new credential with a random key and secret; only the secret's hash is kept."""
    from dtss.lrs.models.credentials import secret_digest

    secret = _token(SECRET_BYTES)
    credential = Credential(
        county=county,
        name=name.strip(),
        platform=platform.strip(),
        key=_token(KEY_BYTES),
        secret_hash=secret_digest(secret),
        scopes=scopes_clean(scopes),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    credential.full_clean()
    credential.save()
    audit_record(
        actor=actor,
        action="lrs.credential_create",
        obj=credential,
        request=request,
        county=county,
        detail={"name": credential.name, "scopes": credential.scopes},
    )
    return IssuedCredential(credential=credential, secret=secret)


@transaction.atomic
def credential_revoke(*, credential: Credential, actor: Any = None, request: Any = None) -> None:
    """Revoke for good: requests with it fail with 401 within seconds (the per-process cache)."""
    if credential.revoked_at is not None:
        return
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor,
        action="lrs.credential_revoke",
        obj=credential,
        request=request,
        county=credential.county,
    )
    transaction.on_commit(auth_cache_clear)
