"""The periodic review (S1.A1, L3.A1): a school's figures from known data, the county table and
its CSV, and who may read them (another school's or county's: 404; students, parents, the MOE
viewer and people with no role: 403)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dtss.conftest import World
from dtss.devices import review_selectors as sel
from dtss.devices import review_services as rsvc
from dtss.devices import services
from dtss.devices.models import DeviceEvent, Licence, LicenceSeat
from dtss.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db

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
NO_REGISTER = {"moe", "elem_student", "elem_student2", "b_student", "elem_parent", "b_parent"}
NO_REGISTER |= {"outsider"}


@dataclass
class ReviewWorld:
    w: World
    devices: dict[str, Any]
    stocktake: Any


def build(w: World) -> ReviewWorld:
    """A-elem: 2 enrolled students; student devices d1-d4 (d4 in repair for 40 days), d5 lost,
    a projector with a warranty ending soon, a BYOD Chromebook; two licences; a closed
    stocktake that missed one device. One device each at A-junior and B-elem."""
    now = timezone.now()
    today = timezone.localdate()
    d: dict[str, Any] = {}
    d["d1"] = make_device(w, warranty_end=today - timedelta(days=10), location="101")
    d["d2"] = make_device(w, location="101")
    d["d3"] = make_device(w, kind="laptop", location="101")
    d["d4"] = make_device(w, location="101")
    d["d5"] = make_device(w)
    d["proj"] = make_device(w, kind="projector", warranty_end=today + timedelta(days=30))
    d["byod"] = make_device(w, kind="chromebook")
    d["byod"].byod = True
    d["byod"].owner = w.people["elem_student"]
    d["byod"].save()
    for key, days in (("d1", 2), ("d2", 40)):
        d[key].mdm_source = "jamf"
        d[key].mdm_last_contact = now - timedelta(days=days)
        d[key].save()
    services.device_set_status(device=d["d4"], status="in_repair")
    DeviceEvent.objects.filter(device=d["d4"], kind="repair_out").update(
        at=now - timedelta(days=40)
    )
    services.device_set_status(device=d["d5"], status="lost")
    school = w.schools["A-elem"]
    lic = Licence.objects.create(
        county=school.county,
        school=school,
        name="Office",
        seats=10,
        expires_on=today + timedelta(days=20),
    )
    Licence.objects.create(
        county=school.county,
        school=school,
        name="Later",
        seats=5,
        expires_on=today + timedelta(days=200),
    )
    for key in ("d1", "d2"):
        LicenceSeat.objects.create(county=school.county, school=school, licence=lic, device=d[key])
    st = rsvc.stocktake_create(school=school, actor=w.users["elem_admin"], location="101")
    for key in ("d1", "d2", "d3"):
        rsvc.stocktake_scan(stocktake=st, code=f"DTSS:{d[key].asset_tag}")
    st = rsvc.stocktake_close(stocktake=st)
    d["junior"] = make_device(w, "A-junior")
    d["b"] = make_device(w, "B-elem")
    return ReviewWorld(w, d, st)


@pytest.fixture
def rw(world: World) -> ReviewWorld:
    return build(world)


def test_school_figures_from_known_data(rw: ReviewWorld) -> None:
    w = rw.w
    (r,) = sel.review_many(user=w.users["elem_admin"], schools=[w.schools["A-elem"]], idle_days=30)
    assert r.students == 2  # the current enrolments, not School.student_count (300)
    assert r.devices == 7
    assert r.student_devices == 4  # d1-d4: not the lost one, the projector or the BYOD
    assert r.per_student == 2.0
    assert r.in_repair == 1 and r.repairs_old == 1
    assert r.repair_share == round(100 / 6, 1)  # of the 6 devices not lost
    assert (r.managed, r.idle, r.not_managed) == (2, 1, 2)  # d3 and d4 never reported
    assert (r.warranty_soon, r.warranty_ended) == (1, 1)
    assert (r.licences, r.licences_soon, r.seats_used, r.seats_total) == (2, 1, 2, 15)
    assert r.lost == 1
    assert r.last_stocktake == rw.stocktake and r.last_missing == 1  # d4 at 101, not scanned
    # A longer idle threshold: d2 (40 days) is no longer idle.
    (r,) = sel.review_many(user=w.users["elem_admin"], schools=[w.schools["A-elem"]], idle_days=45)
    assert r.idle == 0


def test_students_fall_back_to_the_recorded_count(rw: ReviewWorld) -> None:
    w = rw.w
    (r,) = sel.review_many(user=w.users["a_admin"], schools=[w.schools["A-junior"]], idle_days=30)
    assert r.students == 500 and r.student_devices == 1 and r.per_student == 0.0


def _register_link() -> str | None:
    try:
        return reverse("devices:device_list")
    except NoReverseMatch:
        return None


def test_school_page_shows_figures_with_register_links(rw: ReviewWorld) -> None:
    w = rw.w
    school = w.schools["A-elem"]
    r = w.client("elem_admin").get(reverse("devices:review"), {"school": school.public_id})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="fig-per_student" data-value="2.0"' in body
    assert 'id="fig-idle" data-value="1"' in body
    assert 'id="fig-last_missing" data-value="1"' in body
    assert rw.devices["d2"].asset_tag in body  # in the idle list
    base = _register_link()
    if base:
        assert f"{base}?school={school.public_id}&amp;status=in_repair" in body
    # a bad idle threshold is named and the default used
    r = w.client("elem_admin").get(
        reverse("devices:review"), {"school": school.public_id, "idle_days": "0"}
    )
    assert r.status_code == 200 and 'id="fig-idle" data-value="1"' in r.content.decode()
    assert "errorlist" in r.content.decode()
    # a school user with one school lands on it without choosing
    r = w.client("elem_teacher").get(reverse("devices:review"))
    assert r.status_code == 200 and r.context["school"] == school
    # a county user goes to the county table
    r = w.client("a_admin").get(reverse("devices:review"))
    assert r.status_code == 302 and r["Location"] == reverse("devices:review_county")


def test_county_table_and_csv(rw: ReviewWorld) -> None:
    w = rw.w
    client = w.client("a_staff")
    r = client.get(reverse("devices:review_county"))
    assert r.status_code == 200
    body = r.content.decode()
    assert f'data-school="{w.schools["A-elem"].public_id}"' in body
    assert f'data-school="{w.schools["A-junior"].public_id}"' in body
    assert f'data-school="{w.schools["B-elem"].public_id}"' not in body
    r = client.get(reverse("devices:review_county"), {"format": "csv", "sort": "code"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 3  # header + two schools of county A
    elem = next(row for row in rows if row[0] == w.schools["A-elem"].code)
    assert elem[2:6] == ["2", "4", "2.0", "1"]
    assert elem[-1] == "1"
    # search narrows the table
    r = client.get(reverse("devices:review_county"), {"q": w.schools["A-junior"].code})
    assert f'data-school="{w.schools["A-elem"].public_id}"' not in r.content.decode()


@pytest.mark.parametrize("user", ALL)
def test_school_review_tenancy(rw: ReviewWorld, user: str) -> None:
    w = rw.w
    url = reverse("devices:review")
    r = w.client(user).get(url, {"school": w.schools["A-elem"].public_id})
    readers = {"a_admin", "a_staff", "elem_admin", "elem_teacher"}
    expected = 200 if user in readers else 403 if user in NO_REGISTER else 404
    assert r.status_code == expected
    if expected == 200:
        assert rw.devices["d2"].asset_tag in r.content.decode()
    r = w.client(user).get(url, {"school": "not-a-uuid"})
    assert r.status_code in (403, 404)


@pytest.mark.parametrize("user", ALL)
def test_county_review_tenancy(rw: ReviewWorld, user: str) -> None:
    w = rw.w
    r = w.client(user).get(reverse("devices:review_county"), {"format": "csv"})
    if user in {"a_admin", "a_staff"}:
        assert r.status_code == 200
        assert w.schools["B-elem"].code not in r.content.decode("utf-8-sig")
    elif user == "b_admin":
        assert r.status_code == 200
        body = r.content.decode("utf-8-sig")
        assert w.schools["B-elem"].code in body and w.schools["A-elem"].code not in body
    else:
        assert r.status_code == 403


def test_anonymous_is_sent_to_login(rw: ReviewWorld) -> None:
    from django.test import Client

    for name in ("devices:review", "devices:review_county", "devices:stocktake_list"):
        r = Client().get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
