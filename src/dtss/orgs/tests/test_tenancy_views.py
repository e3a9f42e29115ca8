"""The permission matrix for pages: every role × own scope / another school / another county.

Reads as a table: (page, user) → expected status. 404 means "does not exist for you": another
tenant's object looks exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from dtss.conftest import World
from dtss.orgs.models import OfficeTask
from dtss.orgs.services import office_create, office_task_create, work_plan_create

ALL = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
]


def expect(
    ok: set[str], *, forbidden: set[str] = frozenset(), default: int = 404
) -> dict[str, int]:  # type: ignore[assignment]
    return {u: 200 if u in ok else 403 if u in forbidden else default for u in ALL}


STUDENTS_PARENTS = {
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
}

PAGES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "school A-elem": (
        lambda w: reverse("orgs:school_detail", args=[w.schools["A-elem"].public_id]),
        expect(
            {"moe", "a_admin", "a_staff", "elem_admin", "elem_teacher"}, forbidden=STUDENTS_PARENTS
        ),
    ),
    "school B-elem": (
        lambda w: reverse("orgs:school_detail", args=[w.schools["B-elem"].public_id]),
        expect({"moe", "b_admin", "b_teacher"}, forbidden=STUDENTS_PARENTS),
    ),
    "edit school A-elem": (
        lambda w: reverse("orgs:school_edit", args=[w.schools["A-elem"].public_id]),
        expect({"a_admin", "elem_admin"}),
    ),
    "class A-elem 5-1": (
        lambda w: reverse("orgs:class_detail", args=[w.classes["A-elem 5-1"].public_id]),
        expect(
            {
                "moe",
                "a_admin",
                "a_staff",
                "elem_admin",
                "elem_teacher",
                "elem_student",
                "elem_student2",
                "elem_parent",
            }
        ),
    ),
    "class A-junior 7-1": (
        lambda w: reverse("orgs:class_detail", args=[w.classes["A-junior 7-1"].public_id]),
        expect({"moe", "a_admin", "a_staff", "junior_admin", "junior_teacher"}),
    ),
    "student elem_student": (
        lambda w: reverse("orgs:person_detail", args=[w.people["elem_student"].public_id]),
        expect(
            {
                "moe",
                "a_admin",
                "a_staff",
                "elem_admin",
                "elem_teacher",
                "elem_student",
                "elem_parent",
            }
        ),
    ),
    "student b_student": (
        lambda w: reverse("orgs:person_detail", args=[w.people["b_student"].public_id]),
        expect({"moe", "b_admin", "b_teacher", "b_student", "b_parent"}),
    ),
    "teacher junior_teacher": (
        lambda w: reverse("orgs:person_detail", args=[w.people["junior_teacher"].public_id]),
        expect({"moe", "a_admin", "a_staff", "junior_admin", "junior_teacher"}),
    ),
    "school list": (
        lambda w: reverse("orgs:school_list"),
        expect(
            {
                "moe",
                "a_admin",
                "a_staff",
                "b_admin",
                "elem_admin",
                "junior_admin",
                "elem_teacher",
                "junior_teacher",
                "b_teacher",
            },
            forbidden=STUDENTS_PARENTS,
        ),
    ),
    "audit log": (
        lambda w: reverse("core:audit"),
        expect(
            {"a_admin", "b_admin", "elem_admin", "junior_admin"},
            forbidden=set(ALL) - {"a_admin", "b_admin", "elem_admin", "junior_admin"},
        ),
    ),
    "office": (
        lambda w: reverse("orgs:office"),
        expect({"a_admin", "a_staff", "b_admin"}),
    ),
    "home": (lambda w: reverse("core:home"), expect(set(ALL))),
}

CASES = [
    (page, user, status) for page, (_, table) in PAGES.items() for user, status in table.items()
]


@pytest.mark.parametrize(("page", "user", "status"), CASES)
def test_page_access(world: World, page: str, user: str, status: int) -> None:
    url = PAGES[page][0](world)
    response = world.client(user).get(url)
    assert response.status_code == status, f"{user} on {page}: {response.status_code}"


def test_anonymous_is_sent_to_login(world: World) -> None:
    from django.test import Client

    url = reverse("orgs:school_detail", args=[world.schools["A-elem"].public_id])
    response = Client().get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("user", "visible", "hidden"),
    [
        ("a_admin", {"南投國小", "南投國中"}, {"宜蘭國小"}),
        ("b_admin", {"宜蘭國小"}, {"南投國小", "南投國中"}),
        ("elem_teacher", {"南投國小"}, {"南投國中", "宜蘭國小"}),
        ("moe", {"南投國小", "南投國中", "宜蘭國小"}, set()),
    ],
)
def test_school_list_and_export_show_only_scope(
    world: World, user: str, visible: set[str], hidden: set[str]
) -> None:
    client = world.client(user)
    for response in (
        client.get(reverse("orgs:school_list")),
        client.get(reverse("orgs:school_list") + "?format=csv"),
    ):
        body = response.content.decode()
        assert all(name in body for name in visible)
        assert not any(name in body for name in hidden)


def test_people_list_shows_only_scope(world: World) -> None:
    body = world.client("elem_teacher").get(reverse("orgs:person_list")).content.decode()
    assert "elem_student" in body and "elem_parent" in body
    assert "b_student" not in body and "junior_teacher" not in body


def test_staff_reading_a_student_is_audited(world: World) -> None:
    from dtss.core.models import AuditEntry

    url = reverse("orgs:person_detail", args=[world.people["elem_student"].public_id])
    world.client("elem_teacher").get(url)
    entry = AuditEntry.objects.get(action="student.read")
    assert entry.actor == world.users["elem_teacher"]
    assert entry.school == world.schools["A-elem"]
    # The parent reading their own child is not a staff read.
    world.client("elem_parent").get(url)
    assert AuditEntry.objects.filter(action="student.read").count() == 1


def _office(world: World) -> Any:
    office = office_create(county=world.counties["A"], name="南投縣數位學習推動辦公室")
    plan = work_plan_create(office=office, roc_year=114, title="114 工作計畫")
    task = office_task_create(plan=plan, title="盤點載具")
    return office, plan, task


def test_office_task_status_outsider_gets_404(world: World) -> None:
    *_rest, task = _office(world)
    url = reverse("orgs:office_task_status", args=[task.public_id])
    for user in ("b_admin", "a_staff", "elem_admin"):
        assert world.client(user).post(url, {"status": "done"}).status_code == 404
    task.refresh_from_db()
    assert task.status == OfficeTask.Status.PLANNED
    assert world.client("a_admin").post(url, {"status": "done"}).status_code == 302
    task.refresh_from_db()
    assert task.status == OfficeTask.Status.DONE


def test_office_group_and_task_added_by_county_admin_only(world: World) -> None:
    office, plan, _task = _office(world)
    url = reverse("orgs:office_group_add")
    assert world.client("b_admin").post(url, {"kind": "equipment", "name": "X"}).status_code == 404
    assert not office.groups.exists()
    world.client("a_admin").post(url, {"kind": "equipment", "name": "資訊設備組"})
    group = office.groups.get()
    assert group.name == "資訊設備組"
    member_url = reverse("orgs:office_member_add")
    # A person of another county cannot be added.
    world.client("a_admin").post(
        member_url, {"group": group.pk, "person": world.people["b_teacher"].pk}
    )
    assert not group.members.exists()
    world.client("a_admin").post(
        member_url, {"group": group.pk, "person": world.people["a_staff"].pk}
    )
    assert list(group.members.all()) == [world.people["a_staff"]]
    task_url = reverse("orgs:office_task_add", args=[plan.public_id])
    assert world.client("b_admin").post(task_url, {"title": "t"}).status_code == 404
    world.client("a_admin").post(
        task_url, {"title": "辦理研習", "group": group.pk, "due_date": "2026-12-01"}
    )
    assert plan.tasks.filter(title="辦理研習", group=group).exists()


def test_school_edit_saves_and_audits(world: World) -> None:
    from dtss.core.models import AuditEntry

    school = world.schools["A-elem"]
    url = reverse("orgs:school_edit", args=[school.public_id])
    data = {
        "name_zh": "南投國小",
        "name_en": "Nantou ES",
        "stage": "elementary",
        "ownership": "public",
        "area": "remote",
        "student_count": 310,
        "address": "",
        "phone": "",
        "active": "on",
    }
    assert world.client("elem_admin").post(url, data).status_code == 302
    school.refresh_from_db()
    assert school.area == "remote" and school.student_count == 310
    assert AuditEntry.objects.filter(action="school.update", school=school).exists()
    bad = dict(data, stage="university")
    response = world.client("elem_admin").post(url, bad)
    assert response.status_code == 200 and "stage" in response.context["form"].errors
    school.refresh_from_db()
    assert school.stage == "elementary"
