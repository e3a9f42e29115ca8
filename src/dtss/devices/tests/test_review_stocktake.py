"""QR stocktakes (S1.A1): found / unexpected / unknown / repeat, missing, closing (with and
without reporting the missing devices lost), the CSV, and who may read, scan and close."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dtss.conftest import World
from dtss.core.models import AuditEntry
from dtss.devices import review_selectors as sel
from dtss.devices import review_services as svc
from dtss.devices import services
from dtss.devices.models import Device, DeviceEvent, Stocktake, StocktakeScan
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.test_review_views import ALL

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def st_world(world: World) -> dict[str, Any]:
    d = {
        "a": make_device(world, asset_tag="A-001", serial="SER-A", location="Lab"),
        "b": make_device(world, asset_tag="A-002", location="Lab"),
        "c": make_device(world, asset_tag="A-003", location="Lab"),
        "hall": make_device(world, asset_tag="A-004", location="Hall"),
        "lost": make_device(world, asset_tag="A-005", location="Lab"),
        "junior": make_device(world, "A-junior", asset_tag="J-001"),
        "b_county": make_device(world, "B-elem", asset_tag="B-001"),
    }
    services.device_set_status(device=d["lost"], status="lost")
    st = svc.stocktake_create(
        school=world.schools["A-elem"], location="Lab", actor=world.users["elem_admin"]
    )
    return {"w": world, "d": d, "st": st}


def test_scan_results_and_missing(st_world: dict[str, Any]) -> None:
    w, d, st = st_world["w"], st_world["d"], st_world["st"]
    actor = w.users["elem_admin"]
    state = sel.stocktake_state(st)
    assert state.counts["expected"] == 3  # a, b, c at Lab (not the hall one, not the lost one)

    scan, reason = svc.stocktake_scan(stocktake=st, code="DTSS:A-001", actor=actor)
    assert scan.result == "found" and scan.device == d["a"] and reason == ""
    d["a"].refresh_from_db()
    assert d["a"].last_seen_at is not None
    event = DeviceEvent.objects.filter(device=d["a"], kind="stocktake").get()
    assert event.actor == actor and event.detail["stocktake"] == str(st.public_id)

    assert svc.stocktake_scan(stocktake=st, code="dtss:a-001")[0].result == "repeat"
    assert svc.stocktake_scan(stocktake=st, code="A-002")[0].result == "found"  # bare tag
    assert svc.stocktake_scan(stocktake=st, code=" SER-A ")[0].result == "repeat"  # by serial
    scan, reason = svc.stocktake_scan(stocktake=st, code="DTSS:A-004")
    assert (scan.result, reason) == ("unexpected", "another_location")
    scan, reason = svc.stocktake_scan(stocktake=st, code="DTSS:A-005")
    assert (scan.result, reason) == ("unexpected", "lost")
    scan, reason = svc.stocktake_scan(stocktake=st, code="DTSS:J-001")
    assert (scan.result, reason) == ("unexpected", "another_school")
    # a device of another county is not in this county's register
    assert svc.stocktake_scan(stocktake=st, code="DTSS:B-001")[0].result == "unknown"
    assert svc.stocktake_scan(stocktake=st, code="NOPE-9")[0].result == "unknown"
    assert svc.stocktake_scan(stocktake=st, code="nope-9")[0].result == "repeat"
    # only found devices get a history line and a last-seen time
    d["hall"].refresh_from_db()
    assert d["hall"].last_seen_at is None
    assert not DeviceEvent.objects.filter(device=d["junior"], kind="stocktake").exists()

    state = sel.stocktake_state(st)
    assert state.counts == {
        "expected": 3,
        "found": 2,
        "missing": 1,
        "unexpected": 3,
        "unknown": 2,
        "repeat": 3,
    }
    assert [x.asset_tag for x in state.missing] == ["A-003"]

    with pytest.raises(ValidationError) as exc:
        svc.stocktake_scan(stocktake=st, code="   ")
    assert "code" in exc.value.message_dict


def test_close_freezes_missing_and_can_report_them_lost(st_world: dict[str, Any]) -> None:
    w, d, st = st_world["w"], st_world["d"], st_world["st"]
    svc.stocktake_scan(stocktake=st, code="DTSS:A-001")
    st = svc.stocktake_close(stocktake=st, actor=w.users["elem_admin"], mark_lost=True)
    assert st.status == "closed" and st.closed_at is not None
    assert sorted(st.missing_ids) == sorted([d["b"].pk, d["c"].pk])
    assert Device.objects.get(pk=d["b"].pk).status == "lost"
    assert DeviceEvent.objects.filter(device=d["c"], kind="lost").exists()
    audit = AuditEntry.objects.get(action="stocktake.close")
    assert audit.detail == {"missing": 2, "marked_lost": 2}
    # frozen: later register changes do not change the result
    make_device(w, asset_tag="A-010", location="Lab")
    state = sel.stocktake_state(st)
    assert state.counts["missing"] == 2 and state.counts["expected"] == 3
    with pytest.raises(ValidationError):
        svc.stocktake_scan(stocktake=st, code="DTSS:A-002")
    with pytest.raises(ValidationError):
        svc.stocktake_close(stocktake=st)


def test_close_without_marking_keeps_status(st_world: dict[str, Any]) -> None:
    d, st = st_world["d"], st_world["st"]
    svc.stocktake_close(stocktake=st)
    assert Device.objects.get(pk=d["b"].pk).status == "in_stock"


def test_create_validates_location(world: World) -> None:
    make_device(world, location="Lab")
    with pytest.raises(ValidationError) as exc:
        svc.stocktake_create(school=world.schools["A-elem"], location="Nowhere")
    assert "location" in exc.value.message_dict
    assert not Stocktake.objects.exists()


def test_scan_page_flow_json(st_world: dict[str, Any]) -> None:
    w, st = st_world["w"], st_world["st"]
    client = w.client("elem_admin")
    url = reverse("devices:stocktake_scan", args=[st.public_id])
    r = client.post(url, json.dumps({"code": "DTSS:A-001"}), **JSON)
    assert r.status_code == 200
    body = r.json()
    assert body["scan"]["result"] == "found" and body["scan"]["device"]["asset_tag"] == "A-001"
    assert body["state"]["counts"]["found"] == 1 and body["state"]["counts"]["missing"] == 2
    r = client.post(url, json.dumps({"code": "DTSS:J-001"}), **JSON)
    scan = r.json()["scan"]
    assert scan["result"] == "unexpected" and scan["reason"] == "another_school"
    assert set(scan["device"]) == {"asset_tag"}  # nothing more of another school's device
    r = client.post(url, json.dumps({"code": ""}), **JSON)
    assert r.status_code == 400 and "code" in r.json()["errors"]
    # without JavaScript: a form post goes back to the page
    r = client.post(url, {"code": "ZZZ"})
    assert r.status_code == 302
    assert StocktakeScan.objects.filter(code="ZZZ", result="unknown").exists()
    page = client.get(reverse("devices:stocktake_detail", args=[st.public_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="scanner"' in html and 'data-code="ZZZ"' in html and "jsQR.js" in html
    # close from the page, then the CSV
    r = client.post(reverse("devices:stocktake_close", args=[st.public_id]), {"mark_lost": "1"})
    assert r.status_code == 302
    r = client.get(reverse("devices:stocktake_export", args=[st.public_id]))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    tags = {row[1] for row in rows[1:]}
    assert {"A-001", "A-002", "A-003", "J-001"} <= tags and len(rows) == 6  # header, 5 lines
    page = client.get(reverse("devices:stocktake_detail", args=[st.public_id]))
    assert 'id="scanner"' not in page.content.decode()  # closed: no more scanning


def test_export_of_an_open_stocktake_is_refused(st_world: dict[str, Any]) -> None:
    w, st = st_world["w"], st_world["st"]
    r = w.client("elem_admin").get(reverse("devices:stocktake_export", args=[st.public_id]))
    assert r.status_code == 409


def test_create_page(world: World) -> None:
    make_device(world, location="Lab")
    client = world.client("elem_admin")
    url = reverse("devices:stocktake_create")
    assert client.get(url).status_code == 200
    r = client.post(url, {"school": world.schools["A-elem"].public_id, "location": "Nowhere"})
    assert r.status_code == 400 and not Stocktake.objects.exists()
    r = client.post(url, {"school": world.schools["A-junior"].public_id})  # not managed
    assert r.status_code == 400 and not Stocktake.objects.exists()
    r = client.post(url, {"school": world.schools["A-elem"].public_id, "location": "Lab"})
    st = Stocktake.objects.get()
    assert r.status_code == 302 and st.location == "Lab" and st.started_by.username == "elem_admin"
    r = client.get(reverse("devices:stocktake_list"))
    assert f'data-stocktake="{st.public_id}"' in r.content.decode()


# --- who may ------------------------------------------------------------------------------

READERS = {"a_admin", "a_staff", "elem_admin", "elem_teacher"}
MANAGERS = {"a_admin", "a_staff", "elem_admin"}
NO_REGISTER = {"moe", "elem_student", "elem_student2", "b_student", "elem_parent", "b_parent"}
NO_REGISTER |= {"outsider"}


@pytest.mark.parametrize("user", ALL)
def test_stocktake_tenancy(st_world: dict[str, Any], user: str) -> None:
    w, st = st_world["w"], st_world["st"]
    client = w.client(user)
    read = 200 if user in READERS else 403 if user in NO_REGISTER else 404
    assert client.get(reverse("devices:stocktake_detail", args=[st.public_id])).status_code == read
    listing = client.get(reverse("devices:stocktake_list"))
    if user in NO_REGISTER:
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        assert (f'data-stocktake="{st.public_id}"' in listing.content.decode()) is (user in READERS)
    write = 200 if user in MANAGERS else 403 if user in READERS | NO_REGISTER else 404
    r = client.post(
        reverse("devices:stocktake_scan", args=[st.public_id]),
        json.dumps({"code": "DTSS:A-001"}),
        **JSON,
    )
    assert r.status_code == write
    assert StocktakeScan.objects.exists() is (user in MANAGERS)
    r = client.post(reverse("devices:stocktake_close", args=[st.public_id]))
    assert r.status_code == (302 if user in MANAGERS else write)
    st.refresh_from_db()
    assert (st.status == "closed") is (user in MANAGERS)
    r = client.get(reverse("devices:stocktake_export", args=[st.public_id]))
    assert r.status_code == (200 if user in MANAGERS else 409 if user in READERS else read)
    r = client.post(reverse("devices:stocktake_create"), {"school": w.schools["A-elem"].public_id})
    creators = {"a_admin", "a_staff", "elem_admin"}
    others_manage = {"b_admin", "junior_admin"}  # they manage a school, not this one
    assert r.status_code == (302 if user in creators else 400 if user in others_manage else 403)
    assert Stocktake.objects.count() == (2 if user in creators else 1)
