"""Bad input gets a 422 naming each failing field, and changes nothing (DESIGN rule 5)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from dtss.api.tests.conftest import ApiWorld, call, row_counts
from dtss.orgs.models import AcademicTerm, School


def _fields(response: Any) -> set[str | None]:
    return {error["field"] for error in response.json()["detail"]}


def _refused(api_world: ApiWorld, role: str, method: str, path: str, body: Any) -> Any:
    client = api_world.bearer(role)
    before = row_counts()
    response = call(client, method, api_world.fill(path), api_world.fill(body))
    assert response.status_code == 422, response.content
    assert row_counts() == before
    return response


GOOD_SCHOOL = {
    "district": "{district:A}",
    "code": "083602",
    "name_zh": "新國小",
    "stage": "elementary",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "12AB"}, "code"),
        ({"code": "0836021"}, "code"),
        ({"code": "083601"}, "code"),  # taken by A-elem
        ({"district": str(uuid.uuid4())}, "district"),  # no such district
        ({"district": "{district:B}"}, "district"),  # another county's: the same answer
        ({"district": "not-a-uuid"}, "district"),
        ({"stage": "kindergarten"}, "stage"),
        ({"student_count": -1}, "student_count"),
        ({"name_zh": None}, "name_zh"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_create_school_bad_input(api_world: ApiWorld, change: dict[str, Any], field: str) -> None:
    response = _refused(api_world, "a_admin", "POST", "/schools", {**GOOD_SCHOOL, **change})
    assert field in _fields(response)
    assert all(e["message"] for e in response.json()["detail"])


def test_unknown_and_foreign_district_read_the_same(api_world: ApiWorld) -> None:
    missing = _refused(
        api_world, "a_admin", "POST", "/schools", {**GOOD_SCHOOL, "district": str(uuid.uuid4())}
    )
    foreign = _refused(
        api_world, "a_admin", "POST", "/schools", {**GOOD_SCHOOL, "district": "{district:B}"}
    )
    assert missing.json() == foreign.json()


def test_every_failing_field_is_listed(api_world: ApiWorld) -> None:
    response = _refused(api_world, "a_admin", "POST", "/schools", {"code": 5, "stage": "x"})
    assert {"district", "name_zh", "stage", "code"} <= _fields(response)
    assert {e["location"] for e in response.json()["detail"]} == {"body"}


def test_create_school_good_input(api_world: ApiWorld) -> None:
    response = call(api_world.bearer("a_admin"), "POST", "/schools", api_world.fill(GOOD_SCHOOL))
    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "083602" and body["county"]["code"] == "10008"
    assert body["district"]["code"] == "A1" and body["can_edit"] is True
    assert School.objects.get(code="083602").county == api_world.objects["county:A"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "999999"}, "code"),  # not changeable here
        ({"name_zh": None}, "name_zh"),
        ({"stage": "nursery"}, "stage"),
        ({"student_count": "many"}, "student_count"),
        ({"name_zh": ""}, "name_zh"),  # full_clean in the service
    ],
)
def test_patch_school_bad_input(api_world: ApiWorld, body: dict[str, Any], field: str) -> None:
    response = _refused(api_world, "elem_admin", "PATCH", "/schools/{school:A-elem}", body)
    assert field in _fields(response)
    api_world.objects["school:A-elem"].refresh_from_db()
    assert api_world.objects["school:A-elem"].name_zh == "南投國小"


def test_patch_school_changes_only_what_is_sent(api_world: ApiWorld) -> None:
    client = api_world.bearer("elem_admin")
    response = call(client, "PATCH", api_world.fill("/schools/{school:A-elem}"), {"area": "remote"})
    assert response.status_code == 200 and response.json()["area"] == "remote"
    school = School.objects.get(code="083601")
    assert (school.area, school.name_zh, school.student_count) == ("remote", "南投國小", 300)


def test_class_with_a_foreign_teacher_creates_no_term(api_world: ApiWorld) -> None:
    body = {
        "school": "{school:A-elem}",
        "roc_year": 115,
        "semester": 2,
        "grade": 3,
        "number": 1,
        "homeroom_teacher": "{person:junior_teacher}",  # teaches at A-junior
    }
    response = _refused(api_world, "a_admin", "POST", "/classes", body)
    assert _fields(response) == {"homeroom_teacher"}
    assert not AcademicTerm.objects.filter(roc_year=115).exists()


def test_duplicate_class(api_world: ApiWorld) -> None:
    body = {"school": "{school:A-elem}", "roc_year": 114, "semester": 1, "grade": 5, "number": 1}
    response = _refused(api_world, "elem_admin", "POST", "/classes", body)
    assert response.json()["detail"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "role": "teacher"}, "school"),  # a school role needs a school
        ({"name": "x", "role": "county_staff"}, "county"),
        ({"name": "x", "role": "moe_viewer", "county": "10008"}, "role"),
        (
            {
                "name": "x",
                "role": "teacher",
                "school": "{school:A-elem}",
                "external_id": "elem_student",
            },
            "external_id",
        ),
        ({"name": "", "role": "teacher", "school": "{school:A-elem}"}, "name"),
        ({"name": "x", "role": "janitor", "school": "{school:A-elem}"}, "role"),
    ],
)
def test_create_person_bad_input(api_world: ApiWorld, body: dict[str, Any], field: str) -> None:
    response = _refused(api_world, "a_admin", "POST", "/people", body)
    assert field in _fields(response)


def test_create_person_with_role(api_world: ApiWorld) -> None:
    body = {"name": "王老師", "role": "teacher", "school": "{school:A-elem}", "title": "director"}
    response = call(api_world.bearer("elem_admin"), "POST", "/people", api_world.fill(body))
    assert response.status_code == 201
    created = response.json()
    assert created["county"] == "10008"
    assert [(m["role"], m["title"], m["school"]["code"]) for m in created["memberships"]] == [
        ("teacher", "director", "083601")
    ]


def test_school_person_add_student_needs_a_seat(api_world: ApiWorld) -> None:
    body = {"name": "新同學", "role": "student", "school_class": "{class:A-elem}", "seat_number": 1}
    response = _refused(api_world, "elem_admin", "POST", "/schools/{school:A-elem}/people", body)
    assert _fields(response) == {"seat_number"}  # seat 1 is taken
    other = {**body, "school_class": "{class:B-elem}", "seat_number": 9}
    response = _refused(api_world, "elem_admin", "POST", "/schools/{school:A-elem}/people", other)
    assert _fields(response) == {"school_class"}
    ok = call(
        api_world.bearer("elem_admin"),
        "POST",
        api_world.fill("/schools/{school:A-elem}/people"),
        api_world.fill({**body, "seat_number": 3}),
    )
    assert ok.status_code == 201
    assert [e["seat_number"] for e in ok.json()["enrollments"]] == [3]


def test_query_and_path_errors(api_world: ApiWorld) -> None:
    client = api_world.bearer("moe")
    response = call(client, "GET", "/schools?stage=nursery")
    assert response.status_code == 422
    assert response.json()["detail"][0] | {"message": ""} == {
        "field": "stage",
        "location": "query",
        "message": "",
    }
    response = call(client, "GET", "/schools/not-a-uuid")
    assert response.status_code == 422 and _fields(response) == {"public_id"}
    assert call(client, "GET", "/schools?limit=100000").status_code == 422


def test_office_bad_references(api_world: ApiWorld) -> None:
    # a group of another office, an owner from another county
    body = {"title": "x", "group": "{group:B}"}
    assert _fields(
        _refused(api_world, "a_admin", "POST", "/office/plans/{plan:A}/tasks", body)
    ) == {"group"}
    body = {"title": "x", "owner": "{person:b_teacher}"}
    assert _fields(
        _refused(api_world, "a_admin", "POST", "/office/plans/{plan:A}/tasks", body)
    ) == {"owner"}
    body = {"status": "finished"}
    assert _fields(_refused(api_world, "a_admin", "PATCH", "/office/tasks/{task:A}", body)) == {
        "status"
    }
    body = {"county": "10008", "kind": "teaching", "name": "group A"}  # duplicate name
    assert _refused(api_world, "a_admin", "POST", "/office/groups", body)
    body = {"county": "10008", "name": "again"}
    assert _fields(_refused(api_world, "a_admin", "POST", "/office", body)) == {"county"}


def test_guardianship_twice(api_world: ApiWorld) -> None:
    body = {"parent": "{person:elem_parent}", "child": "{person:elem_student}"}
    _refused(api_world, "a_admin", "POST", "/guardianships", body)
    body = {"parent": "{person:elem_student}", "child": "{person:elem_student}"}
    assert _fields(_refused(api_world, "a_admin", "POST", "/guardianships", body)) == {"parent"}
