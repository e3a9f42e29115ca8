"""Reads for the LRS administration: credentials with their traffic, statements, statistics.

Statements are a plain model with `TENANT_COUNTY_FIELD = "store"`, so the one tenancy rule of
`TenantQuerySet.visible_to` applies to them: county staff read their county's store, MOE viewers
and superusers every store (the national store 0 included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.lrs.models import Credential
from dtss.lrs.models.statements import Statement

RECENT_DAYS = 7


# --- credentials ----------------------------------------------------------------------------


def credential_list(*, user: Any, query: str = "", write: bool = False) -> QuerySet[Credential]:
    """The credentials the user may see (or, with write, administer), newest first."""
    qs = Credential.objects.visible_to(user, write=write).select_related("county", "created_by")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(platform__icontains=query) | Q(key__icontains=query)
        )
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class Traffic:
    last_stored: datetime | None = None
    recent: int = 0


def credential_traffic(*, credential_ids: list[int]) -> dict[int, Traffic]:
    """Per credential: when it last sent a statement and how many in the last 7 days.

    One GROUP BY query for the whole page of credentials.
    """
    if not credential_ids:
        return {}
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = (
        Statement.objects.filter(credential_id__in=credential_ids)
        .values("credential_id")
        .annotate(last=Max("stored"), recent=Count("id", filter=Q(stored__gte=since)))
        .order_by()
    )
    return {r["credential_id"]: Traffic(last_stored=r["last"], recent=r["recent"]) for r in rows}


# --- statements ----------------------------------------------------------------------------


def statements_visible(*, user: Any) -> QuerySet[Statement]:
    """Every statement the user may read (the tenancy rule on `store`)."""
    return Statement.objects.visible_to(user)


def statements_of_stores(*, stores: list[int] | None) -> QuerySet[Statement]:
    """Statements of the given stores (None: every store), for commands."""
    qs = Statement.objects.all()
    return qs if stores is None else qs.filter(store__in=stores)


@dataclass
class StatementFilter:
    credential: Credential | None = None
    verb: str = ""
    since: date | None = None
    until: date | None = None
    actor: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def statements_filter(qs: QuerySet[Statement], flt: StatementFilter) -> QuerySet[Statement]:
    """Narrow by platform (credential), verb, stored date range (inclusive) and actor text."""
    if flt.credential is not None:
        qs = qs.filter(credential_id=flt.credential.pk)
    verb = flt.verb.strip()
    if verb:
        qs = qs.filter(verb_id=verb) if "://" in verb else qs.filter(verb_id__iendswith=verb)
    if flt.since:
        qs = qs.filter(stored__gte=_day_start(flt.since))
    if flt.until:
        qs = qs.filter(stored__lt=_day_start(flt.until + timedelta(days=1)))
    actor = flt.actor.strip()
    if actor:
        qs = qs.filter(actor_key__icontains=actor)
    return qs


def statements_page(
    qs: QuerySet[Statement], *, after: str = "", size: int = 50
) -> tuple[list[Statement], str]:
    """One page, newest first, by keyset on (stored, id); returns the rows and the next cursor.

    A cursor is `<id>`: the page continues after that statement. Counting a store of millions
    of rows for page numbers would cost more than the page itself.
    """
    qs = qs.select_related("credential").order_by("-stored", "-id")
    if after.isdigit():
        last = qs.model.objects.filter(pk=int(after)).values("stored").first()
        if last is not None:
            qs = qs.filter(
                Q(stored__lt=last["stored"]) | Q(stored=last["stored"], id__lt=int(after))
            )
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (str(rows[-1].pk) if more and rows else "")


def _agent_label(agent: Any) -> str:
    if not isinstance(agent, dict):
        return ""
    if agent.get("name"):
        return str(agent["name"])
    account = agent.get("account")
    if isinstance(account, dict) and account.get("name"):
        return str(account["name"])
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if agent.get(key):
            return str(agent[key]).removeprefix("mailto:")
    return agent.get("objectType", "")


def _lang_map(value: Any) -> str:
    if isinstance(value, dict) and value:
        for lang in ("zh-TW", "zh-Hant", "zh", "en-US", "en"):
            if value.get(lang):
                return str(value[lang])
        return str(next(iter(value.values())))
    return ""


@dataclass(frozen=True)
class StatementRow:
    statement: Statement
    actor: str
    verb: str
    object: str
    platform: str


def statement_row(statement: Statement) -> StatementRow:
    """What the browser shows of one statement: readable actor, verb and object."""
    try:
        data = json.loads(statement.payload)
    except ValueError:
        data = {}
    verb = data.get("verb") or {}
    verb_label = _lang_map(verb.get("display")) if isinstance(verb, dict) else ""
    if not verb_label:
        verb_label = statement.verb_id.rstrip("/").rsplit("/", 1)[-1]
    obj = data.get("object") or {}
    object_label = ""
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            definition = obj.get("definition") or {}
            object_label = _lang_map(definition.get("name")) if isinstance(definition, dict) else ""
            object_label = object_label or str(obj.get("id", ""))
        elif kind in ("Agent", "Group"):
            object_label = _agent_label(obj)
        elif kind == "StatementRef":
            object_label = str(obj.get("id", ""))
        else:
            object_label = kind
    cred = statement.credential
    return StatementRow(
        statement=statement,
        actor=_agent_label(data.get("actor")) or statement.actor_key,
        verb=verb_label,
        object=object_label or statement.object_key,
        platform=(cred.platform or cred.name) if cred else "",
    )


# --- statistics ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyCount:
    day: date
    credential_id: int | None
    platform: str
    count: int


def stats_per_platform_day(
    *, stores: list[int] | None, days: int = 30, now: datetime | None = None
) -> list[DailyCount]:
    """Statements per credential per day (local dates) over the last `days` days.

    One GROUP BY query; the credential names come from one more query.
    `stores=None` counts every store.
    """
    now = now or timezone.now()
    start = _day_start(timezone.localdate(now) - timedelta(days=days - 1))
    qs = statements_of_stores(stores=stores).filter(stored__gte=start)
    rows = list(
        qs.annotate(day=TruncDate("stored"))
        .values("day", "credential_id")
        .annotate(n=Count("id"))
        .order_by("day", "credential_id")
    )
    ids = {r["credential_id"] for r in rows if r["credential_id"] is not None}
    names = {
        c.pk: (c.platform or c.name)
        for c in Credential.objects.filter(pk__in=ids).only("name", "platform")
    }
    return [
        DailyCount(
            day=r["day"],
            credential_id=r["credential_id"],
            platform=names.get(r["credential_id"], ""),
            count=r["n"],
        )
        for r in rows
    ]


def stats_table(counts: list[DailyCount]) -> tuple[list[str], list[tuple[date, list[int], int]]]:
    """The counts as a table: platform columns, one row per day (newest first) with a total."""
    platforms = sorted({c.platform for c in counts})
    by_day: dict[date, dict[str, int]] = {}
    for c in counts:
        cell = by_day.setdefault(c.day, {})
        cell[c.platform] = cell.get(c.platform, 0) + c.count
    rows = [
        (day, [by_day[day].get(p, 0) for p in platforms], sum(by_day[day].values()))
        for day in sorted(by_day, reverse=True)
    ]
    return platforms, rows


def stores_for_user(user: Any) -> list[int] | None:
    """The stores a user reads: None for every store (superuser, MOE viewer)."""
    scope = scope_for(user)
    if scope.superuser or scope.everything:
        return None
    return sorted(scope.county_ids)
