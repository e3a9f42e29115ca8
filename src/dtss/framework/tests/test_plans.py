"""Action plans (短中長程計畫): services, selectors, pages and the permission matrix.

Journey 4: the principal turns the next stage's strategies into a plan — goals, actions, owners,
dates, budget by funding source — and a week later sees one action overdue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.framework import plan_selectors as sel
from dtss.framework import plan_services as ps
from dtss.framework import services as fs
from dtss.framework.models import Action, Assessment, Case, Goal, Item, Plan, Strategy

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
STUDENTS_PARENTS = {
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
}
STAFF = set(ALL) - STUDENTS_PARENTS


def expect(
    ok: set[str],
    *,
    forbidden: set[str] = frozenset(),
    ok_status: int = 200,  # type: ignore[assignment]
    default: int = 404,
) -> dict[str, int]:
    forbidden = set(forbidden) | STUDENTS_PARENTS
    return {u: ok_status if u in ok else 403 if u in forbidden else default for u in ALL}


def s(code: str) -> Strategy:
    return Strategy.objects.get(code=code, county__isnull=True, item__version__is_current=True)


# --- Shared set-up (test_cases.py uses these too) ----------------------------------------


def open_cycle(world: World, county: str = "A", **kwargs: Any) -> Any:
    c = world.counties[county]
    args: dict[str, Any] = {
        "county": c,
        "name": "114學年度第1學期",
        "opens_on": date(2025, 9, 1),
        "deadline": date(2025, 12, 31),
        "schools": [x for x in world.schools.values() if x.county_id == c.pk],
        "actor": world.users["a_admin" if county == "A" else "b_admin"],
    }
    args.update(kwargs)
    return fs.cycle_open(**args)


def school_assessment(cycle: Any, school: Any) -> Assessment:
    return cycle.assessments.get(school=school)


def mark(assessment: Assessment, codes: list[str], user: Any, evidence: bool = True) -> None:
    for r in assessment.responses.filter(strategy__code__in=codes):
        fs.response_update(response=r, actor=user, status="implemented")
        if evidence:
            fs.evidence_add(response=r, actor=user, kind="text", text="校務會議紀錄")


def make_plans(world: World) -> dict[str, Any]:
    """A-elem's plan (goal S1.A1, one action owned by its teacher), county A's own plan and
    B-elem's plan, each with a goal and an action."""
    today = timezone.localdate()
    elem = ps.plan_create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        title="南投國小數位學習計畫",
        actor=world.users["elem_admin"],
    )
    goal = ps.goal_create(
        plan=elem, title="教師數位增能", strategies=[s("S1.A1")], actor=world.users["elem_admin"]
    )
    action = ps.action_create(
        goal=goal,
        title="辦理平板研習",
        owner=world.people["elem_teacher"],
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
        budget=Decimal(20000),
        funding="central",
        actor=world.users["elem_admin"],
    )
    county = ps.plan_create(
        county=world.counties["A"],
        title="南投縣中程計畫",
        horizon="mid",
        actor=world.users["a_staff"],
    )
    cgoal = ps.goal_create(
        plan=county, title="願景", strategies=[s("L1.D1")], actor=world.users["a_staff"]
    )
    caction = ps.action_create(
        goal=cgoal,
        title="召開推動會議",
        owner=world.people["a_staff"],
        actor=world.users["a_staff"],
    )
    b = ps.plan_create(
        county=world.counties["B"],
        school=world.schools["B-elem"],
        title="宜蘭國小計畫",
        actor=world.users["b_admin"],
    )
    bgoal = ps.goal_create(
        plan=b, title="B 目標", strategies=[s("S2.D1")], actor=world.users["b_admin"]
    )
    baction = ps.action_create(goal=bgoal, title="B 行動", actor=world.users["b_admin"])
    return {
        "elem": elem,
        "goal": goal,
        "action": action,
        "county": county,
        "cgoal": cgoal,
        "caction": caction,
        "b": b,
        "bgoal": bgoal,
        "baction": baction,
    }


# --- Services -----------------------------------------------------------------------------


def test_plan_with_goals_linked_to_strategy_ids(world: World) -> None:
    user = world.users["elem_admin"]
    plan = ps.plan_create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        title=" 114 學年度計畫 ",
        horizon="short",
        starts_on=date(2025, 8, 1),
        ends_on=date(2026, 7, 31),
        actor=user,
    )
    goal = ps.goal_create(
        plan=plan, title="全校教師具備數位教學能力", strategies=[s("S1.A1"), s("S1.A2")], actor=user
    )
    second = ps.goal_create(plan=plan, title="設備", strategies=[s("S2.D1")], actor=user)
    assert plan.title == "114 學年度計畫" and plan.created_by == user
    assert sorted(goal.strategies.values_list("code", flat=True)) == ["S1.A1", "S1.A2"]
    assert (goal.county, goal.school, goal.order, second.order) == (
        world.counties["A"],
        world.schools["A-elem"],
        1,
        2,
    )
    assert AuditEntry.objects.filter(
        action="plan.goal_create", object_id=str(goal.public_id), school=world.schools["A-elem"]
    ).exists()
    county_plan = ps.plan_create(
        county=world.counties["A"], title="縣市計畫", actor=world.users["a_staff"]
    )
    g = ps.goal_create(
        plan=county_plan, title="願景", strategies=[s("L1.D1")], actor=world.users["a_admin"]
    )
    assert list(g.strategies.values_list("code", flat=True)) == ["L1.D1"]


def test_a_county_may_link_its_own_local_strategy_but_not_anothers(world: World) -> None:
    item = Item.objects.get(code="S1", version__is_current=True)
    mine = Strategy.objects.create(
        item=item, code="S1.A9", stage="A", text_zh="南投在地策略", county=world.counties["A"]
    )
    theirs = Strategy.objects.create(
        item=item, code="S1.A8", stage="A", text_zh="宜蘭在地策略", county=world.counties["B"]
    )
    user = world.users["elem_admin"]
    plan = ps.plan_create(
        county=world.counties["A"], school=world.schools["A-elem"], title="計畫", actor=user
    )
    assert ps.goal_create(plan=plan, title="在地", strategies=[mine], actor=user)
    with pytest.raises(ValidationError) as exc:
        ps.goal_create(plan=plan, title="別縣", strategies=[theirs], actor=user)
    assert "strategies" in exc.value.message_dict and "S1.A8" in str(exc.value)
    assert "S1.A8" not in {c for c, *_ in sel.plan_strategy_choices(plan=plan).values_list("code")}


@pytest.mark.parametrize(("school", "code"), [(True, "L1.D1"), (False, "S1.A1")])
def test_goal_with_a_strategy_of_the_wrong_level_is_rejected(
    world: World, school: bool, code: str
) -> None:
    plan = ps.plan_create(
        county=world.counties["A"],
        school=world.schools["A-elem"] if school else None,
        title="計畫",
        actor=world.users["a_admin"],
    )
    with pytest.raises(ValidationError) as exc:
        ps.goal_create(
            plan=plan,
            title="目標",
            strategies=[s("S1.D1"), s("L1.D1"), s(code)],
            actor=world.users["a_admin"],
        )
    assert list(exc.value.message_dict) == ["strategies"]
    assert not Goal.objects.exists()


def test_goal_needs_a_title(world: World) -> None:
    plan = ps.plan_create(county=world.counties["A"], title="計畫", actor=world.users["a_admin"])
    with pytest.raises(ValidationError) as exc:
        ps.goal_create(plan=plan, title="  ", actor=world.users["a_admin"])
    assert "title" in exc.value.message_dict


@pytest.mark.parametrize(
    ("user", "school", "allowed"),
    [
        ("elem_admin", "A-elem", True),
        ("a_admin", "A-elem", True),  # county administrators may help their schools
        ("a_staff", "A-elem", False),
        ("junior_admin", "A-elem", False),
        ("elem_teacher", "A-elem", False),
        ("b_admin", "A-elem", False),
        ("moe", "A-elem", False),
        ("a_staff", None, True),  # the county's own plan: administrators and office staff
        ("a_admin", None, True),
        ("elem_admin", None, False),
        ("b_admin", None, False),
    ],
)
def test_who_may_create_a_plan(world: World, user: str, school: str | None, allowed: bool) -> None:
    kwargs = {
        "county": world.counties["A"],
        "school": world.schools[school] if school else None,
        "title": "計畫",
        "actor": world.users[user],
    }
    if allowed:
        assert ps.plan_create(**kwargs).pk
    else:
        with pytest.raises(PermissionDenied):
            ps.plan_create(**kwargs)
        assert not Plan.objects.exists()


def test_plan_dates_and_school_of_another_county_are_rejected(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        ps.plan_create(
            county=world.counties["A"],
            title="計畫",
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 1, 1),
            actor=world.users["a_admin"],
        )
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.plan_create(
            county=world.counties["A"], school=world.schools["B-elem"], title="計畫", actor=None
        )
    assert "school" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.plan_create(county=world.counties["A"], title="", actor=None)
    assert "title" in exc.value.message_dict
    assert not Plan.objects.exists()


def _goal(world: World) -> Goal:
    plan = ps.plan_create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        title="計畫",
        actor=world.users["elem_admin"],
    )
    return ps.goal_create(
        plan=plan, title="目標", strategies=[s("S1.A1")], actor=world.users["elem_admin"]
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"starts_on": date(2026, 3, 1), "ends_on": date(2026, 2, 1)}, "ends_on"),
        ({"budget": Decimal(-1), "funding": "school"}, "budget"),
        ({"progress": 101}, "progress"),
        ({"progress": -5}, "progress"),
        ({"status": "finished"}, "status"),
        ({"budget": Decimal(1000)}, "funding"),
        ({"budget": Decimal(1000), "funding": "programme"}, "programme"),
        ({"funding": "lottery"}, "funding"),
        ({"owner": "junior_teacher"}, "owner"),  # another school's teacher
        ({"owner": "elem_student"}, "owner"),  # not staff
        ({"owner": "a_staff"}, "owner"),  # county staff do not own a school's action
        ({"title": ""}, "title"),
    ],
)
def test_bad_actions_name_the_field_and_save_nothing(
    world: World, kwargs: dict[str, Any], field: str
) -> None:
    goal = _goal(world)
    if "owner" in kwargs:
        kwargs = {**kwargs, "owner": world.people[kwargs["owner"]]}
    args = {"goal": goal, "title": "研習", "actor": world.users["elem_admin"], **kwargs}
    with pytest.raises(ValidationError) as exc:
        ps.action_create(**args)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not Action.objects.exists()
    assert not AuditEntry.objects.filter(action="plan.action_create").exists()


def test_action_with_owner_dates_budget_and_funding(world: World) -> None:
    goal = _goal(world)
    a = ps.action_create(
        goal=goal,
        title="生生用平板 教師研習",
        owner=world.people["elem_teacher"],
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 6, 30),
        budget=Decimal(120000),
        funding="programme",
        programme="生生用平板",
        success_measure="90% 教師完成研習",
        progress=10,
        status="in_progress",
        actor=world.users["elem_admin"],
    )
    a.refresh_from_db()
    assert (a.owner, a.budget, a.funding, a.programme, a.progress, a.school) == (
        world.people["elem_teacher"],
        Decimal(120000),
        "programme",
        "生生用平板",
        10,
        world.schools["A-elem"],
    )
    # The principal (a school administrator) may own it too; a county plan takes office staff.
    ps.action_create(goal=goal, title="校長巡堂", owner=world.people["elem_admin"], actor=None)
    cplan = ps.plan_create(county=world.counties["A"], title="縣", actor=world.users["a_staff"])
    cgoal = ps.goal_create(plan=cplan, title="目標", actor=world.users["a_staff"])
    ps.action_create(
        goal=cgoal, title="會議", owner=world.people["a_staff"], actor=world.users["a_staff"]
    )
    with pytest.raises(ValidationError) as exc:
        ps.action_create(
            goal=cgoal, title="會議", owner=world.people["elem_admin"], actor=world.users["a_staff"]
        )
    assert "owner" in exc.value.message_dict


def test_only_the_owner_scope_adds_actions(world: World) -> None:
    goal = _goal(world)
    for user in ("elem_teacher", "a_staff", "junior_admin", "b_admin"):
        with pytest.raises(PermissionDenied):
            ps.action_create(goal=goal, title="x", actor=world.users[user])
        with pytest.raises(PermissionDenied):
            ps.goal_create(plan=goal.plan, title="x", actor=world.users[user])
    assert not Action.objects.exists() and goal.plan.goals.count() == 1


def test_action_update_done_sets_progress_and_bad_updates_change_nothing(world: World) -> None:
    goal = _goal(world)
    user = world.users["elem_admin"]
    a = ps.action_create(
        goal=goal,
        title="研習",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 3, 1),
        progress=20,
        actor=user,
    )
    with pytest.raises(ValidationError) as exc:
        ps.action_update(action=a, actor=user, ends_on=date(2026, 1, 1), progress=50)
    assert "ends_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ps.action_update(action=a, actor=user, progress=150)
    assert "progress" in exc.value.message_dict
    a.refresh_from_db()
    assert (a.ends_on, a.progress) == (date(2026, 3, 1), 20)
    ps.action_update(action=a, actor=user, status="done")
    a.refresh_from_db()
    assert (a.status, a.progress) == ("done", 100)
    entry = AuditEntry.objects.filter(action="plan.action_update").get()
    assert entry.detail["changes"]["status"] == ["planned", "done"]
    assert entry.detail["changes"]["progress"] == [20, 100]
    with pytest.raises(PermissionDenied):
        ps.action_update(action=a, actor=world.users["elem_teacher"], status="planned")
    # Nothing given, nothing changed, nothing logged.
    ps.action_update(action=a, actor=user)
    assert AuditEntry.objects.filter(action="plan.action_update").count() == 1


def test_overdue_with_a_fixed_today(world: World) -> None:
    goal = _goal(world)
    user = world.users["elem_admin"]
    end = date(2026, 3, 1)
    late = ps.action_create(goal=goal, title="late", ends_on=end, actor=user)
    ps.action_create(goal=goal, title="done", ends_on=end, status="done", actor=user)
    ps.action_create(goal=goal, title="cancelled", ends_on=end, status="cancelled", actor=user)
    later = ps.action_create(
        goal=goal, title="later", ends_on=date(2026, 4, 1), status="in_progress", actor=user
    )
    ps.action_create(goal=goal, title="undated", actor=user)
    plan = goal.plan

    def overdue(today: date) -> set[str]:
        view = sel.plan_detail(plan=plan, today=today)
        return {a.title for g in view.goals for a in g.actions if a.overdue}

    assert overdue(end) == set()  # due today is not overdue yet
    assert overdue(end + timedelta(days=1)) == {"late"}
    assert overdue(date(2026, 4, 2)) == {"late", "later"}
    assert sel.plan_detail(plan=plan, today=date(2026, 4, 2)).overdue_total == 2
    listed = sel.plan_list(user=user, today=end + timedelta(days=1)).get()
    assert (listed.action_total, listed.done_total, listed.overdue_total) == (5, 1, 1)
    assert sel.plan_overdue_total(user=user, today=end + timedelta(days=1)) == 1
    assert sel.plan_overdue_total(user=world.users["b_admin"], today=date(2030, 1, 1)) == 0
    assert list(sel.plan_list(user=user, today=end, overdue=True)) == []
    assert list(sel.plan_list(user=user, today=date(2026, 4, 2), overdue=True)) == [plan]
    assert sel.is_overdue(late, date(2026, 3, 2)) and not sel.is_overdue(later, date(2026, 3, 2))


def test_budget_totals_by_funding_source(world: World) -> None:
    goal = _goal(world)
    user = world.users["elem_admin"]
    for budget, funding, programme, status in [
        (100000, "central", "", "planned"),
        (50000, "local", "", "planned"),
        (20000, "school", "", "planned"),
        (5000, "school", "", "done"),
        (30000, "programme", "數位學習精進方案", "planned"),
        (99999, "central", "", "cancelled"),  # a cancelled action spends nothing
    ]:
        ps.action_create(
            goal=goal,
            title="x",
            budget=Decimal(budget),
            funding=funding,
            programme=programme,
            status=status,
            actor=user,
        )
    view = sel.plan_detail(plan=goal.plan)
    assert [(v, t) for v, _l, t in view.funding] == [
        ("central", 100000),
        ("local", 50000),
        ("school", 25000),
        ("programme", 30000),
    ]
    assert view.budget_total == 205000
    assert sel.budget_by_funding(plan_ids=[goal.plan.pk])[goal.plan.pk] == view.funding


def test_plan_from_next_steps_makes_one_goal_per_item_with_its_next_strategies(
    world: World,
) -> None:
    cycle = open_cycle(world)
    a = school_assessment(cycle, world.schools["A-elem"])
    user = world.users["elem_admin"]
    mark(a, ["S1.D1", "S1.D2"], user)
    a.refresh_from_db()
    assert a.stages["S1"] == "D"
    plan = ps.plan_from_next_steps(assessment=a, actor=user, today=date(2025, 10, 1))
    assert (plan.school, plan.cycle, plan.starts_on, plan.ends_on) == (
        world.schools["A-elem"],
        cycle,
        date(2025, 10, 1),
        date(2026, 9, 30),
    )
    goals = {
        g.title.split()[0]: sorted(g.strategies.values_list("code", flat=True))
        for g in plan.goals.order_by("order")
    }
    assert goals["S1"] == ["S1.A1", "S1.A2", "S1.A3"]  # S1 is at D: its next steps are A
    assert set(goals) == {"S1", "S2", "S3", "S4", "S5"}
    s2_development = sorted(
        Strategy.objects.filter(
            item__code="S2",
            stage="D",
            county__isnull=True,
            item__version__is_current=True,
        ).values_list("code", flat=True)
    )
    assert goals["S2"] == s2_development  # not yet at D: the next steps are D
    # An item whose next stage is partly met keeps only the unmet strategies.
    mark(a, ["S1.A1"], user)
    again = ps.plan_from_next_steps(assessment=a, actor=user)
    s1 = again.goals.get(strategies__code="S1.A2")
    assert sorted(s1.strategies.values_list("code", flat=True)) == ["S1.A2", "S1.A3"]
    # Only the scope's administrators may do it.
    for other in ("elem_teacher", "a_staff", "junior_admin"):
        with pytest.raises(PermissionDenied):
            ps.plan_from_next_steps(assessment=a, actor=world.users[other])
    assert Plan.objects.count() == 2


def test_plan_from_next_steps_for_the_county_and_when_all_is_mature(world: World) -> None:
    cycle = open_cycle(world, require_evidence=False)
    county_assessment = cycle.assessments.get(school__isnull=True)
    plan = ps.plan_from_next_steps(assessment=county_assessment, actor=world.users["a_staff"])
    assert plan.school is None
    assert {c[:2] for c in plan.goals.values_list("strategies__code", flat=True)} == {
        "L1",
        "L2",
        "L3",
        "L4",
        "L5",
        "L6",
        "L7",
    }
    a = school_assessment(cycle, world.schools["A-junior"])
    for r in a.responses.all():
        fs.response_update(response=r, actor=None, status="embedded")
    with pytest.raises(ValidationError):
        ps.plan_from_next_steps(assessment=a, actor=world.users["junior_admin"])
    assert not Plan.objects.filter(school=world.schools["A-junior"]).exists()


def test_plan_carries_the_latest_status_of_its_strategies(world: World) -> None:
    cycle = open_cycle(world)
    a = school_assessment(cycle, world.schools["A-elem"])
    user = world.users["elem_admin"]
    plan = ps.plan_from_next_steps(assessment=a, actor=user)
    mark(a, ["S1.D1"], user)
    view = sel.plan_detail(plan=plan)
    s1 = next(g for g in view.goals if g.goal.title.startswith("S1"))
    lines = {line.strategy.code: line for line in s1.strategies}
    assert view.latest == a
    assert lines["S1.D1"].met and lines["S1.D1"].status == "implemented"
    assert not lines["S1.D2"].met and lines["S1.D2"].status == "not_started"


def test_timeline_positions_with_a_fixed_today(world: World) -> None:
    goal = _goal(world)
    user = world.users["elem_admin"]
    ps.action_create(
        goal=goal,
        title="一",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        status="done",
        actor=user,
    )
    ps.action_create(
        goal=goal, title="二", starts_on=date(2026, 2, 15), ends_on=date(2026, 3, 20), actor=user
    )
    ps.action_create(goal=goal, title="三", ends_on=date(2026, 2, 1), actor=user)
    ps.action_create(goal=goal, title="四", actor=user)
    t = sel.plan_timeline(plan=goal.plan, today=date(2026, 2, 10))
    assert (t.start, t.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert [m.start.month for m in t.months] == [1, 2, 3]
    assert sum(m.width for m in t.months) == pytest.approx(100, abs=0.01)
    bars = {b.action.title: b for b in t.bars}
    assert bars["一"].left == 0 and bars["一"].width == pytest.approx(31 * 100 / 90, abs=0.01)
    assert bars["三"].overdue and not bars["二"].overdue and not bars["一"].overdue
    assert bars["三"].start == bars["三"].end == date(2026, 2, 1)
    assert [a.title for a in t.undated] == ["四"]
    assert t.today_left == pytest.approx(40 * 100 / 90, abs=0.01)
    assert sel.plan_timeline(plan=goal.plan, today=date(2027, 1, 1)).today_left is None


# --- Pages ----------------------------------------------------------------------------------


def test_timeline_page_renders_bars(world: World) -> None:
    objs = make_plans(world)
    today = timezone.localdate()
    user = world.users["elem_admin"]
    ps.action_create(
        goal=objs["goal"],
        title="遲交",
        starts_on=today - timedelta(days=20),
        ends_on=today - timedelta(days=3),
        actor=user,
    )
    ps.action_create(goal=objs["goal"], title="沒有日期", actor=user)
    url = reverse("framework:plan_timeline", args=[objs["elem"].public_id])
    response = world.client("elem_teacher").get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="gantt-bar') == 2
    assert body.count('class="gantt-bar overdue"') == 1
    assert 'class="gantt-today"' in body and "沒有日期" in body
    assert "framework/plans.css" in body and "//cdn" not in body


def test_principal_journey_plan_from_next_steps_then_an_overdue_action(world: World) -> None:
    """Journey 4 through the pages."""
    cycle = open_cycle(world)
    a = school_assessment(cycle, world.schools["A-elem"])
    principal = world.client("elem_admin")
    mark(a, ["S1.D1", "S1.D2"], world.users["elem_admin"])
    response = principal.post(reverse("framework:plan_from_assessment", args=[a.public_id]))
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("framework:plan_detail", args=[plan.public_id])
    goal = plan.goals.get(strategies__code="S1.A1")
    body = principal.get(response["Location"]).content.decode()
    assert "S1.A1" in body and s("S1.A1").text_zh in body
    today = timezone.localdate()
    post = {
        "goal": goal.public_id,
        "title": "辦理數位教學研習",
        "owner": world.people["elem_teacher"].public_id,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(),
        "budget": "30000",
        "funding": "central",
        "programme": "",
        "success_measure": "20 人完成",
        "progress": "0",
        "status": "planned",
    }
    url = reverse("framework:action_add", args=[plan.public_id])
    assert principal.post(url, post).status_code == 302
    post2 = dict(
        post,
        title="購置充電車",
        budget="80000",
        funding="programme",
        programme="生生用平板",
        ends_on=(today + timedelta(days=60)).isoformat(),
    )
    assert principal.post(url, post2).status_code == 302
    action = Action.objects.get(title="辦理數位教學研習")
    assert (action.owner, action.budget, action.goal) == (
        world.people["elem_teacher"],
        Decimal(30000),
        goal,
    )
    page = principal.get(reverse("framework:plan_detail", args=[plan.public_id]))
    assert [(v, t) for v, _l, t in page.context["view"].funding] == [
        ("central", 30000),
        ("programme", 80000),
    ]
    # A week later: one action overdue, flagged on the plan, the list and the timeline.
    week_later = today + timedelta(days=7)
    view = sel.plan_detail(plan=plan, today=week_later)
    assert [a.title for g in view.goals for a in g.actions if a.overdue] == ["辦理數位教學研習"]
    assert sel.plan_list(user=world.users["elem_admin"], today=week_later).get().overdue_total == 1
    Action.objects.filter(pk=action.pk).update(
        ends_on=today - timedelta(days=4), starts_on=today - timedelta(days=10)
    )
    body = principal.get(reverse("framework:plan_detail", args=[plan.public_id])).content.decode()
    assert 'class="overdue"' in body and "badge bad" in body
    body = principal.get(reverse("framework:plan_list")).content.decode()
    assert "?overdue=1" in body
    body = principal.get(reverse("framework:plan_timeline", args=[plan.public_id])).content.decode()
    assert body.count('class="gantt-bar overdue"') == 1


def test_plan_create_goal_add_and_progress_through_pages(world: World) -> None:
    client = world.client("elem_admin")
    new = client.get(reverse("framework:plan_create"))
    assert new.status_code == 200
    org = f"school:{world.schools['A-elem'].public_id}"
    assert [v for v, _l in new.context["form"].fields["org"].choices] == [org]
    bad = client.post(
        reverse("framework:plan_create"),
        {
            "org": org,
            "title": "計畫",
            "horizon": "short",
            "starts_on": "2026-02-01",
            "ends_on": "2026-01-01",
        },
    )
    assert bad.status_code == 200 and "ends_on" in bad.context["form"].errors
    other = client.post(
        reverse("framework:plan_create"),
        {
            "org": f"school:{world.schools['A-junior'].public_id}",
            "title": "計畫",
            "horizon": "short",
        },
    )
    assert "org" in other.context["form"].errors and not Plan.objects.exists()
    response = client.post(
        reverse("framework:plan_create"),
        {
            "org": org,
            "title": "115 計畫",
            "horizon": "mid",
            "starts_on": "2026-02-01",
            "ends_on": "2028-07-31",
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and plan.horizon == "mid"
    goal_url = reverse("framework:goal_add", args=[plan.public_id])
    wrong = client.post(goal_url, {"title": "縣市目標", "strategies": ["L1.D1"]})
    assert wrong.status_code == 400 and "strategies" in wrong.context["goal_form"].errors
    assert (
        client.post(
            goal_url, {"title": "提升數位教學", "strategies": ["S1.A1", "S1.A2"]}
        ).status_code
        == 302
    )
    goal = plan.goals.get()
    assert sorted(goal.strategies.values_list("code", flat=True)) == ["S1.A1", "S1.A2"]
    action_url = reverse("framework:action_add", args=[plan.public_id])
    bad_action = client.post(
        action_url,
        {
            "goal": goal.public_id,
            "title": "研習",
            "budget": "-5",
            "status": "planned",
            "funding": "school",
        },
    )
    assert bad_action.status_code == 400 and "budget" in bad_action.context["action_form"].errors
    bad_owner = client.post(
        action_url,
        {
            "goal": goal.public_id,
            "title": "研習",
            "status": "planned",
            "owner": world.people["junior_teacher"].public_id,
        },
    )
    assert bad_owner.status_code == 400 and "owner" in bad_owner.context["action_form"].errors
    assert not Action.objects.exists()
    client.post(
        action_url, {"goal": goal.public_id, "title": "研習", "status": "planned", "progress": "10"}
    )
    action = Action.objects.get()
    progress_url = reverse("framework:action_progress", args=[action.public_id])
    assert client.post(progress_url, {"status": "in_progress", "progress": "40"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == ("in_progress", 40)
    client.post(progress_url, {"status": "in_progress", "progress": "140"})
    action.refresh_from_db()
    assert action.progress == 40
    client.post(progress_url, {"status": "done", "progress": "40"})
    action.refresh_from_db()
    assert (action.status, action.progress) == ("done", 100)
    edit_url = reverse("framework:action_edit", args=[action.public_id])
    page = client.get(edit_url)
    assert page.status_code == 200 and page.context["form"].initial["title"] == "研習"
    response = client.post(
        edit_url,
        {
            "title": "研習（全校）",
            "status": "done",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
    )
    assert response.status_code == 400 and "ends_on" in response.context["form"].errors
    client.post(
        edit_url,
        {
            "title": "研習（全校）",
            "status": "done",
            "budget": "5000",
            "funding": "school",
            "progress": "100",
        },
    )
    action.refresh_from_db()
    assert (action.title, action.budget, action.funding) == ("研習（全校）", 5000, "school")


def test_plan_list_filters_and_language(world: World) -> None:
    objs = make_plans(world)
    client = world.client("a_admin")
    body = client.get(reverse("framework:plan_list")).content.decode()
    assert (
        "南投國小數位學習計畫" in body and "南投縣中程計畫" in body and "宜蘭國小計畫" not in body
    )
    only_county = client.get(reverse("framework:plan_list") + "?school=county")
    assert list(only_county.context["page"].object_list) == [objs["county"]]
    by_school = client.get(
        reverse("framework:plan_list") + f"?school={world.schools['A-elem'].public_id}"
    )
    assert list(by_school.context["page"].object_list) == [objs["elem"]]
    assert (
        not client.get(reverse("framework:plan_list") + "?school=nope").context["page"].object_list
    )
    assert list(
        client.get(reverse("framework:plan_list") + "?horizon=mid").context["page"].object_list
    ) == [objs["county"]]
    client.post(reverse("set_language"), {"language": "en"})
    body = client.get(
        reverse("framework:plan_detail", args=[objs["elem"].public_id])
    ).content.decode()
    assert "Central government" in body and 'lang="en"' in body


# --- Permission matrix ------------------------------------------------------------------------

ELEM_OK = {"moe", "a_admin", "a_staff", "elem_admin", "elem_teacher"}
ELEM_EDIT = {"a_admin", "elem_admin"}

PAGES: dict[str, tuple[Callable[[World, dict[str, Any]], str], dict[str, int]]] = {
    "plan list": (lambda w, o: reverse("framework:plan_list"), expect(STAFF)),
    "new plan": (
        lambda w, o: reverse("framework:plan_create"),
        expect(
            {"a_admin", "a_staff", "b_admin", "elem_admin", "junior_admin"},
            forbidden={"moe", "elem_teacher", "junior_teacher", "b_teacher"},
        ),
    ),
    "A-elem plan": (
        lambda w, o: reverse("framework:plan_detail", args=[o["elem"].public_id]),
        expect(ELEM_OK),
    ),
    "A-elem timeline": (
        lambda w, o: reverse("framework:plan_timeline", args=[o["elem"].public_id]),
        expect(ELEM_OK),
    ),
    "county A plan": (
        lambda w, o: reverse("framework:plan_detail", args=[o["county"].public_id]),
        expect({"moe", "a_admin", "a_staff"}),
    ),
    "county A timeline": (
        lambda w, o: reverse("framework:plan_timeline", args=[o["county"].public_id]),
        expect({"moe", "a_admin", "a_staff"}),
    ),
    "B-elem plan": (
        lambda w, o: reverse("framework:plan_detail", args=[o["b"].public_id]),
        expect({"moe", "b_admin", "b_teacher"}),
    ),
    "edit A-elem action": (
        lambda w, o: reverse("framework:action_edit", args=[o["action"].public_id]),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT),
    ),
    "edit county A action": (
        lambda w, o: reverse("framework:action_edit", args=[o["caction"].public_id]),
        expect({"a_admin", "a_staff"}, forbidden={"moe"}),
    ),
    "missing plan": (
        lambda w, o: reverse(
            "framework:plan_detail", args=["00000000-0000-0000-0000-000000000000"]
        ),
        expect(set()),
    ),
}


@pytest.mark.parametrize(
    ("page", "user", "status"),
    [(page, user, status) for page, (_, table) in PAGES.items() for user, status in table.items()],
)
def test_page_access(world: World, page: str, user: str, status: int) -> None:
    objs = make_plans(world)
    response = world.client(user).get(PAGES[page][0](world, objs))
    assert response.status_code == status, f"{user} on {page}: {response.status_code}"


def _counts() -> tuple[int, int, int, int]:
    return (
        Plan.objects.count(),
        Goal.objects.count(),
        Action.objects.count(),
        Case.objects.count(),
    )


POSTS: dict[
    str, tuple[Callable[[World, dict[str, Any]], tuple[str, dict[str, Any]]], dict[str, int]]
] = {
    "add goal to A-elem": (
        lambda w, o: (
            reverse("framework:goal_add", args=[o["elem"].public_id]),
            {"title": "新目標", "strategies": ["S1.M1"]},
        ),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT, ok_status=302),
    ),
    "add action to A-elem": (
        lambda w, o: (
            reverse("framework:action_add", args=[o["elem"].public_id]),
            {"goal": o["goal"].public_id, "title": "新行動", "status": "planned"},
        ),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT, ok_status=302),
    ),
    "add action to county A": (
        lambda w, o: (
            reverse("framework:action_add", args=[o["county"].public_id]),
            {"goal": o["cgoal"].public_id, "title": "新行動", "status": "planned"},
        ),
        expect({"a_admin", "a_staff"}, forbidden={"moe"}, ok_status=302),
    ),
    "progress of A-elem action": (
        lambda w, o: (
            reverse("framework:action_progress", args=[o["action"].public_id]),
            {"status": "done", "progress": "100"},
        ),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT, ok_status=302),
    ),
    "edit A-elem action": (
        lambda w, o: (
            reverse("framework:action_edit", args=[o["action"].public_id]),
            {"title": "改名", "status": "done"},
        ),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT, ok_status=302),
    ),
    "plan from A-elem assessment": (
        lambda w, o: (
            reverse("framework:plan_from_assessment", args=[o["assessment"].public_id]),
            {},
        ),
        expect(ELEM_EDIT, forbidden=ELEM_OK - ELEM_EDIT, ok_status=302),
    ),
    "plan from county A assessment": (
        lambda w, o: (
            reverse("framework:plan_from_assessment", args=[o["county_assessment"].public_id]),
            {},
        ),
        expect({"a_admin", "a_staff"}, forbidden={"moe"}, ok_status=302),
    ),
}


@pytest.mark.parametrize(
    ("action", "user", "status"),
    [(a, user, status) for a, (_, table) in POSTS.items() for user, status in table.items()],
)
def test_post_access_and_outsiders_change_nothing(
    world: World, action: str, user: str, status: int
) -> None:
    objs = make_plans(world)
    cycle = open_cycle(world)
    objs["assessment"] = school_assessment(cycle, world.schools["A-elem"])
    objs["county_assessment"] = cycle.assessments.get(school__isnull=True)
    url, data = POSTS[action][0](world, objs)
    before = _counts()
    progress_before = Action.objects.get(pk=objs["action"].pk).status
    response = world.client(user).post(url, data)
    assert response.status_code == status, f"{user} on {action}: {response.status_code}"
    if status != 302:
        assert _counts() == before
        assert Action.objects.get(pk=objs["action"].pk).status == progress_before
    else:
        assert _counts() != before or Action.objects.get(pk=objs["action"].pk).status == "done"


def test_post_only_endpoints_refuse_get(world: World) -> None:
    objs = make_plans(world)
    client = world.client("elem_admin")
    for url in (
        reverse("framework:goal_add", args=[objs["elem"].public_id]),
        reverse("framework:action_add", args=[objs["elem"].public_id]),
        reverse("framework:action_progress", args=[objs["action"].public_id]),
    ):
        assert client.get(url).status_code == 405


def test_anonymous_is_sent_to_login(world: World) -> None:
    objs = make_plans(world)
    for url in (
        reverse("framework:plan_list"),
        reverse("framework:plan_create"),
        reverse("framework:plan_detail", args=[objs["elem"].public_id]),
        reverse("framework:plan_timeline", args=[objs["elem"].public_id]),
    ):
        response = Client().get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_plan_list_shows_only_the_scope(world: World) -> None:
    make_plans(world)
    for user, visible, hidden in [
        ("elem_teacher", {"南投國小數位學習計畫"}, {"南投縣中程計畫", "宜蘭國小計畫"}),
        ("junior_admin", set(), {"南投國小數位學習計畫", "南投縣中程計畫", "宜蘭國小計畫"}),
        ("b_teacher", {"宜蘭國小計畫"}, {"南投國小數位學習計畫", "南投縣中程計畫"}),
        ("moe", {"南投國小數位學習計畫", "南投縣中程計畫", "宜蘭國小計畫"}, set()),
    ]:
        body = world.client(user).get(reverse("framework:plan_list")).content.decode()
        assert all(v in body for v in visible), user
        assert not any(h in body for h in hidden), user


# --- The demo (journey 4) -------------------------------------------------------------------


def test_demo_principal_has_a_plan_from_the_next_steps_with_one_action_overdue(db: Any) -> None:
    import random

    from dtss.accounts.models import User
    from dtss.demo.county import demo_load
    from dtss.framework.demo import demo_plans
    from dtss.framework.selectors import assessment_items

    assert demo_load(seed=114, progress=lambda _m: None)
    today = timezone.localdate()
    principal = User.objects.get(username="principal")
    plan = sel.plan_list(user=principal, today=today).get()
    assert plan.school is not None and plan.created_by == principal
    view = sel.plan_detail(plan=plan, today=today)
    # Goals: the next stage's unmet strategies of the items, from the assessment it answers.
    assessment = Assessment.objects.get(cycle=plan.cycle, school=plan.school)
    next_steps = {
        v.item.code: set(v.result.next_steps) for v in assessment_items(assessment=assessment)
    }
    assert 2 <= len(view.goals) <= 3
    for g in view.goals:
        codes = {line.strategy.code for line in g.strategies}
        assert codes and codes == next_steps[g.goal.title.split()[0]], g.goal.title
    # Actions: owners, dates, budgets from several funding sources, progress and statuses.
    actions = [a for g in view.goals for a in g.actions]
    assert len(actions) == 6
    assert all(a.owner_id and a.starts_on and a.ends_on and a.budget for a in actions)
    assert {f.funding for f in view.funding} == {"central", "local", "school", "programme"}
    assert {a.status for a in actions} == {"done", "in_progress", "planned"}
    assert any(0 < a.progress < 100 for a in actions)
    # Exactly one overdue: ended before today, not done.
    overdue = [a for a in actions if a.overdue]
    assert len(overdue) == 1 and overdue[0].ends_on < today and overdue[0].status != "done"
    assert view.overdue_total == 1
    assert sel.plan_overdue_total(user=principal, today=today) == 1
    assert AuditEntry.objects.filter(action="plan.action_create", actor=principal).count() == 6
    # The county's own Table 6 plan: strategies of county items, nothing overdue.
    county_plan = Plan.objects.get(county__code="10008", school__isnull=True)
    cview = sel.plan_detail(plan=county_plan, today=today)
    assert cview.goals and all(
        line.strategy.code.startswith("L") for g in cview.goals for line in g.strategies
    )
    assert cview.action_total >= 2 and cview.overdue_total == 0
    assert sel.plan_overdue_total(user=User.objects.get(username="county.admin"), today=today) == 1
    # The principal's pages show it.
    client = Client()
    client.force_login(principal)
    body = client.get(reverse("framework:plan_detail", args=[plan.public_id])).content.decode()
    assert body.count('class="overdue"') == 1
    body = client.get(reverse("framework:plan_timeline", args=[plan.public_id])).content.decode()
    assert body.count('class="gantt-bar overdue"') == 1
    # Running the demo again, or the plans' part of it, adds nothing.
    before = (Plan.objects.count(), Goal.objects.count(), Action.objects.count())
    assert demo_load(seed=114, progress=lambda _m: None) is False
    demo_plans(random.Random(114), lambda _m: None)
    assert (Plan.objects.count(), Goal.objects.count(), Action.objects.count()) == before
