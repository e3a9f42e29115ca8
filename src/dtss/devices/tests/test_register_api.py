"""The register API: devices (list with filters, create, change, status, transfer, history),
licences and seats, and who gets what (404 outside the tenant, 403 for read-only roles)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dtss.accounts.services import api_token_create
from dtss.core.models import AuditEntry
from dtss.devices import licence_services, services
from dtss.devices.models import Device, Licence, LicenceSeat
from dtss.devices.tests.factories import make_device

BASE = "/api/v1"


def api(world: Any, name: str) -> Client:
    _token, key = api_token_create(user=world.users[name], name="t")
    return Client(headers={"authorization": f"Bearer {key}", "accept-language": "en"})


def _tags(r: Any) -> list[str]:
    assert r.status_code == 200, r.content
    return [d["asset_tag"] for d in r.json()["items"]]


def _fields(r: Any) -> set[str]:
    assert r.status_code == 422, r.content
    return {e["field"] for e in r.json()["detail"]}


def test_list_filters_and_roles(world: Any) -> None:
    a = make_device(world, asset_tag="A-1", kind="laptop")
    make_device(world, asset_tag="A-2")
    make_device(world, None, asset_tag="STOCK")
    make_device(world, "B-elem", asset_tag="B-1")
    services.holder_set(device=a, person=world.people["elem_student"], status="assigned")
    assert _tags(api(world, "elem_admin").get(f"{BASE}/devices")) == ["A-1", "A-2"]
    assert _tags(api(world, "elem_teacher").get(f"{BASE}/devices")) == ["A-1", "A-2"]
    assert _tags(api(world, "a_admin").get(f"{BASE}/devices")) == ["A-1", "A-2", "STOCK"]
    assert _tags(api(world, "a_admin").get(f"{BASE}/devices?school=county")) == ["STOCK"]
    assert _tags(api(world, "b_admin").get(f"{BASE}/devices")) == ["B-1"]
    assert _tags(api(world, "elem_student").get(f"{BASE}/devices")) == ["A-1"]
    assert _tags(api(world, "elem_parent").get(f"{BASE}/devices")) == ["A-1"]
    assert _tags(api(world, "elem_student2").get(f"{BASE}/devices")) == []
    assert _tags(api(world, "b_parent").get(f"{BASE}/devices")) == []
    assert api(world, "outsider").get(f"{BASE}/devices").status_code == 403
    assert Client().get(f"{BASE}/devices").status_code == 401
    c = api(world, "elem_admin")
    assert _tags(c.get(f"{BASE}/devices?kind=laptop")) == ["A-1"]
    assert _tags(c.get(f"{BASE}/devices?status=assigned")) == ["A-1"]
    assert _tags(c.get(f"{BASE}/devices?q=elem_student")) == ["A-1"]
    assert _tags(c.get(f"{BASE}/devices?sort=-tag")) == ["A-2", "A-1"]
    r = c.get(f"{BASE}/devices?limit=1&offset=1")
    assert r.json()["count"] == 2 and [d["asset_tag"] for d in r.json()["items"]] == ["A-2"]
    body = c.get(f"{BASE}/devices/{a.public_id}").json()
    assert body["holder_name"] == "elem_student" and body["school_name"] == "南投國小"


def test_create_and_bad_input(world: Any) -> None:
    make_device(world, "A-junior", asset_tag="DUP")
    c = api(world, "elem_admin")
    school = str(world.schools["A-elem"].public_id)
    r = c.post(
        f"{BASE}/devices",
        {"school": school, "kind": "tablet", "asset_tag": "DUP"},
        content_type="application/json",
    )
    assert _fields(r) == {"asset_tag"}
    r = c.post(
        f"{BASE}/devices",
        {"school": school, "kind": "toaster", "asset_tag": "N"},
        content_type="application/json",
    )
    assert _fields(r) == {"kind"}
    other = str(world.schools["A-junior"].public_id)
    r = c.post(
        f"{BASE}/devices",
        {"school": other, "kind": "tablet", "asset_tag": "N"},
        content_type="application/json",
    )
    assert _fields(r) == {"school"}
    # no school: only the county keeps stock
    r = c.post(
        f"{BASE}/devices", {"kind": "tablet", "asset_tag": "N"}, content_type="application/json"
    )
    assert _fields(r) == {"school"}
    assert Device.objects.count() == 1
    r = c.post(
        f"{BASE}/devices",
        {"school": school, "kind": "tablet", "asset_tag": "N-1", "cost": 9000},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["cost"] == 9000
    assert AuditEntry.objects.filter(action="device.create", actor_name="elem_admin").count() == 1
    r = api(world, "a_admin").post(
        f"{BASE}/devices", {"kind": "laptop", "asset_tag": "ST-1"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["school"] is None
    # BYOD
    r = c.post(
        f"{BASE}/devices",
        {
            "school": school,
            "kind": "tablet",
            "asset_tag": "BY-1",
            "byod_student": str(world.people["b_student"].public_id),
        },
        content_type="application/json",
    )
    assert _fields(r) == {"byod_student"}
    r = c.post(
        f"{BASE}/devices",
        {
            "school": school,
            "kind": "tablet",
            "asset_tag": "BY-1",
            "byod_student": str(world.people["elem_student"].public_id),
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    body = r.json()
    assert body["byod"] and body["status"] == "assigned"
    assert body["owner"] == body["holder"] == str(world.people["elem_student"].public_id)
    # teachers and students may not
    for who in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
        r = api(world, who).post(
            f"{BASE}/devices",
            {"school": school, "kind": "tablet", "asset_tag": "T-X"},
            content_type="application/json",
        )
        assert r.status_code == 403, who
    assert not Device.objects.filter(asset_tag="T-X").exists()


def test_patch_status_transfer_events(world: Any) -> None:
    d = make_device(world, asset_tag="P-1", location="301")
    make_device(world, asset_tag="P-2")
    c = api(world, "elem_admin")
    url = f"{BASE}/devices/{d.public_id}"
    r = c.patch(url, {"asset_tag": "P-2"}, content_type="application/json")
    assert _fields(r) == {"asset_tag"}
    r = c.patch(
        url, {"location": "圖書館", "warranty_end": "2030-01-01"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["location"] == "圖書館"
    r = c.post(f"{url}/status", {"status": "on_loan"}, content_type="application/json")
    assert _fields(r) == {"status"}
    r = c.post(
        f"{url}/status", {"status": "in_repair", "note": "screen"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "in_repair"
    junior = str(world.schools["A-junior"].public_id)
    r = c.post(f"{url}/transfer", {"school": junior}, content_type="application/json")
    assert _fields(r) == {"school"}  # a school admin manages only their own school
    r = c.post(f"{url}/transfer", {"school": None}, content_type="application/json")
    assert _fields(r) == {"school"}
    county = api(world, "a_admin")
    r = county.post(
        f"{url}/transfer",
        {"school": str(world.schools["B-elem"].public_id)},
        content_type="application/json",
    )
    assert _fields(r) == {"school"}
    r = county.post(
        f"{url}/transfer", {"school": junior, "note": "調撥"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["school"] == junior
    r = county.get(f"{url}/events")
    kinds = [e["kind"] for e in r.json()["items"]]
    assert kinds == ["transferred", "repair_out", "updated", "created"]
    assert r.json()["items"][0]["actor"] == "a_admin"
    assert {"device.update", "device.status", "device.transfer"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    # the old school has lost it
    assert c.get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("elem_teacher", 200, 403),
        ("a_staff", 200, 200),  # the county's office (staff too) manages the register
        ("moe", 200, 403),
        ("junior_admin", 404, 404),
        ("junior_teacher", 404, 404),
        ("b_admin", 404, 404),
        ("b_teacher", 404, 404),
        ("elem_student2", 404, 404),
        ("b_parent", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_device_tenancy(world: Any, who: str, read: int, write: int) -> None:
    d = make_device(world, asset_tag="TEN-1")
    c = api(world, who)
    url = f"{BASE}/devices/{d.public_id}"
    assert c.get(url).status_code == read
    events = c.get(f"{url}/events").status_code
    assert events == read
    assert c.patch(url, {"notes": "x"}, content_type="application/json").status_code == write
    if write != 200:
        assert (
            c.post(f"{url}/status", {"status": "lost"}, content_type="application/json").status_code
            == write
        )
        assert (
            c.post(
                f"{url}/transfer",
                {"school": str(world.schools["A-junior"].public_id)},
                content_type="application/json",
            ).status_code
            == write
        )
        d.refresh_from_db()
        assert (d.notes, d.status, d.school_id) == ("", "in_stock", world.schools["A-elem"].pk)


def test_holder_reads_but_no_history_or_writes(world: Any) -> None:
    d = make_device(world, asset_tag="HOLD-1")
    services.holder_set(device=d, person=world.people["elem_student"], status="assigned")
    for who in ("elem_student", "elem_parent"):
        c = api(world, who)
        url = f"{BASE}/devices/{d.public_id}"
        assert c.get(url).status_code == 200
        assert c.get(f"{url}/events").status_code == 403
        assert c.patch(url, {"notes": "x"}, content_type="application/json").status_code == 403
        assert c.get(f"{BASE}/licences").status_code == 403


def test_licences_and_seats(world: Any) -> None:
    c = api(world, "elem_admin")
    school = str(world.schools["A-elem"].public_id)
    r = c.post(
        f"{BASE}/licences",
        {"school": school, "name": "Kahoot", "seats": 0},
        content_type="application/json",
    )
    assert _fields(r) == {"seats"}
    r = c.post(
        f"{BASE}/licences",
        {"school": school, "name": "Kahoot", "seats": 1, "licence_key": "K-1"},
        content_type="application/json",
    )
    assert r.status_code == 201
    lic = r.json()["public_id"]
    d = make_device(world, asset_tag="SEAT-1")
    d2 = make_device(world, asset_tag="SEAT-2")
    r = c.post(
        f"{BASE}/licences/{lic}/seats",
        {"device": str(d.public_id)},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["device_tag"] == "SEAT-1"
    seat = r.json()["public_id"]
    r = c.post(
        f"{BASE}/licences/{lic}/seats",
        {"device": str(d2.public_id)},
        content_type="application/json",
    )
    assert _fields(r) == {"device"}
    assert LicenceSeat.objects.count() == 1
    b_dev = make_device(world, "B-elem", asset_tag="SEAT-B")
    r = c.post(
        f"{BASE}/licences/{lic}/seats",
        {"device": str(b_dev.public_id)},
        content_type="application/json",
    )
    assert _fields(r) == {"device"}
    r = c.patch(f"{BASE}/licences/{lic}", {"seats": 0}, content_type="application/json")
    assert _fields(r) == {"seats"}
    r = c.patch(f"{BASE}/licences/{lic}", {"seats": 2}, content_type="application/json")
    assert r.status_code == 200 and r.json()["seats"] == 2 and r.json()["used"] == 1
    body = c.get(f"{BASE}/licences/{lic}").json()
    assert [s["device_tag"] for s in body["seat_list"]] == ["SEAT-1"]
    assert body["licence_key"] == "K-1"
    assert c.get(f"{BASE}/licences").json()["count"] == 1
    assert c.delete(f"{BASE}/seats/{seat}").status_code == 204
    assert not LicenceSeat.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="licence.").count() == 4


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("elem_teacher", 200, 403),
        ("a_admin", 200, 200),
        ("junior_admin", 404, 404),
        ("b_admin", 404, 404),
        ("elem_student", 403, 403),
        ("elem_parent", 403, 403),
        ("outsider", 403, 403),
    ],
)
def test_licence_tenancy(world: Any, who: str, read: int, write: int) -> None:
    lic = licence_services.licence_create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        name="L",
        seats=5,
        licence_key="SECRET",
    )
    seat = licence_services.seat_assign(licence=lic, person=world.people["elem_teacher"])
    d = make_device(world, asset_tag="LT-1")
    c = api(world, who)
    url = f"{BASE}/licences/{lic.public_id}"
    r = c.get(url)
    assert r.status_code == read
    if read == 200:
        assert (r.json()["licence_key"] == "SECRET") == (write == 200)
    assert c.patch(url, {"name": "X"}, content_type="application/json").status_code == write
    r = c.post(f"{url}/seats", {"device": str(d.public_id)}, content_type="application/json")
    assert r.status_code == (201 if write == 200 else write)
    assert c.delete(f"{BASE}/seats/{seat.public_id}").status_code == (
        204 if write == 200 else write
    )
    if write != 200:
        lic.refresh_from_db()
        assert lic.name == "L" and LicenceSeat.objects.filter(licence=lic).count() == 1
        r = c.post(
            f"{BASE}/licences",
            {"school": str(world.schools["A-elem"].public_id), "name": "N", "seats": 1},
            content_type="application/json",
        )
        assert r.status_code in (403, 422)
        assert Licence.objects.count() == 1
    listing = c.get(f"{BASE}/licences")
    if read == 403:
        assert listing.status_code == 403
    elif read == 404:
        assert listing.json()["count"] == 0
