"""The rollups, kept in step with the county's LRS incrementally.

`rollup_process` reads the statements stored since its cursor (`RollupState`), turns each into a
contribution to one `StudentDay` (actor × day × platform × subject), and re-derives the levels
above only for the students and weeks those rows touch:

    StudentDay ──(per student × week)──▶ StudentWeek ──(differences)──▶ SchoolWeek, SchoolWeekPart

Every write of a batch and the cursor move together in one transaction, so a crash or restart
leaves either the whole batch counted or none of it. A county's batches are processed one at a
time (the cursor row is locked).

Voiding: a statement counts unless a voiding statement stored *before* it already voided it; a
voiding statement subtracts its target when the target was stored before it and counted, and
no earlier voiding statement already did. Both rules depend only on row order, so processing
incrementally and `rollup_rebuild` from scratch give the same rollups (a test holds them to it).

Re-attribution: when an actor is mapped to a person (or to another one), `actor_reattribute`
moves that actor's StudentDays and re-derives the weeks of the old and the new person.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from dtss.analytics import profile
from dtss.analytics.models import (
    MEASURES,
    ActorLink,
    Platform,
    RollupState,
    SchoolWeek,
    SchoolWeekPart,
    StudentDay,
    StudentWeek,
)
from dtss.lrs import statement_selectors as lrs_selectors
from dtss.orgs.models import Enrollment, Person

BATCH = 2000
N = len(MEASURES)
_SECONDS, _EVENTS, _COMPLETIONS, _ATTEMPTS, _ANSWERED, _CORRECT, _SCORE_SUM, _SCORE_N = range(N)

_COMPLETING = {profile.ADL_VERBS + v for v in ("completed", "passed", "mastered")}
_ATTEMPTING = {profile.ADL_VERBS + v for v in ("attempted", "passed", "failed")}
_ANSWERING = profile.ADL_VERBS + "answered"

_DURATION = re.compile(
    r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<mo>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<mi>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_UNIT_SECONDS = {
    "y": 31_536_000,
    "mo": 2_592_000,
    "w": 604_800,
    "d": 86_400,
    "h": 3600,
    "mi": 60,
    "s": 1,
}


def duration_seconds(value: Any) -> float:
    """Seconds of an ISO 8601 duration ("PT1H2M3.5S"); 0 for anything else."""
    if not isinstance(value, str):
        return 0.0
    m = _DURATION.match(value)
    if m is None:
        return 0.0
    return sum(float(v) * _UNIT_SECONDS[k] for k, v in m.groupdict().items() if v)


def max_session_seconds() -> int:
    """The cap on one record's time: longer sessions are implausible (a tab left open)."""
    return int(getattr(settings, "ANALYTICS_MAX_SESSION_SECONDS", 3 * 3600))


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --------------------------------------------------------------------------- contributions


@dataclass(frozen=True)
class Contribution:
    actor_key: str
    label: str
    home_page: str
    day: dt.date
    platform_id: int
    subject: str
    values: tuple[float, ...]


def _ext(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        ext = obj.get("extensions")
        if isinstance(ext, dict):
            return ext.get(key)
    return None


def _actor_label(actor: dict[str, Any]) -> tuple[str, str]:
    """(what an administrator sees, the account homePage or "")."""
    account = actor.get("account")
    if isinstance(account, dict):
        return f"{account.get('name', '')} @ {account.get('homePage', '')}", str(
            account.get("homePage", "")
        )
    for key in ("mbox", "openid", "mbox_sha1sum"):
        if actor.get(key):
            return str(actor[key]), ""
    return str(actor.get("name") or "(group)"), ""


class _Platforms:
    """Which registered platform a record comes from: its credential, else its account."""

    def __init__(self, county_id: int) -> None:
        rows = Platform.objects.filter(county_id=county_id).values_list(
            "id", "credential_id", "account_home_page", "default_subject", "identity_scheme"
        )
        self.by_credential: dict[int, int] = {}
        self.by_home: dict[str, int] = {}
        self.subject: dict[int, str] = {}
        self.scheme: dict[int, str] = {}
        for pk, credential_id, home, subject, scheme in rows:
            if credential_id:
                self.by_credential[credential_id] = pk
            if home:
                self.by_home[home.rstrip("/")] = pk
            self.subject[pk] = subject
            self.scheme[pk] = scheme

    def of(self, credential_id: int | None, home_page: str) -> int:
        if credential_id and credential_id in self.by_credential:
            return self.by_credential[credential_id]
        return self.by_home.get(home_page.rstrip("/"), 0) if home_page else 0


def contribution(record: lrs_selectors.RollupRecord, platforms: _Platforms) -> Contribution | None:
    """What one stored statement adds to its StudentDay (None: it adds nothing)."""
    try:
        statement = json.loads(record.payload)
    except ValueError:
        return None
    verb = (statement.get("verb") or {}).get("id", "")
    if verb == profile.VOIDED:
        return None
    actor = statement.get("actor") or {}
    label, home = _actor_label(actor)
    try:
        from dtss.lrs.xapi import parse_timestamp

        when = parse_timestamp(statement.get("timestamp"), field="timestamp")
    except Exception:
        return None
    day = timezone.localtime(when).date()
    platform_id = platforms.of(record.credential_id, home)
    obj = statement.get("object") or {}
    context = statement.get("context") or {}
    subject = profile.subject_code(_ext(context, profile.EXT_SUBJECT)) or profile.subject_code(
        _ext(obj.get("definition"), profile.EXT_SUBJECT)
    )
    if not subject and platform_id:
        subject = platforms.subject.get(platform_id, "")
    result = statement.get("result") or {}
    values = [0.0] * N
    values[_EVENTS] = 1
    values[_SECONDS] = round(min(duration_seconds(result.get("duration")), max_session_seconds()))
    if verb in _COMPLETING or result.get("completion") is True:
        values[_COMPLETIONS] = 1
    if verb in _ATTEMPTING:
        values[_ATTEMPTS] = 1
    if verb == _ANSWERING:
        values[_ANSWERED] = 1
        values[_CORRECT] = 1 if result.get("success") is True else 0
    score = _scaled(result.get("score"))
    if score is not None:
        values[_SCORE_SUM] = score
        values[_SCORE_N] = 1
    return Contribution(
        actor_key=record.actor_key,
        label=label[:300],
        home_page=home,
        day=day,
        platform_id=platform_id,
        subject=subject,
        values=tuple(values),
    )


def _scaled(score: Any) -> float | None:
    """The score on 0–1: `scaled` when given (negative counts as 0), else raw within min–max."""
    if not isinstance(score, dict):
        return None
    scaled = score.get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        return max(0.0, min(1.0, float(scaled)))
    raw, low, high = score.get("raw"), score.get("min", 0), score.get("max")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (raw, low, high))
    if numbers and high > low:
        return max(0.0, min(1.0, (raw - low) / (high - low)))
    return None


# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class ActorIdentity:
    actor_key: str
    home_page: str
    scheme: str | None  # the platform's identity scheme (None: no registered platform)


def resolve_people(
    *, county_id: int, actors: Iterable[ActorIdentity]
) -> dict[str, tuple[int, str]]:
    """{actor key: (person id, method)} for the actors that resolve automatically.

    An account's name is the person's Education Cloud OpenID `sub` when the platform says so
    (or the homePage is the OpenID issuer's), else their DTSS external id (school account,
    student number) unless the platform's accounts are its own ids (mapped by hand); an mbox
    is the person's email. Only a match with exactly one person of the county counts."""
    issuer = {h.rstrip("/") for h in getattr(settings, "OPENID_ISSUER_HOME_PAGES", ())}
    wanted: dict[str, dict[str, list[str]]] = {
        "openid_sub": defaultdict(list),
        "external_id": defaultdict(list),
        "email": defaultdict(list),
    }
    for a in actors:
        if a.actor_key.startswith("account:"):
            name = a.actor_key.split("|", 1)[1] if "|" in a.actor_key else ""
            if not name:
                continue
            if a.scheme == Platform.IdentityScheme.OPENID_SUB or a.home_page.rstrip("/") in issuer:
                wanted["openid_sub"][name].append(a.actor_key)
            elif a.scheme in (None, Platform.IdentityScheme.EXTERNAL_ID):
                wanted["external_id"][name].append(a.actor_key)
        elif a.actor_key.startswith("mbox:mailto:"):
            email = a.actor_key.removeprefix("mbox:mailto:").lower()
            wanted["email"][email].append(a.actor_key)
    methods = {
        "openid_sub": ActorLink.Method.OPENID_SUB,
        "external_id": ActorLink.Method.EXTERNAL_ID,
        "email": ActorLink.Method.EMAIL,
    }
    out: dict[str, tuple[int, str]] = {}
    for field_name, by_value in wanted.items():
        values = sorted(by_value)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            if field_name == "email":
                rows = Person.objects.annotate(email_lower=Lower("email")).filter(
                    county_id=county_id, email_lower__in=chunk
                )
                pairs = [(email, pk) for pk, email in rows.values_list("id", "email_lower")]
            else:
                rows = Person.objects.filter(county_id=county_id, **{f"{field_name}__in": chunk})
                pairs = [(v, pk) for pk, v in rows.values_list("id", field_name)]
            matches: dict[str, set[int]] = defaultdict(set)
            for value, pk in pairs:
                matches[value].add(pk)
            for value, pks in matches.items():
                if len(pks) == 1 and value in by_value:
                    for key in by_value[value]:
                        out[key] = (next(iter(pks)), methods[field_name])
    return out


def resolve_person(
    *, county_id: int, actor_key: str, home_page: str, scheme: str | None
) -> tuple[int | None, str]:
    """(person id, method) for one actor, or (None, "") (see `resolve_people`)."""
    found = resolve_people(
        county_id=county_id, actors=[ActorIdentity(actor_key, home_page, scheme)]
    )
    return found.get(actor_key, (None, ""))


def _actor_links(
    county_id: int, contributions: Iterable[tuple[Contribution, int]], platforms: _Platforms
) -> dict[str, ActorLink]:
    """The ActorLink of every actor in the batch, made (and auto-resolved) when new; `sign` +1
    records update last_seen and the record count."""
    items = list(contributions)
    keys = {c.actor_key for c, _ in items}
    links = {
        a.actor_key: a for a in ActorLink.objects.filter(county_id=county_id, actor_key__in=keys)
    }
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    for c, sign in items:
        counts[c.actor_key] += sign
    new: list[ActorLink] = []
    first: dict[str, Contribution] = {}
    for c, _ in items:
        if c.actor_key not in links:
            first.setdefault(c.actor_key, c)
    resolved = resolve_people(
        county_id=county_id,
        actors=[
            ActorIdentity(
                c.actor_key,
                c.home_page,
                platforms.scheme.get(c.platform_id) if c.platform_id else None,
            )
            for c in first.values()
        ],
    )
    for c in first.values():
        person_id, method = resolved.get(c.actor_key, (None, ""))
        link = ActorLink(
            county_id=county_id,
            actor_key=c.actor_key,
            label=c.label,
            platform_id=c.platform_id,
            person_id=person_id,
            method=method,
            first_seen=now,
            last_seen=now,
            statements=0,
            resolved_at=now if person_id else None,
        )
        links[c.actor_key] = link
        new.append(link)
    if new:
        ActorLink.objects.bulk_create(new)
        # bulk_create sets pks on PostgreSQL and SQLite ≥ 3.35; fetch them where it did not.
        if any(link.pk is None for link in new):
            fetched = {
                a.actor_key: a
                for a in ActorLink.objects.filter(
                    county_id=county_id, actor_key__in=[n.actor_key for n in new]
                )
            }
            links.update(fetched)
    changed = []
    for key, count in counts.items():
        link = links[key]
        if count:
            link.statements = max(0, link.statements + count)
            link.last_seen = now
            changed.append(link)
    if changed:
        table = connection.ops.quote_name(ActorLink._meta.db_table)
        stamp = connection.ops.adapt_datetimefield_value(now)
        if connection.vendor == "postgresql":
            with _server_binding_cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS a SET statements = v.n, last_seen = %s "  # noqa: S608
                    "FROM unnest(%s::bigint[], %s::integer[]) AS v(id, n) WHERE a.id = v.id",
                    [now, [link.pk for link in changed], [link.statements for link in changed]],
                )
        else:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET statements = %s, last_seen = %s WHERE id = %s",  # noqa: S608
                    [(link.statements, stamp, link.pk) for link in changed],
                )
    return links


# --------------------------------------------------------------------------- placement


class _Placement:
    """Where a student was on a day: the enrollment whose term covers it (else the nearest)."""

    def __init__(self, person_ids: Iterable[int]) -> None:
        self.rows: dict[int, list[tuple[dt.date, dt.date, int, int, int]]] = defaultdict(list)
        ids = list(set(person_ids))
        for start in range(0, len(ids), 500):
            qs = Enrollment.objects.filter(student_id__in=ids[start : start + 500]).values_list(
                "student_id",
                "school_class__term__start_date",
                "school_class__term__end_date",
                "school_id",
                "school_class_id",
                "school_class__grade",
            )
            for pid, begin, end, school_id, class_id, grade in qs:
                self.rows[pid].append((begin, end, school_id, class_id, grade))
        for rows in self.rows.values():
            rows.sort()

    def at(self, person_id: int | None, day: dt.date) -> tuple[int | None, int | None, int | None]:
        """(school id, class id, grade) of the person on `day`."""
        rows = self.rows.get(person_id) if person_id else None
        if not rows:
            return None, None, None
        best = None
        for row in rows:
            if row[0] <= day <= row[1]:
                return row[2], row[3], row[4]
            if row[0] <= day:
                best = row
        best = best or rows[0]
        return best[2], best[3], best[4]


# --------------------------------------------------------------------------- the state


DayKey = tuple[int, dt.date, int, str]  # actor id, day, platform id, subject


@dataclass
class DayRow:
    pk: int | None
    person_id: int | None
    school_id: int | None
    class_id: int | None
    grade: int | None
    values: list[float] = field(default_factory=lambda: [0.0] * N)

    def copy(self) -> DayRow:
        return DayRow(
            self.pk, self.person_id, self.school_id, self.class_id, self.grade, list(self.values)
        )


def _load_days(county_id: int, q: Q) -> dict[DayKey, DayRow]:
    rows = StudentDay.objects.filter(q, county_id=county_id).values_list(
        "actor_id",
        "day",
        "platform_id",
        "subject",
        "id",
        "person_id",
        "school_id",
        "school_class_id",
        "grade",
        *MEASURES,
    )
    return {
        (r[0], r[1], r[2], r[3]): DayRow(r[4], r[5], r[6], r[7], r[8], list(r[9:])) for r in rows
    }


def _group_days(county_id: int, groups: set[tuple[int, dt.date]]) -> dict[DayKey, DayRow]:
    """Every StudentDay of these (person, week) groups (read as persons × the weeks' span, then
    narrowed: composite-key ORs would exceed SQLite's expression depth)."""
    persons = sorted({p for p, _ in groups})
    first = min(w for _, w in groups)
    last = max(w for _, w in groups) + dt.timedelta(days=6)
    out: dict[DayKey, DayRow] = {}
    for start in range(0, len(persons), 500):
        chunk = _load_days(
            county_id,
            Q(person_id__in=persons[start : start + 500], day__gte=first, day__lte=last),
        )
        out.update((k, r) for k, r in chunk.items() if (r.person_id, week_of(k[1])) in groups)
    return out


@dataclass
class _Agg:
    school_id: int | None
    class_id: int | None
    grade: int | None
    values: list[float]
    days: set[dt.date] = field(default_factory=set)
    last_day: dt.date | None = None


def _derive(
    rows: dict[DayKey, DayRow], groups: set[tuple[int, dt.date]]
) -> tuple[dict[tuple[int, dt.date], _Agg], dict[tuple[int, dt.date, int, str], _Agg]]:
    """StudentWeeks and their platform × subject parts, of these groups only."""
    weeks: dict[tuple[int, dt.date], _Agg] = {}
    parts: dict[tuple[int, dt.date, int, str], _Agg] = {}
    for (_actor, day, platform_id, subject), row in sorted(rows.items(), key=lambda i: i[0][1]):
        if row.person_id is None or row.values[_EVENTS] <= 0:
            continue
        g = (row.person_id, week_of(day))
        if g not in groups:
            continue
        for target, key in ((weeks, g), (parts, (*g, platform_id, subject))):
            agg = target.get(key)  # type: ignore[call-overload]
            if agg is None:
                agg = _Agg(row.school_id, row.class_id, row.grade, [0.0] * N)
                target[key] = agg  # type: ignore[index]
            if agg.last_day is None or day >= agg.last_day:
                # the student's place is where they were on the week's latest active day
                agg.school_id, agg.class_id, agg.grade, agg.last_day = (
                    row.school_id,
                    row.class_id,
                    row.grade,
                    day,
                )
            agg.days.add(day)
            for i in range(N):
                agg.values[i] += row.values[i]
    return weeks, parts


def _commit(
    county_id: int,
    before: dict[DayKey, DayRow],
    after: dict[DayKey, DayRow],
    changed: set[DayKey],
    groups: set[tuple[int, dt.date]],
) -> None:
    """Write the changed StudentDays, then the StudentWeeks of `groups` and the school sums.

    `before` and `after` hold every StudentDay of `groups` (before and after the change)."""
    upserts: list[tuple[Any, ...]] = []
    deletes = []
    for key in changed:
        row = after.get(key)
        if row is None or row.values[_EVENTS] <= 0:
            if key in before:
                deletes.append(key)
            continue
        old = before.get(key)
        if old is not None and old == row:
            continue
        upserts.append(
            (
                county_id,
                *key,
                row.person_id,
                row.school_id,
                row.class_id,
                row.grade,
                *_ints(row.values),
            )
        )
    if deletes:
        ids = [before[key].pk for key in deletes]
        for start in range(0, len(ids), 500):
            StudentDay.objects.filter(pk__in=ids[start : start + 500]).delete()
    _upsert(
        StudentDay,
        [
            "county",
            "actor",
            "day",
            "platform_id",
            "subject",
            "person",
            "school",
            "school_class",
            "grade",
            *MEASURES,
        ],
        unique=["actor", "day", "platform_id", "subject"],
        rows=upserts,
    )
    if not groups:
        return
    old_weeks, old_parts = _derive(before, groups)
    new_weeks, new_parts = _derive(after, groups)

    # StudentWeek: replace the groups' rows
    stale = [
        pk
        for pk, person_id, week in _existing_weeks(county_id, groups)
        if (person_id, week) in groups and (person_id, week) not in new_weeks
    ]
    for start in range(0, len(stale), 500):
        StudentWeek.objects.filter(pk__in=stale[start : start + 500]).delete()
    _upsert(
        StudentWeek,
        ["county", "person", "week", "school", "school_class", "grade", "active_days", *MEASURES],
        unique=["person", "week"],
        rows=[
            (
                county_id,
                person_id,
                week,
                agg.school_id,
                agg.class_id,
                agg.grade,
                len(agg.days),
                *_ints(agg.values),
            )
            for (person_id, week), agg in new_weeks.items()
            if _changed(old_weeks.get((person_id, week)), agg)
        ],
    )

    # SchoolWeek and SchoolWeekPart: add the differences
    week_delta: dict[tuple[int, int, dt.date], list[float]] = defaultdict(lambda: [0.0] * (N + 2))
    for sign, weeks in ((-1, old_weeks), (1, new_weeks)):
        for (_person, week), agg in weeks.items():
            if agg.school_id is None:
                continue
            d = week_delta[(agg.school_id, agg.grade or 0, week)]
            d[N] += sign  # students
            d[N + 1] += sign * len(agg.days)  # active days
            for i in range(N):
                d[i] += sign * agg.values[i]
    part_delta: dict[tuple[int, int, dt.date, int, str], list[float]] = defaultdict(
        lambda: [0.0] * (N + 1)
    )
    for sign, parts in ((-1, old_parts), (1, new_parts)):
        for (_person, week, platform_id, subject), agg in parts.items():
            if agg.school_id is None:
                continue
            d = part_delta[(agg.school_id, agg.grade or 0, week, platform_id, subject)]
            d[N] += sign
            for i in range(N):
                d[i] += sign * agg.values[i]
    _add_school_weeks(county_id, week_delta)
    _add_school_parts(county_id, part_delta)


def _changed(old: _Agg | None, new: _Agg) -> bool:
    if old is None:
        return True
    return (old.school_id, old.class_id, old.grade, old.days, _ints(old.values)) != (
        new.school_id,
        new.class_id,
        new.grade,
        new.days,
        _ints(new.values),
    )


def _upsert(
    model: Any, fields: list[str], *, unique: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT … ON CONFLICT (unique) DO UPDATE of plain tuples. The ORM's bulk_create spends
    more time building the statement than the database spends running it: PostgreSQL gets one
    statement over unnest()ed arrays (bound server-side, dumped by psycopg's C adapters), SQLite
    an executemany of one prepared row."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    model_fields = [meta.get_field(f) for f in fields]
    columns = [f.column for f in model_fields]
    conflict = [meta.get_field(f).column for f in unique]
    sets = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in columns if c not in conflict)
    into = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
    tail = f" ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET {sets}"
    if connection.vendor == "postgresql":
        types = [_pg_type(f) for f in model_fields]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sql = into + f"SELECT * FROM unnest({arrays})" + tail  # noqa: S608
        with _server_binding_cursor() as cursor:
            cursor.execute(sql, [list(col) for col in zip(*rows, strict=True)])
        return
    dates = {i for i, f in enumerate(model_fields) if f.get_internal_type() == "DateField"}
    adapt = connection.ops.adapt_datefield_value
    sql = into + "VALUES (" + ", ".join(["%s"] * len(columns)) + ")" + tail
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[adapt(v) if i in dates else v for i, v in enumerate(row)] for row in rows]
        )


def _pg_type(f: Any) -> str:
    if f.is_relation:
        f = f.target_field
    kind = f.get_internal_type()
    return {
        "BigAutoField": "bigint",
        "AutoField": "integer",
        "BigIntegerField": "bigint",
        "IntegerField": "integer",
        "PositiveIntegerField": "integer",
        "PositiveSmallIntegerField": "smallint",
        "SmallIntegerField": "smallint",
        "FloatField": "double precision",
        "DateField": "date",
        "CharField": "text",
    }[kind]


def _server_binding_cursor() -> Any:
    """A PostgreSQL cursor that sends parameters apart from the query (see the LRS's)."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _existing_weeks(
    county_id: int, groups: set[tuple[int, dt.date]]
) -> list[tuple[int, int, dt.date]]:
    persons = sorted({p for p, _ in groups})
    weeks = sorted({w for _, w in groups})
    out: list[tuple[int, int, dt.date]] = []
    for start in range(0, len(persons), 500):
        out.extend(
            StudentWeek.objects.filter(
                county_id=county_id, person_id__in=persons[start : start + 500], week__in=weeks
            ).values_list("id", "person_id", "week")
        )
    return out


def _ints(values: list[float]) -> list[float]:
    """Counts as integers; the score sum stays a float (rounded against drift)."""
    return [round(v, 9) if i == _SCORE_SUM else round(v) for i, v in enumerate(values)]


def _nonzero(delta: list[float]) -> bool:
    return any(abs(v) > 1e-12 for v in delta)


def _add_school_weeks(county_id: int, deltas: dict[tuple[int, int, dt.date], list[float]]) -> None:
    deltas = {k: d for k, d in deltas.items() if _nonzero(d)}
    if not deltas:
        return
    rows = SchoolWeek.objects.filter(
        county_id=county_id,
        school_id__in={k[0] for k in deltas},
        week__in={k[2] for k in deltas},
    )
    current = {(r.school_id, r.grade, r.week): r for r in rows}
    creates, updates, deletes = [], [], []
    for key, d in deltas.items():
        row = current.get(key)
        if row is None:
            row = SchoolWeek(county_id=county_id, school_id=key[0], grade=key[1], week=key[2])
        values = [getattr(row, name) + d[i] for i, name in enumerate(MEASURES)]
        for name, value in zip(MEASURES, _ints(values), strict=True):
            setattr(row, name, value)
        row.students += round(d[N])
        row.active_days += round(d[N + 1])
        if row.pk is None:
            if row.students > 0:
                creates.append(row)
        elif row.students <= 0:
            deletes.append(row.pk)
        else:
            updates.append(row)
    if deletes:
        SchoolWeek.objects.filter(pk__in=deletes).delete()
    _upsert(
        SchoolWeek,
        ["county", "school", "grade", "week", "students", "active_days", *MEASURES],
        unique=["school", "grade", "week"],
        rows=[
            (
                county_id,
                r.school_id,
                r.grade,
                r.week,
                r.students,
                r.active_days,
                *(getattr(r, name) for name in MEASURES),
            )
            for r in updates + creates
        ],
    )


def _add_school_parts(
    county_id: int, deltas: dict[tuple[int, int, dt.date, int, str], list[float]]
) -> None:
    deltas = {k: d for k, d in deltas.items() if _nonzero(d)}
    if not deltas:
        return
    rows = SchoolWeekPart.objects.filter(
        county_id=county_id,
        school_id__in={k[0] for k in deltas},
        week__in={k[2] for k in deltas},
    )
    current = {(r.school_id, r.grade, r.week, r.platform_id, r.subject): r for r in rows}
    creates, updates, deletes = [], [], []
    for key, d in deltas.items():
        row = current.get(key)
        if row is None:
            row = SchoolWeekPart(
                county_id=county_id,
                school_id=key[0],
                grade=key[1],
                week=key[2],
                platform_id=key[3],
                subject=key[4],
            )
        values = [getattr(row, name) + d[i] for i, name in enumerate(MEASURES)]
        for name, value in zip(MEASURES, _ints(values), strict=True):
            setattr(row, name, value)
        row.students += round(d[N])
        if row.pk is None:
            if row.students > 0:
                creates.append(row)
        elif row.students <= 0:
            deletes.append(row.pk)
        else:
            updates.append(row)
    if deletes:
        SchoolWeekPart.objects.filter(pk__in=deletes).delete()
    _upsert(
        SchoolWeekPart,
        ["county", "school", "grade", "week", "platform_id", "subject", "students", *MEASURES],
        unique=["school", "grade", "week", "platform_id", "subject"],
        rows=[
            (
                county_id,
                r.school_id,
                r.grade,
                r.week,
                r.platform_id,
                r.subject,
                r.students,
                *(getattr(r, name) for name in MEASURES),
            )
            for r in updates + creates
        ],
    )


# --------------------------------------------------------------------------- processing


def _state(county_id: int) -> RollupState:
    RollupState.objects.get_or_create(county_id=county_id)
    return RollupState.objects.select_for_update().get(county_id=county_id)


def rollup_process(*, county_id: int, margin_ms: int | None = None, max_batches: int = 0) -> int:
    """Process the statements stored since the cursor; returns how many were read.

    Statements stored within the consistency margin are left for the next run, so that rows of
    a transaction still committing (which may carry lower ids) are never skipped."""
    margin = settings.LRS_CONSISTENCY_MARGIN_MS if margin_ms is None else margin_ms
    total = 0
    batches = 0
    while True:
        with transaction.atomic():
            state = _state(county_id)
            before = timezone.now() - dt.timedelta(milliseconds=margin)
            records = lrs_selectors.statements_after(
                store=county_id,
                after_id=state.last_statement_id,
                stored_before=before,
                limit=BATCH,
            )
            if not records:
                return total
            _process_batch(county_id, records)
            state.last_statement_id = records[-1].id
            state.processed += len(records)
            state.save(update_fields=["last_statement_id", "processed", "updated_at"])
        total += len(records)
        batches += 1
        if max_batches and batches >= max_batches:
            return total


def _process_batch(county_id: int, records: list[lrs_selectors.RollupRecord]) -> None:
    platforms = _Platforms(county_id)
    signed: list[tuple[Contribution, int]] = []

    # Statements voided by a voiding statement stored before them never count.
    voided_ids = [r.statement_id for r in records if r.voided]
    voiders = lrs_selectors.voiding_rows(store=county_id, target_ids=voided_ids)
    for r in records:
        if r.voids:
            continue
        if r.voided and any(v < r.id for v in voiders.get(r.statement_id, [])):
            continue
        c = contribution(r, platforms)
        if c is not None:
            signed.append((c, 1))

    # A voiding statement takes back its target when the target counted until now.
    voiding = [r for r in records if r.voids]
    if voiding:
        targets = {
            t.statement_id: t
            for t in lrs_selectors.statements_by_ids(
                store=county_id, statement_ids=[r.voids for r in voiding if r.voids]
            )
        }
        target_voiders = lrs_selectors.voiding_rows(store=county_id, target_ids=list(targets))
        for r in voiding:
            target = targets.get(r.voids or "")
            if target is None or target.id > r.id or target.voids:
                continue
            earlier = [v for v in target_voiders.get(target.statement_id, []) if v < r.id]
            if earlier:  # voided already (before the target arrived, or by an earlier voider)
                continue
            c = contribution(target, platforms)
            if c is not None:
                signed.append((c, -1))
    if not signed:
        return
    links = _actor_links(county_id, signed, platforms)
    deltas: dict[DayKey, list[float]] = defaultdict(lambda: [0.0] * N)
    for c, sign in signed:
        key = (links[c.actor_key].pk, c.day, c.platform_id, c.subject)
        d = deltas[key]
        for i in range(N):
            d[i] += sign * c.values[i]
    _apply_deltas(county_id, deltas, {link.pk: link.person_id for link in links.values()})


def _apply_deltas(
    county_id: int, deltas: dict[DayKey, list[float]], person_of: dict[int, int | None]
) -> None:
    actor_ids = {k[0] for k in deltas}
    days = [k[1] for k in deltas]
    before = _load_days(
        county_id, Q(actor_id__in=actor_ids, day__gte=min(days), day__lte=max(days))
    )
    placement = _Placement(p for p in person_of.values() if p)
    groups: set[tuple[int, dt.date]] = set()
    for key in deltas:
        row = before.get(key)
        person_id = row.person_id if row else person_of.get(key[0])
        if person_id:
            groups.add((person_id, week_of(key[1])))
    if groups:
        before.update(_group_days(county_id, groups))
    after = {k: r.copy() for k, r in before.items()}
    for key, d in deltas.items():
        row = after.get(key)
        if row is None:
            person_id = person_of.get(key[0])
            school_id, class_id, grade = placement.at(person_id, key[1])
            row = after[key] = DayRow(None, person_id, school_id, class_id, grade)
        for i in range(N):
            row.values[i] += d[i]
    _commit(county_id, before, after, set(deltas), groups)


def actor_reattribute(*, link: ActorLink, person_id: int | None) -> None:
    """Move an actor's records to `person_id` (or to nobody) and re-derive the weeks of the
    person they left and the person they join. Called inside the mapping service's transaction."""
    county_id = link.county_id
    with transaction.atomic():
        _state(county_id)  # one writer per county: wait for a running batch
        own = _load_days(county_id, Q(actor_id=link.pk))
        placement = _Placement([person_id] if person_id else [])
        groups: set[tuple[int, dt.date]] = set()
        for (_a, day, _p, _s), row in own.items():
            if row.person_id:
                groups.add((row.person_id, week_of(day)))
            if person_id:
                groups.add((person_id, week_of(day)))
        before = dict(own)
        if groups:
            before.update(_group_days(county_id, groups))
        after = {k: r.copy() for k, r in before.items()}
        for key in own:
            school_id, class_id, grade = placement.at(person_id, key[1])
            row = after[key]
            row.person_id, row.school_id, row.class_id, row.grade = (
                person_id,
                school_id,
                class_id,
                grade,
            )
        _commit(county_id, before, after, set(own), groups)


def rollup_rebuild(*, county_id: int, margin_ms: int | None = None) -> int:
    """Drop the county's rollups and read its whole store again; returns statements read."""
    with transaction.atomic():
        _state(county_id)
        for model in (SchoolWeekPart, SchoolWeek, StudentWeek, StudentDay):
            model.objects.filter(county_id=county_id).delete()
        ActorLink.objects.filter(county_id=county_id).update(statements=0)
        RollupState.objects.filter(county_id=county_id).update(last_statement_id=0, processed=0)
    return rollup_process(county_id=county_id, margin_ms=margin_ms)


def rollup_pending(*, county_id: int) -> int:
    """How many statements are stored but not yet in the rollups."""
    state = RollupState.objects.filter(county_id=county_id).first()
    last = state.last_statement_id if state else 0
    return lrs_selectors.statements_count_after(store=county_id, after_id=last)
