"""Storing statements: validation, ids, voiding, index rows and activity definitions.

`statements_store` is the one write path of the Statement resource (PUT and POST, xAPI 1.0.3
Communication §2.1.1/§2.1.2, Data §2.2–§2.6; 2.0.0 §4.1.6.1, §4.2). A batch is all-or-nothing:
every statement is validated before anything is written, and the writes are one transaction
with one INSERT per table, so the cost of a batch is a constant number of queries.

What the GET side relies on:
- `payload` is the statement as returned with format=exact: the validated statement plus the
  properties the LRS sets (`id`, `stored`, `timestamp` when absent, `authority`, `version`),
  serialised once as compact JSON (UTF-8 characters kept).
- `voided` is true on a statement voided by a voiding statement (stored before or after it);
  a voiding statement has `voids` = the id of its target and is never voided itself.
- `Activity.definition` is the merged definition of every statement's activities (the object,
  context activities, and the same inside a SubStatement): language maps are merged per
  language, other properties are replaced by the latest non-empty value.
- StatementAgent rows: `direct` for the actor and an Agent/Group object (with group members),
  related (`direct=False`) for authority, instructor, team, contextAgents, contextGroups and
  everything inside a SubStatement; one row per (statement, agent key). StatementActivity
  rows: `direct` for the object activity, related for context activities and a SubStatement's
  activities. Statements, agent and activity rows of one batch share one `stored`.

Cost of a batch (PostgreSQL): one SELECT on the unique index (store, statement_id) and the
partial index on `voids`; one INSERT for the three tables (statements, agent rows, activity
rows: data-modifying CTEs fed by unnested arrays, parameters bound server-side so psycopg's
binary adapters dump them); one SELECT of the batch's activities, plus an INSERT/UPDATE of
activities only when something new is seen, an UPDATE when the batch voids stored statements,
and a SELECT + INSERT of attachments when there are any. Other databases (SQLite) use
`bulk_create` with the same number of statements per table.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, models, transaction

from dtss.lrs import xapi
from dtss.lrs.attachments import SIGNATURE_USAGE, AttachmentPart
from dtss.lrs.http import XapiError
from dtss.lrs.models.statements import (
    Activity,
    Attachment,
    Statement,
    StatementActivity,
    StatementAgent,
)
from dtss.lrs.signatures import verify_signature

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
DEFAULT_VERSIONS = {"1.0.3": "1.0.0", "2.0.0": "2.0.0"}
# Properties the LRS sets or may change: not part of a statement's identity (Data §2.3.1,
# 2.0.0 §4.2.1 "Statement Immutability").
_UNCOMPARED = ("id", "authority", "stored", "timestamp", "version", "attachments")
_MERGED_MAPS = ("name", "description", "extensions")
_INTERACTION_LISTS = ("choices", "scale", "source", "target", "steps")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# --- statement comparison -------------------------------------------------------------------


def _comparable_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out = dict(agent)
    members = out.get("member")
    if isinstance(members, list):
        out["member"] = sorted(
            (_comparable_agent(m) for m in members),
            key=lambda m: json.dumps(m, sort_keys=True),
        )
    return out


def _comparable_activity_list(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    return [
        {k: v for k, v in item.items() if k != "definition"} if isinstance(item, dict) else item
        for item in items
    ]


def _comparable(statement: dict[str, Any], *, sub: bool = False) -> dict[str, Any]:
    """The parts of a statement that make its identity (Data §2.3.1 Statement Immutability):
    without the properties the LRS sets, the verb's display, activity definitions and the
    order of group members; case is ignored by the caller."""
    out = {k: v for k, v in statement.items() if k not in _UNCOMPARED}
    if isinstance(out.get("actor"), dict):
        out["actor"] = _comparable_agent(out["actor"])
    verb = out.get("verb")
    if isinstance(verb, dict):
        out["verb"] = {k: v for k, v in verb.items() if k != "display"}
    obj = out.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = {k: v for k, v in obj.items() if k != "definition"}
        elif kind in ("Agent", "Group"):
            out["object"] = _comparable_agent(obj)
        elif kind == "SubStatement" and not sub:
            out["object"] = _comparable(obj, sub=True)
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for name in ("instructor", "team"):
            if isinstance(context.get(name), dict):
                context[name] = _comparable_agent(context[name])
        activities = context.get("contextActivities")
        if isinstance(activities, dict):
            context["contextActivities"] = {
                k: _comparable_activity_list(v) for k, v in activities.items()
            }
        out["context"] = context
    return out


def _canonical_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).lower()


def statements_match(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two statements are the same statement for the LRS (Data §2.3.1)."""
    return _canonical_text(_comparable(a)) == _canonical_text(_comparable(b))


# --- what a statement mentions ---------------------------------------------------------------


def _agent_keys(agent: Any) -> Iterator[str]:
    """The keys of an agent or group and of a group's members ("" skipped)."""
    if not isinstance(agent, dict):
        return
    key = xapi.agent_key(agent)
    if key:
        yield key
    if agent.get("objectType") == "Group":
        for member in agent.get("member") or ():
            if isinstance(member, dict):
                member_key = xapi.agent_key(member)
                if member_key:
                    yield member_key


def _context_agents(context: Any) -> Iterator[str]:
    if not isinstance(context, dict):
        return
    for name in ("instructor", "team"):
        yield from _agent_keys(context.get(name))
    for item in context.get("contextAgents") or ():
        if isinstance(item, dict):
            yield from _agent_keys(item.get("agent"))
    for item in context.get("contextGroups") or ():
        if isinstance(item, dict):
            yield from _agent_keys(item.get("group"))


def _context_activities(context: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(context, dict):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, dict):
        return
    for value in activities.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("id"):
                yield item


def _statement_agents(stmt: dict[str, Any]) -> dict[str, bool]:
    """Agent key → direct (actor/object, with group members) or related."""
    found: dict[str, bool] = {}
    for key in _agent_keys(stmt.get("actor")):
        found[key] = True
    obj = stmt.get("object") or {}
    if obj.get("objectType") in ("Agent", "Group"):
        for key in _agent_keys(obj):
            found[key] = True
    related: list[str] = list(_agent_keys(stmt.get("authority")))
    related.extend(_context_agents(stmt.get("context")))
    if obj.get("objectType") == "SubStatement":
        related.extend(_agent_keys(obj.get("actor")))
        sub_obj = obj.get("object") or {}
        if sub_obj.get("objectType") in ("Agent", "Group"):
            related.extend(_agent_keys(sub_obj))
        related.extend(_context_agents(obj.get("context")))
    for key in related:
        found.setdefault(key, False)
    return found


def _statement_activities(stmt: dict[str, Any]) -> tuple[dict[str, bool], list[dict[str, Any]]]:
    """Activity id → direct (the object) or related, and every activity object seen."""
    found: dict[str, bool] = {}
    seen: list[dict[str, Any]] = []
    obj = stmt.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and obj.get("id"):
        found[obj["id"]] = True
        seen.append(obj)
    related: list[dict[str, Any]] = list(_context_activities(stmt.get("context")))
    if obj.get("objectType") == "SubStatement":
        sub_obj = obj.get("object") or {}
        if sub_obj.get("objectType", "Activity") == "Activity" and sub_obj.get("id"):
            related.append(sub_obj)
        related.extend(_context_activities(obj.get("context")))
    for activity in related:
        found.setdefault(activity["id"], False)
    seen.extend(related)
    return found, seen


def _object_key(obj: dict[str, Any]) -> tuple[str, str]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return kind, obj.get("id", "")
    if kind in ("Agent", "Group"):
        return kind, xapi.agent_key(obj)
    if kind == "StatementRef":
        return kind, str(obj.get("id", "")).lower()
    return kind, ""


# --- activity definitions -------------------------------------------------------------------


def _merge_component(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """An interaction component (choice, scale, ...) with its description maps merged."""
    out = copy.deepcopy(new)
    if (
        old
        and isinstance(old.get("description"), dict)
        and isinstance(new.get("description"), dict)
    ):
        out["description"] = {**old["description"], **new["description"]}
    return out


def merge_definition(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """An activity's canonical definition after `new` is seen: language maps (name,
    description) are merged per language, any other non-empty property replaces the old."""
    merged = copy.deepcopy(old)
    for key, value in new.items():
        if value in (None, "", [], {}):
            continue
        if key in _MERGED_MAPS and isinstance(value, dict):
            merged[key] = {**(merged.get(key) or {}), **value}
        elif key in _INTERACTION_LISTS and isinstance(value, list):
            known = {c.get("id"): c for c in merged.get(key) or () if isinstance(c, dict)}
            merged[key] = [
                _merge_component(known.get(c.get("id")), c) if isinstance(c, dict) else c
                for c in value
            ]
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# Definitions already merged into the database, per process: (store, activity id) → the
# definition last merged. A platform sends the same definition with every statement about an
# activity, so in the steady state a batch finds all of its definitions here and the activity
# table costs no query at all. Entries are added only after the transaction commits.
_MERGED_MAX = 20_000
_merged: dict[tuple[int, str], dict[str, Any]] = {}


def merged_definitions_forget() -> None:
    """Empty the per-process record of merged definitions (tests, and a purge)."""
    _merged.clear()


def _upsert_activities(
    store: int, definitions: dict[str, dict[str, Any]], now: dt.datetime
) -> None:
    """Create the activities not known yet and merge the new definitions into the known."""
    pending = {a: d for a, d in definitions.items() if _merged.get((store, a)) != d}
    if not pending:
        return
    known = {
        activity_id: (pk, definition)
        for pk, activity_id, definition in Activity.objects.filter(
            store=store, activity_id__in=list(pending)
        ).values_list("pk", "activity_id", "definition")
    }
    changed: list[Activity] = []
    created: list[Activity] = []
    # In key order, so that concurrent batches touching the same activities take their row
    # locks in the same order and cannot deadlock.
    for activity_id, definition in sorted(pending.items()):
        if activity_id not in known:
            created.append(Activity(store=store, activity_id=activity_id, definition=definition))
            continue
        if not definition:
            continue
        pk, old = known[activity_id]
        merged = merge_definition(old or {}, definition)
        if merged != old:
            changed.append(
                Activity(
                    pk=pk, store=store, activity_id=activity_id, definition=merged, updated=now
                )
            )
    if created:
        Activity.objects.bulk_create(created, ignore_conflicts=True)
    if changed:
        Activity.objects.bulk_update(changed, ["definition", "updated"])

    def remember() -> None:
        if len(_merged) + len(pending) > _MERGED_MAX:
            _merged.clear()
        for activity_id, definition in pending.items():
            _merged[(store, activity_id)] = definition

    transaction.on_commit(remember)


# --- the service ----------------------------------------------------------------------------


@dataclass
class _Prepared:
    """A validated statement of the batch with the properties the LRS sets."""

    index: int
    field: str
    statement_id: str
    statement: dict[str, Any]
    voids: str | None = None
    hashes: list[str] = field(default_factory=list)


def _invalid(exc: Exception) -> XapiError:
    return XapiError(400, getattr(exc, "message", str(exc)), field=getattr(exc, "field", None))


def _check_attachments(
    prepared: list[_Prepared],
    raw: list[Any],
    attachments: dict[str, AttachmentPart],
) -> None:
    """Every attachment without fileUrl has a part, every part is used, signatures verify."""
    used: set[str] = set()
    for item in prepared:
        for n, attachment in enumerate(item.statement.get("attachments") or ()):
            sha2 = str(attachment.get("sha2", "")).lower()
            name = f"{item.field}.attachments[{n}]"
            part = attachments.get(sha2)
            if part is not None:
                used.add(sha2)
            elif not attachment.get("fileUrl"):
                raise XapiError(
                    400,
                    f"{name} has no fileUrl and no multipart part with its sha2 {sha2}.",
                    field=f"{name}.sha2",
                )
            if attachment.get("usageType") == SIGNATURE_USAGE:
                if attachment.get("contentType") != "application/octet-stream":
                    raise XapiError(
                        400,
                        f"{name} is a signature and must have contentType "
                        "application/octet-stream.",
                        field=f"{name}.contentType",
                    )
                if part is None:
                    raise XapiError(
                        400,
                        f"{name} is a signature but its JWS was not sent as a part.",
                        field=f"{name}.sha2",
                    )
                original = raw[item.index] if isinstance(raw[item.index], dict) else {}
                verify_signature(part.content, original, field=name)
    extra = sorted(set(attachments) - used)
    if extra:
        raise XapiError(
            400,
            f"The multipart part with X-Experience-API-Hash {extra[0]} matches no attachment "
            "of the statements.",
            field="X-Experience-API-Hash",
        )


def _prepare(
    statements: list[Any],
    *,
    version: str,
    authority: dict[str, Any],
    batch: bool,
) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    seen_ids: dict[str, int] = {}
    default_version = DEFAULT_VERSIONS.get(version, "1.0.0")
    for index, raw in enumerate(statements):
        name = f"statements[{index}]" if batch else "statement"
        try:
            stmt = xapi.validate_statement(raw, version=version, field=name)
        except xapi.StatementInvalid as exc:
            raise _invalid(exc) from None
        statement_id = str(stmt.get("id") or uuid.uuid4()).lower()
        if statement_id in seen_ids:
            raise XapiError(
                400,
                f"{name}.id {statement_id} is also the id of statements[{seen_ids[statement_id]}]; "
                "a batch cannot hold two statements with the same id.",
                field=f"{name}.id",
            )
        seen_ids[statement_id] = index
        out: dict[str, Any] = {"id": statement_id}
        out.update((k, v) for k, v in stmt.items() if k != "id")
        out["authority"] = authority
        out.setdefault("version", default_version)
        item = _Prepared(index=index, field=name, statement_id=statement_id, statement=out)
        obj = out.get("object") or {}
        verb_id = (out.get("verb") or {}).get("id")
        if verb_id == VOIDED_VERB:
            if obj.get("objectType") != "StatementRef":
                raise XapiError(
                    400,
                    f"{name} has the verb voided, so its object must be a StatementRef "
                    "(Data §2.3.2).",
                    field=f"{name}.object.objectType",
                )
            item.voids = str(obj.get("id", "")).lower()
        item.hashes = list(
            dict.fromkeys(str(a.get("sha2", "")).lower() for a in out.get("attachments") or ())
        )
        prepared.append(item)
    return prepared


@dataclass(frozen=True, slots=True)
class _Row:
    """The columns of one new Statement row (besides store, stored and credential)."""

    statement_id: str
    payload: str
    version: str
    actor_key: str
    verb_id: str
    object_type: str
    object_key: str
    registration: str | None
    timestamp: dt.datetime
    voided: bool
    voids: str | None
    attachment_hashes: list[str]


def _row(item: _Prepared, *, voided: bool) -> _Row:
    stmt = item.statement
    object_type, object_key = _object_key(stmt.get("object") or {})
    context = stmt.get("context")
    registration = context.get("registration") if isinstance(context, dict) else None
    return _Row(
        statement_id=item.statement_id,
        payload=_dumps(stmt),
        version=stmt.get("version", ""),
        actor_key=xapi.agent_key(stmt.get("actor") or {}),
        verb_id=(stmt.get("verb") or {}).get("id", ""),
        object_type=object_type,
        object_key=object_key,
        registration=str(registration).lower() if registration else None,
        timestamp=xapi.parse_timestamp(stmt["timestamp"], field=f"{item.field}.timestamp"),
        voided=voided,
        voids=item.voids,
        attachment_hashes=item.hashes,
    )


def _insert_orm(
    store: int,
    now: dt.datetime,
    credential_id: int | None,
    rows: list[_Row],
    agent_rows: list[tuple[str, str, bool]],
    activity_rows: list[tuple[str, str, bool]],
) -> None:
    """The portable insert (SQLite): one `executemany` INSERT per table, each value prepared by
    its model field (as `bulk_create` would, without its per-object cost, which was most of the
    write time); the new rows' ids are read back on the unique index (store, statement_id)."""
    statement_fields = (
        "statement_id",
        "payload",
        "version",
        "actor_key",
        "verb_id",
        "object_type",
        "object_key",
        "registration",
        "timestamp",
        "voided",
        "voids",
        "attachment_hashes",
    )
    _executemany(
        Statement,
        {"store": store, "stored": now, "credential": credential_id},
        statement_fields,
        [tuple(getattr(r, name) for name in statement_fields) for r in rows],
    )
    by_uuid = dict(
        Statement.objects.filter(
            store=store, statement_id__in=[r.statement_id for r in rows]
        ).values_list("statement_id", "pk")
    )
    pks = {r.statement_id: by_uuid[uuid.UUID(r.statement_id)] for r in rows}
    constants = {"store": store, "stored": now}
    if agent_rows:
        _executemany(
            StatementAgent,
            constants,
            ("statement", "agent_key", "direct"),
            [(pks[sid], key, direct) for sid, key, direct in agent_rows],
        )
    if activity_rows:
        _executemany(
            StatementActivity,
            constants,
            ("statement", "activity_id", "direct"),
            [(pks[sid], aid, direct) for sid, aid, direct in activity_rows],
        )


def _executemany(
    model: type[models.Model],
    constants: dict[str, Any],
    names: tuple[str, ...],
    rows: list[tuple[Any, ...]],
) -> None:
    """INSERT `rows` (values of the fields `names`, plus the same `constants` on every row) with
    one `executemany`, every value prepared by its field's `get_db_prep_save`."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    fixed = [fields[n].get_db_prep_save(v, connection) for n, v in constants.items()]
    prepare = [
        None if isinstance(fields[n], (models.TextField, models.CharField)) else fields[n]
        for n in names
    ]
    columns = _columns(model, *constants, *names)
    marks = ", ".join(["%s"] * (len(constants) + len(names)))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608,E501
    params = [
        (
            *fixed,
            *(
                v if f is None else f.get_db_prep_save(v, connection)
                for f, v in zip(prepare, row, strict=True)
            ),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _columns(model: type[models.Model], *names: str) -> str:
    fields = {f.name: f for f in model._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(fields[n].column) for n in names)


def _insert_postgresql(
    store: int,
    now: dt.datetime,
    credential_id: int | None,
    rows: list[_Row],
    agent_rows: list[tuple[str, str, bool]],
    activity_rows: list[tuple[str, str, bool]],
) -> None:
    """The fast insert (PostgreSQL): one statement for the three tables, every column passed
    as one array and unnested, so the cost is independent of Django's per-object machinery.
    The index rows join the inserted statements on their statement ids."""
    qn = connection.ops.quote_name
    statement_cols = _columns(
        Statement,
        "store",
        "stored",
        "credential",
        "statement_id",
        "payload",
        "version",
        "actor_key",
        "verb_id",
        "object_type",
        "object_key",
        "registration",
        "timestamp",
        "voided",
        "voids",
        "attachment_hashes",
    )
    agent_cols = _columns(StatementAgent, "statement", "store", "agent_key", "direct", "stored")
    activity_cols = _columns(
        StatementActivity, "statement", "store", "activity_id", "direct", "stored"
    )
    sql = (
        f"WITH s AS (INSERT INTO {qn(Statement._meta.db_table)} ({statement_cols}) "  # noqa: S608
        "SELECT %s, %s, %s, u.* FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::text[], "
        "%b::text[], %b::text[], %b::text[], %b::uuid[], %b::timestamptz[], %b::boolean[], "
        "%b::uuid[], %b::jsonb[]) AS u RETURNING id, statement_id), "
        f"a AS (INSERT INTO {qn(StatementAgent._meta.db_table)} ({agent_cols}) "
        "SELECT s.id, %s, u.k, u.d, %s FROM unnest(%b::uuid[], %b::text[], %b::boolean[]) "
        "AS u(sid, k, d) JOIN s ON s.statement_id = u.sid) "
        f"INSERT INTO {qn(StatementActivity._meta.db_table)} ({activity_cols}) "
        "SELECT s.id, %s, u.k, u.d, %s FROM unnest(%b::uuid[], %b::text[], %b::boolean[]) "
        "AS u(sid, k, d) JOIN s ON s.statement_id = u.sid"
    )
    params: list[Any] = [
        store,
        now,
        credential_id,
        [r.statement_id for r in rows],
        [r.payload for r in rows],
        [r.version for r in rows],
        [r.actor_key for r in rows],
        [r.verb_id for r in rows],
        [r.object_type for r in rows],
        [r.object_key for r in rows],
        [r.registration for r in rows],
        [r.timestamp for r in rows],
        [r.voided for r in rows],
        [r.voids for r in rows],
        [_dumps(r.attachment_hashes) if r.attachment_hashes else "[]" for r in rows],
        store,
        now,
        [a[0] for a in agent_rows],
        [a[1] for a in agent_rows],
        [a[2] for a in agent_rows],
        store,
        now,
        [a[0] for a in activity_rows],
        [a[1] for a in activity_rows],
        [a[2] for a in activity_rows],
    ]
    with _server_binding_cursor() as cursor:
        cursor.execute(sql, params)


def _server_binding_cursor() -> Any:
    """A cursor that sends the parameters separately from the query (psycopg's server-side
    binding), so the arrays are dumped by psycopg's C adapters instead of being quoted into the
    SQL text in Python; wrapped like Django's own cursors so that it is logged and counted."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _known_statements(store: int, wanted: set[str], ids: list[str]) -> list[tuple[Any, ...]]:
    """(statement_id, payload, voids) of the stored statements whose id is in `wanted` (the
    batch's ids and the targets of its voiding statements) or that void one of `ids`: one
    query on the unique index (store, statement_id) and the partial index on voids."""
    if not wanted:
        return []
    if connection.vendor != "postgresql":
        # UNION ALL, not one WHERE with OR: SQLite answers `statement_id IN … OR voids IN …` by
        # scanning the whole store (a cost growing with every statement stored), while each
        # half alone uses its index; `voids IS NOT NULL` lets it pick the partial index.
        fields = ("statement_id", "payload", "voids")
        by_id = Statement.objects.filter(store=store, statement_id__in=wanted)
        voiding = Statement.objects.filter(store=store, voids__isnull=False, voids__in=ids)
        rows = by_id.values_list(*fields).union(voiding.values_list(*fields), all=True)
        return list({row[0]: row for row in rows}.values())
    qn = connection.ops.quote_name
    sql = (
        "SELECT statement_id, payload, voids FROM "  # noqa: S608 (names from _meta)
        f"{qn(Statement._meta.db_table)} WHERE store = %s "
        "AND (statement_id = ANY(%b::uuid[]) OR voids = ANY(%b::uuid[]))"
    )
    with _server_binding_cursor() as cursor:
        cursor.execute(sql, [store, list(wanted), ids])
        return cursor.fetchall()


# Called with the store's id after a commit that stored new statements. Other apps register
# here from their AppConfig.ready() (the analytics rollups do), so the LRS depends on none.
AFTER_STORE_HOOKS: list[Callable[[int], None]] = []


@transaction.atomic
def statements_store(
    *,
    store: int,
    credential_id: int | None,
    authority: dict[str, Any],
    statements: list[Any],
    version: str,
    attachments: dict[str, AttachmentPart] | None = None,
    batch: bool = True,
) -> list[str]:
    """Store a batch of statements for `store` and return their ids (in the batch's order).

    All-or-nothing: an invalid statement anywhere rejects the batch with a 400 naming
    `statements[i]...` (or `statement...` when `batch` is false). A statement whose id is
    already stored with the same content is not stored again (its id is returned); with
    different content the batch is a 409.
    """
    prepared = _prepare(statements, version=version, authority=authority, batch=batch)
    _check_attachments(prepared, statements, attachments or {})

    ids = [p.statement_id for p in prepared]
    targets = [p.voids for p in prepared if p.voids]
    wanted = set(ids) | set(targets)
    existing: dict[str, tuple[str, str | None]] = {}  # id → (payload, voids)
    voided_later: set[str] = set()  # ids of this batch already voided by a stored statement
    id_set = set(ids)
    for statement_id, payload, voids in _known_statements(store, wanted, ids):
        sid = str(statement_id)
        if sid in wanted:
            existing[sid] = (payload, str(voids) if voids else None)
        if voids and str(voids) in id_set:
            voided_later.add(str(voids))

    by_id = {p.statement_id: p for p in prepared}
    new: list[_Prepared] = []
    for item in prepared:
        old = existing.get(item.statement_id)
        if old is not None:
            if not statements_match(json.loads(old[0]), item.statement):
                raise XapiError(
                    409,
                    f"{item.field}: a different statement with id {item.statement_id} is "
                    "already stored.",
                    field=f"{item.field}.id",
                )
            continue
        if item.voids:
            target = by_id.get(item.voids)
            target_voids = target.voids if target else (existing.get(item.voids) or (None, None))[1]
            if target_voids:
                raise XapiError(
                    400,
                    f"{item.field} voids statement {item.voids}, which is itself a voiding "
                    "statement; voiding statements cannot be voided.",
                    field=f"{item.field}.object.id",
                )
        new.append(item)
    if not new:
        return ids

    # `stored` is chosen as late as possible: the read side only lists statements stored
    # before now minus a margin, which must cover the time from here to the commit.
    now = dt.datetime.now(dt.UTC)
    stored_text = xapi.format_timestamp(now)
    for item in new:
        item.statement["stored"] = stored_text
        item.statement.setdefault("timestamp", stored_text)
    voided_in_batch = {p.voids for p in new if p.voids}
    rows: list[_Row] = []
    agent_rows: list[tuple[str, str, bool]] = []
    activity_rows: list[tuple[str, str, bool]] = []
    definitions: dict[str, dict[str, Any]] = {}
    for item in new:
        sid = item.statement_id
        agent_rows.extend((sid, k, d) for k, d in _statement_agents(item.statement).items())
        activities, seen = _statement_activities(item.statement)
        activity_rows.extend((sid, a, d) for a, d in activities.items())
        for activity in seen:
            definition = activity.get("definition")
            current = definitions.get(activity["id"])
            if current is None:
                definitions[activity["id"]] = dict(definition) if definition else {}
            elif definition and definition != current:
                definitions[activity["id"]] = merge_definition(current, definition)
        voided = not item.voids and (sid in voided_later or sid in voided_in_batch)
        rows.append(_row(item, voided=voided))
    try:
        if connection.vendor == "postgresql":
            _insert_postgresql(store, now, credential_id, rows, agent_rows, activity_rows)
        else:
            _insert_orm(store, now, credential_id, rows, agent_rows, activity_rows)
    except IntegrityError:
        raise XapiError(
            409, "A statement with one of these ids was stored at the same time; retry."
        ) from None

    stored_targets = [t for t in voided_in_batch if t in existing]
    if stored_targets:
        Statement.objects.filter(
            store=store, statement_id__in=stored_targets, voids__isnull=True
        ).update(voided=True)

    _upsert_activities(store, definitions, now)
    if attachments:
        _store_attachments(store, attachments.values())
    for hook in AFTER_STORE_HOOKS:
        transaction.on_commit(lambda hook=hook: hook(store))
    return ids


def _store_attachments(store: int, parts: Iterable[AttachmentPart]) -> None:
    parts = list(parts)
    known = set(
        Attachment.objects.filter(store=store, sha2__in=[p.sha2 for p in parts]).values_list(
            "sha2", flat=True
        )
    )
    fresh = [
        Attachment(store=store, sha2=p.sha2, content_type=p.content_type, content=p.content)
        for p in parts
        if p.sha2 not in known
    ]
    if fresh:
        Attachment.objects.bulk_create(fresh, ignore_conflicts=True)


# --- retention of one platform's statements (the analytics' purge, L6.D1) --------------------


def statements_purge_credential(
    *, store: int, credential_id: int, before: dt.datetime, batch_size: int = 1000
) -> Any:
    """Delete the statements of `store` sent with `credential_id` and stored before `before`
    (one platform's retention period), with their index rows; an attachment goes when no
    statement left in the store refers to it. A voiding statement whose target stays is kept
    (`statement_selectors.credential_statements_before`). Works in batches, each its own
    transaction, like `admin_services.statements_purge`; returns its `PurgeResult`. The caller
    audits."""
    from dtss.lrs.admin_services import PurgeResult
    from dtss.lrs.statement_selectors import credential_statements_before

    old = credential_statements_before(store=store, credential_id=credential_id, before=before)
    result = PurgeResult(stores=[store])
    hashes: set[str] = set()
    while True:
        rows = list(old.values_list("id", "attachment_hashes")[:batch_size])
        if not rows:
            break
        ids = [pk for pk, _hashes in rows]
        for _pk, row_hashes in rows:
            hashes.update(str(h) for h in row_hashes or ())
        with transaction.atomic():
            result.agents += StatementAgent.objects.filter(statement_id__in=ids).delete()[0]
            result.activities += StatementActivity.objects.filter(statement_id__in=ids).delete()[0]
            result.statements += Statement.objects.filter(id__in=ids).delete()[0]
    orphans = [
        sha2
        for sha2 in sorted(hashes)
        if not Statement.objects.filter(store=store, attachment_hashes__icontains=sha2).exists()
    ]
    if orphans:
        with transaction.atomic():
            deleted = Attachment.objects.filter(store=store, sha2__in=orphans).delete()
            result.attachments += deleted[0]
    return result
