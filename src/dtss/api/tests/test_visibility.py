"""What each role finds in the lists and records: the content side of the tenancy matrix.

A parent sees only their own child; a student only themselves; a teacher of A-elem never sees
A-junior's or county B's classes or people; b_admin never sees anything of county A.
"""

from __future__ import annotations

from typing import Any

import pytest

from dtss.api.tests.conftest import ApiWorld, call
from dtss.core.models import AuditEntry
from dtss.orgs import services as org_services
from dtss.orgs.models import County, Role

A_PEOPLE = {
    "moe",
    "a_admin",
    "a_staff",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "elem_student",
    "elem_student2",
    "elem_parent",
    "outsider",
    "new_a_teacher",
}
ELEM_PEOPLE = {
    "elem_admin",
    "elem_teacher",
    "elem_student",
    "elem_student2",
    "elem_parent",
    "new_a_teacher",
}
B_PEOPLE = {"b_admin", "b_teacher", "b_student", "b_parent", "new_b_teacher"}

# list path -> role -> the keys it must list (None: the role gets 403 instead)
LISTS: dict[str, dict[str, set[str] | None]] = {
    "/schools": {
        "moe": {"A-elem", "A-junior", "B-elem"},
        "a_admin": {"A-elem", "A-junior"},
        "a_staff": {"A-elem", "A-junior"},
        "b_admin": {"B-elem"},
        "elem_admin": {"A-elem"},
        "junior_admin": {"A-junior"},
        "elem_teacher": {"A-elem"},
        "junior_teacher": {"A-junior"},
        "b_teacher": {"B-elem"},
        "elem_student": None,
        "elem_parent": None,
        "b_parent": None,
        "outsider": None,
    },
    "/classes": {
        "moe": {"A-elem", "A-junior", "B-elem"},
        "a_admin": {"A-elem", "A-junior"},
        "a_staff": {"A-elem", "A-junior"},
        "b_admin": {"B-elem"},
        "elem_admin": {"A-elem"},
        "junior_admin": {"A-junior"},
        "elem_teacher": {"A-elem"},
        "junior_teacher": {"A-junior"},
        "b_teacher": {"B-elem"},
        "elem_student": None,
        "elem_parent": None,
        "b_parent": None,
        "outsider": None,
    },
    "/people": {
        "moe": A_PEOPLE | B_PEOPLE,
        "a_admin": A_PEOPLE,
        "a_staff": A_PEOPLE,
        "b_admin": B_PEOPLE,
        "elem_admin": ELEM_PEOPLE,
        "elem_teacher": ELEM_PEOPLE,
        "junior_admin": {"junior_admin", "junior_teacher"},
        "junior_teacher": {"junior_admin", "junior_teacher"},
        "b_teacher": {"b_teacher", "b_student", "b_parent", "new_b_teacher"},
        "elem_student": None,
        "elem_parent": None,
        "b_parent": None,
        "outsider": None,
    },
    "/districts": {
        "moe": {"A", "B"},
        "a_admin": {"A"},
        "a_staff": {"A"},
        "b_admin": {"B"},
        "elem_admin": {"A"},
        "junior_admin": {"A"},
        "elem_teacher": {"A"},
        "junior_teacher": {"A"},
        "b_teacher": {"B"},
        "elem_student": {"A"},
        "elem_parent": {"A"},
        "b_parent": {"B"},
        "outsider": set(),
    },
    "/guardianships": {
        "moe": {"A", "B"},
        "a_admin": {"A"},
        "a_staff": {"A"},
        "b_admin": {"B"},
        "elem_admin": {"A"},
        "junior_admin": set(),
        "elem_teacher": {"A"},
        "junior_teacher": set(),
        "b_teacher": {"B"},
        "elem_student": {"A"},  # a student sees their own guardians
        "elem_parent": {"A"},
        "b_parent": {"B"},
        "outsider": set(),
    },
    "/audit?action=test.": {
        "moe": None,
        "a_admin": {"A-elem", "A-junior", "county-A"},
        "a_staff": None,
        "b_admin": {"B-elem", "county-B"},
        "elem_admin": {"A-elem"},
        "junior_admin": {"A-junior"},
        "elem_teacher": None,
        "junior_teacher": None,
        "b_teacher": None,
        "elem_student": None,
        "elem_parent": None,
        "b_parent": None,
        "outsider": None,
    },
}

STAFF = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
]
NOT_STAFF = {"elem_student": None, "elem_parent": None, "b_parent": None, "outsider": None}
A_ASSESSMENTS = {"A-county", "A-elem", "A-junior"}
# The framework's lists (conftest._framework_objects: a cycle per county, plans, cases).
LISTS |= {
    "/cycles": {
        "moe": {"A", "B"},
        "a_admin": {"A"},
        "a_staff": {"A"},
        "b_admin": {"B"},
        "elem_admin": {"A"},
        "junior_admin": {"A"},
        "elem_teacher": {"A"},
        "junior_teacher": {"A"},
        "b_teacher": {"B"},
        **NOT_STAFF,
    },
    "/assessments": {
        "moe": A_ASSESSMENTS | {"B-county", "B-elem"},
        "a_admin": A_ASSESSMENTS,
        "a_staff": A_ASSESSMENTS,
        "b_admin": {"B-county", "B-elem"},
        "elem_admin": {"A-elem"},
        "junior_admin": {"A-junior"},
        "elem_teacher": {"A-elem"},
        "junior_teacher": {"A-junior"},
        "b_teacher": {"B-elem"},
        **NOT_STAFF,
    },
    "/plans": {
        "moe": {"A-elem", "A-county", "B-elem"},
        "a_admin": {"A-elem", "A-county"},
        "a_staff": {"A-elem", "A-county"},
        "b_admin": {"B-elem"},
        "elem_admin": {"A-elem"},
        "junior_admin": set(),
        "elem_teacher": {"A-elem"},
        "junior_teacher": set(),
        "b_teacher": {"B-elem"},
        **NOT_STAFF,
    },
    # Published cases are read by the staff of every county.
    "/cases": {**{role: {"A-elem", "B-elem"} for role in STAFF}, **NOT_STAFF},
}
FRAMEWORK_LISTS = {"/cycles", "/assessments", "/plans", "/cases"}

CASES = [
    pytest.param(path, role, expected, id=f"{path} | {role}")
    for path, table in LISTS.items()
    for role, expected in table.items()
]


def _keys(api_world: ApiWorld, path: str, items: list[dict[str, Any]]) -> set[str]:
    if path.startswith("/audit"):
        return {item["detail"]["key"] for item in items}
    return {api_world.name_of(item["public_id"]) for item in items}


@pytest.mark.parametrize(("path", "role", "expected"), CASES)
def test_list_contents(
    api_world: ApiWorld, path: str, role: str, expected: set[str] | None
) -> None:
    if path in FRAMEWORK_LISTS:
        api_world.framework()
    response = call(
        api_world.bearer(role), "GET", path + ("&" if "?" in path else "?") + "limit=500"
    )
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["items"])
    assert _keys(api_world, path, body["items"]) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("a_admin", {"10008"}),
        ("b_admin", {"10002"}),
        ("elem_teacher", {"10008"}),
        ("b_parent", {"10002"}),
        ("elem_student", {"10008"}),
        ("outsider", set()),
    ],
)
def test_county_list(api_world: ApiWorld, role: str, expected: set[str]) -> None:
    body = call(api_world.bearer(role), "GET", "/counties?limit=500").json()
    assert {c["code"] for c in body["items"]} == expected


def test_county_list_moe_and_school_counts(api_world: ApiWorld) -> None:
    body = call(api_world.bearer("moe"), "GET", "/counties?limit=500").json()
    assert body["count"] == County.objects.count()
    counts = {c["code"]: c["school_count"] for c in body["items"]}
    assert counts["10008"] == 2 and counts["10002"] == 1
    # a school teacher counts only the schools they can see
    mine = call(api_world.bearer("elem_teacher"), "GET", "/counties/10008").json()
    assert mine["school_count"] == 1


def test_paging_has_a_total(api_world: ApiWorld) -> None:
    body = call(api_world.bearer("moe"), "GET", "/schools?limit=2&offset=0").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    rest = call(api_world.bearer("moe"), "GET", "/schools?limit=2&offset=2").json()
    assert len(rest["items"]) == 1
    assert {s["code"] for s in body["items"] + rest["items"]} == {"083601", "083501", "024601"}


def test_school_filters(api_world: ApiWorld) -> None:
    client = api_world.bearer("moe")
    district = api_world.objects["district:B"].public_id

    def codes(query: str) -> list[str]:
        return [s["code"] for s in call(client, "GET", f"/schools?{query}").json()["items"]]

    assert codes("county=10008") == ["083501", "083601"]
    assert codes(f"district={district}") == ["024601"]
    assert codes("stage=junior") == ["083501"]
    assert codes("q=國小&order=-code") == ["083601", "024601"]
    assert codes("q=083501") == ["083501"]
    assert codes("order=-student_count") == ["083501", "083601", "024601"]


def test_person_filters(api_world: ApiWorld) -> None:
    client = api_world.bearer("a_admin")
    school = api_world.objects["school:A-elem"].public_id

    def names(query: str) -> set[str]:
        return {
            p["name"] for p in call(client, "GET", f"/people?limit=500&{query}").json()["items"]
        }

    assert names(f"role=student&school={school}") == {"elem_student", "elem_student2"}
    assert names("role=teacher") == {"elem_teacher", "junior_teacher", "new_a_teacher"}
    assert names("q=elem_p") == {"elem_parent"}
    # a school outside the scope filters to nothing rather than leaking
    b_school = api_world.objects["school:B-elem"].public_id
    assert names(f"school={b_school}") == set()


def test_class_filters_and_roster(api_world: ApiWorld) -> None:
    client = api_world.bearer("elem_teacher")
    items = call(client, "GET", "/classes?roc_year=114&semester=1&grade=5").json()["items"]
    assert [c["label"] for c in items] == ["5年01班"]
    assert items[0]["student_total"] == 2
    assert items[0]["homeroom_teacher"]["name"] == "elem_teacher"
    assert call(client, "GET", "/classes?grade=6").json()["count"] == 0
    roster = call(client, "GET", f"/classes/{items[0]['public_id']}/students").json()
    assert [(r["seat_number"], r["student"]["name"]) for r in roster["items"]] == [
        (1, "elem_student"),
        (2, "elem_student2"),
    ]


def test_parent_sees_only_their_child(api_world: ApiWorld) -> None:
    client = api_world.bearer("elem_parent")
    me = call(client, "GET", "/me").json()
    assert [c["name"] for c in me["scope"]["children"]] == ["elem_student"]
    child = me["scope"]["children"][0]
    assert child["current_class"]["label"] == "5年01班" and child["school_code"] == "083601"
    record = call(client, "GET", f"/people/{child['public_id']}").json()
    assert record["name"] == "elem_student"
    assert record["email"] is None  # contacts only for staff and the person themselves
    assert [e["school_class"]["label"] for e in record["enrollments"]] == ["5年01班"]
    assert [g["parent"]["name"] for g in record["guardians"]] == ["elem_parent"]
    classmate = api_world.objects["person:elem_student2"].public_id
    assert call(client, "GET", f"/people/{classmate}").status_code == 404


def test_student_sees_only_themselves(api_world: ApiWorld) -> None:
    client = api_world.bearer("elem_student")
    me = call(client, "GET", "/me").json()
    assert me["person"]["name"] == "elem_student"
    assert me["current_class"]["label"] == "5年01班"
    assert me["scope"]["student_school_codes"] == ["083601"]
    record = call(client, "GET", f"/people/{me['person']['public_id']}").json()
    assert record["email"] == "elem_student@example.org"
    for other in ("elem_student2", "elem_parent", "elem_teacher", "b_student"):
        public_id = api_world.objects[f"person:{other}"].public_id
        assert call(client, "GET", f"/people/{public_id}").status_code == 404, other


def test_me_summarises_the_scope(api_world: ApiWorld) -> None:
    me = call(api_world.bearer("a_admin"), "GET", "/me").json()
    assert me["username"] == "a_admin"
    assert [r["role"] for r in me["roles"]] == ["county_admin"]
    assert me["scope"]["county_codes"] == ["10008"] and me["scope"]["admin_county_codes"] == [
        "10008"
    ]
    outsider = call(api_world.bearer("outsider"), "GET", "/me").json()
    assert outsider["roles"] == [] and outsider["scope"]["county_codes"] == []


def test_records_show_only_roles_inside_the_scope(api_world: ApiWorld) -> None:
    """A person working in two counties: each side sees only its own role of theirs."""
    w = api_world.world
    org_services.membership_create(
        person=w.people["b_teacher"], role=Role.TEACHER, school=w.schools["A-elem"]
    )
    public_id = w.people["b_teacher"].public_id
    seen_in_a = call(api_world.bearer("elem_teacher"), "GET", f"/people/{public_id}").json()
    assert [m["school"]["code"] for m in seen_in_a["memberships"]] == ["083601"]
    seen_in_b = call(api_world.bearer("b_admin"), "GET", f"/people/{public_id}/memberships").json()
    assert [m["school"]["code"] for m in seen_in_b["items"]] == ["024601"]


def test_roster_needs_staff_of_that_school(api_world: ApiWorld) -> None:
    """A teacher of A-junior who is also a parent at A-elem sees their child's class, but not
    its roster."""
    w = api_world.world
    org_services.guardianship_create(
        parent=w.people["junior_teacher"], child=w.people["elem_student2"], relation="father"
    )
    client = api_world.bearer("junior_teacher")
    class_id = w.classes["A-elem 5-1"].public_id
    assert call(client, "GET", f"/classes/{class_id}").status_code == 200
    assert call(client, "GET", f"/classes/{class_id}/students").status_code == 403
    other = w.people["elem_student"].public_id
    assert call(client, "GET", f"/people/{other}").status_code == 404


def test_staff_reading_a_student_is_audited(api_world: ApiWorld) -> None:
    student = api_world.objects["person:elem_student"]
    reads = AuditEntry.objects.filter(action="student.read", object_id=str(student.public_id))
    call(api_world.bearer("elem_teacher"), "GET", f"/people/{student.public_id}")
    entry = reads.get()
    assert entry.actor_name == "elem_teacher"
    assert entry.school == api_world.objects["school:A-elem"]
    assert entry.detail == {"via": "api", "part": "record"}
    call(api_world.bearer("a_admin"), "GET", f"/people/{student.public_id}/memberships")
    assert reads.count() == 2
    # the student themselves, their parent and a refused reader leave no entry
    for role in ("elem_student", "elem_parent", "b_admin"):
        call(api_world.bearer(role), "GET", f"/people/{student.public_id}")
    assert reads.count() == 2
    # and the administrator finds the reads in their audit log
    log = call(api_world.bearer("elem_admin"), "GET", "/audit?action=student.read").json()
    assert [e["actor_name"] for e in log["items"]] == ["a_admin", "elem_teacher"]


def test_office_contents(api_world: ApiWorld) -> None:
    body = call(api_world.bearer("a_staff"), "GET", "/office").json()
    assert body["county"]["code"] == "10008" and body["can_edit"] is False
    assert body["office"]["name"] == "office A"
    assert [g["name"] for g in body["groups"]] == ["group A"]
    assert [m["name"] for m in body["groups"][0]["members"]] == ["a_admin"]
    assert [(p["title"], [t["title"] for t in p["tasks"]]) for p in body["plans"]] == [
        ("plan A", ["task A"])
    ]
    assert call(api_world.bearer("a_admin"), "GET", "/office").json()["can_edit"] is True
