"""Credentials: one per learning platform and county, HTTP Basic key and hashed secret."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel


class Scope(models.TextChoices):
    """The xAPI authorization scopes (xAPI 1.0.3 Communication §4.2, 2.0.0 §4.3)."""

    STATEMENTS_WRITE = "statements/write", _("Write statements")
    STATEMENTS_READ = "statements/read", _("Read all statements")
    STATEMENTS_READ_MINE = "statements/read/mine", _("Read own statements")
    STATE = "state", _("State documents")
    DEFINE = "define", _("Define activities and agents")
    PROFILE = "profile", _("Profile documents")
    ALL_READ = "all/read", _("Read everything")
    ALL = "all", _("Everything")


def secret_digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256.

    Secrets are 256-bit random strings made by DTSS, never chosen by people, so SHA-256 is as
    strong as a slow password hash against guessing (there is no dictionary to try) and costs
    microseconds per request, where a slow hash would cap the LRS at a few dozen requests per
    second per core. Unlike a keyed hash it survives a change of DTSS_SECRET_KEY.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


class Credential(TenantModel):
    """What a learning platform signs in with; `county` is its store (none: the national one)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey(
        "orgs.County",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lrs_credentials",
    )
    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=120, blank=True)
    key = models.CharField(_("key"), max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("LRS credential")
        verbose_name_plural = _("LRS credentials")

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, secret_digest(secret))

    def allows(self, *wanted: str) -> bool:
        """True when any of the wanted scopes is granted (`all` grants everything)."""
        granted = set(self.scopes)
        return "all" in granted or bool(granted.intersection(wanted))

    @property
    def authority(self) -> dict[str, Any]:
        """The Agent stored as the authority of every statement this credential writes."""
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": settings.SITE_URL.rstrip("/") + "/xapi/", "name": self.key},
        }
