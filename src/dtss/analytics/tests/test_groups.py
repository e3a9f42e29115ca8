"""The learner-group register: services (add, end, remove, import) and its pages with their
tenancy (names for county administrators only; every list view audited)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtss.analytics import group_selectors as sel
from dtss.analytics.access import pseudonym
from dtss.analytics.group_services import (
    learner_group_add,
    learner_group_end,
    learner_group_remove,
    learner_groups_import,
    parse_day,
)
from dtss.analytics.identity_services import ImportRejected
from dtss.analytics.models import LearnerGroup
from dtss.core.models import AuditEntry

D = dt.date
LIST = reverse("analytics:groups")


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _add(world: Any, name: str = "elem_student", kind: str = "learning_support", **kw: Any) -> Any:
    county = world.people[name].county
    return learner_group_add(
        actor=world.users["a_admin"],
        county=county,
        person=world.people[name],
        kind=kind,
        start_date=kw.pop("start_date", D(2025, 9, 1)),
        **kw,
    )


# --------------------------------------------------------------------------- services


def test_add_end_remove_are_audited(world: Any) -> None:
    group = _add(world)
    assert (group.county, group.kind, group.end_date) == (
        world.counties["A"],
        "learning_support",
        None,
    )
    learner_group_end(actor=world.users["a_admin"], group=group, end_date=D(2026, 1, 20))
    group.refresh_from_db()
    assert group.end_date == D(2026, 1, 20)
    learner_group_remove(actor=world.users["a_admin"], group=group)
    assert not LearnerGroup.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "analytics.learner_group_add",
        "analytics.learner_group_end",
        "analytics.learner_group_remove",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": D(2025, 8, 1)}, "end_date"),
        ({"kind": "nonsense"}, "kind"),
        ({"start_date": D(2025, 12, 1)}, "start_date"),  # overlaps the open membership
    ],
    ids=["end-before-start", "unknown-kind", "overlap"],
)
def test_add_refuses_bad_input(world: Any, change: dict[str, Any], field: str) -> None:
    _add(world)
    with pytest.raises(ValidationError) as info:
        _add(world, **change)
    assert field in info.value.message_dict
    assert LearnerGroup.objects.count() == 1


def test_add_refuses_a_student_of_another_county(world: Any) -> None:
    with pytest.raises(ValidationError):
        learner_group_add(
            actor=None,
            county=world.counties["A"],
            person=world.people["b_student"],
            kind="indigenous",
            start_date=D(2025, 9, 1),
        )
    assert not LearnerGroup.objects.exists()


def test_periods_that_do_not_overlap_are_fine(world: Any) -> None:
    _add(world, end_date=D(2025, 12, 31))
    _add(world, start_date=D(2026, 2, 1))
    _add(world, kind="digital_companion", start_date=D(2025, 10, 1))  # another group
    assert LearnerGroup.objects.count() == 3
    first = LearnerGroup.objects.get(start_date=D(2025, 9, 1))
    with pytest.raises(ValidationError):  # ending later would run into the second period
        learner_group_end(actor=None, group=first, end_date=D(2026, 3, 1))


def test_parse_day() -> None:
    assert parse_day("2025-09-01") == D(2025, 9, 1)
    assert parse_day("2025/9/1") == D(2025, 9, 1)
    assert parse_day("114/09/01") == D(2025, 9, 1)
    assert parse_day("2025-02-30") is None
    assert parse_day("next week") is None


def test_import_adds_updates_and_accepts_chinese_kinds(world: Any) -> None:
    county = world.counties["A"]
    existing = _add(world, kind="low_income", start_date=D(2025, 8, 1))
    content = _csv(
        "external_id,kind,start_date,end_date",
        "elem_student,學習扶助,114/09/01,",
        "elem_student2,digital_companion,2025-09-15,2026-01-20",
        "elem_student,低收入戶,2025-08-01,2026-07-31",  # the recorded one: its end is set
        "elem_student2,原住民,2025-08-01,",
    )
    result = learner_groups_import(
        actor=world.users["a_admin"], county=county, filename="g.csv", content=content
    )
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 3, 1, 0)
    existing.refresh_from_db()
    assert existing.end_date == D(2026, 7, 31)
    kinds = set(
        LearnerGroup.objects.filter(person=world.people["elem_student2"]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"digital_companion", "indigenous"}
    again = learner_groups_import(actor=None, county=county, filename="g.csv", content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert AuditEntry.objects.filter(action="analytics.learner_groups_import").count() == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["nobody,indigenous,2025-09-01,"], {(3, "external_id")}),
        (["elem_student,alien,2025-09-01,"], {(3, "kind")}),
        (["elem_student,indigenous,someday,"], {(3, "start_date")}),
        (["elem_student,indigenous,2025-09-01,later"], {(3, "end_date")}),
        (["elem_student,indigenous,2025-09-01,2025-01-01"], {(3, "end_date")}),
        (["b_student,indigenous,2025-09-01,"], {(3, "external_id")}),
        (["elem_student,learning_support,2025-10-01,"], {(3, "start_date")}),  # overlaps DB
        (
            ["elem_student2,indigenous,2025-09-01,", "elem_student2,原住民,2025-10-01,"],
            {(4, "start_date")},
        ),
        ([",indigenous,2025-09-01,"], {(3, "external_id")}),
    ],
    ids=[
        "unknown-person",
        "unknown-kind",
        "bad-start",
        "bad-end",
        "end-before-start",
        "another-county",
        "overlaps-recorded",
        "overlaps-in-file",
        "empty-id",
    ],
)
def test_a_bad_group_file_changes_nothing(
    world: Any, rows: list[str], expected: set[tuple[int, str]]
) -> None:
    _add(world)  # elem_student in learning_support from 2025-09-01, open
    content = _csv(
        "external_id,kind,start_date,end_date", "elem_student2,新住民,2025-09-01,", *rows
    )
    with pytest.raises(ImportRejected) as info:
        learner_groups_import(
            actor=None, county=world.counties["A"], filename="g.csv", content=content
        )
    assert {(p.row, p.field) for p in info.value.problems} == expected
    assert LearnerGroup.objects.count() == 1  # the good row 2 was not added either


def test_import_refuses_a_file_without_the_columns(world: Any) -> None:
    with pytest.raises(ImportRejected) as info:
        learner_groups_import(
            actor=None,
            county=world.counties["A"],
            filename="g.csv",
            content=_csv("student,kind", "elem_student,indigenous"),
        )
    assert {p.field for p in info.value.problems} == {"external_id", "start_date"}
    with pytest.raises(ImportRejected):
        learner_groups_import(
            actor=None, county=world.counties["A"], filename="g.txt", content=b"x"
        )


def test_counts_by_kind_and_status(world: Any) -> None:
    _add(world, start_date=D(2025, 9, 1))
    _add(world, name="elem_student2", start_date=D(2025, 9, 1), end_date=D(2025, 9, 30))
    _add(world, name="elem_student2", start_date=D(2026, 3, 1))
    _add(world, name="b_student", kind="learning_support")
    counts = {c.kind: c for c in sel.group_counts(county=world.counties["A"], today=D(2025, 11, 1))}
    c = counts["learning_support"]
    assert (c.current, c.upcoming, c.ended, c.programme) == (1, 1, 1, True)
    assert counts["indigenous"].current == 0 and not counts["indigenous"].programme
    rows = sel.group_list(county=world.counties["A"], today=D(2025, 11, 1), status="all")
    assert rows.count() == 3


# --------------------------------------------------------------------------- pages


@pytest.fixture
def members(world: Any) -> dict[str, LearnerGroup]:
    return {
        "a": _add(world, start_date=D(2025, 1, 1)),
        "b": _add(world, name="b_student", kind="indigenous", start_date=D(2025, 1, 1)),
    }


def test_county_admin_sees_names_and_the_view_is_audited(world: Any, members: Any) -> None:
    response = world.client("a_admin").get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "elem_student" in html and "b_student" not in html
    assert 'id="add-member"' in html
    entry = AuditEntry.objects.get(action="analytics.learner_groups_view")
    assert entry.actor == world.users["a_admin"] and entry.county == world.counties["A"]
    assert entry.detail["names"] is True and entry.detail["rows"] == 1


@pytest.mark.parametrize("name", ["a_staff", "moe"])
def test_staff_and_moe_see_pseudonyms_only(world: Any, members: Any, name: str) -> None:
    person = world.people["elem_student"]
    html = world.client(name).get(LIST, {"county": "10008", "q": "elem"}).content.decode()
    assert pseudonym(person.pk) in html
    assert person.name not in html.split('id="groups"')[1]
    assert person.external_id not in html.split('id="groups"')[1]
    assert 'id="add-member"' not in html
    assert AuditEntry.objects.get(action="analytics.learner_groups_view").detail["names"] is False
    assert world.client(name).get(reverse("analytics:groups_export_csv")).status_code == 403
    group = members["a"]
    assert (
        world.client(name)
        .post(reverse("analytics:group_remove", args=[group.public_id]))
        .status_code
        == 403
    )
    assert LearnerGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize(
    "name", ["elem_admin", "elem_teacher", "elem_student", "elem_parent", "outsider"]
)
def test_school_roles_students_parents_get_403(world: Any, members: Any, name: str) -> None:
    client = world.client(name)
    group = members["a"]
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("analytics:group_add")).status_code == 403
    assert client.get(reverse("analytics:groups_import")).status_code == 403
    assert client.get(reverse("analytics:groups_export_csv")).status_code == 403
    assert (
        client.post(
            reverse("analytics:group_end", args=[group.public_id]), {"end_date": "2026-01-01"}
        ).status_code
        == 403
    )
    assert client.post(reverse("analytics:group_remove", args=[group.public_id])).status_code == 403
    assert LearnerGroup.objects.get(pk=group.pk).end_date is None


def test_another_county_is_a_404(world: Any, members: Any) -> None:
    client = world.client("b_admin")
    group = members["a"]
    assert client.get(LIST, {"county": "10008"}).status_code == 404
    assert client.get(reverse("analytics:group_add"), {"county": "10008"}).status_code == 404
    assert client.get(reverse("analytics:groups_import"), {"county": "10008"}).status_code == 404
    assert (
        client.get(reverse("analytics:groups_export_csv"), {"county": "10008"}).status_code == 404
    )
    end = reverse("analytics:group_end", args=[group.public_id])
    assert client.post(end, {"end_date": "2026-01-01"}).status_code == 404
    assert client.post(reverse("analytics:group_remove", args=[group.public_id])).status_code == 404
    assert LearnerGroup.objects.get(pk=group.pk).end_date is None
    # a person of another county cannot be added to one's own register
    own = world.client("a_admin")
    foreign = world.people["b_student"]
    response = own.post(
        reverse("analytics:group_add"),
        {"person": str(foreign.public_id), "kind": "indigenous", "start_date": "2025-09-01"},
    )
    assert response.status_code == 404
    assert LearnerGroup.objects.count() == 2
    # their own register shows their own student only
    html = client.get(LIST).content.decode()
    assert "b_student" in html and "elem_student" not in html


def test_add_end_remove_through_the_pages(world: Any) -> None:
    client = world.client("a_admin")
    url = reverse("analytics:group_add")
    search = client.get(url, {"q": "elem_student2"}).content.decode()
    person = world.people["elem_student2"]
    assert str(person.public_id) in search
    assert (
        "elem_teacher"
        not in client.get(url, {"q": "elem_teacher"}).content.decode().split("</form>")[-1]
    )  # students only
    form = client.get(url, {"person": str(person.public_id)})
    assert 'id="save-group"' in form.content.decode()
    bad = client.post(
        url,
        {
            "person": str(person.public_id),
            "kind": "indigenous",
            "start_date": "2025-09-01",
            "end_date": "2025-01-01",
        },
    )
    assert bad.status_code == 200 and not LearnerGroup.objects.exists()
    done = client.post(
        url, {"person": str(person.public_id), "kind": "indigenous", "start_date": "2025-09-01"}
    )
    assert done.status_code == 302
    group = LearnerGroup.objects.get()
    end = reverse("analytics:group_end", args=[group.public_id])
    assert client.get(end).status_code == 200
    assert client.post(end, {"end_date": "2026-01-20"}).status_code == 302
    group.refresh_from_db()
    assert group.end_date == D(2026, 1, 20)
    remove = reverse("analytics:group_remove", args=[group.public_id])
    assert client.get(remove).status_code == 200 and LearnerGroup.objects.exists()
    assert client.post(remove).status_code == 302
    assert not LearnerGroup.objects.exists()


def test_import_and_export_through_the_pages(world: Any) -> None:
    from openpyxl import load_workbook

    client = world.client("a_admin")
    url = reverse("analytics:groups_import")
    bad = SimpleUploadedFile(
        "g.csv", _csv("external_id,kind,start_date", "x,indigenous,2025-09-01")
    )
    page = client.post(url, {"county": "10008", "file": bad}).content.decode()
    assert 'id="problems"' in page and not LearnerGroup.objects.exists()
    good = SimpleUploadedFile(
        "g.csv", _csv("external_id,kind,start_date", "elem_student,數位學伴,2025-09-01")
    )
    page = client.post(url, {"county": "10008", "file": good}).content.decode()
    assert 'id="import-result"' in page and LearnerGroup.objects.count() == 1
    response = client.get(reverse("analytics:groups_export_csv"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("external_id,name,kind,kind_label,start_date")
    assert lines[1].startswith("elem_student,elem_student,digital_companion,")
    xlsx = client.get(reverse("analytics:groups_export_xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A2"].value == "elem_student" and sheet["E2"].value == "2025-09-01"
    assert AuditEntry.objects.filter(action="analytics.learner_groups_export").count() == 2
    # the export comes back through the import unchanged
    again = SimpleUploadedFile("g.csv", "\n".join(lines).encode())
    page = client.post(url, {"county": "10008", "file": again}).content.decode()
    assert 'id="import-result"' in page and LearnerGroup.objects.count() == 1
