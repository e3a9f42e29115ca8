"""Statements as stored, with the indexed columns every query of the spec and the analytics use.

The full statement is kept as JSON text (`payload`, exactly as the LRS returns it with
format=exact); the other columns are copies made at write time so that each query parameter of
GET /statements is an index range scan, never a scan of the JSON. `store` is the id of the county
of the credential that wrote the statement (0 for the national store, read by MOE staff only);
it is the tenant column, so `TENANT_COUNTY_FIELD = "store"` gives staff the tenancy rule.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from dtss.core.models import TenantQuerySet

__all__ = ["Activity", "Attachment", "Statement", "StatementActivity", "StatementAgent"]


class Statement(models.Model):
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "store"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    id = models.BigAutoField(primary_key=True)
    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    statement_id = models.UUIDField()
    payload = models.TextField()
    version = models.CharField(max_length=16)
    actor_key = models.CharField(max_length=512)
    verb_id = models.TextField()
    object_type = models.CharField(max_length=16)
    object_key = models.TextField(blank=True)  # activity id, agent key or statement id
    registration = models.UUIDField(null=True, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField()
    voided = models.BooleanField(default=False)
    voids = models.UUIDField(null=True, blank=True)  # the statement a voiding statement voids
    credential = models.ForeignKey(
        "lrs.Credential", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attachment_hashes = models.JSONField(default=list, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["store", "statement_id"], name="lrs_statement_id_per_store"
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["store", "stored", "id"], name="lrs_stmt_stored"),
            models.Index(fields=["store", "actor_key", "stored"], name="lrs_stmt_actor"),
            models.Index(fields=["store", "verb_id", "stored"], name="lrs_stmt_verb"),
            models.Index(fields=["store", "object_key", "stored"], name="lrs_stmt_object"),
            models.Index(fields=["store", "registration", "stored"], name="lrs_stmt_registration"),
            # Voiding: "is this new statement already voided by a stored voiding statement?"
            models.Index(
                fields=["store", "voids"],
                name="lrs_stmt_voids",
                condition=models.Q(voids__isnull=False),
            ),
            # read: StatementRef statements in stored order (GET /statements follows refs to
            # statements matching a filter, Communication §2.1.4); small, refs only.
            models.Index(
                fields=["store", "stored", "id"],
                name="lrs_stmt_refs",
                condition=models.Q(object_type="StatementRef"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementAgent(models.Model):
    """Every agent a statement mentions: `direct` for actor and object (and their group members),
    otherwise a related agent (authority, instructor, team, context agents, sub-statement)."""

    # No database constraint: the row is written by the same INSERT as its statement, and a
    # constraint would cost a trigger check per row on the hot write path (Django still cascades
    # deletions, through the index on statement_id).
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    agent_key = models.CharField(max_length=512)
    direct = models.BooleanField()
    stored = models.DateTimeField()

    class Meta:
        indexes: ClassVar[list] = [
            models.Index(fields=["store", "agent_key", "stored"], name="lrs_stmt_agent"),
        ]

    def __str__(self) -> str:
        return self.agent_key


class StatementActivity(models.Model):
    """Every activity a statement mentions: `direct` for its object, else a related activity."""

    # No database constraint: the row is written by the same INSERT as its statement, and a
    # constraint would cost a trigger check per row on the hot write path (Django still cascades
    # deletions, through the index on statement_id).
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    activity_id = models.TextField()
    direct = models.BooleanField()
    stored = models.DateTimeField()

    class Meta:
        indexes: ClassVar[list] = [
            models.Index(fields=["store", "activity_id", "stored"], name="lrs_stmt_activity"),
        ]

    def __str__(self) -> str:
        return self.activity_id


class Attachment(models.Model):
    """An attachment's raw content, stored once per store and SHA-2 hash."""

    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    sha2 = models.CharField(max_length=128)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["store", "sha2"], name="lrs_attachment_per_store"),
        ]

    def __str__(self) -> str:
        return self.sha2


class Activity(models.Model):
    """The LRS's canonical definition of an activity, merged from the statements it receives."""

    store = models.PositiveIntegerField()  # the county id; 0 is the national store
    activity_id = models.TextField()
    definition = models.JSONField(default=dict, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["store", "activity_id"], name="lrs_activity_unique"),
        ]

    def __str__(self) -> str:
        return self.activity_id
