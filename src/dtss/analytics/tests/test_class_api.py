"""The JSON API of the class view and one student's learning (api_class.py), called through
ninja's test client on an API with DTSS's error handlers (the lead mounts the router under
/api/v1/): the same figures as the pages, bad query parameters as 422s naming the field, and
the same access rules (403 for roles without classes, 404 outside the user's scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from dtss.analytics.access import pseudonym
from dtss.analytics.api_class import router
from dtss.analytics.tests.conftest import stmt
from dtss.api import errors
from dtss.core.models import AuditEntry

PERIOD = "period=custom&start=2025-10-06&end=2025-11-02"
_API: list[Any] = []


def _api() -> Any:
    """One API for the module's tests, with the error handlers of /api/v1/."""
    if not _API:
        api = NinjaAPI(urls_namespace="test-analytics-class")
        errors.install(api)
        api.add_router("/", router, url_name_prefix="test-analytics-class")
        _API.append(api)
    return _API[0]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def api(world: Any, learning: Any) -> Any:
    learning.send(
        [
            *[
                stmt(
                    "elem_student",
                    verb="answered",
                    success=i < 5,
                    seconds=60,
                    when=at(dt.date(2025, 10, 29)),
                )
                for i in range(20)
            ],
            stmt("elem_student2", seconds=900, when=at(dt.date(2025, 10, 10))),
        ]
    )
    learning.roll()
    client = TestClient(_api())

    def get(user: str, path: str) -> Any:
        return client.get(path, user=world.users[user])

    return get


def _class(world: Any, key: str = "A-elem 5-1") -> str:
    return f"/analytics/classes/{world.classes[key].public_id}"


def test_class_report(api: Any, world: Any) -> None:
    r = api("elem_teacher", f"{_class(world)}?{PERIOD}&sort=-minutes")
    assert r.status_code == 200
    body = r.json()
    assert (body["start"], body["end"], body["period"]) == ("2025-10-06", "2025-11-02", "custom")
    assert (body["enrolled"], body["active"]) == (2, 2)
    rows = {s["name"]: s for s in body["students"]}
    assert [s["name"] for s in body["students"]] == ["elem_student", "elem_student2"]
    assert rows["elem_student"]["figures"]["correct_rate"] == 25.0
    assert rows["elem_student"]["flags"] == ["struggling"]
    assert rows["elem_student2"]["flags"] == ["gone_quiet"]
    assert rows["elem_student2"]["last_active"] == "2025-10-10"
    assert len(rows["elem_student"]["weekly_minutes"]) == len(body["weeks"]) == 8
    assert set(body["flag_definitions"]) == {"gone_quiet", "low_activity", "struggling"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=custom&start=2025-10-06", "end"),
        ("period=custom&start=2025-10-06&end=2025-10-01", "end"),
        ("platform=abc", "platform"),
        ("sort=height", "sort"),
    ],
    ids=["no-end", "reversed", "bad-platform", "bad-sort"],
)
def test_bad_query_is_a_422_naming_the_field(api: Any, world: Any, query: str, field: str) -> None:
    r = api("elem_teacher", f"{_class(world)}?{query}")
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["detail"]]


@pytest.mark.parametrize(
    ("user", "key", "ok"),
    [
        ("elem_teacher", "A-elem 5-1", True),
        ("elem_admin", "A-elem 5-1", True),
        ("elem_teacher", "A-junior 7-1", False),
        ("elem_teacher", "B-elem 3-2", False),
        ("junior_teacher", "A-elem 5-1", False),
        ("a_staff", "A-elem 5-1", False),
        ("b_admin", "A-elem 5-1", False),
        ("elem_parent", "A-elem 5-1", False),
        ("elem_student", "A-elem 5-1", False),
    ],
    ids=lambda v: str(v),
)
def test_who_reads_a_class(api: Any, world: Any, user: str, key: str, ok: bool) -> None:
    assert api(user, _class(world, key)).status_code == (200 if ok else 404)


def test_class_list(api: Any, world: Any) -> None:
    body = api("elem_teacher", "/analytics/classes").json()
    assert body["count"] == 1
    assert body["items"][0]["public_id"] == str(world.classes["A-elem 5-1"].public_id)
    assert body["items"][0]["enrolled"] == 2
    assert api("b_admin", "/analytics/classes").json()["count"] == 0
    for user in ("elem_student", "elem_parent", "outsider"):
        assert api(user, "/analytics/classes").status_code == 403


def test_student_report_and_its_audit(api: Any, world: Any) -> None:
    person = world.people["elem_student"]
    path = f"/analytics/students/{person.public_id}?week=2025-10-29"
    body = api("elem_parent", path).json()
    assert body["access"] == "parent" and body["name"] == "elem_student"
    assert body["week"] == "2025-10-27"
    assert body["this_week"]["records"] == 20 and body["this_week"]["correct_rate"] == 25.0
    assert not AuditEntry.objects.filter(action="analytics.student_view").exists()

    body = api("a_staff", path).json()
    assert body["name"] is None and body["pseudonym"] == pseudonym(person.pk)
    body = api("elem_teacher", path).json()
    assert body["access"] == "staff"
    entries = AuditEntry.objects.filter(action="analytics.student_view").order_by("id")
    assert [(e.actor_name, e.detail["access"], e.detail["via"]) for e in entries] == [
        ("a_staff", "county", "api"),
        ("elem_teacher", "staff", "api"),
    ]
    for user in ("junior_teacher", "b_admin", "outsider", "elem_student2"):
        assert api(user, path).status_code == 404
    other = world.people["elem_student2"].public_id
    assert api("elem_parent", f"/analytics/students/{other}").status_code == 404
    assert api("elem_parent", f"{path[:-10]}not-a-date").status_code == 422
