"""The loans API: the lifecycle over JSON, who may sign, requests, the queue, support records,
and tenancy for every operation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from dtss.devices import loan_services as svc
from dtss.devices.equity_services import support_set
from dtss.devices.models import Assignment, LoanRequest, StudentSupport
from dtss.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db

API = "/api/v1"
DUE = (timezone.localdate() + dt.timedelta(days=90)).isoformat()


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(API + path, json.dumps(body), content_type="application/json")


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.put(API + path, json.dumps(body), content_type="application/json")


def lend(world: Any, student: str = "elem_student") -> Assignment:
    return svc.loan_create(
        device=make_device(world),
        student=world.people[student],
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )


def test_lifecycle_over_api(world: Any) -> None:
    device = make_device(world)
    admin = world.client("elem_admin")
    r = post(
        admin,
        "/assignments",
        {
            "kind": "loan",
            "device": str(device.public_id),
            "person": str(world.people["elem_student"].public_id),
            "due_on": DUE,
            "accessories": "充電器",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "awaiting" and "借用切結書" in body["agreement_text"]
    pid = body["public_id"]
    # the teacher cannot sign; the parent's name must match
    assert (
        post(
            world.client("elem_teacher"),
            f"/assignments/{pid}/sign",
            {"signed_name": "elem_teacher", "agree": True},
        ).status_code
        == 403
    )
    assert (
        post(
            world.client("b_parent"),
            f"/assignments/{pid}/sign",
            {"signed_name": "b_parent", "agree": True},
        ).status_code
        == 404
    )
    parent = world.client("elem_parent")
    r = post(parent, f"/assignments/{pid}/sign", {"signed_name": "someone", "agree": True})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "signed_name"
    r = post(
        parent,
        f"/assignments/{pid}/sign",
        {"signed_name": world.people["elem_parent"].name, "agree": True},
    )
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (
        parent.get(f"{API}/assignments/{pid}").json()["signed_name"]
        == world.people["elem_parent"].name
    )
    r = post(admin, f"/assignments/{pid}/recall", {"reason": "檢查", "return_by": DUE})
    assert r.status_code == 200 and r.json()["status"] == "recalled"
    r = post(admin, f"/assignments/{pid}/return", {"condition_in": "良好"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    device.refresh_from_db()
    assert device.status == "in_stock"
    # list with filters
    r = admin.get(f"{API}/assignments?state=returned")
    assert r.json()["count"] == 1 and r.json()["items"][0]["public_id"] == pid


def test_assign_and_loaner_over_api(world: Any) -> None:
    admin = world.client("elem_admin")
    own, spare = make_device(world), make_device(world)
    r = post(
        admin,
        "/assignments",
        {
            "kind": "assign",
            "device": str(own.public_id),
            "person": str(world.people["elem_student"].public_id),
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "active"
    r = post(admin, f"/devices/{own.public_id}/loaner", {"loaner": str(spare.public_id)})
    assert r.status_code == 201 and r.json()["kind"] == "loaner"
    own.refresh_from_db()
    assert own.status == "in_repair"
    r = post(admin, f"/assignments/{r.json()['public_id']}/return", {})
    assert r.status_code == 200
    own.refresh_from_db()
    spare.refresh_from_db()
    assert own.status == "assigned" and spare.status == "in_stock"
    # a device already held: 422 naming the device
    r = post(
        admin,
        "/assignments",
        {
            "kind": "loan",
            "device": str(own.public_id),
            "person": str(world.people["elem_student2"].public_id),
            "due_on": DUE,
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "device"


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("junior_admin", 404, 404),
        ("b_admin", 404, 404),
        ("b_parent", 404, 404),
        ("elem_teacher", 200, 403),
        ("moe", 200, 403),
        ("elem_parent", 200, 403),
    ],
)
def test_api_tenancy(world: Any, who: str, read: int, write: int) -> None:
    waiting = lend(world)
    active = lend(world, "elem_student2")
    Assignment.objects.filter(pk=active.pk).update(status="active")
    client = world.client(who)
    read_target = waiting if who == "elem_parent" else active  # a parent: their own child's
    assert client.get(f"{API}/assignments/{read_target.public_id}").status_code == read
    for path, body in [
        (f"/assignments/{active.public_id}/recall", {"reason": "x", "return_by": DUE}),
        (f"/assignments/{active.public_id}/return", {}),
        (f"/assignments/{waiting.public_id}/cancel", {}),
        (f"/assignments/{waiting.public_id}/sign-on-paper", {"signed_name": "x"}),
        (
            f"/devices/{active.device.public_id}/loaner",
            {"loaner": str(make_device(world).public_id)},
        ),
    ]:
        r = post(client, path, body)
        expected = write
        if who == "elem_parent" and active.public_id.hex in path.replace("-", ""):
            expected = 404  # not the parent's child
        if who == "elem_parent" and active.device.public_id.hex in path.replace("-", ""):
            expected = 404
        assert r.status_code == expected, (path, r.status_code)
    waiting.refresh_from_db()
    active.refresh_from_db()
    assert (waiting.status, active.status) == ("awaiting", "active")
    listed = {i["public_id"] for i in client.get(f"{API}/assignments").json().get("items", [])}
    if who in ("junior_admin", "b_admin", "b_parent"):
        assert not listed


def test_create_refused(world: Any) -> None:
    device = make_device(world)
    body = {
        "kind": "loan",
        "device": str(device.public_id),
        "person": str(world.people["elem_student"].public_id),
        "due_on": DUE,
    }
    assert post(world.client("elem_teacher"), "/assignments", body).status_code == 403
    assert post(world.client("elem_parent"), "/assignments", body).status_code == 403
    r = post(world.client("b_admin"), "/assignments", body)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "device"
    assert not Assignment.objects.exists()


def test_requests_and_queue(world: Any) -> None:
    child = world.people["elem_student"]
    r = post(
        world.client("elem_parent"),
        "/loan-requests",
        {"student": str(child.public_id), "need": "both", "reason": "無網路"},
    )
    assert r.status_code == 201
    rid = r.json()["public_id"]
    assert (
        post(
            world.client("b_parent"),
            "/loan-requests",
            {"student": str(child.public_id), "need": "device"},
        ).status_code
        == 422
    )
    assert world.client("b_admin").get(f"{API}/loan-requests").json()["count"] == 0
    assert world.client("elem_admin").get(f"{API}/loan-requests").json()["count"] == 1
    school = world.schools["A-elem"].public_id
    r = world.client("elem_admin").get(f"{API}/loan-queue?school={school}")
    assert r.status_code == 200 and r.json()[0]["request"] == rid
    assert world.client("elem_teacher").get(f"{API}/loan-queue?school={school}").status_code == 403
    assert world.client("moe").get(f"{API}/loan-queue?school={school}").status_code == 403
    assert world.client("b_admin").get(f"{API}/loan-queue?school={school}").status_code == 404
    assert (
        post(
            world.client("elem_teacher"), f"/loan-requests/{rid}/decline", {"note": "x"}
        ).status_code
        == 403
    )
    assert (
        post(world.client("b_admin"), f"/loan-requests/{rid}/decline", {"note": "x"}).status_code
        == 404
    )
    r = post(world.client("elem_admin"), f"/loan-requests/{rid}/decline", {"note": "無庫存"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert LoanRequest.objects.get().status == "declined"


def test_student_support_api(world: Any) -> None:
    child = world.people["elem_student"]
    support_set(student=child, low_income=True, internet_at_home="no")
    r = world.client("elem_admin").get(f"{API}/student-support")
    assert r.status_code == 200 and r.json()["items"][0]["low_income"] is True
    assert world.client("a_admin").get(f"{API}/student-support?filter=needs").json()["count"] == 1
    assert world.client("b_admin").get(f"{API}/student-support").json()["count"] == 0
    r = put(world.client("elem_admin"), f"/student-support/{child.public_id}", {"remote": True})
    assert r.status_code == 200 and r.json()["remote"] and r.json()["low_income"]
    # a parent: home access only; categories come back as null
    parent = world.client("elem_parent")
    r = put(parent, f"/student-support/{child.public_id}", {"device_at_home": "yes"})
    assert r.status_code == 200 and r.json()["low_income"] is None
    assert 'low_income": true' not in r.content.decode()
    assert (
        put(parent, f"/student-support/{child.public_id}", {"low_income": False}).status_code == 403
    )
    assert (
        put(
            world.client("b_parent"),
            f"/student-support/{child.public_id}",
            {"device_at_home": "no"},
        ).status_code
        == 404
    )
    assert (
        put(
            world.client("elem_teacher"),
            f"/student-support/{child.public_id}",
            {"device_at_home": "no"},
        ).status_code
        == 403
    )
    assert (
        put(
            world.client("b_admin"), f"/student-support/{child.public_id}", {"remote": False}
        ).status_code
        == 404
    )
    s = StudentSupport.objects.get(student=child)
    assert s.low_income and s.remote and s.device_at_home == "yes"
