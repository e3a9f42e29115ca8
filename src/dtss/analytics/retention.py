"""Retention of learning records (L6.D1): what goes when a platform's retention period ends.

Each registered platform records its retention period (`Platform.retention_days`, 0: none set,
nothing of it is deleted). `retention_purge` runs daily (`dtss manage analytics purge` from cron
or a systemd timer) and, per county, with `cutoff = today − retention_days` (Asia/Taipei):

1. **Statements** of a platform with an LRS credential: those of the county's store sent with
   that credential and *stored* before the cutoff day are deleted through the LRS
   (`statement_services.statements_purge_credential`). `stored` is when DTSS received the
   record: it is indexed, never in the future and it is what `dtss lrs purge` uses too. A
   voiding statement whose target stays is kept (it goes on voiding it).
2. **StudentDay** rows of the platform (`platform_id`) whose *day* (the record's timestamp) is
   before the cutoff are deleted: they are one student's records, only summed. Records from no
   registered platform (`platform_id` 0) follow `DTSS_LRS_RETENTION_DAYS` when it is set.
3. **StudentWeek** rows (one student's week over every platform) whose week ended before the
   cutoff of the county's *longest* retention are deleted: by then no platform's records of
   that week are kept. Until then a StudentWeek keeps its sums (not per platform) even where a
   shorter-lived platform's days are gone.
4. **SchoolWeek and SchoolWeekPart** are kept: they are aggregates of a school's grade, with no
   student in them, and carry the long-term trends (L6.M2).
5. **ActorLinks** with no StudentDay left and not seen since the cutoff of their platform are
   deleted (an actor is an account of one student).

Before deleting anything the county's pending statements are rolled up, so the kept aggregates
include every record. Deleting statements never makes the rollups subtract them: the rollups
read forward by row id, so a deleted statement was read already; a voiding statement arriving
later for a deleted target is skipped (the engine finds no target). Limits: `rollup_rebuild`
after a purge reads only the statements left, so it loses the kept SchoolWeeks older than the
retention; a record arriving late with a timestamp older than the retention is counted, and
its StudentDay goes in the next purge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dtss.analytics.models import ActorLink, Platform, RollupState, StudentDay, StudentWeek
from dtss.core.services import audit_record
from dtss.orgs.models import County

DELETE_BATCH = 5000


@dataclass
class PlatformPurge:
    platform_id: int
    name: str
    retention_days: int
    cutoff: dt.date  # records of days before this go
    statements: int = 0
    student_days: int = 0
    actors: int = 0


@dataclass
class CountyPurge:
    county_id: int
    code: str
    name: str
    platforms: list[PlatformPurge] = field(default_factory=list)
    week_cutoff: dt.date | None = None  # StudentWeeks of weeks before this go
    student_weeks: int = 0

    @property
    def statements(self) -> int:
        return sum(p.statements for p in self.platforms)

    @property
    def student_days(self) -> int:
        return sum(p.student_days for p in self.platforms)

    @property
    def actors(self) -> int:
        return sum(p.actors for p in self.platforms)

    @property
    def anything(self) -> bool:
        return bool(self.statements or self.student_days or self.actors or self.student_weeks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "statements": self.statements,
            "student_days": self.student_days,
            "student_weeks": self.student_weeks,
            "actors": self.actors,
            "week_cutoff": self.week_cutoff.isoformat() if self.week_cutoff else None,
            "platforms": [
                {
                    "id": p.platform_id,
                    "name": p.name,
                    "retention_days": p.retention_days,
                    "cutoff": p.cutoff.isoformat(),
                    "statements": p.statements,
                    "student_days": p.student_days,
                    "actors": p.actors,
                }
                for p in self.platforms
            ],
        }


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the site's time zone (Asia/Taipei)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _plans(county: County, today: dt.date) -> list[tuple[PlatformPurge, int | None]]:
    """(what to purge, the credential id) per platform with a retention period; the records of
    no registered platform last `LRS_RETENTION_DAYS` (when set)."""
    plans: list[tuple[PlatformPurge, int | None]] = []
    for platform in Platform.objects.filter(county=county).order_by("name", "id"):
        if platform.retention_days:
            cutoff = today - dt.timedelta(days=platform.retention_days)
            plans.append(
                (
                    PlatformPurge(platform.pk, platform.name, platform.retention_days, cutoff),
                    platform.credential_id,
                )
            )
    lrs_days = int(getattr(settings, "LRS_RETENTION_DAYS", 0) or 0)
    if lrs_days > 0:
        plans.append((PlatformPurge(0, "", lrs_days, today - dt.timedelta(days=lrs_days)), None))
    return plans


def _delete_in_batches(qs: Any, county_id: int) -> int:
    """Delete the rows of `qs` by id, a batch per transaction, each under the county's rollup
    lock (no rollup batch runs between reading and deleting)."""
    total = 0
    while True:
        with transaction.atomic():
            RollupState.objects.get_or_create(county_id=county_id)
            RollupState.objects.select_for_update().get(county_id=county_id)
            ids = list(qs.values_list("id", flat=True)[:DELETE_BATCH])
            if not ids:
                return total
            total += qs.model.objects.filter(id__in=ids).delete()[0]


def county_purge(
    *, county: County, today: dt.date | None = None, dry_run: bool = False, actor: Any = None
) -> CountyPurge:
    """Purge one county's learning records past retention (see the module docstring); with
    `dry_run`, count what would go and change nothing. Audited when something was deleted."""
    from dtss.lrs.statement_selectors import credential_statements_before
    from dtss.lrs.statement_services import statements_purge_credential

    today = today or timezone.localdate()
    report = CountyPurge(county.pk, county.code, county.name_zh)
    plans = _plans(county, today)
    if not plans:
        return report
    if not dry_run:
        from dtss.analytics.rollups import rollup_process

        rollup_process(county_id=county.pk)
    for plan, credential_id in plans:
        report.platforms.append(plan)
        before = _start_of(plan.cutoff)
        if credential_id:
            if dry_run:
                plan.statements = credential_statements_before(
                    store=county.pk, credential_id=credential_id, before=before
                ).count()
            else:
                plan.statements = statements_purge_credential(
                    store=county.pk, credential_id=credential_id, before=before
                ).statements
        days = StudentDay.objects.filter(
            county=county, platform_id=plan.platform_id, day__lt=plan.cutoff
        )
        plan.student_days = days.count() if dry_run else _delete_in_batches(days, county.pk)
    # The longest retention decides when a student's week (all platforms) goes.
    longest = min(plan.cutoff for plan, _c in plans)
    report.week_cutoff = longest - dt.timedelta(days=longest.weekday())  # its Monday
    weeks = StudentWeek.objects.filter(county=county, week__lt=report.week_cutoff)
    report.student_weeks = weeks.count() if dry_run else _delete_in_batches(weeks, county.pk)
    # Actors with nothing left, not seen since their platform's cutoff.
    for plan in report.platforms:
        idle = ActorLink.objects.filter(
            county=county, platform_id=plan.platform_id, last_seen__lt=_start_of(plan.cutoff)
        )
        if dry_run:
            # nothing was deleted: count the actors whose days would all go (of this platform)
            kept = StudentDay.objects.filter(actor_id=OuterRef("pk")).exclude(
                platform_id=plan.platform_id, day__lt=plan.cutoff
            )
            plan.actors = idle.exclude(Exists(kept)).count()
        else:
            left = StudentDay.objects.filter(actor_id=OuterRef("pk"))
            plan.actors = _delete_in_batches(idle.exclude(Exists(left)), county.pk)
    if report.anything and not dry_run:
        audit_record(
            actor=actor,
            action="analytics.retention_purge",
            county=county,
            detail={"today": today.isoformat(), **report.as_dict()},
        )
    return report


def retention_purge(
    *,
    county_id: int | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
    actor: Any = None,
) -> list[CountyPurge]:
    """Purge every county's learning records past retention (or one county's): the daily job.
    Returns what went (or, with `dry_run`, what would go), per county."""
    counties = County.objects.order_by("code")
    if county_id is not None:
        counties = counties.filter(pk=county_id)
    return [
        county_purge(county=county, today=today, dry_run=dry_run, actor=actor)
        for county in counties
    ]
