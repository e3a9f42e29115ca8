"""Journey 8's needs and procurement through the JSON API, with its 422s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dtss.devices.models import Device, ProcurementAllocation
from dtss.devices.procurement_services import add_months
from dtss.devices.tests.procurement_helpers import today

pytestmark = pytest.mark.django_db
A = "/api/v1"


def _post(client: Any, path: str, body: Any = None) -> Any:
    return client.post(A + path, body or {}, content_type="application/json")


def _fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json()["detail"]}


def test_api_loop(world: Any) -> None:
    county, elem, junior = (world.client(u) for u in ("a_admin", "elem_admin", "junior_admin"))
    soon = (today() + dt.timedelta(days=5)).isoformat()
    r = _post(
        county,
        "/needs-collections",
        {"title": "需求", "kinds": ["tablet"], "opens_on": soon, "closes_on": today().isoformat()},
    )
    assert r.status_code == 422 and _fields(r) == {"closes_on"}
    r = _post(
        county,
        "/needs-collections",
        {"title": "需求", "kinds": ["tablet"], "opens_on": today().isoformat(), "closes_on": soon},
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"
    cid = r.json()["public_id"]
    r = county.patch(
        f"{A}/needs-collections/{cid}",
        {"kinds": ["tablet", "nope"]},
        content_type="application/json",
    )
    assert r.status_code == 422 and _fields(r) == {"kinds"}
    assert _post(elem, f"/needs-collections/{cid}/submissions").status_code == 404  # a draft
    assert _post(county, f"/needs-collections/{cid}/open").json()["status"] == "open"

    subs = {}
    for client, qty in ((elem, 4), (junior, 2)):
        r = _post(client, f"/needs-collections/{cid}/submissions")
        assert r.status_code == 200 and r.json()["status"] == "draft"
        sid = r.json()["public_id"]
        assert r.json()["facts"]["students"] in (300, 500)
        r = _post(client, f"/need-submissions/{sid}/submit")
        assert r.status_code == 422 and _fields(r) == {"lines"}
        r = _post(
            client,
            f"/need-submissions/{sid}/lines",
            {"kind": "laptop", "quantity": 0, "justification": ""},
        )
        assert r.status_code == 422 and _fields(r) == {"kind", "quantity", "justification"}
        r = _post(
            client,
            f"/need-submissions/{sid}/lines",
            {"kind": "tablet", "quantity": qty, "unit_cost": 12000, "justification": "不足"},
        )
        assert r.status_code == 201
        assert _post(client, f"/need-submissions/{sid}/submit").json()["status"] == "submitted"
        subs[client] = sid
    assert _post(elem, f"/needs-collections/{cid}/submissions").status_code == 200
    r = _post(county, f"/need-submissions/{subs[junior]}/return", {"comment": "請確認數量"})
    assert r.json()["status"] == "returned" and r.json()["county_comment"] == "請確認數量"
    _post(junior, f"/need-submissions/{subs[junior]}/submit")
    rows = county.get(f"{A}/needs-collections/{cid}/submissions").json()
    assert rows["count"] == 2 and {r["status"] for r in rows["items"]} == {"submitted"}
    assert _post(county, f"/needs-collections/{cid}/close").json()["status"] == "closed"

    r = _post(county, "/procurement-plans", {"title": "採購", "collection": cid})
    assert r.status_code == 201
    plan = r.json()
    line = plan["lines"][0]
    assert (line["kind"], line["quantity"], line["unit_cost"]) == ("tablet", 6, 12000)
    body = {
        "quantity": 7,
        "programme": "生生用平板",
        "funding_source": "central",
        "warranty_months": 24,
        "allocations": [{"school": "083601", "quantity": 4}, {"school": "083501", "quantity": 2}],
    }
    r = county.patch(
        f"{A}/procurement-lines/{line['public_id']}", body, content_type="application/json"
    )
    assert r.status_code == 422 and _fields(r) == {"allocations"}
    assert "7" in r.json()["detail"][0]["message"] and "6" in r.json()["detail"][0]["message"]
    body["allocations"][0]["quantity"] = 5
    r = county.patch(
        f"{A}/procurement-lines/{line['public_id']}", body, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["total_budget"] == 7 * 12000
    r = _post(county, f"/procurement-plans/{plan['public_id']}/approve")
    assert r.json()["status"] == "approved"

    alloc = ProcurementAllocation.objects.get(school=world.schools["A-elem"])
    url = f"/allocations/{alloc.public_id}/receive"
    r = _post(elem, url, {"items": [{"serial": "E1"}, {"serial": "E1"}]})
    assert r.status_code == 422 and "E1" in r.json()["detail"][0]["message"]
    r = _post(elem, url, {"items": [{"serial": f"E{n}"} for n in range(6)]})  # 6 > 5
    assert r.status_code == 422
    assert Device.objects.count() == 0
    r = _post(elem, url, {"items": [{"serial": f"E{n}"} for n in range(5)]})
    assert r.status_code == 200 and r.json()["allocation"]["received"] == 5
    assert r.json()["plan_status"] == "approved"
    d = Device.objects.get(serial="E0")
    assert (d.programme, d.warranty_end) == ("生生用平板", add_months(d.purchase_date, 24))
    jalloc = ProcurementAllocation.objects.get(school=world.schools["A-junior"])
    r = _post(
        county,
        f"/allocations/{jalloc.public_id}/receive",
        {"items": [{"serial": "J1", "asset_tag": "J-TAG-1"}, {"serial": "J2"}]},
    )
    assert r.status_code == 200 and r.json()["plan_status"] == "completed"
    assert [x["asset_tag"] for x in r.json()["devices"]] == [
        "J-TAG-1",
        f"083501-{today().year}-0001",
    ]
