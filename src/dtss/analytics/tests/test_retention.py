"""Retention purge (L6.D1): a platform's statements and student rows past its retention go,
the school aggregates stay, and deleting never makes the rollups subtract anything."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from dtss.analytics.models import (
    ActorLink,
    Platform,
    SchoolWeek,
    SchoolWeekPart,
    StudentDay,
    StudentWeek,
)
from dtss.analytics.retention import retention_purge
from dtss.analytics.rollups import rollup_rebuild
from dtss.analytics.tests.conftest import stmt, void
from dtss.core.models import AuditEntry
from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Statement

NOW = timezone.now()
TODAY = timezone.localdate(NOW)


def _school_rows() -> list[tuple]:
    return sorted(
        [
            *SchoolWeek.objects.values_list("school_id", "grade", "week", "students", "seconds"),
            *SchoolWeekPart.objects.values_list(
                "school_id", "week", "platform_id", "students", "seconds"
            ),
        ],
        key=str,
    )


def _age(statement_ids: list[str], days: int) -> None:
    """Make these statements look stored `days` days ago (the LRS stamps `stored` itself)."""
    Statement.objects.filter(statement_id__in=statement_ids).update(
        stored=NOW - dt.timedelta(days=days)
    )


class Setup:
    def __init__(self, learning: Any, world: Any) -> None:
        county = world.counties["A"]
        self.learning = learning
        self.county = county
        self.short_cred = credential_create(name="adl", county=county).credential
        self.long_cred = credential_create(name="cooc", county=county).credential
        self.short = Platform.objects.create(
            county=county, name="因材網", kind="adl", credential=self.short_cred, retention_days=30
        )
        self.long = Platform.objects.create(
            county=county, name="酷課雲", kind="cooc", credential=self.long_cred, retention_days=365
        )

    def send(self, statements: list[dict[str, Any]], platform: Platform) -> list[str]:
        return self.learning.send(statements, credential_id=platform.credential_id)


@pytest.fixture
def setup(learning: Any, world: Any) -> Setup:
    return Setup(learning, world)


def test_a_platform_past_its_retention_loses_its_records_but_not_the_aggregates(
    setup: Setup, world: Any
) -> None:
    old = NOW - dt.timedelta(days=60)
    recent = NOW - dt.timedelta(days=3)
    old_short = setup.send([stmt("elem_student", when=old, seconds=600)], setup.short)
    recent_short = setup.send([stmt("elem_student", when=recent, seconds=60)], setup.short)
    old_long = setup.send([stmt("elem_student2", when=old, seconds=300)], setup.long)
    _age(old_short + old_long, 60)
    setup.learning.roll()
    schools_before = _school_rows()
    weeks_before = StudentWeek.objects.count()
    assert StudentDay.objects.count() == 3

    reports = retention_purge(county_id=setup.county.pk, today=TODAY)

    (report,) = reports
    assert report.statements == 1 and report.student_days == 1
    assert set(Statement.objects.values_list("statement_id", flat=True).distinct()) == {
        *(uuid.UUID(i) for i in recent_short + old_long)
    }
    days = set(StudentDay.objects.values_list("platform_id", "seconds"))
    assert days == {(setup.short.pk, 60), (setup.long.pk, 300)}
    # the longest retention (365 days) keeps every student week; school rows are untouched
    assert StudentWeek.objects.count() == weeks_before and report.student_weeks == 0
    assert _school_rows() == schools_before
    entry = AuditEntry.objects.get(action="analytics.retention_purge")
    assert entry.county == setup.county and entry.detail["statements"] == 1
    # running it again finds nothing more (and records nothing)
    again = retention_purge(county_id=setup.county.pk, today=TODAY)
    assert not again[0].anything
    assert AuditEntry.objects.filter(action="analytics.retention_purge").count() == 1


def test_student_weeks_go_after_the_longest_retention_school_weeks_stay(
    setup: Setup, world: Any
) -> None:
    setup.long.retention_days = 30
    setup.long.save()
    old = NOW - dt.timedelta(days=70)
    ids = setup.send([stmt("elem_student", when=old)], setup.short)
    ids += setup.send([stmt("elem_student2", when=old)], setup.long)
    setup.send([stmt("elem_student", when=NOW - dt.timedelta(days=2))], setup.short)
    _age(ids, 70)
    setup.learning.roll()
    schools_before = _school_rows()
    assert StudentWeek.objects.count() == 3

    (report,) = retention_purge(county_id=setup.county.pk, today=TODAY)

    assert report.student_weeks == 2 and report.statements == 2 and report.student_days == 2
    assert list(StudentWeek.objects.values_list("person__external_id", flat=True)) == [
        "elem_student"
    ]
    assert StudentWeek.objects.get().week >= report.week_cutoff
    assert _school_rows() == schools_before  # aggregates, not personal: kept


def test_actors_with_nothing_left_go(setup: Setup, world: Any) -> None:
    old = NOW - dt.timedelta(days=60)
    ids = setup.send([stmt("adl-gone", when=old), stmt("adl-back", when=old)], setup.short)
    setup.send([stmt("adl-back", when=NOW - dt.timedelta(days=1))], setup.short)
    _age(ids, 60)
    setup.learning.roll()
    ActorLink.objects.filter(actor_key__endswith="|adl-gone").update(
        last_seen=NOW - dt.timedelta(days=60)
    )
    (report,) = retention_purge(county_id=setup.county.pk, today=TODAY)
    assert report.actors == 1
    keys = set(ActorLink.objects.values_list("actor_key", flat=True))
    assert any(k.endswith("|adl-back") for k in keys)
    assert not any(k.endswith("|adl-gone") for k in keys)


def test_dry_run_counts_what_a_purge_deletes_and_changes_nothing(setup: Setup) -> None:
    old = NOW - dt.timedelta(days=60)
    ids = setup.send([stmt("elem_student", when=old), stmt("adl-x", when=old)], setup.short)
    _age(ids, 60)
    setup.learning.roll()
    ActorLink.objects.update(last_seen=NOW - dt.timedelta(days=60))
    counts = (Statement.objects.count(), StudentDay.objects.count(), ActorLink.objects.count())
    (dry,) = retention_purge(county_id=setup.county.pk, today=TODAY, dry_run=True)
    assert counts == (
        Statement.objects.count(),
        StudentDay.objects.count(),
        ActorLink.objects.count(),
    )
    assert not AuditEntry.objects.filter(action="analytics.retention_purge").exists()
    (real,) = retention_purge(county_id=setup.county.pk, today=TODAY)
    assert (dry.statements, dry.student_days, dry.actors, dry.student_weeks) == (
        real.statements,
        real.student_days,
        real.actors,
        real.student_weeks,
    )
    assert real.statements == 2 and real.student_days == 2 and real.actors == 2


def test_a_voiding_statement_for_a_purged_target_subtracts_nothing(setup: Setup) -> None:
    """Statements go by when they were stored; their StudentDays by the day they happened.
    A statement stored long ago about a recent day is purged while its StudentDay stays: a
    voiding statement arriving afterwards finds no target and must not take the day away."""
    target = stmt("elem_student", when=NOW - dt.timedelta(days=2), seconds=600)
    ids = setup.send([target], setup.short)
    _age(ids, 60)
    setup.learning.roll()
    retention_purge(county_id=setup.county.pk, today=TODAY)
    assert not Statement.objects.filter(statement_id=target["id"]).exists()
    day = StudentDay.objects.get()
    setup.send([void(target["id"])], setup.short)
    setup.learning.roll()
    assert StudentDay.objects.get().seconds == day.seconds == 600
    assert SchoolWeek.objects.get().seconds == 600


def test_a_voiding_statement_whose_target_stays_is_kept(setup: Setup) -> None:
    """The short-lived platform voids a statement of the long-lived one: the voiding statement
    stays as long as its target, so a rebuild still does not count the target."""
    target = stmt("elem_student", when=NOW - dt.timedelta(days=40))
    kept_ids = setup.send([target], setup.long)
    voider = void(target["id"])
    setup.send([voider], setup.short)
    _age([*kept_ids, voider["id"]], 40)
    setup.learning.roll()
    assert not StudentDay.objects.exists()
    (report,) = retention_purge(county_id=setup.county.pk, today=TODAY)
    assert report.statements == 0
    assert Statement.objects.filter(statement_id=voider["id"]).exists()
    rollup_rebuild(county_id=setup.county.pk, margin_ms=0)
    assert not StudentDay.objects.exists()


def test_no_retention_period_deletes_nothing(setup: Setup, settings: Any) -> None:
    Platform.objects.update(retention_days=0)
    settings.LRS_RETENTION_DAYS = 0
    ids = setup.send([stmt("elem_student", when=NOW - dt.timedelta(days=900))], setup.short)
    _age(ids, 900)
    setup.learning.roll()
    (report,) = retention_purge(county_id=setup.county.pk, today=TODAY)
    assert report.platforms == [] and not report.anything
    assert Statement.objects.count() == 1 and StudentDay.objects.count() == 1


def test_records_of_no_registered_platform_follow_the_lrs_retention(
    learning: Any, settings: Any
) -> None:
    learning.send([stmt("elem_student", when=NOW - dt.timedelta(days=100))])
    learning.roll()
    settings.LRS_RETENTION_DAYS = 0
    (report,) = retention_purge(county_id=learning.county("A").pk, today=TODAY)
    assert not report.anything and StudentDay.objects.count() == 1
    settings.LRS_RETENTION_DAYS = 60
    (report,) = retention_purge(county_id=learning.county("A").pk, today=TODAY)
    # its StudentDay goes; statements without a platform credential are `dtss lrs purge`'s
    assert report.student_days == 1 and not StudentDay.objects.exists()
    assert Statement.objects.count() == 1


def test_another_county_is_untouched(setup: Setup, learning: Any, world: Any) -> None:
    b_cred = credential_create(name="b", county=world.counties["B"]).credential
    Platform.objects.create(
        county=world.counties["B"], name="因材網", kind="adl", credential=b_cred, retention_days=30
    )
    old = NOW - dt.timedelta(days=60)
    ids = learning.send([stmt("b_student", when=old)], county="B", credential_id=b_cred.pk)
    ids += setup.send([stmt("elem_student", when=old)], setup.short)
    _age(ids, 60)
    learning.roll()
    learning.roll("B")
    retention_purge(county_id=setup.county.pk, today=TODAY)
    assert Statement.objects.filter(store=world.counties["B"].pk).count() == 1
    assert StudentDay.objects.filter(county=world.counties["B"]).count() == 1
    assert not StudentDay.objects.filter(county=setup.county).exists()
