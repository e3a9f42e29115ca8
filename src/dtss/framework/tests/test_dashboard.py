"""The county dashboard, the school profile and the MOE comparison: who sees what, the stage in
every heatmap cell, the filters, "not moved for two cycles", and a constant number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dtss.accounts.models import User
from dtss.conftest import World
from dtss.framework import services
from dtss.framework.models import Assessment, Cycle, Evidence, Response

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
NOT_STAFF = {"elem_student", "elem_student2", "b_student", "elem_parent", "b_parent", "outsider"}
SCHOOL_STAFF = {"elem_admin", "junior_admin", "elem_teacher", "junior_teacher", "b_teacher"}
ELEM = {"S1": "A", "S2": "D", "S3": None, "S4": "M", "S5": "D"}
JUNIOR = {"S1": "D", "S2": None, "S3": None, "S4": None, "S5": None}
COUNTY = {"L1": "D", "L2": "A", "L3": None, "L4": None, "L5": None, "L6": None, "L7": "D"}


def english(world: World, user: str) -> Client:
    client = world.client(user)
    client.cookies["dtss_language"] = "en"
    return client


def open_cycle(
    world: World,
    name: str,
    start: date,
    county: str = "A",
    schools: tuple[str, ...] = ("A-elem", "A-junior"),
) -> Cycle:
    return services.cycle_open(
        county=world.counties[county],
        name=name,
        opens_on=start,
        deadline=start + timedelta(days=30),
        schools=[world.schools[s] for s in schools],
        actor=None,
    )


def set_stages(
    cycle: Cycle, stages: dict[str | None, dict[str, str | None]], submit: bool = False
) -> None:
    """Stages as the services would have stored them; optionally submitted."""
    for a in cycle.assessments.all():
        key = a.school.code if a.school_id else None
        if key in stages:
            Assessment.objects.filter(pk=a.pk).update(
                stages=stages[key], status="submitted" if submit else a.status
            )


@pytest.fixture
def cycle(world: World) -> Cycle:
    c = open_cycle(world, "114學年度第1學期", date(2025, 9, 1))
    set_stages(c, {"083601": ELEM, "083501": JUNIOR, None: COUNTY})
    open_cycle(world, "B 的週期", date(2025, 9, 1), county="B", schools=("B-elem",))
    return c


def dashboard(client: Client, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(reverse("framework:dashboard") + (f"?{query}" if query else ""))


def heat_cells(body: str, school: str) -> list[str]:
    """The stage keys of one school's heatmap row."""
    table = body[body.index('id="heatmap"') : body.index('id="not-moved"')]
    row = next(r for r in table.split("<tr>") if school in r)
    return re.findall(r'class="st st-(\w+)"', row)


def as_keys(stages: dict[str, str | None]) -> list[str]:
    return [v or "none" for v in stages.values()]


# --- the county dashboard -----------------------------------------------------------------------


DASHBOARD = {u: 403 for u in ALL} | {"moe": 200, "a_admin": 200, "a_staff": 200, "b_admin": 200}


@pytest.mark.parametrize(("user", "status"), DASHBOARD.items())
def test_dashboard_access(world: World, cycle: Cycle, user: str, status: int) -> None:
    assert dashboard(world.client(user)).status_code == status


def test_heatmap_shows_the_countys_schools_with_the_right_stage(world: World, cycle: Cycle) -> None:
    response = dashboard(english(world, "a_admin"))
    body = response.content.decode()
    assert [r.school.code for r in response.context["data"].rows] == ["083501", "083601"]
    assert "宜蘭國小" not in body
    assert heat_cells(body, "南投國小") == as_keys(ELEM)
    assert heat_cells(body, "南投國中") == as_keys(JUNIOR)
    # every cell carries its stage as text too, links to that item of the school's assessment,
    # and a legend explains the colours
    row = body[body.index("南投國小", body.index('id="heatmap"')) :].split("</tr>")[0]
    elem = cycle.assessments.get(school=world.schools["A-elem"])
    links = re.findall(r'<td class="st st-\w+"><a href="([^"]+)"', row)
    assert links == [
        reverse("framework:assessment_item", args=[elem.public_id, code]) for code in ELEM
    ]
    assert re.findall(r'<td class="st st-\w+"><a href="[^"]+" title="[^"]+">([^<]+)<', row) == [
        "Acc.",
        "Dev.",
        "None",
        "Mat.",
        "Dev.",
    ]
    assert "Not yet at the development stage" in body and "Maturity" in body


def test_distribution_and_county_profile(world: World, cycle: Cycle) -> None:
    response = dashboard(english(world, "a_staff"))
    dist = {d.item.code: d.counts for d in response.context["data"].distribution}
    assert dist["S1"] == {"A": 1, "D": 1}
    assert dist["S3"] == {"none": 2}
    assert response.context["data"].county_keys == as_keys(COUNTY)
    body = response.content.decode()
    from dtss.core import indicators as registry

    registered = len(registry.all_indicators())
    assert 'id="indicators"' in body and f"{registered} indicators are registered so far" in body


def test_dashboard_stages_come_from_the_services(world: World) -> None:
    """The real path: strategies marked and evidenced through the services set the cell."""
    c = open_cycle(world, "114學年度第1學期", date(2025, 9, 1))
    a = c.assessments.get(school=world.schools["A-elem"])
    actor = world.users["elem_admin"]
    for r in a.responses.filter(strategy__item__code="S1", strategy__stage="D"):
        services.response_update(response=r, actor=actor, status="implemented")
        services.evidence_add(response=r, actor=actor, kind="text", text="會議紀錄")
    body = dashboard(english(world, "a_admin")).content.decode()
    assert heat_cells(body, "南投國小") == ["D", "none", "none", "none", "none"]


@pytest.mark.parametrize(
    ("params", "schools"),
    [
        ({"stage": "junior"}, ["083501"]),
        ({"stage": "elementary"}, ["083601"]),
        ({"size": "100-499"}, ["083601"]),  # 300 students
        ({"size": "500-999"}, ["083501"]),  # 500 students
        ({"size": "lt100"}, []),
        ({"area": "remote"}, ["083501"]),
        ({"area": "general"}, ["083601"]),
        ({"district": "<A1>"}, ["083501", "083601"]),
        ({"district": "<B1>"}, ["083501", "083601"]),  # not a district of A: ignored
        ({"stage": "nonsense"}, ["083501", "083601"]),
        ({"sort": "S1"}, ["083601", "083501"]),  # highest stage first
        ({"sort": "-S1"}, ["083501", "083601"]),
        ({"sort": "-students"}, ["083501", "083601"]),
        ({"sort": "name"}, ["083501", "083601"]),
    ],
)
def test_filters_and_sorting(
    world: World, cycle: Cycle, params: dict[str, str], schools: list[str]
) -> None:
    junior = world.schools["A-junior"]
    junior.area = "remote"
    junior.save(update_fields=["area"])
    subst = {
        "<A1>": str(junior.district.public_id),
        "<B1>": str(world.schools["B-elem"].district.public_id),
    }
    params = {k: subst.get(v, v) for k, v in params.items()}
    response = dashboard(world.client("a_admin"), **params)
    assert [r.school.code for r in response.context["data"].rows] == schools


def test_csv_export_is_the_filtered_heatmap(world: World, cycle: Cycle) -> None:
    response = dashboard(world.client("a_admin"), stage="elementary", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-5:] == ["S1", "S2", "S3", "S4", "S5"]
    assert [r[1] for r in rows[1:]] == ["083601"]
    assert rows[1][-5:] == ["A", "D", "", "M", "D"]
    b_rows = list(
        csv.reader(
            io.StringIO(
                dashboard(world.client("b_admin"), format="csv").content.decode("utf-8-sig")
            )
        )
    )
    assert [r[1] for r in b_rows[1:]] == ["024601"]


def test_another_countys_admin_gets_404(world: World, cycle: Cycle) -> None:
    client = world.client("b_admin")
    assert dashboard(client, county="10008").status_code == 404
    assert dashboard(client, cycle=str(cycle.public_id)).status_code == 404
    assert dashboard(client, cycle=str(cycle.public_id), format="csv").status_code == 404
    body = dashboard(client).content.decode()
    assert "南投國小" not in body and "宜蘭國小" in body


def test_moe_picks_a_county(world: World, cycle: Cycle) -> None:
    client = world.client("moe")
    response = dashboard(client, county="10008")
    assert [r.school.code for r in response.context["data"].rows] == ["083501", "083601"]
    assert dashboard(client, county="10002").context["data"].rows[0].school.code == "024601"
    assert dashboard(client, county="99999").status_code == 404


def test_cycle_choice_defaults_to_the_latest(world: World, cycle: Cycle) -> None:
    later = open_cycle(world, "114學年度第2學期", date(2026, 3, 1))
    client = world.client("a_admin")
    assert dashboard(client).context["cycle"] == later
    assert dashboard(client, cycle=str(cycle.public_id)).context["cycle"] == cycle
    assert dashboard(client, cycle="not-a-uuid").status_code == 404


def test_county_without_cycles(world: World) -> None:
    response = dashboard(english(world, "a_admin"))
    assert response.status_code == 200 and response.context["cycle"] is None
    assert "no assessment cycle yet" in response.content.decode()


def test_schools_not_moved_for_two_cycles(world: World) -> None:
    moved = dict(JUNIOR)
    for i, start in enumerate([date(2025, 2, 1), date(2025, 9, 1), date(2026, 2, 1)]):
        c = open_cycle(world, f"週期{i}", start)
        moved["S2"] = ["D", "A", "M"][i]  # the junior high moves on S2 every cycle
        set_stages(c, {"083601": ELEM, "083501": moved}, submit=True)
    response = dashboard(english(world, "a_admin"))
    not_moved = response.context["data"].not_moved
    assert [n.school.code for n in not_moved] == ["083601"]
    assert not_moved[0].cycles == ["週期0", "週期1", "週期2"]
    assert not_moved[0].keys == as_keys(ELEM)
    # a fourth cycle in which the school has not submitted yet does not hide it …
    c4 = open_cycle(world, "週期3", date(2026, 9, 1))
    set_stages(c4, {"083601": {**ELEM, "S3": "D"}})
    response = dashboard(english(world, "a_admin"))
    assert [n.school.code for n in response.context["data"].not_moved] == ["083601"]
    # … but once it is submitted with a change, the school has moved
    set_stages(c4, {"083601": {**ELEM, "S3": "D"}}, submit=True)
    response = dashboard(english(world, "a_admin"))
    assert response.context["data"].not_moved == []
    # viewed as of the third cycle, it had not moved
    response = dashboard(
        english(world, "a_admin"), cycle=str(Cycle.objects.get(name="週期2").public_id)
    )
    assert [n.school.code for n in response.context["data"].not_moved] == ["083601"]


def test_two_cycles_are_not_enough_to_be_stuck(world: World) -> None:
    for i, start in enumerate([date(2025, 9, 1), date(2026, 2, 1)]):
        c = open_cycle(world, f"週期{i}", start)
        set_stages(c, {"083601": ELEM}, submit=True)
    assert dashboard(world.client("a_admin")).context["data"].not_moved == []


def test_dashboard_queries_do_not_grow_with_schools(
    world: World, django_assert_max_num_queries: Any
) -> None:
    from dtss.orgs import services as org_services

    district = world.schools["A-elem"].district
    extra = [
        org_services.school_create(
            district=district,
            code=f"0899{i:02d}",
            name_zh=f"測試國小{i}",
            stage="elementary",
            student_count=50 * i,
        )
        for i in range(12)
    ]
    c = services.cycle_open(
        county=world.counties["A"],
        name="大週期",
        opens_on=date(2026, 9, 1),
        deadline=date(2026, 10, 1),
        schools=[world.schools["A-elem"], *extra],
        actor=None,
    )
    set_stages(c, {s.code: ELEM for s in extra}, submit=True)
    client = world.client("a_admin")
    dashboard(client)  # warm up the session and the scope
    # 13 for the heatmap and its panels, 1 for the self-ratings beside the indicators, the
    # county indicators' own (the promotion office: 3) and the school indicators' (surveys: 2,
    # one batch each for all schools), the learning-data indicators' (analytics: 8), the
    # devices indicators' (7), the helpdesk's (2: the county's targets, the schools' videos),
    # 1 for overdue plans, the contact book's (21: one report of the county shared by all its
    # indicators, and the schools' counties), the header's unread notifications (1); none of
    # them per school.
    with django_assert_max_num_queries(57):
        response = dashboard(client)
    assert len(response.context["data"].rows) == 13


# --- the school profile -------------------------------------------------------------------------


PROFILE = (
    {u: 404 for u in ALL}
    | {u: 403 for u in NOT_STAFF}
    | {
        "moe": 200,
        "a_admin": 200,
        "a_staff": 200,
        "elem_admin": 200,
        "elem_teacher": 200,
    }
)


@pytest.mark.parametrize(("user", "status"), PROFILE.items())
def test_school_profile_access(world: World, cycle: Cycle, user: str, status: int) -> None:
    url = reverse("framework:school_profile", args=[world.schools["A-elem"].public_id])
    assert world.client(user).get(url).status_code == status


def test_school_profile_trend_uses_accepted_snapshots(world: World) -> None:
    first = open_cycle(world, "114學年度第1學期", date(2025, 9, 1), schools=("A-elem",))
    a = first.assessments.get(school=world.schools["A-elem"])
    actor = world.users["elem_admin"]
    for r in a.responses.filter(strategy__item__code="S1", strategy__stage="D"):
        services.response_update(response=r, actor=actor, status="implemented")
        services.evidence_add(response=r, actor=actor, kind="link", url="https://example.org/x")
    services.assessment_submit(assessment=a, actor=actor)
    services.assessment_accept(assessment=a, actor=world.users["a_staff"])
    # a later change to the live stages does not change the accepted snapshot
    Assessment.objects.filter(pk=a.pk).update(stages={"S1": "M"})
    second = open_cycle(world, "114學年度第2學期", date(2026, 2, 1), schools=("A-elem",))
    set_stages(second, {"083601": ELEM})
    url = reverse("framework:school_profile", args=[world.schools["A-elem"].public_id])
    response = english(world, "elem_teacher").get(url)
    items = {t.item.code: t.keys for t in response.context["profile"].items}
    assert items["S1"] == ["D", "A"]
    assert items["S4"] == ["none", "M"]
    assert response.context["profile"].provisional == [False, True]
    body = response.content.decode()
    assert "<svg" in body and "114學年度第2學期" in body
    assert str(a.public_id) in body


def test_school_profile_without_cycles(world: World) -> None:
    url = reverse("framework:school_profile", args=[world.schools["A-junior"].public_id])
    response = english(world, "junior_admin").get(url)
    assert response.status_code == 200
    assert "has not taken part" in response.content.decode()


# --- the MOE view -------------------------------------------------------------------------------


COMPARISON = {u: 403 for u in ALL} | {"moe": 200}


@pytest.mark.parametrize(("user", "status"), COMPARISON.items())
def test_county_comparison_access(world: World, cycle: Cycle, user: str, status: int) -> None:
    assert world.client(user).get(reverse("framework:county_comparison")).status_code == status


def test_county_comparison_shows_each_countys_latest_table6(world: World, cycle: Cycle) -> None:
    root = User.objects.create_superuser(username="root", password="x", email="r@example.org")
    client = Client()
    client.force_login(root)
    response = client.get(reverse("framework:county_comparison"))
    assert response.status_code == 200
    profiles = {p.county.code: p for p, _cells, _url in response.context["profiles"]}
    assert set(profiles) == {"10008", "10002"}
    assert profiles["10008"].keys == as_keys(COUNTY)
    assert profiles["10002"].keys == ["none"] * 7
    later = open_cycle(world, "114學年度第2學期", date(2026, 3, 1))
    set_stages(later, {None: {**COUNTY, "L3": "D"}})
    response = client.get(reverse("framework:county_comparison"))
    profiles = {p.county.code: p for p, _cells, _url in response.context["profiles"]}
    assert profiles["10008"].assessment.cycle == later
    assert profiles["10008"].keys[2] == "D"


# --- the demo -----------------------------------------------------------------------------------


def test_demo_cycles(db: Any) -> None:
    """The demo builds three cycles for the demo county, deterministic from the seed."""
    from dtss.demo.county import demo_load

    assert demo_load(seed=7, progress=lambda _m: None)
    cycles = list(Cycle.objects.filter(county__code="10008").order_by("opens_on"))
    assert [c.status for c in cycles] == ["closed", "closed", "open"]
    for c in cycles[:2]:
        schools = c.assessments.filter(school__isnull=False)
        assert set(schools.values_list("status", flat=True)) == {"accepted"}
        assert all(a.snapshot.get("items") for a in schools)
    current = cycles[2].assessments.filter(school__isnull=False)
    statuses = set(current.values_list("status", flat=True))
    assert {"draft", "submitted", "changes_requested"} <= statuses
    # stages were computed from the responses and evidence the demo wrote
    a = current.filter(status="submitted").first()
    from dtss.framework.selectors import compute_stages

    assert a.stages == compute_stages(assessment=a)
    assert Evidence.objects.filter(kind="file").count() == 0
    assert Evidence.objects.exists()
    assert Response.objects.exclude(status="not_started").exists()
    # the county's own Table 6 is filled, and a second county has one for the MOE view
    assert any(cycles[1].assessments.get(school__isnull=True).stages.values())
    assert Assessment.objects.filter(county__code="10002", school__isnull=True).exists()
    # at least one school has not moved for two cycles
    admin = User.objects.get(username="county.admin")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("framework:dashboard"))
    assert response.status_code == 200
    assert response.context["data"].not_moved


# --- indicators vs self-rating ------------------------------------------------------------------


def _school_indicator(values: dict[str, float], calls: list[int]) -> Any:
    """A school-level indicator over S1.D1 measured by school code, computed in one batch."""
    from dtss.core.indicators import Indicator

    def many(orgs: Any, as_of: date) -> dict[int, float | None]:
        calls.append(len(orgs))
        return {o.pk: values.get(o.code) for o in orgs}

    return Indicator(
        id="test.s1_devices",
        level="school",
        strategies=("S1.D1",),
        title_zh="測試指標",
        title_en="Test indicator",
        compute=lambda org, as_of: values.get(org.code),
        compute_many=many,
        unit="%",
        achieved_at=80.0,
    )


def _panel(body: str) -> str:
    return body[body.index('id="indicators"') :]


def test_disagreements_panel_lists_the_county_and_schools(
    world: World, cycle: Cycle, monkeypatch: Any
) -> None:
    from dtss.core import indicators as registry

    calls: list[int] = []
    ind = _school_indicator({"083601": 40.0, "083501": 95.0}, calls)
    monkeypatch.setitem(registry._REGISTRY, ind.id, ind)
    admin = world.users["a_admin"]
    elem = cycle.assessments.get(school=world.schools["A-elem"])
    junior = cycle.assessments.get(school=world.schools["A-junior"])
    # 南投國小 claims S1.D1 implemented, but the data say 40 % (< 80 %).
    r = elem.responses.get(strategy__code="S1.D1")
    services.response_update(response=r, actor=admin, status="implemented")
    # 南投國中 has 95 % but marks S1.D1 only "planned".
    r = junior.responses.get(strategy__code="S1.D1")
    services.response_update(response=r, actor=admin, status="planned")
    county = services.cycle_open(
        county=world.counties["A"],
        name="縣市自評",
        opens_on=date(2025, 9, 2),
        deadline=date(2025, 12, 31),
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
        include_county=True,
        actor=None,
    )
    own = county.assessments.get(school__isnull=True)
    r = own.responses.get(strategy__code="L2.M1")  # claims the four groups; none exist
    services.response_update(response=r, actor=admin, status="embedded")

    body = dashboard(world.client("a_admin"), cycle=str(cycle.public_id)).content.decode()
    panel = _panel(body)
    assert 'data-kind="claimed_not_measured" data-code="S1.D1"' in panel
    assert 'data-kind="measured_not_claimed" data-code="S1.D1"' in panel
    assert "南投國小" in panel and "南投國中" in panel and "40%" in panel and "95%" in panel
    assert "L2.M1" not in panel  # the county's own assessment is in the other cycle
    assert calls == [2]  # one batch for both schools

    body = dashboard(english(world, "a_admin"), cycle=str(county.public_id)).content.decode()
    panel = _panel(body)
    assert 'data-kind="claimed_not_measured" data-code="L2.M1"' in panel
    assert "Office groups in place" in panel and "Embedded in routine" in panel
    url = reverse("framework:assessment_item", args=[own.public_id, "L2"])
    assert f'href="{url}"' in panel


def test_disagreements_use_the_values_recorded_on_acceptance(
    world: World, cycle: Cycle, monkeypatch: Any
) -> None:
    from dtss.core import indicators as registry

    values = {"083601": 40.0}
    ind = _school_indicator(values, [])
    monkeypatch.setitem(registry._REGISTRY, ind.id, ind)
    admin = world.users["a_admin"]
    elem = cycle.assessments.get(school=world.schools["A-elem"])
    r = elem.responses.get(strategy__code="S1.D1")
    services.response_update(response=r, actor=admin, status="implemented")
    services.assessment_submit(assessment=elem, actor=world.users["elem_admin"])
    services.assessment_accept(assessment=elem, actor=admin)
    values["083601"] = 90.0  # measured later: the frozen assessment keeps 40 %
    panel = _panel(dashboard(world.client("a_admin")).content.decode())
    assert 'data-kind="claimed_not_measured" data-code="S1.D1"' in panel and "40%" in panel


def test_disagreements_panel_empty_and_failing(
    world: World, cycle: Cycle, monkeypatch: Any
) -> None:
    from dtss.core import indicators as registry
    from dtss.core.indicators import Indicator

    body = dashboard(english(world, "a_admin")).content.decode()
    assert "No disagreement" in _panel(body)

    def broken(org: Any, as_of: date) -> float:
        raise RuntimeError("the register is down")

    bad = Indicator(
        id="test.broken",
        level="school",
        strategies=("S1.D1",),
        title_zh="壞",
        title_en="Bad",
        compute=broken,
        achieved_at=1.0,  # only indicators that can disagree are read
    )
    monkeypatch.setitem(registry._REGISTRY, bad.id, bad)
    response = dashboard(english(world, "a_admin"))
    assert response.status_code == 200
    panel = _panel(response.content.decode())
    assert 'role="alert"' in panel and "could not be computed" in panel
    assert len(response.context["data"].rows) == 2  # the heatmap is unaffected


def test_overdue_plans_panel(world: World, cycle: Cycle) -> None:
    from dtss.framework import plan_services

    today = timezone.localdate()
    admin = world.users["a_admin"]
    for org, school in (("083601", world.schools["A-elem"]), ("county", None)):
        plan = plan_services.plan_create(
            county=world.counties["A"], school=school, title=f"計畫 {org}", actor=admin
        )
        goal = plan_services.goal_create(plan=plan, title="目標", actor=admin)
        for days, status in ((-10, "planned"), (-3, "in_progress"), (-20, "done"), (5, "planned")):
            plan_services.action_create(
                goal=goal,
                title=f"行動 {days}",
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=days),
                status=status,
                actor=admin,
            )
    b_plan = plan_services.plan_create(
        county=world.counties["B"],
        school=world.schools["B-elem"],
        title="B",
        actor=world.users["b_admin"],
    )
    b_goal = plan_services.goal_create(plan=b_plan, title="B", actor=world.users["b_admin"])
    plan_services.action_create(
        goal=b_goal, title="B", ends_on=today - timedelta(days=1), actor=world.users["b_admin"]
    )
    response = dashboard(world.client("a_staff"))
    overdue = [
        (o.school.code if o.school else "county", o.actions, o.oldest)
        for o in response.context["data"].overdue
    ]
    assert overdue == [
        ("county", 2, today - timedelta(days=10)),
        ("083601", 2, today - timedelta(days=10)),
    ]
    body = response.content.decode()
    panel = body[body.index('id="overdue"') : body.index('id="county-profile"')]
    assert 'data-overdue="083601"' in panel and "overdue=1" in panel and "宜蘭" not in panel
    # the school filter applies: a junior-high filter leaves only the county's own
    response = dashboard(world.client("a_staff"), stage="junior")
    assert [o.school for o in response.context["data"].overdue] == [None]


def test_not_found_page_has_the_site_layout(world: World) -> None:
    response = world.client("b_admin").get(reverse("framework:dashboard") + "?county=10008")
    assert response.status_code == 404
    body = response.content.decode()
    assert "<header" in body and 'href="/"' in body and "南投" not in body
