"""Deleting a plan's goals and actions: services, confirmation pages and the permission matrix.

A goal's actions go with it only when the user confirmed how many (the confirmation page
lists them); another school's or county's user gets 404, a reader without edit rights 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.framework import plan_services as ps
from dtss.framework.models import Action, Goal, Plan, Strategy
from dtss.framework.tests.test_plans import ALL, ELEM_EDIT, ELEM_OK, expect, make_plans, s


def _counts() -> tuple[int, int, int]:
    return Plan.objects.count(), Goal.objects.count(), Action.objects.count()


def _second_action(world: World, objs: dict[str, Any]) -> Action:
    return ps.action_create(
        goal=objs["goal"],
        title="購置充電車",
        owner=world.people["elem_admin"],
        starts_on=timezone.localdate() + timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=60),
        budget=Decimal(80000),
        funding="programme",
        programme="生生用平板",
        actor=world.users["elem_admin"],
    )


# --- Services -----------------------------------------------------------------------------


def test_action_delete_keeps_what_it_held_in_the_audit_log(world: World) -> None:
    objs = make_plans(world)
    other = _second_action(world, objs)
    ps.action_delete(action=other, actor=world.users["elem_admin"])
    assert list(Action.objects.filter(goal=objs["goal"])) == [objs["action"]]
    entry = AuditEntry.objects.get(action="plan.action_delete")
    assert (entry.object_id, entry.school, entry.actor) == (
        str(other.public_id),
        world.schools["A-elem"],
        world.users["elem_admin"],
    )
    assert entry.detail["plan"] == str(objs["elem"].public_id)
    assert entry.detail["goal"] == str(objs["goal"].public_id)
    held = entry.detail["action"]
    assert (held["title"], held["budget"], held["funding"], held["programme"]) == (
        "購置充電車",
        "80000",
        "programme",
        "生生用平板",
    )
    assert (held["starts_on"], held["owner"]) == (
        other.starts_on.isoformat(),
        str(world.people["elem_admin"].public_id),
    )


def test_goal_without_actions_is_deleted_and_its_strategies_stay(world: World) -> None:
    objs = make_plans(world)
    user = world.users["elem_admin"]
    empty = ps.goal_create(
        plan=objs["elem"], title="空目標", strategies=[s("S2.D1"), s("S2.D2")], actor=user
    )
    links = Goal.strategies.through.objects
    assert links.filter(goal=empty).count() == 2
    assert ps.goal_delete(goal=empty, actor=user) == 0
    assert not links.filter(goal_id=empty.pk).exists()
    assert not Goal.objects.filter(pk=empty.pk).exists()
    assert Strategy.objects.filter(code__in=["S2.D1", "S2.D2"], county__isnull=True).count() == 2
    assert list(objs["elem"].goals.all()) == [objs["goal"]]
    entry = AuditEntry.objects.get(action="plan.goal_delete")
    assert entry.detail == {
        "plan": str(objs["elem"].public_id),
        "strategies": ["S2.D1", "S2.D2"],
        "actions": [],
    }


def test_goal_with_actions_is_deleted_only_when_they_are_confirmed(world: World) -> None:
    objs = make_plans(world)
    user = world.users["elem_admin"]
    second = _second_action(world, objs)
    before = _counts()
    for confirm in (0, 1):  # none confirmed, or fewer than the goal has by now
        with pytest.raises(ValidationError) as exc:
            ps.goal_delete(goal=objs["goal"], actor=user, confirm_actions=confirm)
        assert "confirm_actions" in exc.value.message_dict
        assert "2" in str(exc.value)
    assert _counts() == before
    assert not AuditEntry.objects.filter(action="plan.goal_delete").exists()
    assert ps.goal_delete(goal=objs["goal"], actor=user, confirm_actions=2) == 2
    assert not Action.objects.filter(pk__in=[objs["action"].pk, second.pk]).exists()
    assert _counts() == (before[0], before[1] - 1, before[2] - 2)
    entry = AuditEntry.objects.get(action="plan.goal_delete")
    assert entry.object_id == str(objs["goal"].public_id)
    assert entry.detail["strategies"] == ["S1.A1"]
    assert [a["title"] for a in entry.detail["actions"]] == ["辦理平板研習", "購置充電車"]
    assert entry.detail["actions"][0]["owner"] == str(world.people["elem_teacher"].public_id)
    # The other plans are untouched.
    assert Action.objects.filter(pk__in=[objs["caction"].pk, objs["baction"].pk]).count() == 2


def test_county_staff_delete_from_the_countys_own_plan(world: World) -> None:
    objs = make_plans(world)
    ps.action_delete(action=objs["caction"], actor=world.users["a_staff"])
    assert ps.goal_delete(goal=objs["cgoal"], actor=world.users["a_admin"]) == 0
    assert not objs["county"].goals.exists()
    assert (
        AuditEntry.objects.filter(action__in=["plan.action_delete", "plan.goal_delete"]).count()
        == 2
    )


@pytest.mark.parametrize(
    "user",
    [
        "elem_teacher",
        "a_staff",  # county office staff do not write a school's plan
        "junior_admin",
        "b_admin",
        "moe",
        "elem_student",
        "elem_parent",
        "outsider",
    ],
)
def test_only_the_plans_editors_delete(world: World, user: str) -> None:
    objs = make_plans(world)
    before = _counts()
    with pytest.raises(PermissionDenied):
        ps.action_delete(action=objs["action"], actor=world.users[user])
    with pytest.raises(PermissionDenied):
        ps.goal_delete(goal=objs["goal"], actor=world.users[user], confirm_actions=1)
    assert _counts() == before
    assert not AuditEntry.objects.filter(
        action__in=["plan.action_delete", "plan.goal_delete"]
    ).exists()


def test_the_county_plan_refuses_school_and_other_county_administrators(world: World) -> None:
    objs = make_plans(world)
    for user in ("elem_admin", "b_admin", "moe"):
        with pytest.raises(PermissionDenied):
            ps.action_delete(action=objs["caction"], actor=world.users[user])
        with pytest.raises(PermissionDenied):
            ps.goal_delete(goal=objs["cgoal"], actor=world.users[user], confirm_actions=1)
    assert Action.objects.filter(pk=objs["caction"].pk).exists()


# --- Pages ----------------------------------------------------------------------------------


def test_goal_confirmation_page_counts_the_actions_then_deletes(world: World) -> None:
    objs = make_plans(world)
    _second_action(world, objs)
    client = world.client("elem_admin")
    url = reverse("framework:goal_delete", args=[objs["goal"].public_id])
    before = _counts()
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and _counts() == before
    assert "辦理平板研習" in body and "購置充電車" in body and "S1.A1" in body
    assert [a.title for a in page.context["actions"]] == ["辦理平板研習", "購置充電車"]
    assert 'name="actions" value="2"' in body and "csrfmiddlewaretoken" in body
    # A third action appears after the page was shown: the post of 2 is refused.
    ps.action_create(goal=objs["goal"], title="新行動", actor=world.users["elem_admin"])
    refused = client.post(url, {"actions": "2"})
    assert refused.status_code == 400 and _counts() == (before[0], before[1], before[2] + 1)
    assert refused.context["error"] and len(refused.context["actions"]) == 3
    assert 'name="actions" value="3"' in refused.content.decode()
    assert client.post(url, {"actions": "x"}).status_code == 400
    response = client.post(url, {"actions": "3"})
    assert response.status_code == 302
    assert response["Location"] == reverse("framework:plan_detail", args=[objs["elem"].public_id])
    assert _counts() == (before[0], before[1] - 1, before[2] - 2)
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert len(shown) == 1 and "3" in shown[0]


def test_goal_without_actions_through_the_page(world: World) -> None:
    objs = make_plans(world)
    client = world.client("a_staff")
    url = reverse("framework:goal_delete", args=[objs["cgoal"].public_id])
    ps.action_delete(action=objs["caction"], actor=world.users["a_staff"])
    page = client.get(url)
    assert page.status_code == 200 and page.context["actions"] == []
    assert client.post(url, {"actions": "0"}).status_code == 302
    assert not Goal.objects.filter(pk=objs["cgoal"].pk).exists()


def test_action_confirmation_page_then_delete(world: World) -> None:
    objs = make_plans(world)
    client = world.client("elem_admin")
    url = reverse("framework:action_delete", args=[objs["action"].public_id])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and Action.objects.filter(pk=objs["action"].pk).exists()
    assert "辦理平板研習" in body and "20,000" in body and world.people["elem_teacher"].name in body
    response = client.post(url)
    plan_url = reverse("framework:plan_detail", args=[objs["elem"].public_id])
    assert response.status_code == 302
    assert response["Location"] == f"{plan_url}#goal-{objs['goal'].public_id}"
    assert not Action.objects.filter(pk=objs["action"].pk).exists()
    assert Goal.objects.filter(pk=objs["goal"].pk).exists()
    assert AuditEntry.objects.filter(
        action="plan.action_delete", actor=world.users["elem_admin"]
    ).exists()
    # Deleted: the page is a 404 now, like any missing action.
    assert client.get(url).status_code == 404


def test_delete_links_only_for_editors(world: World) -> None:
    objs = make_plans(world)
    goal_url = reverse("framework:goal_delete", args=[objs["goal"].public_id])
    action_url = reverse("framework:action_delete", args=[objs["action"].public_id])
    plan_url = reverse("framework:plan_detail", args=[objs["elem"].public_id])
    editor = world.client("elem_admin").get(plan_url).content.decode()
    assert goal_url in editor and action_url in editor
    reader = world.client("elem_teacher").get(plan_url).content.decode()
    assert goal_url not in reader and action_url not in reader
    edit = world.client("elem_admin").get(
        reverse("framework:action_edit", args=[objs["action"].public_id])
    )
    assert action_url in edit.content.decode()


def test_posts_need_the_csrf_token(world: World) -> None:
    objs = make_plans(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["elem_admin"])
    before = _counts()
    for url, data in (
        (reverse("framework:action_delete", args=[objs["action"].public_id]), {}),
        (reverse("framework:goal_delete", args=[objs["goal"].public_id]), {"actions": "1"}),
    ):
        assert client.post(url, data).status_code == 403
    assert _counts() == before


def test_other_methods_are_refused(world: World) -> None:
    objs = make_plans(world)
    client = world.client("elem_admin")
    for url in (
        reverse("framework:action_delete", args=[objs["action"].public_id]),
        reverse("framework:goal_delete", args=[objs["goal"].public_id]),
    ):
        assert client.delete(url).status_code == 405
        assert client.put(url).status_code == 405
    assert Action.objects.filter(pk=objs["action"].pk).exists()


def test_anonymous_is_sent_to_login(world: World) -> None:
    objs = make_plans(world)
    for url in (
        reverse("framework:action_delete", args=[objs["action"].public_id]),
        reverse("framework:goal_delete", args=[objs["goal"].public_id]),
    ):
        response = Client().post(url, {"actions": "1"})
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert Action.objects.filter(pk=objs["action"].pk).exists()


# --- Permission matrix ----------------------------------------------------------------------

COUNTY_EDIT = {"a_admin", "a_staff"}

TARGETS: dict[str, tuple[Callable[[dict[str, Any]], str], dict[str, int], dict[str, Any]]] = {
    "A-elem goal": (
        lambda o: reverse("framework:goal_delete", args=[o["goal"].public_id]),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT),
        {"actions": "1"},
    ),
    "A-elem action": (
        lambda o: reverse("framework:action_delete", args=[o["action"].public_id]),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT),
        {},
    ),
    "county A goal": (
        lambda o: reverse("framework:goal_delete", args=[o["cgoal"].public_id]),
        expect(COUNTY_EDIT, forbidden={"moe"}),
        {"actions": "1"},
    ),
    "county A action": (
        lambda o: reverse("framework:action_delete", args=[o["caction"].public_id]),
        expect(COUNTY_EDIT, forbidden={"moe"}),
        {},
    ),
    "B-elem goal": (
        lambda o: reverse("framework:goal_delete", args=[o["bgoal"].public_id]),
        expect({"b_admin"}, forbidden={"moe", "b_teacher"}),
        {"actions": "1"},
    ),
    "missing goal": (
        lambda o: reverse("framework:goal_delete", args=["00000000-0000-0000-0000-000000000000"]),
        expect(set()),
        {"actions": "1"},
    ),
}


@pytest.mark.parametrize(
    ("target", "user", "status"),
    [(t, user, status) for t, (_, table, _d) in TARGETS.items() for user, status in table.items()],
)
def test_confirmation_pages_change_nothing(
    world: World, target: str, user: str, status: int
) -> None:
    objs = make_plans(world)
    url = TARGETS[target][0](objs)
    before = _counts()
    response = world.client(user).get(url)
    assert response.status_code == status, f"{user} on {target}: {response.status_code}"
    assert _counts() == before
    assert not AuditEntry.objects.filter(action__endswith="_delete").exists()


@pytest.mark.parametrize(
    ("target", "user", "status"),
    [
        (t, user, 302 if status == 200 else status)
        for t, (_, table, _d) in TARGETS.items()
        for user, status in table.items()
    ],
)
def test_delete_posts(world: World, target: str, user: str, status: int) -> None:
    objs = make_plans(world)
    url, data = TARGETS[target][0](objs), TARGETS[target][2]
    before = _counts()
    response = world.client(user).post(url, data)
    assert response.status_code == status, f"{user} on {target}: {response.status_code}"
    if status == 302:
        assert _counts() != before
        assert AuditEntry.objects.filter(action__endswith="_delete", actor=world.users[user])
    else:
        assert _counts() == before
        assert not AuditEntry.objects.filter(action__endswith="_delete").exists()


def test_the_matrix_covers_every_user() -> None:
    assert all(set(table) == set(ALL) for _, table, _d in TARGETS.values())
