"""`dtss manage analytics process|rebuild|status|purge`."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dtss.analytics.models import ActorLink, Platform, RollupState, SchoolWeek, StudentDay
from dtss.analytics.tests.conftest import stmt
from dtss.lrs.credential_services import credential_create
from dtss.lrs.models import Statement

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analytics", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sent(learning: Any, settings: Any) -> Any:
    settings.LRS_CONSISTENCY_MARGIN_MS = 0  # the command uses the configured margin
    learning.send([stmt("elem_student", when=T0), stmt("adl-0042", when=T0)])
    learning.send([stmt("b_student", when=T0)], county="B")
    return learning


def test_process_every_county_or_one(sent: Any, world: Any) -> None:
    out = run("process", "--county", "10002")
    assert "10002" in out and "1 statements read" in out
    assert set(StudentDay.objects.values_list("county__code", flat=True)) == {"10002"}
    out = run("process")
    assert "10008" in out and "Done: 2 statements read." in out
    assert StudentDay.objects.filter(county=world.counties["A"]).count() == 2
    assert "Done: 0 statements read." in run("process")


def test_bad_county_is_a_usage_error(sent: Any) -> None:
    for args in (["process", "--county", "99999"], ["purge", "--county", "x"]):
        with pytest.raises(CommandError) as info:
            run(*args)
        assert info.value.returncode == 2
    with pytest.raises(CommandError):
        run("rebuild")  # --county is required
    with pytest.raises(CommandError) as info:
        run("purge", "--today", "yesterday")
    assert info.value.returncode == 2
    assert not StudentDay.objects.exists()


def test_rebuild_reads_everything_again(sent: Any, world: Any) -> None:
    run("process")
    a_weeks = SchoolWeek.objects.filter(county=world.counties["A"])
    before = sorted(a_weeks.values_list("school_id", "week", "students", "seconds"))
    a_weeks.delete()  # damage county A's rollups
    out = run("rebuild", "--county", "10008")
    assert "rebuilt from 2 statements" in out
    after = sorted(a_weeks.values_list("school_id", "week", "students", "seconds"))
    assert after == before and after
    assert StudentDay.objects.filter(county=world.counties["B"]).exists()  # B untouched


def test_status(sent: Any, world: Any) -> None:
    assert "No county has learning records yet." not in run("status")  # pending counts
    run("process", "--county", "10008")
    data = {row["county"]: row for row in json.loads(run("status", "--json"))}
    assert set(data) == {"10008", "10002"}
    a = data["10008"]
    assert (a["processed"], a["pending"], a["actors_resolved"], a["actors_unresolved"]) == (
        2,
        0,
        1,
        1,
    )
    assert a["student_days"] == 2
    assert data["10002"]["pending"] == 1 and data["10002"]["processed"] == 0
    text = run("status", "--county", "10008")
    assert "processed 2, pending 0, actors resolved 1, unresolved 1, StudentDay rows 2" in text


def test_status_of_an_empty_installation(world: Any) -> None:
    assert "No county has learning records yet." in run("status")
    assert not RollupState.objects.exists()


def test_purge_dry_run_then_real(learning: Any, world: Any, settings: Any) -> None:
    settings.LRS_CONSISTENCY_MARGIN_MS = 0
    county = world.counties["A"]
    cred = credential_create(name="adl", county=county).credential
    Platform.objects.create(
        county=county, name="因材網", kind="adl", credential=cred, retention_days=30
    )
    now = timezone.now()
    ids = learning.send([stmt("adl-0042", when=now - dt.timedelta(days=50))], credential_id=cred.pk)
    Statement.objects.filter(statement_id__in=ids).update(stored=now - dt.timedelta(days=50))
    learning.roll()
    ActorLink.objects.update(last_seen=now - dt.timedelta(days=50))

    out = run("purge", "--county", "10008", "--dry-run")
    assert "因材網: 30 days" in out
    assert "would delete 1 statements, 1 student-day rows, 1 actors" in out
    assert "Dry run: nothing was deleted." in out
    assert Statement.objects.count() == 1 and StudentDay.objects.count() == 1

    out = run("purge")
    assert "deleted 1 statements, 1 student-day rows, 1 actors" in out
    assert "10002" not in out  # no retention period set there: nothing to say
    assert not Statement.objects.exists() and not ActorLink.objects.exists()
    assert "no retention period set" in run("purge", "--county", "10002")
