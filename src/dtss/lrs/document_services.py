"""Writing documents: State, Activity Profile and Agent Profile (xAPI 1.0.3 Communication §2.2,
§2.3, §2.6, §2.7, §3.1; 2.0.0 §4.1.4, §4.1.6.2, §4.1.6.5, §4.1.6.6).

- PUT stores the body byte for byte with its Content-Type.
- POST to a missing document stores it as PUT would; POST to an existing one merges the
  top-level properties of two JSON Objects (Communication §2.2 "JSON Procedure with
  Requirements"); anything else is 400 and changes nothing.
- Concurrency (Communication §3.1): If-Match (an ETag list or `*`) and If-None-Match (`*` or an
  ETag list) are honoured on PUT, POST and DELETE (412 when they fail). What a PUT without
  either header does is the resource's `MissingPrecondition` policy.

Every write locks the document's row (`select_for_update`) inside a transaction and creates a
missing one in a savepoint; two concurrent creations meet on the unique index and the loser
retries, now seeing the row, so preconditions and merges are never decided on stale data.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dtss.lrs.document_selectors import DocumentAddress
from dtss.lrs.http import XapiError
from dtss.lrs.models.documents import Document

JSON_TYPE = "application/json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
WRITE_ATTEMPTS = 3


class MissingPrecondition(enum.Enum):
    """What a PUT without If-Match and If-None-Match does."""

    ALLOW = "allow"  # overwrite (1.0.3 State: "state conflicts are unlikely")
    CONFLICT = "conflict"  # 409 when the document exists (§3.1), else store
    REQUIRED = "required"  # 409 when the document exists, else 400


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, lower-case, without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def content_etag(content: bytes) -> str:
    """The ETag of a document: the SHA-1 hex digest of its content (1.0.3 §3.1, lower case)."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _tags(value: str | None) -> tuple[str, ...] | None:
    if value is None or not value.strip():
        return None
    tags: list[str] = []
    for item in value.split(","):
        tag = item.strip()
        if tag.startswith(("W/", "w/")):
            tag = tag[2:].strip()
        if len(tag) >= 2 and tag[0] == tag[-1] == '"':
            tag = tag[1:-1]
        if tag:
            tags.append(tag if tag == "*" else tag.lower())
    return tuple(tags) or None


@dataclass(frozen=True)
class Preconditions:
    """The If-Match and If-None-Match headers of a request (None when absent)."""

    if_match: tuple[str, ...] | None = None
    if_none_match: tuple[str, ...] | None = None

    @classmethod
    def from_headers(cls, *, if_match: str | None, if_none_match: str | None) -> Preconditions:
        return cls(if_match=_tags(if_match), if_none_match=_tags(if_none_match))

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, current: Document | None) -> None:
        """412 when a header's precondition fails for the current document (RFC 7232 §3.1–3.2)."""
        if self.if_match is not None:
            matches = current is not None and (
                "*" in self.if_match or current.etag.lower() in self.if_match
            )
            if not matches:
                raise XapiError(
                    412,
                    "If-Match does not match the document's current ETag"
                    + ("" if current is not None else " (there is no such document)")
                    + ": fetch the document again and retry with its ETag.",
                    field="If-Match",
                )
        if (
            self.if_none_match is not None
            and current is not None
            and ("*" in self.if_none_match or current.etag.lower() in self.if_none_match)
        ):
            raise XapiError(
                412,
                "If-None-Match: the document already exists (or has that ETag).",
                field="If-None-Match",
            )


# A decision on the current document: the new (content, content type), or None to delete it.
Decision = Callable[[Document | None], tuple[bytes, str] | None]


def _write(*, address: DocumentAddress, decide: Decision) -> Document | None:
    """Apply `decide` to the locked current document, race-safely; the document written."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with transaction.atomic():
                current = (
                    Document.objects.select_for_update().filter(**address.filter_kwargs()).first()
                )
                outcome = decide(current)
                if outcome is None:
                    if current is not None:
                        current.delete()
                    return None
                content, content_type = outcome
                values = {
                    "content": content,
                    "content_type": content_type[:255],
                    "etag": content_etag(content),
                    "updated": timezone.now(),
                }
                if current is not None:
                    for name, value in values.items():
                        setattr(current, name, value)
                    current.save(update_fields=list(values))
                    return current
                return Document.objects.create(
                    store=address.store,
                    kind=address.kind,
                    activity_id=address.activity_id,
                    agent_key=address.agent_key,
                    registration=address.registration,
                    document_id=address.document_id,
                    scope_hash=address.scope_hash,
                    key_hash=address.key_hash,
                    **values,
                )
        except IntegrityError:
            # Another request created the document meanwhile: decide again on its row.
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _conflict() -> XapiError:
    return XapiError(
        409,
        "The document already exists: GET it to check its current state, then PUT with an "
        "If-Match header carrying its ETag (or If-None-Match: * to create only if missing).",
        field="If-Match",
    )


def document_put(
    *,
    address: DocumentAddress,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
    missing: MissingPrecondition,
) -> Document:
    """Store a document (PUT), honouring the concurrency headers."""
    content_type = content_type.strip() or DEFAULT_CONTENT_TYPE

    def decide(current: Document | None) -> tuple[bytes, str]:
        if preconditions.present:
            preconditions.check(current)
        elif current is not None and missing is not MissingPrecondition.ALLOW:
            raise _conflict()
        elif current is None and missing is MissingPrecondition.REQUIRED:
            raise XapiError(
                400,
                "A PUT to this resource must carry an If-Match or If-None-Match header "
                "(If-None-Match: * to create the document).",
                field="If-None-Match",
            )
        return content, content_type

    document = _write(address=address, decide=decide)
    assert document is not None
    return document


def _json_object(data: bytes, *, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise XapiError(400, f"The {what} document is not valid JSON.", field="content") from None
    if not isinstance(value, dict):
        raise XapiError(
            400,
            f"The {what} document is not a JSON Object, so it cannot be merged.",
            field="content",
        )
    return value


def document_post(
    *,
    address: DocumentAddress,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> Document:
    """Store a new document or merge a JSON Object into an existing one (POST)."""
    content_type = content_type.strip() or DEFAULT_CONTENT_TYPE
    posted_is_json = media_type(content_type) == JSON_TYPE
    posted: Any = None
    if posted_is_json:
        try:
            posted = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise XapiError(
                400,
                "The posted document has Content-Type application/json but is not JSON.",
                field="content",
            ) from None

    def decide(current: Document | None) -> tuple[bytes, str]:
        preconditions.check(current)
        if current is None:
            return content, content_type
        if not posted_is_json:
            raise XapiError(
                400,
                "A POST to an existing document merges JSON Objects: the posted document's "
                f"Content-Type is {media_type(content_type) or 'missing'}, not application/json.",
                field="Content-Type",
            )
        if media_type(current.content_type) != JSON_TYPE:
            raise XapiError(
                400,
                "A POST to an existing document merges JSON Objects: the stored document's "
                f"Content-Type is {media_type(current.content_type)}, not application/json.",
                field="Content-Type",
            )
        if not isinstance(posted, dict):
            raise XapiError(
                400,
                "The posted document is not a JSON Object, so it cannot be merged.",
                field="content",
            )
        merged = _json_object(bytes(current.content), what="stored")
        merged.update(posted)
        merged_bytes = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode()
        return merged_bytes, JSON_TYPE

    document = _write(address=address, decide=decide)
    assert document is not None
    return document


def document_delete(*, address: DocumentAddress, preconditions: Preconditions) -> None:
    """Delete a single document (a missing one is no error unless If-Match says otherwise)."""

    def decide(current: Document | None) -> None:
        preconditions.check(current)
        return None

    _write(address=address, decide=decide)


@transaction.atomic
def documents_delete(*, address: DocumentAddress, registration: str | None) -> int:
    """Delete every document of a context (State DELETE without stateId, Communication §2.3)."""
    deleted, _ = Document.objects.filter(
        **address.scope_filter_kwargs(registration=registration)
    ).delete()
    return deleted
