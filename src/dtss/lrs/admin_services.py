"""Bulk operations of the LRS administration: export as JSON lines, and purge by age."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dtss.core.services import audit_record
from dtss.lrs.models.statements import (
    Attachment,
    Statement,
    StatementActivity,
    StatementAgent,
)

PURGE_BATCH = 1000
EXPORT_CHUNK = 2000


def statements_jsonl(qs: QuerySet[Statement]) -> Iterator[str]:
    """Each statement's payload as stored, one per line, in stored order, streamed.

    The payload is written as stored; one kept with line breaks (pretty-printed) is compacted so
    that every line is exactly one statement.
    """
    rows = qs.order_by("stored", "id").values_list("payload", flat=True)
    for payload in rows.iterator(chunk_size=EXPORT_CHUNK):
        if "\n" in payload or "\r" in payload:
            payload = json.dumps(json.loads(payload), ensure_ascii=False, separators=(",", ":"))
        yield payload + "\n"


def statements_export_audit(
    *, actor: Any, request: Any = None, county: Any = None, detail: dict[str, Any]
) -> None:
    """Record that someone took statements out of the LRS (what they asked for)."""
    audit_record(
        actor=actor, action="lrs.statements_export", request=request, county=county, detail=detail
    )


@dataclass
class PurgeResult:
    statements: int = 0
    agents: int = 0
    activities: int = 0
    attachments: int = 0
    stores: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "statements": self.statements,
            "agent_rows": self.agents,
            "activity_rows": self.activities,
            "attachments": self.attachments,
        }


def _orphans(*, store: int, hashes: set[str], before: datetime) -> list[str]:
    """The hashes that no statement kept after the purge refers to."""
    orphans = []
    for sha2 in sorted(hashes):
        kept = Statement.objects.filter(
            store=store, stored__gte=before, attachment_hashes__icontains=sha2
        ).exists()
        if not kept:
            orphans.append(sha2)
    return orphans


def statements_purge(
    *,
    before: datetime,
    stores: list[int] | None,
    dry_run: bool = False,
    actor: Any = None,
    county: Any = None,
    batch_size: int = PURGE_BATCH,
) -> PurgeResult:
    """Delete the statements stored before `before` (in `stores`, None: every store).

    Works in batches of `batch_size` statements, each batch its own transaction, so a purge of
    millions of rows neither holds one huge transaction nor blocks writers for long. The index
    rows (StatementAgent, StatementActivity) go with their statements (cascade); an attachment
    goes when no statement kept in its store refers to it any more. A dry run counts the same
    things and changes nothing. Audited (not for a dry run).
    """
    old = Statement.objects.filter(stored__lt=before)
    if stores is not None:
        old = old.filter(store__in=stores)
    result = PurgeResult()
    # Attachment hashes referenced by the statements to go, per store (usually few).
    candidates: dict[int, set[str]] = {}
    for store, hashes in old.exclude(attachment_hashes=[]).values_list(
        "store", "attachment_hashes"
    ):
        if hashes:
            candidates.setdefault(store, set()).update(str(h) for h in hashes)
    orphans = {
        store: _orphans(store=store, hashes=hashes, before=before)
        for store, hashes in candidates.items()
    }
    if dry_run:
        result.statements = old.count()
        result.agents = StatementAgent.objects.filter(statement__in=old).count()
        result.activities = StatementActivity.objects.filter(statement__in=old).count()
        result.attachments = sum(
            Attachment.objects.filter(store=store, sha2__in=shas).count()
            for store, shas in orphans.items()
        )
        return result
    while True:
        ids = list(old.order_by("id").values_list("id", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            result.agents += StatementAgent.objects.filter(statement_id__in=ids).delete()[0]
            result.activities += StatementActivity.objects.filter(statement_id__in=ids).delete()[0]
            result.statements += Statement.objects.filter(id__in=ids).delete()[0]
    with transaction.atomic():
        for store, shas in orphans.items():
            result.attachments += Attachment.objects.filter(store=store, sha2__in=shas).delete()[0]
        audit_record(
            actor=actor,
            action="lrs.purge",
            county=county,
            detail={"before": before.isoformat(), "stores": stores, **result.as_dict()},
        )
    return result
