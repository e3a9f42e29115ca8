"""The review API: /device-review, /device-review/county and /stocktakes (with scans and
closing), and who may call them (another school or county: 404; no register: 403; readers who
may not change: 403)."""

from __future__ import annotations

import pytest
from django.test import Client

from dtss.accounts.services import api_token_create
from dtss.conftest import World
from dtss.devices.models import Stocktake, StocktakeScan
from dtss.devices.tests.test_review_views import ALL, NO_REGISTER, ReviewWorld, build

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
READERS = {"a_admin", "a_staff", "elem_admin", "elem_teacher"}
MANAGERS = {"a_admin", "a_staff", "elem_admin"}


def api(world: World, name: str) -> Client:
    _token, key = api_token_create(user=world.users[name], name="t")
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


@pytest.fixture
def rw(world: World) -> ReviewWorld:
    return build(world)


def test_school_review(rw: ReviewWorld) -> None:
    w = rw.w
    r = api(w, "elem_teacher").get(
        f"{BASE}/device-review", {"school": w.schools["A-elem"].public_id}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["students"], body["student_devices"], body["per_student"]) == (2, 4, 2.0)
    assert (body["idle"], body["not_managed"], body["idle_days"]) == (1, 2, 30)
    assert body["repairs_old"] == 1 and body["lost"] == 1
    assert body["last_stocktake"] == str(rw.stocktake.public_id)
    assert body["last_stocktake_missing"] == 1
    assert [x["name"] for x in body["licences"]] == ["Office", "Later"]
    r = api(w, "elem_teacher").get(
        f"{BASE}/device-review",
        {"school": w.schools["A-elem"].public_id, "idle_days": 45},
    )
    assert r.json()["idle"] == 0
    r = api(w, "elem_teacher").get(
        f"{BASE}/device-review", {"school": w.schools["A-elem"].public_id, "idle_days": 0}
    )
    assert r.status_code == 422


def test_county_review(rw: ReviewWorld) -> None:
    w = rw.w
    r = api(w, "a_staff").get(f"{BASE}/device-review/county")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert {x["school_code"] for x in body["items"]} == {
        w.schools["A-elem"].code,
        w.schools["A-junior"].code,
    }
    assert api(w, "elem_admin").get(f"{BASE}/device-review/county").status_code == 403


def test_stocktake_flow(rw: ReviewWorld) -> None:
    w = rw.w
    client = api(w, "elem_admin")
    r = client.post(
        f"{BASE}/stocktakes",
        {"school": str(w.schools["A-elem"].public_id), "location": "Nowhere"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "location"
    r = client.post(
        f"{BASE}/stocktakes",
        {"school": str(w.schools["A-junior"].public_id)},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "school"
    r = client.post(
        f"{BASE}/stocktakes",
        {"school": str(w.schools["A-elem"].public_id), "location": "101"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    st = r.json()
    assert st["state"]["counts"]["expected"] == 4  # d1-d4 at 101
    url = f"{BASE}/stocktakes/{st['public_id']}"
    d1 = rw.devices["d1"].asset_tag
    r = client.post(f"{url}/scans", {"code": f"DTSS:{d1}"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["scan"]["result"] == "found"
    r = client.post(f"{url}/scans", {"code": "UNKNOWN-1"}, content_type="application/json")
    assert r.json()["scan"]["result"] == "unknown"
    assert r.json()["state"]["counts"] == {
        "expected": 4,
        "found": 1,
        "missing": 3,
        "unexpected": 0,
        "unknown": 1,
        "repeat": 0,
    }
    r = client.post(f"{url}/close", {"mark_lost": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["missing_count"] == 3
    r = client.post(f"{url}/scans", {"code": f"DTSS:{d1}"}, content_type="application/json")
    assert r.status_code == 422
    r = client.get(f"{BASE}/stocktakes", {"status": "closed"})
    assert r.json()["count"] == 2
    assert client.get(url).json()["state"]["counts"]["missing"] == 3


@pytest.mark.parametrize("user", ALL)
def test_api_tenancy(rw: ReviewWorld, user: str) -> None:
    w = rw.w
    client = api(w, user)
    read = 200 if user in READERS else 403 if user in NO_REGISTER else 404
    r = client.get(f"{BASE}/device-review", {"school": w.schools["A-elem"].public_id})
    assert r.status_code == read
    r = client.get(f"{BASE}/device-review/county")
    county = {"a_admin", "a_staff", "b_admin"}
    assert r.status_code == (200 if user in county else 403)
    if user == "b_admin":
        assert {x["school_code"] for x in r.json()["items"]} == {w.schools["B-elem"].code}
    st = Stocktake.objects.create(
        county=w.counties["A"], school=w.schools["A-elem"], title="open one"
    )
    url = f"{BASE}/stocktakes/{st.public_id}"
    assert client.get(url).status_code == read
    r = client.get(f"{BASE}/stocktakes")
    if user in NO_REGISTER:
        assert r.status_code == 403
    else:
        ids = {x["public_id"] for x in r.json()["items"]}
        assert (str(st.public_id) in ids) is (user in READERS)
    write = 200 if user in MANAGERS else 403 if user in READERS | NO_REGISTER else 404
    r = client.post(f"{url}/scans", {"code": "X"}, content_type="application/json")
    assert r.status_code == write
    assert StocktakeScan.objects.filter(stocktake=st).exists() is (user in MANAGERS)
    r = client.post(f"{url}/close", {}, content_type="application/json")
    assert r.status_code == write
    r = client.post(
        f"{BASE}/stocktakes",
        {"school": str(w.schools["A-elem"].public_id)},
        content_type="application/json",
    )
    managers_elsewhere = {"b_admin", "junior_admin"}
    expected_create = 201 if user in MANAGERS else 422 if user in managers_elsewhere else 403
    assert r.status_code == expected_create
