"""Reading documents (State, Activity Profile, Agent Profile) and the Activities/Agents views.

Every query is bounded by `store` (the credential's county) and goes through an index:
`lrs_document_unique` (store, key_hash) for a single document, `lrs_document_scope`
(store, scope_hash, updated) for the multiple-document GET; `lrs_activity_unique` for an
Activity; `lrs_stmt_actor` for the names an agent was stored with.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from dtss.lrs.models.documents import Document, document_key_hash, document_scope_hash
from dtss.lrs.models.statements import Activity, Statement

PERSON_NAME_STATEMENTS = 20  # how many of an agent's latest statements give it names


@dataclass(frozen=True)
class DocumentAddress:
    """Where a document lives: the parameters of a document request, validated."""

    store: int
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    document_id: str = ""

    @property
    def scope_hash(self) -> str:
        return document_scope_hash(self.kind, self.activity_id, self.agent_key)

    @property
    def key_hash(self) -> str:
        return document_key_hash(
            self.kind, self.activity_id, self.agent_key, self.registration, self.document_id
        )

    def filter_kwargs(self) -> dict[str, Any]:
        """The unique-index lookup of this single document (raw columns re-checked)."""
        return {
            "store": self.store,
            "key_hash": self.key_hash,
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_key": self.agent_key,
            "registration": self.registration,
            "document_id": self.document_id,
        }

    def scope_filter_kwargs(self, *, registration: str | None) -> dict[str, Any]:
        """The scope-index lookup of every document of this context (registration optional)."""
        kwargs: dict[str, Any] = {
            "store": self.store,
            "scope_hash": self.scope_hash,
            "kind": self.kind,
            "activity_id": self.activity_id,
            "agent_key": self.agent_key,
        }
        if registration is not None:
            kwargs["registration"] = registration
        return kwargs


def document_get(*, address: DocumentAddress) -> Document | None:
    """The single document at `address` in its store, or None."""
    return Document.objects.filter(**address.filter_kwargs()).first()


def document_ids(
    *, address: DocumentAddress, registration: str | None, since: dt.datetime | None
) -> tuple[list[str], dt.datetime | None]:
    """The ids of the documents of a context updated after `since` (exclusive), oldest first,
    and when the most recently updated of them was updated."""
    qs = Document.objects.filter(**address.scope_filter_kwargs(registration=registration))
    if since is not None:
        qs = qs.filter(updated__gt=since)
    ids: list[str] = []
    seen: set[str] = set()
    latest: dt.datetime | None = None
    for document_id, updated in qs.order_by("updated", "id").values_list("document_id", "updated"):
        if document_id not in seen:
            seen.add(document_id)
            ids.append(document_id)
        if latest is None or updated > latest:
            latest = updated
    return ids, latest


def activity_definition(*, store: int, activity_id: str) -> dict[str, Any] | None:
    """The LRS's canonical definition of an activity in a store, or None when it has none."""
    row = (
        Activity.objects.filter(store=store, activity_id=activity_id)
        .values_list("definition", flat=True)
        .first()
    )
    return row if isinstance(row, dict) else None


def agent_names(*, store: int, agent_key: str) -> list[str]:
    """The names an agent carried as the actor of its latest statements in a store."""
    payloads = (
        Statement.objects.filter(store=store, actor_key=agent_key)
        .order_by("-stored")
        .values_list("payload", flat=True)[:PERSON_NAME_STATEMENTS]
    )
    names: list[str] = []
    for payload in payloads:
        try:
            actor = json.loads(payload).get("actor") or {}
        except (ValueError, AttributeError):
            continue
        name = actor.get("name") if isinstance(actor, dict) else None
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names
