"""Identity services: mapping an actor moves its records; unmapping; the mapping import (good
and bad files); automatic resolution run again; the unresolved-actor export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dtss.analytics import identity_selectors as sel
from dtss.analytics.identity_services import (
    ImportRejected,
    actor_map,
    actor_unmap,
    actors_import,
    actors_resolve,
)
from dtss.analytics.models import ActorLink, Platform, SchoolWeek, StudentDay, StudentWeek
from dtss.analytics.tests.conftest import HOME, stmt
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Taipei
OTHER_HOME = "https://www.coolenglish.edu.tw"


def _key(name: str, home: str = HOME) -> str:
    return f"account:{home}|{name}"


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def unresolved(learning: Any) -> Any:
    """Two unresolved actors of county A with records on two days, rolled up."""
    learning.send(
        [
            stmt("adl-0042", when=T0, seconds=600),
            stmt("adl-0042", when=T0 + dt.timedelta(days=1), seconds=300),
            stmt("adl-0043", when=T0, seconds=120),
        ]
    )
    learning.roll()
    return learning


def test_mapping_moves_the_records_and_is_audited(unresolved: Any, world: Any) -> None:
    link = ActorLink.objects.get(actor_key=_key("adl-0042"))
    assert link.person is None and not StudentWeek.objects.exists()
    user = world.users["a_admin"]
    person = world.people["elem_student2"]

    actor_map(actor=user, link=link, person=person)

    link.refresh_from_db()
    assert link.person == person and link.method == ActorLink.Method.MANUAL
    assert link.resolved_by == user and link.resolved_at is not None
    assert StudentDay.objects.filter(actor=link, person=person).count() == 2
    week = StudentWeek.objects.get(person=person)
    assert (week.active_days, week.seconds, week.school_class) == (
        2,
        900,
        world.classes["A-elem 5-1"],
    )
    assert SchoolWeek.objects.get().students == 1
    entry = AuditEntry.objects.get(action="analytics.actor_map")
    assert entry.actor == user and entry.county == world.counties["A"]
    assert entry.detail["person"] == str(person.public_id)


def test_mapping_to_a_person_of_another_county_is_refused(unresolved: Any, world: Any) -> None:
    link = ActorLink.objects.get(actor_key=_key("adl-0042"))
    with pytest.raises(ValidationError):
        actor_map(actor=world.users["a_admin"], link=link, person=world.people["b_student"])
    link.refresh_from_db()
    assert link.person is None
    assert not StudentWeek.objects.exists()
    assert not AuditEntry.objects.filter(action="analytics.actor_map").exists()


def test_unmapping_takes_the_records_back(unresolved: Any, world: Any) -> None:
    link = ActorLink.objects.get(actor_key=_key("adl-0042"))
    actor_map(actor=world.users["a_admin"], link=link, person=world.people["elem_student"])
    assert SchoolWeek.objects.exists()
    actor_unmap(actor=world.users["a_admin"], link=link)
    link.refresh_from_db()
    assert link.person is None and link.method == "" and link.resolved_at is None
    assert StudentDay.objects.filter(actor=link, person=None).count() == 2
    assert not StudentWeek.objects.exists() and not SchoolWeek.objects.exists()
    assert AuditEntry.objects.filter(action="analytics.actor_unmap").count() == 1


def test_import_maps_every_row_and_skips_empty_external_ids(unresolved: Any, world: Any) -> None:
    county = world.counties["A"]
    content = _csv(
        "account_name,external_id,actor",
        "adl-0042,elem_student,whatever",
        "adl-0043,elem_student2,",
        "adl-9999,,",  # left empty: skipped (the export comes back partly filled in)
    )
    result = actors_import(
        actor=world.users["a_admin"], county=county, filename="map.csv", content=content
    )
    assert (result.rows, result.mapped, result.unchanged, result.skipped) == (3, 2, 0, 1)
    links = dict(
        ActorLink.objects.filter(county=county).values_list("actor_key", "person__external_id")
    )
    assert links == {_key("adl-0042"): "elem_student", _key("adl-0043"): "elem_student2"}
    assert SchoolWeek.objects.get().students == 2
    assert AuditEntry.objects.get(action="analytics.actors_import").detail["mapped"] == 2
    # the same file again changes nothing
    again = actors_import(
        actor=world.users["a_admin"], county=county, filename="map.csv", content=content
    )
    assert (again.mapped, again.unchanged) == (0, 2)


def test_import_with_chinese_headers_and_xlsx(unresolved: Any, world: Any) -> None:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["平臺帳號", "學號"])
    ws.append(["adl-0042", "elem_student"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = actors_import(
        actor=world.users["a_admin"],
        county=world.counties["A"],
        filename="map.xlsx",
        content=buffer.getvalue(),
    )
    assert result.mapped == 1
    assert ActorLink.objects.get(actor_key=_key("adl-0042")).person == world.people["elem_student"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["account_name,external_id", "adl-0042,nobody"], {(2, "external_id")}),
        (["account_name,external_id", "adl-7777,elem_student"], {(2, "account_name")}),
        (
            ["account_name,external_id", "adl-0042,elem_student", "adl-0042,elem_student2"],
            {(3, "account_name")},
        ),
        (["account_name,external_id", ",elem_student"], {(2, "account_name")}),
        (["account_name,external_id", "adl-0042,b_student"], {(2, "external_id")}),
        (["account_name,student", "adl-0042,elem_student"], {(None, "external_id")}),
        (["account_name,external_id"], {(None, "")}),
    ],
    ids=[
        "unknown-person",
        "unknown-actor",
        "actor-twice",
        "empty-account",
        "person-of-another-county",
        "missing-column",
        "no-rows",
    ],
)
def test_a_bad_file_changes_nothing(
    unresolved: Any, world: Any, rows: list[str], expected: set[tuple[int | None, str]]
) -> None:
    good_first = ["adl-0043,elem_student2"] if len(rows) > 1 else []
    content = _csv(rows[0], *good_first, *[r for r in rows[1:]])
    with pytest.raises(ImportRejected) as info:
        actors_import(
            actor=world.users["a_admin"],
            county=world.counties["A"],
            filename="map.csv",
            content=content,
        )
    shifted = {(row + 1 if row and good_first else row, f) for row, f in expected}
    assert {(p.row, p.field) for p in info.value.problems} == shifted
    assert all(p.message for p in info.value.problems)
    assert not ActorLink.objects.filter(person__isnull=False).exists()  # the good row too
    assert not StudentWeek.objects.exists()
    assert not AuditEntry.objects.filter(action="analytics.actors_import").exists()


def test_an_account_on_two_platforms_needs_the_home_page(learning: Any, world: Any) -> None:
    learning.send(
        [stmt("kid-1", when=T0), stmt("kid-1", when=T0, home=OTHER_HOME, subject="english")]
    )
    learning.roll()
    county = world.counties["A"]
    with pytest.raises(ImportRejected) as info:
        actors_import(
            actor=world.users["a_admin"],
            county=county,
            filename="m.csv",
            content=_csv("account_name,external_id", "kid-1,elem_student"),
        )
    assert [(p.row, p.field) for p in info.value.problems] == [(2, "account_name")]
    result = actors_import(
        actor=world.users["a_admin"],
        county=county,
        filename="m.csv",
        content=_csv("account_name,external_id,home_page", f"kid-1,elem_student,{OTHER_HOME}"),
    )
    assert result.mapped == 1
    assert ActorLink.objects.get(actor_key=_key("kid-1", OTHER_HOME)).person_id
    assert ActorLink.objects.get(actor_key=_key("kid-1")).person_id is None
    # or by choosing the platform, whose home page tells them apart
    platform = Platform.objects.create(
        county=county, name="因材網", kind="adl", account_home_page=HOME + "/"
    )
    result = actors_import(
        actor=world.users["a_admin"],
        county=county,
        filename="m.csv",
        content=_csv("account_name,external_id", "kid-1,elem_student2"),
        platform=platform,
    )
    assert result.mapped == 1
    assert ActorLink.objects.get(actor_key=_key("kid-1")).person == world.people["elem_student2"]


def test_resolution_again_after_people_were_imported(unresolved: Any, world: Any) -> None:
    county = world.counties["A"]
    kid = org_services.person_create(county=county, name="新同學", external_id="adl-0042")
    org_services.enrollment_create(
        student=kid, school_class=world.classes["A-elem 5-1"], seat_number=9
    )
    result = actors_resolve(actor=world.users["a_admin"], county=county)
    assert (result.checked, result.resolved) == (2, 1)
    link = ActorLink.objects.get(actor_key=_key("adl-0042"))
    assert link.person == kid and link.method == ActorLink.Method.EXTERNAL_ID
    assert StudentWeek.objects.get(person=kid).active_days == 2
    assert AuditEntry.objects.get(action="analytics.actors_resolve").detail["resolved"] == 1
    # nothing left to resolve for adl-0043: running again changes nothing
    assert actors_resolve(actor=None, county=county).resolved == 0


def test_resolution_again_follows_the_platform_scheme(learning: Any, world: Any) -> None:
    county = world.counties["A"]
    platform = Platform.objects.create(
        county=county,
        name="均一",
        kind="junyi",
        account_home_page="https://www.junyiacademy.org",
        identity_scheme=Platform.IdentityScheme.MAPPING,
    )
    learning.send([stmt("sub-1", when=T0, home="https://www.junyiacademy.org")])
    learning.roll()
    link = ActorLink.objects.get()
    assert link.platform_id == platform.pk and link.person is None
    kid = org_services.person_create(county=county, name="甲", external_id="sub-1")
    # the platform's own ids are mapped by hand: an equal external ID is not a match
    assert actors_resolve(actor=None, county=county).resolved == 0
    platform.identity_scheme = Platform.IdentityScheme.OPENID_SUB
    platform.save()
    kid.openid_sub = "sub-1"
    kid.save()
    assert actors_resolve(actor=None, county=county, platform_id=platform.pk).resolved == 1
    link.refresh_from_db()
    assert link.person == kid and link.method == ActorLink.Method.OPENID_SUB


def test_unresolved_export_rows(unresolved: Any, world: Any) -> None:
    county = world.counties["A"]
    actor_map(
        actor=None,
        link=ActorLink.objects.get(actor_key=_key("adl-0043")),
        person=world.people["elem_student"],
    )
    rows = list(sel.unresolved_export_rows(county=county))
    assert len(rows) == 1
    row = dict(zip(sel.EXPORT_HEADERS, rows[0], strict=True))
    assert (row["account_name"], row["home_page"], row["records"], row["external_id"]) == (
        "adl-0042",
        HOME,
        2,
        "",
    )
    assert list(sel.unresolved_export_rows(county=world.counties["B"])) == []


def test_counts_and_list_filters(unresolved: Any, world: Any) -> None:
    county = world.counties["A"]
    actor_map(
        actor=None,
        link=ActorLink.objects.get(actor_key=_key("adl-0043")),
        person=world.people["elem_student"],
    )
    counts = sel.actor_counts(county=county)
    assert (counts.total, counts.resolved, counts.unresolved, counts.unresolved_records) == (
        2,
        1,
        1,
        2,
    )
    assert [a.actor_key for a in sel.actor_list(county=county)] == [_key("adl-0042")]
    assert [a.actor_key for a in sel.actor_list(county=county, status="resolved")] == [
        _key("adl-0043")
    ]
    assert sel.actor_list(county=county, status="all", query="0043").count() == 1
    assert sel.actor_list(county=county, status="all", platform_id=0).count() == 2
    assert sel.actor_list(county=county, status="all", platform_id=99).count() == 0
    found = sel.people_search(county=county, query="elem_student2")
    assert found == [world.people["elem_student2"]]
    assert sel.people_search(county=county, query="b_student") == []  # another county
    places = sel.placements([world.people["elem_student2"].pk, world.people["elem_teacher"].pk])
    assert "南投國小" in places[world.people["elem_student2"].pk][0].school
    assert places[world.people["elem_teacher"].pk][0].school == "南投國小"
