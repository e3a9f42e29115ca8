from __future__ import annotations

from datetime import date

from dtss.conftest import World
from dtss.core import indicators as registry
from dtss.framework import services
from dtss.framework.models import IndicatorValue
from dtss.framework.selectors import indicator_readings
from dtss.orgs import services as org_services


def test_registry_lists_indicators_with_their_strategies() -> None:
    ids = {i.id for i in registry.for_strategy("L2.D1")}
    assert {"orgs.office_in_place", "orgs.work_plan_done"} <= ids
    ind = registry.get("orgs.office_standard_groups")
    assert ind.level == "county" and ind.strategies == ("L2.M1",) and ind.unit == "%"
    assert ind.title("en").startswith("Office groups") and ind.title("zh-hant").startswith("辦公室")


def _county_assessment(world: World):  # type: ignore[no-untyped-def]
    cycle = services.cycle_open(
        county=world.counties["A"],
        name="115-1",
        opens_on=date(2026, 9, 1),
        deadline=date(2026, 12, 31),
        schools=[],
        include_county=True,
    )
    return cycle.assessments.get()


def test_office_indicators_follow_the_office_data(world: World) -> None:
    county = world.counties["A"]
    as_of = date(2026, 11, 30)  # academic year 115
    ind = registry.get("orgs.office_in_place")
    groups = registry.get("orgs.office_standard_groups")
    assert ind.compute(county, as_of) == 0.0
    office = org_services.office_create(county=county, name="辦公室")
    group = org_services.office_group_create(
        office=office, kind="equipment", name="資訊設備組", lead=world.people["a_staff"]
    )
    assert ind.compute(county, as_of) == 0.0  # no work plan for 115 yet
    plan = org_services.work_plan_create(office=office, roc_year=115, title="115 計畫")
    assert ind.compute(county, as_of) == 1.0
    assert groups.compute(county, as_of) == 25.0
    org_services.office_group_create(
        office=office, kind="supervision", name="督導考核組", lead=world.people["a_admin"]
    )
    assert groups.compute(county, as_of) == 50.0
    done = registry.get("orgs.work_plan_done")
    assert done.compute(county, as_of) is None
    task = org_services.office_task_create(plan=plan, title="盤點", group=group)
    org_services.office_task_create(plan=plan, title="研習", group=group)
    org_services.office_task_set_status(task=task, status="done", actor=None)
    assert done.compute(county, as_of) == 50.0
    # Another county is unaffected.
    assert ind.compute(world.counties["B"], as_of) == 0.0


def test_disagreement_between_self_rating_and_indicator(world: World) -> None:
    a = _county_assessment(world)
    user = world.users["a_admin"]
    # Claims L2.M1 implemented while no office groups exist.
    r = a.responses.get(strategy__code="L2.M1")
    services.response_update(response=r, actor=user, status="implemented")
    readings = indicator_readings(assessment=a, as_of=date(2026, 11, 30))
    m1 = readings["L2.M1"][0]
    assert m1.value == 0.0 and m1.achieved is False and m1.disagreement == "claimed_not_measured"
    # The office is in place but L2.D1 is still "not started".
    office = org_services.office_create(county=world.counties["A"], name="辦公室")
    org_services.office_group_create(
        office=office, kind="equipment", name="資訊設備組", lead=world.people["a_staff"]
    )
    org_services.work_plan_create(office=office, roc_year=115, title="115 計畫")
    readings = indicator_readings(assessment=a, as_of=date(2026, 11, 30))
    d1 = next(x for x in readings["L2.D1"] if x.indicator.id == "orgs.office_in_place")
    assert d1.achieved is True and d1.disagreement == "measured_not_claimed"


def test_values_are_kept_per_cycle_on_acceptance(world: World) -> None:
    a = _county_assessment(world)
    services.assessment_submit(assessment=a, actor=world.users["a_admin"])
    services.assessment_accept(assessment=a, actor=world.users["a_admin"])
    values = dict(IndicatorValue.objects.filter(cycle=a.cycle).values_list("indicator_id", "value"))
    assert values["orgs.office_in_place"] == 0.0
    # Later changes do not rewrite the frozen cycle's readings.
    office = org_services.office_create(county=world.counties["A"], name="辦公室")
    org_services.office_group_create(
        office=office, kind="equipment", name="資訊設備組", lead=world.people["a_staff"]
    )
    readings = indicator_readings(assessment=a)
    assert readings["L2.M1"][0].value == 0.0
