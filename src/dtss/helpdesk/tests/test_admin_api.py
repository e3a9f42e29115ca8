"""The configuration and reports API: settings, calendar, targets and report figures over JSON,
422 naming the field, and tenancy for every operation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from dtss.helpdesk.models import CalendarDay, HelpdeskSettings, ServiceTarget
from dtss.helpdesk.tests.factories import at, make_request, office_groups

pytestmark = pytest.mark.django_db

API = "/api/v1/helpdesk"
A, B = "10008", "10002"


def send(client: Any, method: str, path: str, body: Any = None) -> Any:
    fn = getattr(client, method)
    if body is None:
        return fn(API + path)
    return fn(API + path, json.dumps(body), content_type="application/json")


def fields(r: Any) -> set[str]:
    assert r.status_code == 422, r.content
    return {e["field"] for e in r.json()["detail"]}


HOURS = {
    "work_days": [1, 2, 3, 4, 5, 6],
    "work_start": "07:30",
    "work_end": "16:30",
    "auto_close_days": 5,
}


def test_settings_read_and_write(world) -> None:
    c = world.client("a_admin")
    r = send(c, "get", "/settings")
    assert r.status_code == 200
    assert r.json() == {
        "county": A,
        "work_days": [1, 2, 3, 4, 5],
        "work_start": "08:00:00",
        "work_end": "17:00:00",
        "auto_close_days": 7,
        "is_default": True,
    }
    r = send(c, "put", "/settings", HOURS)
    assert r.status_code == 200 and r.json()["work_days"] == [1, 2, 3, 4, 5, 6]
    assert HelpdeskSettings.objects.get(county=world.counties["A"]).work_start == dt.time(7, 30)
    r = send(
        c, "put", "/settings", {**HOURS, "work_days": [], "work_end": "07:00", "auto_close_days": 0}
    )
    assert fields(r) == {"work_days", "work_end", "auto_close_days"}
    assert HelpdeskSettings.objects.get().auto_close_days == 5


def test_settings_tenancy(world) -> None:
    assert send(world.client("b_admin"), "get", f"/settings?county={A}").status_code == 404
    assert send(world.client("b_admin"), "put", f"/settings?county={A}", HOURS).status_code == 404
    for who in ("elem_admin", "junior_admin", "elem_teacher", "elem_student", "elem_parent"):
        assert send(world.client(who), "get", "/settings").status_code == 403
        assert send(world.client(who), "put", "/settings", HOURS).status_code == 403
    moe = world.client("moe")
    assert fields(send(moe, "get", "/settings")) == {"county"}
    assert send(moe, "get", f"/settings?county={B}").json()["county"] == B
    assert send(moe, "put", f"/settings?county={A}", HOURS).status_code == 403
    assert send(world.client("a_staff"), "put", "/settings", HOURS).status_code == 200
    assert not HelpdeskSettings.objects.filter(county=world.counties["B"]).exists()


def test_calendar_add_list_delete(world) -> None:
    c = world.client("a_admin")
    r = send(c, "post", "/calendar", {"date": "2027-02-05", "name": "春節"})
    assert r.status_code == 201 and [d["date"] for d in r.json()] == ["2027-02-05"]
    elem = str(world.schools["A-elem"].public_id)
    r = send(
        c,
        "post",
        "/calendar",
        {"date": "2027-02-04", "end": "2027-02-08", "name": "寒假", "school": elem},
    )
    assert r.status_code == 201 and len(r.json()) == 5
    assert {d["school_code"] for d in r.json()} == {"083601"}
    r = send(c, "get", "/calendar?year=2027")
    assert r.json()["count"] == 6
    r = send(c, "get", f"/calendar?year=2027&school={elem}")
    assert r.json()["count"] == 5
    assert send(c, "get", "/calendar?year=2026").json()["count"] == 0
    # bad input
    assert fields(send(c, "post", "/calendar", {"date": "2027-02-05", "name": "again"})) == {"date"}
    b_school = str(world.schools["B-elem"].public_id)
    assert fields(
        send(c, "post", "/calendar", {"date": "2027-03-01", "name": "x", "school": b_school})
    ) == {"school"}
    assert fields(
        send(c, "post", "/calendar", {"date": "2027-03-02", "end": "2027-03-01", "name": "x"})
    ) == {"end"}
    assert fields(send(c, "post", "/calendar", {"date": "2027-03-02", "name": ""})) == {"name"}
    assert CalendarDay.objects.count() == 6
    day = CalendarDay.objects.get(name="春節")
    assert send(world.client("b_admin"), "delete", f"/calendar/{day.public_id}").status_code == 404
    assert send(world.client("moe"), "delete", f"/calendar/{day.public_id}").status_code == 403
    school_day = CalendarDay.objects.filter(school__isnull=False).first()
    assert (
        send(world.client("elem_admin"), "delete", f"/calendar/{school_day.public_id}").status_code
        == 403
    )
    assert (
        send(
            world.client("elem_teacher"), "delete", f"/calendar/{school_day.public_id}"
        ).status_code
        == 403
    )
    assert (
        send(
            world.client("junior_admin"), "delete", f"/calendar/{school_day.public_id}"
        ).status_code
        == 404
    )
    assert CalendarDay.objects.count() == 6
    assert send(c, "delete", f"/calendar/{day.public_id}").status_code == 204
    assert CalendarDay.objects.count() == 5


def test_calendar_tenancy(world) -> None:
    CalendarDay.objects.create(county=world.counties["A"], date=dt.date(2027, 2, 5), name="春節")
    assert send(world.client("b_admin"), "get", f"/calendar?county={A}").status_code == 404
    assert send(world.client("b_admin"), "get", "/calendar").json()["count"] == 0
    body = {"date": "2027-02-06", "name": "x"}
    assert send(world.client("b_admin"), "post", f"/calendar?county={A}", body).status_code == 404
    for who in ("elem_admin", "elem_teacher", "elem_student", "outsider"):
        assert send(world.client(who), "get", "/calendar").status_code == 403
        assert send(world.client(who), "post", "/calendar", body).status_code == 403
    assert send(world.client("moe"), "get", f"/calendar?county={A}").json()["count"] == 1
    assert send(world.client("moe"), "post", f"/calendar?county={A}", body).status_code == 403
    assert CalendarDay.objects.count() == 1


def test_targets_read_and_write(world) -> None:
    groups = office_groups(world)
    c = world.client("a_admin")
    rows = send(c, "get", "/targets").json()
    assert [r["category"] for r in rows] == [
        "device",
        "account",
        "platform",
        "network",
        "teaching",
        "other",
    ]
    assert rows[0] | {"label": ""} == {
        "category": "device",
        "label": "",
        "first_response_minutes": 240,
        "resolution_minutes": 1620,
        "escalate_when": "breach",
        "escalate_to": str(groups["equipment"].public_id),
        "escalate_to_name": "資訊設備組",
        "is_default": True,
    }
    body = {
        "targets": [
            {
                "category": "network",
                "first_response_minutes": 30,
                "resolution_minutes": 240,
                "escalate_when": "always",
                "escalate_to": str(groups["equipment"].public_id),
            },
            {
                "category": "other",
                "first_response_minutes": 60,
                "resolution_minutes": 600,
                "escalate_when": "never",
            },
        ]
    }
    r = send(c, "put", "/targets", body)
    assert r.status_code == 200
    got = {t["category"]: t for t in r.json()}
    assert got["network"]["first_response_minutes"] == 30 and not got["network"]["is_default"]
    assert got["other"]["escalate_to"] is None and got["device"]["is_default"]
    assert ServiceTarget.objects.count() == 2


def test_bad_targets_are_422_and_change_nothing(world) -> None:
    office_groups(world)
    other = office_groups(world, "B")["equipment"]
    c = world.client("a_admin")
    body = {
        "targets": [
            {"category": "device", "first_response_minutes": 0, "resolution_minutes": 60},
            {"category": "account", "first_response_minutes": 90, "resolution_minutes": 60},
        ]
    }
    assert fields(send(c, "put", "/targets", body)) == {
        "device.first_response_minutes",
        "device.escalate_to",
        "account.resolution_minutes",
        "account.escalate_to",
    }
    body = {
        "targets": [
            {
                "category": "device",
                "first_response_minutes": 60,
                "resolution_minutes": 600,
                "escalate_to": str(other.public_id),
            }
        ]
    }
    assert fields(send(c, "put", "/targets", body)) == {"device.escalate_to"}
    assert send(c, "put", "/targets", {"targets": [{"category": "printer"}]}).status_code == 422
    assert not ServiceTarget.objects.exists()


def test_targets_tenancy(world) -> None:
    office_groups(world)
    body = {
        "targets": [
            {
                "category": "other",
                "first_response_minutes": 60,
                "resolution_minutes": 600,
                "escalate_when": "never",
            }
        ]
    }
    assert send(world.client("b_admin"), "get", f"/targets?county={A}").status_code == 404
    assert send(world.client("b_admin"), "put", f"/targets?county={A}", body).status_code == 404
    for who in ("elem_admin", "elem_teacher", "b_parent"):
        assert send(world.client(who), "get", "/targets").status_code == 403
        assert send(world.client(who), "put", "/targets", body).status_code == 403
    assert send(world.client("moe"), "get", f"/targets?county={A}").status_code == 200
    assert send(world.client("moe"), "put", f"/targets?county={A}", body).status_code == 403
    assert not ServiceTarget.objects.exists()


def test_reports_over_the_api(world) -> None:
    when = at(2026, 11, 3, 9, 0)
    with time_machine.travel(when, tick=False):
        make_request(world, "junior_teacher", now=when)
        make_request(world, "elem_teacher", now=when)
        make_request(world, "b_teacher", now=when)
    now = at(2026, 12, 1, 12, 0)
    with time_machine.travel(now, tick=False):
        r = send(world.client("a_admin"), "get", "/reports")
        assert r.status_code == 200
        body = r.json()
        assert body["county"] == A and body["total"] == 2 and body["period_to"] == "2026-12-01"
        assert body["first_response"] == {"met": 0, "missed": 2, "pending": 0}
        assert {s["code"] for s in body["by_school"]} == {"083601", "083501"}
        elem = str(world.schools["A-elem"].public_id)
        junior = str(world.schools["A-junior"].public_id)
        r = send(
            world.client("a_admin"),
            "get",
            f"/reports?school={junior}&from=2026-11-01&to=2026-11-30",
        )
        assert r.json()["total"] == 1 and r.json()["period_from"] == "2026-11-01"
        assert fields(
            send(world.client("a_admin"), "get", "/reports?from=2026-12-01&to=2026-11-01")
        ) == {"to"}
        # a school's administrators: their school only
        r = send(world.client("elem_admin"), "get", "/reports")
        assert r.json()["school"] == elem and r.json()["total"] == 1
        assert (
            send(world.client("elem_admin"), "get", f"/reports?school={junior}").status_code == 404
        )
        # another county, other roles, the MOE viewer
        assert send(world.client("b_admin"), "get", f"/reports?county={A}").status_code == 404
        assert send(world.client("b_admin"), "get", f"/reports?school={elem}").status_code == 404
        assert send(world.client("b_admin"), "get", "/reports").json()["total"] == 1
        for who in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
            assert send(world.client(who), "get", "/reports").status_code == 403
        assert fields(send(world.client("moe"), "get", "/reports")) == {"county"}
        assert send(world.client("moe"), "get", f"/reports?county={A}").json()["total"] == 2


def test_the_api_needs_a_signed_in_user(client) -> None:
    for path in ("/settings", "/calendar", "/targets", "/reports"):
        assert client.get(API + path).status_code == 401
