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
from django.db import transaction
from django.db.models import Q
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


def resolve_person(
    *, county_id: int, actor_key: str, home_page: str, scheme: str | None
) -> tuple[int | None, str]:
    """(person id, method) for an actor seen for the first time, or (None, "")."""
    if actor_key.startswith("account:"):
        name = actor_key.split("|", 1)[1] if "|" in actor_key else ""
        if not name:
            return None, ""
        issuer = getattr(settings, "OPENID_ISSUER_HOME_PAGES", ())
        if scheme == Platform.IdentityScheme.OPENID_SUB or home_page.rstrip("/") in issuer:
            pk = _unique_person(county_id, openid_sub=name)
            return (pk, ActorLink.Method.OPENID_SUB) if pk else (None, "")
        if scheme in (None, Platform.IdentityScheme.EXTERNAL_ID):
            pk = _unique_person(county_id, external_id=name)
            return (pk, ActorLink.Method.EXTERNAL_ID) if pk else (None, "")
        return None, ""
    if actor_key.startswith("mbox:mailto:"):
        email = actor_key.removeprefix("mbox:mailto:")
        pk = _unique_person(county_id, email__iexact=email)
        return (pk, ActorLink.Method.EMAIL) if pk else (None, "")
    return None, ""


def _unique_person(county_id: int, **lookup: Any) -> int | None:
    ids = list(
        Person.objects.filter(county_id=county_id, **lookup).values_list("id", flat=True)[:2]
    )
    return ids[0] if len(ids) == 1 else None


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
    for c, _ in items:
        if c.actor_key in links:
            continue
        scheme = platforms.scheme.get(c.platform_id) if c.platform_id else None
        person_id, method = resolve_person(
            county_id=county_id, actor_key=c.actor_key, home_page=c.home_page, scheme=scheme
        )
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
        ActorLink.objects.bulk_update(changed, ["statements", "last_seen"])
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
    person_id: int | None
    school_id: int | None
    class_id: int | None
    grade: int | None
    values: list[float] = field(default_factory=lambda: [0.0] * N)


def _load_days(county_id: int, q: Q) -> dict[DayKey, DayRow]:
    rows = StudentDay.objects.filter(q, county_id=county_id).values_list(
        "actor_id",
        "day",
        "platform_id",
        "subject",
        "person_id",
        "school_id",
        "school_class_id",
        "grade",
        *MEASURES,
    )
    return {(r[0], r[1], r[2], r[3]): DayRow(r[4], r[5], r[6], r[7], list(r[8:])) for r in rows}


def _week_q(groups: set[tuple[int, dt.date]]) -> Q:
    """StudentDays of these (person, week) groups."""
    by_week: dict[dt.date, set[int]] = defaultdict(set)
    for person_id, week in groups:
        by_week[week].add(person_id)
    q = Q(pk__in=[])
    for week, persons in by_week.items():
        q |= Q(person_id__in=persons, day__gte=week, day__lt=week + dt.timedelta(days=7))
    return q


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
    upserts, deletes = [], []
    for key in changed:
        row = after.get(key)
        if row is None or row.values[_EVENTS] <= 0:
            if key in before:
                deletes.append(key)
            continue
        upserts.append(
            StudentDay(
                county_id=county_id,
                actor_id=key[0],
                day=key[1],
                platform_id=key[2],
                subject=key[3],
                person_id=row.person_id,
                school_id=row.school_id,
                school_class_id=row.class_id,
                grade=row.grade,
                **dict(zip(MEASURES, _ints(row.values), strict=True)),
            )
        )
    if deletes:
        q = Q(pk__in=[])
        for actor_id, day, platform_id, subject in deletes:
            q |= Q(actor_id=actor_id, day=day, platform_id=platform_id, subject=subject)
        StudentDay.objects.filter(q, county_id=county_id).delete()
    if upserts:
        StudentDay.objects.bulk_create(
            upserts,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["actor", "day", "platform_id", "subject"],
            update_fields=["person", "school", "school_class", "grade", *MEASURES],
        )
    if not groups:
        return
    old_weeks, old_parts = _derive(before, groups)
    new_weeks, new_parts = _derive(after, groups)

    # StudentWeek: replace the groups' rows
    StudentWeek.objects.filter(_week_pairs_q(groups), county_id=county_id).delete()
    StudentWeek.objects.bulk_create(
        [
            StudentWeek(
                county_id=county_id,
                person_id=person_id,
                week=week,
                school_id=agg.school_id,
                school_class_id=agg.class_id,
                grade=agg.grade,
                active_days=len(agg.days),
                **dict(zip(MEASURES, _ints(agg.values), strict=True)),
            )
            for (person_id, week), agg in new_weeks.items()
        ],
        batch_size=500,
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


def _week_pairs_q(groups: set[tuple[int, dt.date]]) -> Q:
    by_week: dict[dt.date, set[int]] = defaultdict(set)
    for person_id, week in groups:
        by_week[week].add(person_id)
    q = Q(pk__in=[])
    for week, persons in by_week.items():
        q |= Q(week=week, person_id__in=persons)
    return q


def _ints(values: list[float]) -> list[float]:
    """Counts as integers; the score sum stays a float (rounded against drift)."""
    return [round(v, 9) if i == _SCORE_SUM else round(v) for i, v in enumerate(values)]


def _nonzero(delta: list[float]) -> bool:
    return any(abs(v) > 1e-12 for v in delta)


def _add_school_weeks(county_id: int, deltas: dict[tuple[int, int, dt.date], list[float]]) -> None:
    deltas = {k: d for k, d in deltas.items() if _nonzero(d)}
    if not deltas:
        return
    q = Q(pk__in=[])
    for school_id, grade, week in deltas:
        q |= Q(school_id=school_id, grade=grade, week=week)
    current = {
        (r.school_id, r.grade, r.week): r for r in SchoolWeek.objects.filter(q, county_id=county_id)
    }
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
    if updates:
        SchoolWeek.objects.bulk_update(
            updates, [*MEASURES, "students", "active_days"], batch_size=500
        )
    if creates:
        SchoolWeek.objects.bulk_create(creates, batch_size=500)


def _add_school_parts(
    county_id: int, deltas: dict[tuple[int, int, dt.date, int, str], list[float]]
) -> None:
    deltas = {k: d for k, d in deltas.items() if _nonzero(d)}
    if not deltas:
        return
    q = Q(pk__in=[])
    for school_id, grade, week, platform_id, subject in deltas:
        q |= Q(
            school_id=school_id, grade=grade, week=week, platform_id=platform_id, subject=subject
        )
    current = {
        (r.school_id, r.grade, r.week, r.platform_id, r.subject): r
        for r in SchoolWeekPart.objects.filter(q, county_id=county_id)
    }
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
    if updates:
        SchoolWeekPart.objects.bulk_update(updates, [*MEASURES, "students"], batch_size=500)
    if creates:
        SchoolWeekPart.objects.bulk_create(creates, batch_size=500)


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
        before.update(_load_days(county_id, _week_q(groups)))
    after = {
        k: DayRow(r.person_id, r.school_id, r.class_id, r.grade, list(r.values))
        for k, r in before.items()
    }
    for key, d in deltas.items():
        row = after.get(key)
        if row is None:
            person_id = person_of.get(key[0])
            school_id, class_id, grade = placement.at(person_id, key[1])
            row = after[key] = DayRow(person_id, school_id, class_id, grade)
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
            before.update(_load_days(county_id, _week_q(groups)))
        after = {
            k: DayRow(r.person_id, r.school_id, r.class_id, r.grade, list(r.values))
            for k, r in before.items()
        }
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
