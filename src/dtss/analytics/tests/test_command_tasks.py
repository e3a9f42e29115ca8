"""The analytics tasks: the debounced, deferred rollup after a store, and the daily purge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.tasks import default_task_backend
from django.utils import timezone

from dtss.analytics import tasks
from dtss.analytics.models import Platform, StudentDay
from dtss.analytics.tests.conftest import stmt
from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Statement

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_immediate_backend_rolls_up_at_once_and_debounces(learning: Any) -> None:
    county_id = learning.county("A").pk
    learning.send([stmt("elem_student", when=T0)])
    assert tasks.rollup_schedule(county_id=county_id) is True
    assert StudentDay.objects.count() == 1
    learning.send([stmt("elem_student2", when=T0)])
    assert tasks.rollup_schedule(county_id=county_id) is False  # within the debounce window
    assert StudentDay.objects.count() == 1
    assert tasks.rollup_schedule(county_id=learning.county("B").pk) is True  # per county
    cache.delete(tasks._key(county_id))
    assert tasks.rollup_schedule(county_id=county_id) is True
    assert StudentDay.objects.count() == 2


def test_a_deferring_backend_queues_past_the_margin(learning: Any, settings: Any) -> None:
    settings.TASKS = DUMMY
    settings.LRS_CONSISTENCY_MARGIN_MS = 1500
    county_id = learning.county("A").pk
    before = timezone.now()
    assert default_task_backend.supports_defer
    assert tasks.rollup_schedule(county_id=county_id) is True
    assert tasks.rollup_schedule(county_id=county_id) is False
    (queued,) = default_task_backend.results
    assert queued.args == [county_id]
    assert queued.task.name == "rollup_county"
    delay = (queued.task.run_after - before).total_seconds()
    assert 2.5 <= delay < 3.5  # the margin plus a second
    assert not StudentDay.objects.exists()  # nothing ran yet


def test_the_task_comes_back_for_statements_it_had_to_leave(learning: Any, settings: Any) -> None:
    settings.TASKS = DUMMY
    settings.LRS_CONSISTENCY_MARGIN_MS = 60_000  # everything just stored is within the margin
    county_id = learning.county("A").pk
    learning.send([stmt("elem_student", when=T0)])
    assert tasks.rollup_county.call(county_id) == 0
    assert len(default_task_backend.results) == 1  # queued again for the statement left
    settings.LRS_CONSISTENCY_MARGIN_MS = 0
    default_task_backend.clear()
    cache.clear()
    assert tasks.rollup_county.call(county_id) == 1
    assert default_task_backend.results == []  # nothing pending: not queued again
    assert StudentDay.objects.count() == 1


def test_auto_rollup_hook_schedules_only_when_on(
    learning: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        learning.send([stmt("elem_student", when=T0)])
    assert default_task_backend.results == []  # ANALYTICS_AUTO_ROLLUP is off in tests
    settings.ANALYTICS_AUTO_ROLLUP = True
    with django_capture_on_commit_callbacks(execute=True):
        learning.send([stmt("elem_student", when=T0)])
    assert [r.args for r in default_task_backend.results] == [[learning.county("A").pk]]


def test_retention_purge_all_task(learning: Any, world: Any) -> None:
    county = world.counties["A"]
    cred = credential_create(name="adl", county=county).credential
    Platform.objects.create(
        county=county, name="因材網", kind="adl", credential=cred, retention_days=30
    )
    now = timezone.now()
    ids = learning.send(
        [stmt("elem_student", when=now - dt.timedelta(days=40))], credential_id=cred.pk
    )
    Statement.objects.filter(statement_id__in=ids).update(stored=now - dt.timedelta(days=40))
    learning.roll()
    result = tasks.retention_purge_all.enqueue()
    assert result.return_value == {
        "counties": 1,
        "statements": 1,
        "student_days": 1,
        "student_weeks": 1,  # the only platform's retention is the longest: the week goes
        "actors": 0,
    }
    assert not StudentDay.objects.exists()
    # a date given to the task (catch-up runs): 40 days ago nothing was past 30 days yet
    assert tasks.retention_purge_all.enqueue(today="2020-01-01").return_value["statements"] == 0
