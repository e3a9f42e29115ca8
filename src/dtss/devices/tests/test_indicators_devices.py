"""The devices module's indicators (DESIGN.md rule 4) from known data: each value, None where
there is nothing to measure, `as_of`, many orgs at once, and their place beside the strategies
on a school's S1 self-assessment page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.core import indicators as registry
from dtss.devices import review_services as rsvc
from dtss.devices import services
from dtss.devices.models import Assignment, DeviceEvent, Stocktake, StudentSupport
from dtss.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db


def value(ind_id: str, org: Any, as_of: date | None = None) -> float | None:
    ind = registry.get(ind_id)
    as_of = as_of or timezone.localdate()
    one = ind.compute(org, as_of)
    assert ind.values([org], as_of) == {org.pk: one}  # compute and compute_many agree
    return one


def support(w: World, who: str, **fields: Any) -> StudentSupport:
    school = w.schools["A-elem"] if who.startswith("elem") else w.schools["B-elem"]
    row, _ = StudentSupport.objects.update_or_create(
        student=w.people[who], defaults={"county": school.county, "school": school, **fields}
    )
    return row


def loan(w: World, device: Any, who: str, *, starts: date | None = None, kind: str = "loan") -> Any:
    school = device.school
    return Assignment.objects.create(
        county=school.county,
        school=school,
        device=device,
        kind=kind,
        status="active",
        person=w.people[who],
        starts_on=starts or timezone.localdate(),
    )


def test_registered_with_strategies_levels_and_units() -> None:
    got = {i.id: i for i in registry.all_indicators() if i.id.startswith("devices.")}
    expected = {
        "devices.per_student": ("school", ("S1.D1",), "ratio", 1.0),
        "devices.county_per_student": ("county", ("L3.D1",), "ratio", 1.0),
        "devices.home_device_share": ("school", ("S1.M1",), "%", None),
        "devices.home_internet_share": ("school", ("S1.M1",), "%", None),
        "devices.take_home_share": ("school", ("S1.M2",), "%", None),
        "devices.support_coverage": ("school", ("S1.M1",), "%", 100.0),
        "devices.county_support_coverage": ("county", ("L3.M1",), "%", 100.0),
        "devices.in_repair": ("school", ("S1.A1",), "count", None),
        "devices.repairs_overdue": ("school", ("S1.A1",), "count", None),
        "devices.county_in_repair": ("county", ("L3.A1",), "count", None),
        "devices.county_repairs_overdue": ("county", ("L3.A1",), "count", None),
        "devices.idle_share": ("school", ("S1.A1", "S5.D1"), "%", None),
        "devices.county_idle_share": ("county", ("L3.A1",), "%", None),
        "devices.stocktake_done": ("school", ("S1.A1",), "yes/no", 1.0),
        "devices.county_stocktake_share": ("county", ("L3.A1",), "%", None),
    }
    assert {k: (i.level, i.strategies, i.unit, i.achieved_at) for k, i in got.items()} == expected
    assert not got["devices.idle_share"].higher_is_better
    assert got["devices.in_repair"].compute_many is not None
    assert "devices.support_coverage" in {i.id for i in registry.for_strategy("S1.M1")}


def test_devices_per_student(world: World) -> None:
    w = world
    elem, county = w.schools["A-elem"], w.counties["A"]
    assert value("devices.per_student", elem) is None  # no device registered: nothing to measure
    assert value("devices.county_per_student", county) is None
    make_device(w)  # a tablet of A-elem (2 students enrolled)
    make_device(w, kind="projector")  # not a student device
    lost = make_device(w)
    services.device_set_status(device=lost, status="lost")
    assert value("devices.per_student", elem) == 0.5
    # the day before the devices were registered: none then
    assert value("devices.per_student", elem, timezone.localdate() - timedelta(days=1)) is None
    junior = w.schools["A-junior"]
    junior.student_count = 4  # no enrolments there: the recorded count is used
    junior.save()
    make_device(w, "A-junior")
    assert value("devices.per_student", junior) == 0.25
    # county: 2 tablets over 2 + 4 students
    assert value("devices.county_per_student", county) == round(2 / 6, 2)
    assert value("devices.county_per_student", w.counties["B"]) is None


def test_home_device_internet_and_take_home(world: World) -> None:
    w = world
    elem = w.schools["A-elem"]
    for ind in ("home_device_share", "home_internet_share", "take_home_share"):
        assert value(f"devices.{ind}", elem) is None
    support(w, "elem_student", device_at_home="yes", internet_at_home="no")
    # of the students whose home access is known (elem_student2's is not): 1 of 1
    assert value("devices.home_device_share", elem) == 100.0
    assert value("devices.home_internet_share", elem) == 0.0  # known, and no one has it
    tablet = make_device(w)
    hotspot = make_device(w, kind="hotspot")
    today = timezone.localdate()
    assert value("devices.take_home_share", elem) == 0.0
    loan(w, tablet, "elem_student2", starts=today - timedelta(days=10))
    loan(w, hotspot, "elem_student2")
    assert value("devices.home_device_share", elem) == 100.0
    assert value("devices.home_internet_share", elem) == 50.0
    assert value("devices.take_home_share", elem) == 50.0
    # the day before, the hotspot loan had not begun
    yesterday = today - timedelta(days=1)
    assert value("devices.home_internet_share", elem, yesterday) == 0.0
    # a loan returned today counts on the days before, not at the end of today
    a = Assignment.objects.get(device=tablet)
    a.status, a.ended_at = "returned", timezone.now()
    a.save()
    support(w, "elem_student2", device_at_home="no")  # the family says so on the return
    assert value("devices.home_device_share", elem) == 50.0
    assert value("devices.home_device_share", elem, yesterday) == 100.0
    assert value("devices.home_device_share", elem, today - timedelta(days=11)) == 50.0
    # BYOD counts for the take-home share
    byod = make_device(w, kind="laptop")
    byod.byod, byod.owner = True, w.people["elem_student"]
    byod.save()
    assert value("devices.take_home_share", elem) == 50.0  # elem_student2's loan is over


def test_support_coverage(world: World) -> None:
    w = world
    elem, a, b = w.schools["A-elem"], w.counties["A"], w.counties["B"]
    support(w, "elem_student2", device_at_home="yes", internet_at_home="yes")  # no category
    assert value("devices.support_coverage", elem) is None  # no student who needs support
    assert value("devices.county_support_coverage", a) is None
    support(w, "elem_student", low_income=True, device_at_home="yes", internet_at_home="no")
    assert value("devices.support_coverage", elem) == 0.0
    hotspot = make_device(w, kind="hotspot")
    loan(w, hotspot, "elem_student")
    assert value("devices.support_coverage", elem) == 100.0
    assert value("devices.county_support_coverage", a) == 100.0
    support(w, "b_student", remote=True)
    assert value("devices.county_support_coverage", b) == 0.0
    ind = registry.get("devices.support_coverage")
    assert ind.is_achieved(100.0) and not ind.is_achieved(99.0)


def test_repairs_and_idle(world: World) -> None:
    w = world
    elem, a = w.schools["A-elem"], w.counties["A"]
    for ind in ("in_repair", "repairs_overdue", "idle_share"):
        assert value(f"devices.{ind}", elem) is None
    d1, d2 = make_device(w), make_device(w)
    assert value("devices.in_repair", elem) == 0.0
    assert value("devices.idle_share", elem) is None  # no MDM-managed device
    services.device_set_status(device=d1, status="in_repair")
    assert value("devices.in_repair", elem) == 1.0
    assert value("devices.repairs_overdue", elem) == 0.0
    DeviceEvent.objects.filter(device=d1, kind="repair_out").update(
        at=timezone.now() - timedelta(days=40)
    )
    assert value("devices.repairs_overdue", elem) == 1.0
    assert value("devices.county_repairs_overdue", a) == 1.0
    now = timezone.now()
    for d, days in ((d1, 40), (d2, 1)):
        d.mdm_last_contact = now - timedelta(days=days)
        d.save()
    assert value("devices.idle_share", elem) == 50.0
    assert value("devices.county_idle_share", a) == 50.0
    assert value("devices.county_idle_share", w.counties["B"]) is None


def test_stocktake_done(world: World) -> None:
    w = world
    elem, junior, a = w.schools["A-elem"], w.schools["A-junior"], w.counties["A"]
    assert value("devices.stocktake_done", elem) is None
    assert value("devices.county_stocktake_share", a) is None
    make_device(w)
    make_device(w, "A-junior")
    assert value("devices.stocktake_done", elem) == 0.0
    st = rsvc.stocktake_create(school=elem)
    assert value("devices.stocktake_done", elem) == 0.0  # still open
    rsvc.stocktake_close(stocktake=st)
    assert value("devices.stocktake_done", elem) == 1.0
    assert value("devices.stocktake_done", junior) == 0.0
    assert value("devices.county_stocktake_share", a) == 50.0
    today = timezone.localdate()
    assert value("devices.stocktake_done", elem, today + timedelta(days=400)) == 0.0
    # before it was closed
    Stocktake.objects.filter(pk=st.pk).update(closed_at=timezone.now() + timedelta(days=3))
    assert value("devices.stocktake_done", elem) == 0.0
    ind = registry.get("devices.stocktake_done")
    many = ind.values([elem, junior, w.schools["B-elem"]], today + timedelta(days=5))
    assert many == {elem.pk: 1.0, junior.pk: 0.0, w.schools["B-elem"].pk: None}


def test_indicators_appear_on_the_school_s1_page(world: World) -> None:
    from dtss.framework import services as fw

    w = world
    make_device(w)
    support(w, "elem_student", low_income=True, device_at_home="yes", internet_at_home="yes")
    today = timezone.localdate()
    cycle = fw.cycle_open(
        county=w.counties["A"],
        name="S1 review",
        opens_on=today - timedelta(days=1),
        deadline=today + timedelta(days=30),
        schools=[w.schools["A-elem"]],
        include_county=False,
        actor=w.users["a_admin"],
    )
    assessment = cycle.assessments.get(school=w.schools["A-elem"])
    client = w.client("elem_admin")
    client.cookies["dtss_language"] = "en"
    r = client.get(reverse("framework:assessment_item", args=[assessment.public_id, "S1"]))
    assert r.status_code == 200
    body = r.content.decode()
    for title in (
        "Student devices per student",  # S1.D1
        "Students with a device at home",  # S1.M1
        "Students needing support with a device and internet at home",  # S1.M1
        "Device stocktake in the last 12 months",  # S1.A1
    ):
        assert title in body, title
    assert "0.5" in body  # 1 tablet, 2 students
