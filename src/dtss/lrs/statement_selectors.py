"""Reading statements: the queries behind GET /xapi/statements, the staff pages and analytics.

No HTTP here: callers pass parsed values (agent keys, IRIs, UUIDs, aware datetimes) and get
model rows back. Every list is ordered by `(stored, id)` (descending unless `ascending`) and
paged with a keyset cursor, so a page costs the same at the millionth statement as at the first.

Filters (xAPI 1.0.3 Communication §2.1.3, 2.0.0 §4.2.2.3) and how each is an index range scan:

- agent: `id IN (SELECT statement_id FROM StatementAgent WHERE store, agent_key, stored range)`
  on the `(store, agent_key, stored)` index (`direct` rows only unless `related_agents`);
- verb: `(store, verb_id, stored)`; registration: `(store, registration, stored)`;
- activity: the object (`object_type = 'Activity' AND object_key = id`, index
  `(store, object_key, stored)`), or with `related_activities` the StatementActivity rows on
  `(store, activity_id, stored)`.

Voided statements are never listed (Data §2.3.2), but a statement whose object is a StatementRef
matches the non-time filters when its target does, recursively (Communication §2.1.4 "Filter
Conditions for StatementRefs"): that is how voiding statements of a matching statement appear.
That part is one query per StatementRef hop (statements with a StatementRef object whose
`object_key` is among the ids matching one hop less, on the refs-only `(store, stored, id)` index
and `(store, object_key, stored)`), merged with the direct matches in Python; each query has its
own LIMIT, and none runs when the range holds no StatementRef.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.dateparse import parse_datetime

from dtss.lrs.models.statements import (
    Activity,
    Attachment,
    Statement,
    StatementActivity,
    StatementAgent,
)

# How many StatementRef hops are followed for the StatementRef filter rule: a voiding statement
# of a statement that refers to a matching statement is 2. Chains longer than this are not
# matched (and a cycle of refs cannot loop).
STATEMENT_REF_DEPTH = 4

# Columns a listing needs (the JSON payload is the statement as returned with format=exact).
LIST_FIELDS = (
    "id",
    "store",
    "statement_id",
    "payload",
    "version",
    "stored",
    "voided",
    "credential_id",
    "attachment_hashes",
    "object_type",
)


@dataclass(frozen=True)
class StatementFilter:
    """The filters of a statement query, as plain values (the `more` token carries them)."""

    agent_key: str | None = None
    verb_id: str | None = None
    activity_id: str | None = None
    registration: UUID | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: datetime | None = None  # stored > since
    until: datetime | None = None  # stored <= until
    ascending: bool = False
    credential_id: int | None = None  # statements/read/mine: only this credential's statements

    @property
    def matches_content(self) -> bool:
        """True when a non-time filter is set (only then do StatementRefs need chasing)."""
        return any(
            v is not None
            for v in (self.agent_key, self.verb_id, self.activity_id, self.registration)
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("since", "until"):
            if data[name] is not None:
                data[name] = data[name].isoformat()
        if data["registration"] is not None:
            data["registration"] = str(data["registration"])
        return {k: v for k, v in data.items() if v not in (None, False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StatementFilter:
        values = dict(data)
        for name in ("since", "until"):
            if values.get(name):
                values[name] = parse_datetime(values[name])
        if values.get("registration"):
            values["registration"] = UUID(values["registration"])
        return cls(**values)


@dataclass(frozen=True)
class Cursor:
    """The position after the last statement of a page: its `stored` and row id."""

    stored: datetime
    id: int

    def to_list(self) -> list[Any]:
        return [self.stored.isoformat(), self.id]

    @classmethod
    def from_list(cls, data: Sequence[Any]) -> Cursor:
        stored = parse_datetime(str(data[0]))
        if stored is None:
            raise ValueError("bad cursor")
        return cls(stored=stored, id=int(data[1]))


@dataclass
class StatementPage:
    statements: list[Statement]
    next_cursor: Cursor | None  # None: this is the last page
    extra: dict[str, Any] = field(default_factory=dict)


# --- single statements ----------------------------------------------------------------------


def statement_get(
    *, store: int, statement_id: UUID | str, voided: bool = False, credential_id: int | None = None
) -> Statement | None:
    """One statement by id in a store (Communication §2.1.3 statementId / voidedStatementId).

    With `voided=False` a voided statement is not found; with `voided=True` only a voided one is.
    `credential_id` restricts to statements that credential wrote (statements/read/mine).
    """
    qs = Statement.objects.filter(store=store, statement_id=statement_id, voided=voided)
    if credential_id is not None:
        qs = qs.filter(credential_id=credential_id)
    return qs.only(*LIST_FIELDS).first()


# --- lists ----------------------------------------------------------------------------------


def _stored_range(
    f: StatementFilter, *, through: datetime | None, after: Cursor | None, prefix: str = ""
) -> Q:
    """since < stored <= min(until, through), and the keyset bound of the cursor (if any)."""
    q = Q()
    if f.since is not None:
        q &= Q(**{f"{prefix}stored__gt": f.since})
    upper = [t for t in (f.until, through) if t is not None]
    if upper:
        q &= Q(**{f"{prefix}stored__lte": min(upper)})
    if after is not None:
        if f.ascending:
            q &= Q(**{f"{prefix}stored__gte": after.stored})
        else:
            q &= Q(**{f"{prefix}stored__lte": after.stored})
    return q


def _keyset(f: StatementFilter, after: Cursor | None) -> Q:
    if after is None:
        return Q()
    if f.ascending:
        return Q(stored__gt=after.stored) | Q(stored=after.stored, id__gt=after.id)
    return Q(stored__lt=after.stored) | Q(stored=after.stored, id__lt=after.id)


def _content_q(store: int, f: StatementFilter, time_q: Q | None) -> Q:
    """The non-time filters of `f` on Statement rows, each an indexed lookup.

    `time_q` (a stored range on the index rows, or None) is copied into the index-row
    subqueries so that they are range scans on their `(store, key, stored)` indexes.
    """
    q = Q()
    if f.agent_key is not None:
        rows = StatementAgent.objects.filter(store=store, agent_key=f.agent_key)
        if not f.related_agents:
            rows = rows.filter(direct=True)
        if time_q is not None:
            rows = rows.filter(time_q)
        q &= Q(id__in=rows.values("statement_id"))
    if f.verb_id is not None:
        q &= Q(verb_id=f.verb_id)
    if f.activity_id is not None:
        if f.related_activities:
            rows = StatementActivity.objects.filter(store=store, activity_id=f.activity_id)
            if time_q is not None:
                rows = rows.filter(time_q)
            q &= Q(id__in=rows.values("statement_id"))
        else:
            q &= Q(object_type="Activity", object_key=f.activity_id)
    if f.registration is not None:
        q &= Q(registration=f.registration)
    return q


def _base(store: int, f: StatementFilter, through: datetime | None, after: Cursor | None) -> Any:
    qs = Statement.objects.filter(store=store, voided=False)
    qs = qs.filter(_stored_range(f, through=through, after=after)).filter(_keyset(f, after))
    if f.credential_id is not None:
        qs = qs.filter(credential_id=f.credential_id)
    return qs


def _ordered(qs: QuerySet[Statement], f: StatementFilter) -> QuerySet[Statement]:
    return qs.order_by("stored", "id") if f.ascending else qs.order_by("-stored", "-id")


def statement_query(
    *, store: int, filters: StatementFilter, through: datetime | None = None
) -> QuerySet[Statement]:
    """Every listed statement matching `filters` directly (no StatementRef chasing), ordered.

    The queryset for staff pages and analytics (aggregate it, slice it, `.values()` it).
    """
    time_q = _stored_range(filters, through=through, after=None)
    qs = _base(store, filters, through, None).filter(_content_q(store, filters, time_q))
    return _ordered(qs, filters)


def statement_page(
    *,
    store: int,
    filters: StatementFilter,
    limit: int,
    after: Cursor | None = None,
    through: datetime | None = None,
    follow_refs: bool = True,
) -> StatementPage:
    """One page of the statement list of Communication §2.1.3 (voided statements left out).

    `limit` statements at most, after the cursor `after`, stored at or before `through` (the
    consistent-through time). With `follow_refs`, statements whose StatementRef target matches
    the non-time filters are included (Communication §2.1.4). `next_cursor` is None on the last
    page.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    time_q = _stored_range(filters, through=through, after=after)
    direct = _base(store, filters, through, after).filter(_content_q(store, filters, time_q))
    direct_rows = list(_ordered(direct, filters).only(*LIST_FIELDS)[: limit + 1])
    rows = direct_rows
    if follow_refs and filters.matches_content:
        rows = _with_refs(store, filters, limit, after, through, rows)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = Cursor(stored=last.stored, id=last.id)
    return StatementPage(statements=page, next_cursor=next_cursor)


REF_BATCH = 500
TARGET_CAP = 5000


def _with_refs(
    store: int,
    f: StatementFilter,
    limit: int,
    after: Cursor | None,
    through: datetime | None,
    rows: list[Statement],
) -> list[Statement]:
    """`rows` (the direct matches) merged with the StatementRef statements that match through
    their targets (Communication §2.1.4), each way of finding them bounded:

    - nothing when the page's range holds no StatementRef (one probe of the refs-only index);
    - when at most TARGET_CAP statements (any time) match the filter directly, from the targets:
      their ids, then the refs to them (`object_key IN (...)` on `(store, object_key, stored)`),
      hop by hop, then one ordered, limited query on those refs;
    - otherwise from the refs: the direct matches are then plentiful, so only the refs stored
      before the last row the page can hold are scanned, a batch at a time (`_scan_refs`).
    """
    refs = _base(store, f, through, after).filter(object_type="StatementRef")
    if not refs.exists():
        return rows
    targets = _target_ids(store, f)
    if targets is None:
        return _scan_refs(store, f, limit, after, through, rows)
    ref_ids: set[int] = set()
    frontier = targets
    for _ in range(STATEMENT_REF_DEPTH):
        if not frontier:
            break
        hops = list(
            Statement.objects.filter(
                store=store, object_type="StatementRef", object_key__in=frontier
            ).values_list("id", "statement_id")[: TARGET_CAP + 1]
        )
        if len(hops) > TARGET_CAP:
            return _scan_refs(store, f, limit, after, through, rows)
        new = [(row_id, str(sid)) for row_id, sid in hops if row_id not in ref_ids]
        ref_ids.update(row_id for row_id, _ in new)
        frontier = [sid for _, sid in new]
    if not ref_ids:
        return rows
    found = list(_ordered(refs.filter(id__in=ref_ids), f).only(*LIST_FIELDS)[: limit + 1])
    return _merge(rows, found, ascending=f.ascending) if found else rows


def _ids(store: int, **lookup: Any) -> Any:
    return Statement.objects.filter(store=store, **lookup).values_list("id", flat=True)


def _target_ids(store: int, f: StatementFilter) -> list[str] | None:
    """The statement ids (any time, voided or not) matching the non-time filters directly, or
    None when there may be more than TARGET_CAP.

    Each filter's own index range is probed with LIMIT TARGET_CAP + 1 (index range scans,
    cheap); the smallest bounds the matches, which are then checked by primary key.
    """
    probes: list[Any] = []  # querysets of statement row ids, each on one index
    if f.agent_key is not None:
        agents = StatementAgent.objects.filter(store=store, agent_key=f.agent_key)
        if not f.related_agents:
            agents = agents.filter(direct=True)
        probes.append(agents.values_list("statement_id", flat=True))
    if f.verb_id is not None:
        probes.append(_ids(store, verb_id=f.verb_id))
    if f.activity_id is not None:
        if f.related_activities:
            probes.append(
                StatementActivity.objects.filter(
                    store=store, activity_id=f.activity_id
                ).values_list("statement_id", flat=True)
            )
        else:
            probes.append(_ids(store, object_key=f.activity_id))
    if f.registration is not None:
        probes.append(_ids(store, registration=f.registration))
    best: list[int] | None = None
    for probe in probes:
        cap = TARGET_CAP if best is None else len(best) - 1
        found = list(probe[: cap + 1])
        if len(found) <= cap:
            best = found
            if not best:
                return []
    if best is None:
        return None
    return [
        str(sid)
        for sid in Statement.objects.filter(id__in=best)
        .filter(_content_exists_q(store, f))
        .values_list("statement_id", flat=True)
    ]


def _scan_refs(
    store: int,
    f: StatementFilter,
    limit: int,
    after: Cursor | None,
    through: datetime | None,
    rows: list[Statement],
) -> list[Statement]:
    """The StatementRef statements of the range, scanned in list order on the refs-only index
    a batch at a time and only up to the last row the page can hold, merged into `rows` when
    their target matches (one query per batch and hop: primary-key and unique-index lookups).
    """
    cursor = after
    while True:
        bound = (rows[limit].stored, rows[limit].id) if len(rows) > limit else None
        refs = list(
            _ordered(
                _base(store, f, through, cursor).filter(object_type="StatementRef"), f
            ).values_list("id", "stored", "object_key")[:REF_BATCH]
        )
        if not refs:
            return rows
        candidates = [r for r in refs if bound is None or _in_page((r[1], r[0]), bound, f)]
        matched = _refs_matching(store, f, {r[0]: r[2] for r in candidates})
        if matched:
            found = list(_ordered(Statement.objects.filter(id__in=matched), f).only(*LIST_FIELDS))
            rows = _merge(rows, found, ascending=f.ascending)
        if len(refs) < REF_BATCH or len(candidates) < len(refs):
            return rows
        last = refs[-1]
        cursor = Cursor(stored=last[1], id=last[0])


def _in_page(
    position: tuple[datetime, int], bound: tuple[datetime, int], f: StatementFilter
) -> bool:
    """True when a row at `position` comes before the row at `bound` in the list's order."""
    return position < bound if f.ascending else position > bound


def _refs_matching(store: int, f: StatementFilter, targets: dict[int, str]) -> set[int]:
    """The ids of the StatementRef statements (row id → target statement id) whose target
    matches the non-time filters directly or through further StatementRefs."""
    matched: set[int] = set()
    pending = {row_id: target for row_id, target in targets.items() if _is_uuid(target)}
    for _ in range(STATEMENT_REF_DEPTH):
        if not pending:
            break
        wanted = set(pending.values())
        targets_qs = Statement.objects.filter(store=store, statement_id__in=wanted)
        hits = {
            str(sid)
            for sid in targets_qs.filter(_content_exists_q(store, f)).values_list(
                "statement_id", flat=True
            )
        }
        onward = {
            str(sid): key
            for sid, key in targets_qs.filter(object_type="StatementRef")
            .exclude(statement_id__in=hits)
            .values_list("statement_id", "object_key")
        }
        next_pending: dict[int, str] = {}
        for row_id, target in pending.items():
            if target in hits:
                matched.add(row_id)
            elif _is_uuid(onward.get(target)):
                next_pending[row_id] = onward[target]
        pending = next_pending
    return matched


def _is_uuid(value: str | None) -> bool:
    try:
        return value is not None and str(UUID(value)) == value
    except ValueError:
        return False


def _content_exists_q(store: int, f: StatementFilter) -> Q:
    """`_content_q` for a few known rows: correlated EXISTS on the index rows of each one."""
    q = Q()
    if f.agent_key is not None:
        rows = StatementAgent.objects.filter(
            statement_id=OuterRef("id"), store=store, agent_key=f.agent_key
        )
        if not f.related_agents:
            rows = rows.filter(direct=True)
        q &= Q(Exists(rows))
    if f.verb_id is not None:
        q &= Q(verb_id=f.verb_id)
    if f.activity_id is not None:
        if f.related_activities:
            q &= Q(
                Exists(
                    StatementActivity.objects.filter(
                        statement_id=OuterRef("id"), store=store, activity_id=f.activity_id
                    )
                )
            )
        else:
            q &= Q(object_type="Activity", object_key=f.activity_id)
    if f.registration is not None:
        q &= Q(registration=f.registration)
    return q


def _merge(a: list[Statement], b: list[Statement], *, ascending: bool) -> list[Statement]:
    """Two lists ordered by (stored, id) merged in that order, each statement once."""
    if ascending:
        merged = heapq.merge(a, b, key=lambda s: (s.stored, s.id))
    else:
        merged = heapq.merge(a, b, key=lambda s: (s.stored, s.id), reverse=True)
    seen: set[int] = set()
    out: list[Statement] = []
    for row in merged:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


def statement_iter(
    *, store: int, filters: StatementFilter, batch: int = 1000, follow_refs: bool = False
) -> Iterable[Statement]:
    """Every matching statement, fetched page by page (exports and analytics)."""
    after: Cursor | None = None
    while True:
        page = statement_page(
            store=store, filters=filters, limit=batch, after=after, follow_refs=follow_refs
        )
        yield from page.statements
        if page.next_cursor is None:
            return
        after = page.next_cursor


# --- what the statements refer to ---------------------------------------------------------


def attachments_for(*, store: int, hashes: Iterable[str]) -> list[Attachment]:
    """The stored attachment contents with these SHA-2 hashes (each once, in the given order)."""
    wanted = list(dict.fromkeys(h for h in hashes if h))
    if not wanted:
        return []
    found = {a.sha2: a for a in Attachment.objects.filter(store=store, sha2__in=wanted)}
    return [found[h] for h in wanted if h in found]


def activity_definitions(*, store: int, activity_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The LRS's canonical definition of each activity id that has one (format=canonical)."""
    ids = list(dict.fromkeys(activity_ids))
    if not ids:
        return {}
    rows = Activity.objects.filter(store=store, activity_id__in=ids).values_list(
        "activity_id", "definition"
    )
    return {activity_id: definition for activity_id, definition in rows if definition}


__all__ = [
    "STATEMENT_REF_DEPTH",
    "Cursor",
    "StatementFilter",
    "StatementPage",
    "activity_definitions",
    "attachments_for",
    "statement_get",
    "statement_iter",
    "statement_page",
    "statement_query",
]


@dataclass(frozen=True)
class RollupRecord:
    """What the analytics rollups read of one stored statement."""

    id: int
    statement_id: str
    payload: str
    actor_key: str
    voided: bool
    voids: str | None
    credential_id: int | None


_ROLLUP_FIELDS = ("id", "statement_id", "payload", "actor_key", "voided", "voids", "credential_id")


def _rollup_records(rows: Iterable[tuple[Any, ...]]) -> list[RollupRecord]:
    return [
        RollupRecord(
            id=r[0],
            statement_id=str(r[1]),
            payload=r[2],
            actor_key=r[3],
            voided=r[4],
            voids=str(r[5]) if r[5] else None,
            credential_id=r[6],
        )
        for r in rows
    ]


def statements_after(
    *, store: int, after_id: int, stored_before: datetime | None, limit: int
) -> list[RollupRecord]:
    """The next `limit` statements of `store` after row id `after_id`, in row order, stored no
    later than `stored_before` (the consistency margin keeps a slow transaction's rows, which
    may carry lower ids, from being skipped)."""
    qs = Statement.objects.filter(store=store, id__gt=after_id)
    if stored_before is not None:
        qs = qs.filter(stored__lte=stored_before)
    return _rollup_records(qs.order_by("id").values_list(*_ROLLUP_FIELDS)[:limit])


def statements_by_ids(*, store: int, statement_ids: Iterable[str]) -> list[RollupRecord]:
    """The stored statements of `store` with these statement ids (voiding targets)."""
    ids = list(statement_ids)
    if not ids:
        return []
    qs = Statement.objects.filter(store=store, statement_id__in=ids)
    return _rollup_records(qs.order_by("id").values_list(*_ROLLUP_FIELDS))


def voiding_rows(*, store: int, target_ids: Iterable[str]) -> dict[str, list[int]]:
    """{target statement id: row ids of the voiding statements that void it, ascending}."""
    ids = list(target_ids)
    out: dict[str, list[int]] = {}
    if not ids:
        return out
    rows = Statement.objects.filter(store=store, voids__in=ids).order_by("id")
    for voids, pk in rows.values_list("voids", "id"):
        out.setdefault(str(voids), []).append(pk)
    return out


def store_last_id(*, store: int) -> int:
    """The highest row id stored for `store` (0 when empty)."""
    row = Statement.objects.filter(store=store).order_by("-id").values_list("id", flat=True).first()
    return row or 0


def statements_count_after(*, store: int, after_id: int) -> int:
    """How many statements of `store` have a row id above `after_id`."""
    return Statement.objects.filter(store=store, id__gt=after_id).count()


# --- retention of one platform's statements (the analytics' purge, L6.D1) --------------------


def credential_statements_before(
    *, store: int, credential_id: int, before: datetime
) -> QuerySet[Statement]:
    """The statements of `store` sent with `credential_id` and stored before `before`, less any
    voiding statement whose target stays (stored later, or sent with another credential): it
    goes on voiding its target, so that a rebuild of the rollups never counts the target again.
    """
    kept_target = Statement.objects.filter(store=store, statement_id=OuterRef("voids")).exclude(
        credential_id=credential_id, stored__lt=before
    )
    return Statement.objects.filter(
        store=store, credential_id=credential_id, stored__lt=before
    ).exclude(Q(voids__isnull=False) & Q(Exists(kept_target)))
