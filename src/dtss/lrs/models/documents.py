"""Documents: State, Activity Profile and Agent Profile (xAPI 1.0.3 Communication §2.2–§2.7,
2.0.0 §4.1.6.2, §4.1.6.5, §4.1.6.6).

A document is addressed by (store, kind, activity id, agent, registration, document id). Activity
ids and document ids are IRIs/strings of any length, and a PostgreSQL B-tree entry is limited to
about 2.7 kB, so the unique index is on a SHA-256 of the address (`key_hash`) instead of on the
raw columns: a lookup is one unique-index probe whatever the lengths. `scope_hash` (kind, activity
id and agent, without registration and document id) indexes the multiple-document GET and DELETE
("all documents of this activity and agent [and registration]"). The raw columns are kept for
reading and are re-checked by the selectors, so a hash collision could never mix documents.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Document", "document_key_hash", "document_scope_hash"]


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        # Length-prefixed so that ("ab", "c") and ("a", "bc") never hash alike.
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def document_scope_hash(kind: str, activity_id: str, agent_key: str) -> str:
    """The hash of the context shared by the documents a multiple-document request names."""
    return _digest("scope", kind, activity_id, agent_key)


def document_key_hash(
    kind: str, activity_id: str, agent_key: str, registration: str, document_id: str
) -> str:
    """The hash of a single document's full address."""
    return _digest("doc", kind, activity_id, agent_key, registration, document_id)


class Document(models.Model):
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "store"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        ACTIVITY_PROFILE = "activity_profile", _("Activity Profile")
        AGENT_PROFILE = "agent_profile", _("Agent Profile")

    id = models.BigAutoField(primary_key=True)
    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    kind = models.CharField(max_length=20, choices=Kind.choices)
    activity_id = models.TextField(blank=True)  # State and Activity Profile
    agent_key = models.TextField(blank=True)  # State and Agent Profile: the agent's IFI key
    registration = models.CharField(max_length=36, blank=True)  # State only, lower-case UUID
    document_id = models.TextField()  # stateId or profileId
    scope_hash = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=40)  # SHA-1 hex of content (1.0.3 Communication §3.1)
    updated = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["store", "key_hash"], name="lrs_document_unique"),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["store", "scope_hash", "updated"], name="lrs_document_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.document_id}"
