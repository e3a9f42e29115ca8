"""The help-request API: raising, reading, the conversation (never notes for requesters),
handling, solved and rating, and 401/403/404/422 for each operation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from dtss.devices.tests.factories import make_device
from dtss.helpdesk.models import HelpRequest, RequestMessage
from dtss.helpdesk.tests.factories import make_request, office_groups

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk/requests"


def post(client: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(API + path, json.dumps(body or {}), content_type="application/json")


def fields(r: Any) -> set[str]:
    return {e["field"] for e in r.json()["detail"]}


def new(**values: Any) -> dict[str, Any]:
    body = {"category": "platform", "platform": "adl", "subject": "因材網登入不了"}
    body["description"] = "一直轉圈圈"
    body.update(values)
    return body


def test_anonymous_gets_401(world) -> None:
    req = make_request(world, "elem_student")
    anon = Client()
    assert anon.get(API).status_code == 401
    assert anon.get(f"{API}/{req.public_id}").status_code == 401
    assert post(anon, "", new()).status_code == 401


def test_raise_and_read_my_own(world) -> None:
    student = world.client("elem_student")
    r = post(student, "", new(page_url="/devices/mine/"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == 1 and body["status"] == "new"
    assert body["school"] == str(world.schools["A-elem"].public_id)
    assert body["page_url"] == "/devices/mine/" and body["url"].startswith("/helpdesk/r/")
    mine = student.get(API).json()
    assert [i["public_id"] for i in mine["items"]] == [body["public_id"]] and mine["count"] == 1
    assert student.get(f"{API}/{body['public_id']}").status_code == 200
    # another family, another school's or county's handler: 404; a parent of the student too
    for who in ("elem_student2", "elem_parent", "b_parent", "junior_admin", "b_admin"):
        client = world.client(who)
        assert client.get(f"{API}/{body['public_id']}").status_code == 404, who
        assert client.get(f"{API}/{body['public_id']}/messages").status_code == 404, who
        assert post(client, f"/{body['public_id']}/messages", {"body": "x"}).status_code == 404
        assert client.get(API).json()["count"] == 0, who
    assert RequestMessage.objects.filter(kind="reply").count() == 0


def test_raise_bad_input_is_422_naming_the_field(world) -> None:
    client = world.client("elem_teacher")
    r = post(client, "", new(subject="", category="nope"))
    assert r.status_code == 422 and {"subject", "category"} <= fields(r)
    r = post(client, "", new(school=str(world.schools["B-elem"].public_id)))
    assert r.status_code == 422 and fields(r) == {"school"}
    b_device = make_device(world, "B-elem")
    r = post(client, "", new(device=str(b_device.public_id)))
    assert r.status_code == 422 and fields(r) == {"device"}
    r = post(client, "", new(page_url="https://evil.example/"))
    assert r.status_code == 422 and fields(r) == {"page_url"}
    r = post(client, "", new(priority="urgent"))
    assert r.status_code == 422 and fields(r) == {"priority"}
    assert HelpRequest.objects.count() == 0
    r = post(world.client("elem_admin"), "", new(priority="urgent"))
    assert r.status_code == 201 and r.json()["priority"] == "urgent"


def test_requester_never_gets_notes(world) -> None:
    req = make_request(world, "elem_student")
    principal = world.client("elem_admin")
    r = post(principal, f"/{req.public_id}/messages", {"body": "內部：帳號鎖住", "internal": True})
    assert r.status_code == 201 and r.json()["kind"] == "note"
    r = post(principal, f"/{req.public_id}/messages", {"body": "請重設密碼"})
    assert r.status_code == 201
    seen = world.client("elem_student").get(f"{API}/{req.public_id}/messages").json()
    assert [m["kind"] for m in seen] == ["event", "reply"]
    assert "內部" not in json.dumps(seen, ensure_ascii=False)
    everything = principal.get(f"{API}/{req.public_id}/messages").json()
    assert [m["kind"] for m in everything] == ["event", "note", "reply"]
    assert everything[0]["event"] == "created" and everything[0]["text"]
    after = everything[1]["public_id"]
    later = principal.get(f"{API}/{req.public_id}/messages", {"after": after}).json()
    assert [m["text"] for m in later] == ["請重設密碼"]
    # the requester cannot write notes or set the status
    student = world.client("elem_student")
    r = post(student, f"/{req.public_id}/messages", {"body": "x", "internal": True})
    assert r.status_code == 403
    r = post(student, f"/{req.public_id}/messages", {"body": "x", "status": "closed"})
    assert r.status_code == 422 and fields(r) == {"status"}
    r = post(student, f"/{req.public_id}/messages", {"body": "  "})
    assert r.status_code == 422 and fields(r) == {"body"}
    assert RequestMessage.objects.filter(request=req).exclude(kind="event").count() == 2


def test_first_response_and_reopen(world) -> None:
    req = make_request(world, "elem_student")
    r = post(world.client("elem_admin"), f"/{req.public_id}/messages", {"body": "好的"})
    assert r.status_code == 201
    body = world.client("elem_student").get(f"{API}/{req.public_id}").json()
    assert body["first_responded_at"] is not None and body["status"] == "open"
    assert post(world.client("elem_admin"), f"/{req.public_id}/status", {"status": "resolved"})
    r = post(world.client("elem_student"), f"/{req.public_id}/messages", {"body": "還是不行"})
    assert r.status_code == 201
    req.refresh_from_db()
    assert req.status == "open"


def test_handling_operations_and_who_may(world) -> None:
    groups = office_groups(world)
    req = make_request(world, "elem_student")
    path = f"/{req.public_id}"
    student, teacher = world.client("elem_student"), world.client("elem_teacher")
    admin = world.client("elem_admin")
    ops = [
        ("/assign", {"assignee": str(world.people["a_staff"].public_id)}),
        ("/status", {"status": "waiting"}),
        ("/priority", {"priority": "high"}),
        ("/escalate", {"group": str(groups["equipment"].public_id), "reason": "換機"}),
    ]
    for op, body in ops:
        assert post(student, path + op, body).status_code == 403, op  # sees it, may not
        assert post(teacher, path + op, body).status_code == 404, op
        assert post(world.client("junior_admin"), path + op, body).status_code == 404, op
        assert post(world.client("b_admin"), path + op, body).status_code == 404, op
    req.refresh_from_db()
    assert (req.status, req.priority, req.assignee, req.escalated_to) == (
        "new",
        "normal",
        None,
        None,
    )
    # bad input: 422 naming the field, nothing changed
    r = post(admin, path + "/assign", {"assignee": str(world.people["elem_teacher"].public_id)})
    assert r.status_code == 422 and fields(r) == {"assignee"}
    r = post(admin, path + "/status", {"status": "nope"})
    assert r.status_code == 422 and fields(r) == {"status"}
    r = post(admin, path + "/priority", {"priority": "nope"})
    assert r.status_code == 422 and fields(r) == {"priority"}
    b_group = office_groups(world, "B")["equipment"]
    r = post(admin, path + "/escalate", {"group": str(b_group.public_id)})
    assert r.status_code == 422 and fields(r) == {"group"}
    req.refresh_from_db()
    assert (req.status, req.priority, req.assignee, req.escalated_to) == (
        "new",
        "normal",
        None,
        None,
    )
    for op, body in ops:
        r = post(admin, path + op, body)
        assert r.status_code == 200, (op, r.content)
    body = r.json()
    assert body["status"] == "waiting" and body["priority"] == "high"
    assert body["assignee_name"] == "a_staff" and body["escalated_to"] == groups["equipment"].name
    r = post(admin, path + "/assign", {"assignee": None})
    assert r.status_code == 200 and r.json()["assignee_name"] == ""
    # the county's office (staff) handles it too; another county's does not see it
    assert post(world.client("a_staff"), path + "/priority", {"priority": "low"}).status_code == 200


def test_queue_scope(world) -> None:
    a = make_request(world, "elem_student")
    make_request(world, "junior_teacher")
    b = make_request(world, "b_teacher")
    assert world.client("elem_teacher").get(API, {"scope": "queue"}).status_code == 403
    assert world.client("elem_student").get(API, {"scope": "queue"}).status_code == 403
    items = world.client("elem_admin").get(API, {"scope": "queue"}).json()["items"]
    assert [i["public_id"] for i in items] == [str(a.public_id)]
    county = world.client("a_staff").get(API, {"scope": "queue"}).json()
    assert county["count"] == 2
    assert world.client("a_staff").get(API, {"scope": "queue", "q": "宜蘭"}).json()["count"] == 0
    b_items = world.client("b_admin").get(API, {"scope": "queue"}).json()["items"]
    assert [i["public_id"] for i in b_items] == [str(b.public_id)]
    r = world.client("a_admin").get(API, {"scope": "queue", "status": "resolved"})
    assert r.json()["count"] == 0
    r = world.client("a_admin").get(API, {"scope": "queue", "category": "nope"})
    assert r.status_code == 422 and fields(r) == {"category"}


def test_solved_and_rating(world) -> None:
    req = make_request(world, "elem_student")
    path = f"/{req.public_id}"
    student = world.client("elem_student")
    r = post(student, path + "/rating", {"rating": 5})
    assert r.status_code == 422 and fields(r) == {"rating"}  # not resolved yet
    assert post(world.client("elem_admin"), path + "/solved").status_code == 403
    assert post(world.client("elem_student2"), path + "/solved").status_code == 404
    r = post(student, path + "/solved")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert post(student, path + "/solved").status_code == 422  # already resolved
    assert post(world.client("elem_admin"), path + "/rating", {"rating": 5}).status_code == 403
    r = post(student, path + "/rating", {"rating": 0})
    assert r.status_code == 422 and fields(r) == {"rating"}
    r = post(student, path + "/rating", {"rating": 5, "comment": "謝謝"})
    assert r.status_code == 200
    assert (r.json()["rating"], r.json()["status"]) == (5, "closed")
    r = post(student, path + "/rating", {"rating": 1})
    assert r.status_code == 422  # only once
    req.refresh_from_db()
    assert req.rating == 5


def test_openapi_lists_the_operations(world) -> None:
    doc = world.client("elem_admin").get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert set(paths["/api/v1/helpdesk/requests"]) == {"get", "post"}
    for op in ("assign", "status", "priority", "escalate", "solved", "rating"):
        assert "post" in paths[f"/api/v1/helpdesk/requests/{{public_id}}/{op}"]
    assert set(paths["/api/v1/helpdesk/canned-replies/{public_id}"]) == {"patch", "delete"}
