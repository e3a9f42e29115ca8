"""The JSON API of the overview views (api_overview.py), on an API of its own with the project's
authentication and error handlers: same figures and suppression as the pages, same access."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from dtss.analytics.api_overview import build_router
from dtss.analytics.models import LearnerGroup
from dtss.analytics.tests.test_school_view import (  # noqa: F401  (english: autouse fixture)
    english,
    school_scenario,
)
from dtss.api import errors
from dtss.api.auth import SessionAuth, TokenAuth

LS = "learning_support"
PERIOD = {"period": "custom", "start": "2025-10-06", "end": "2025-10-19"}


@pytest.fixture(scope="module")
def api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="test_analytics_overview", auth=[TokenAuth(), SessionAuth()])
    errors.install(api)
    api.add_router("/", build_router())
    return api


def get(api: NinjaAPI, world: Any, user: str, path: str, **params: Any) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return TestClient(api).get(path + (f"?{query}" if query else ""), user=world.users[user])


def test_school_overview(api: NinjaAPI, learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    school = world.schools["A-elem"].public_id
    body = get(api, world, "elem_admin", f"/analytics/schools/{school}/overview", **PERIOD).json()
    assert body["period"] == {
        "kind": "custom",
        "start": "2025-10-06",
        "end": "2025-10-19",
        "weeks": 2,
        "term": "114-1",
    }
    assert not body["suppressed_for_you"]
    total = body["total"]
    assert (total["enrolled"], total["active"], total["active_share"]) == (11, 7, 45.5)
    assert [g["correct_rate"] for g in body["grades"]] == [69.2, 100.0]
    staff = get(api, world, "a_staff", f"/analytics/schools/{school}/overview", **PERIOD).json()
    assert staff["suppressed_for_you"]
    assert [g["hidden"] for g in staff["grades"]] == [True, True]
    assert staff["grades"][0]["correct_rate"] is None and staff["grades"][0]["active"] is None


def test_county_overview_and_programme(api: NinjaAPI, learning: Any, world: Any) -> None:
    school_scenario(learning, world)
    code = world.counties["A"].code
    body = get(api, world, "a_staff", f"/analytics/counties/{code}/overview", **PERIOD).json()
    assert body["county"] == code and body["k"] == 5
    elem = next(s for s in body["schools"] if s["label"] == "南投國小")
    assert (elem["active"], elem["active_share"], elem["correct_rate"]) == (7, 45.5, 73.3)
    assert elem["url"] == f"/analytics/schools/{world.schools['A-elem'].public_id}/"
    LearnerGroup.objects.create(
        county=world.counties["A"],
        person=world.people["s53"],
        kind="learning_support",
        start_date=dt.date(2025, 10, 8),
    )
    params = {**PERIOD, "start": "2025-10-01", "weeks": 1}
    prog = get(
        api, world, "a_staff", f"/analytics/counties/{code}/programmes/learning_support", **params
    )
    assert prog.status_code == 200
    data = prog.json()
    assert data["rows"][0]["hidden"] and data["rows"][0]["participants"] is None
    assert len(data["participants"]) == 1 and data["participants"][0]["pseudonym"].startswith("S-")
    moe = get(
        api, world, "moe", f"/analytics/counties/{code}/programmes/learning_support", **params
    )
    assert moe.json()["participants"] is None


@pytest.mark.parametrize(
    ("user", "what", "status"),
    [
        ("elem_admin", "school-a", 200),
        ("elem_admin", "school-j", 404),
        ("elem_teacher", "school-b", 404),
        ("elem_student", "school-a", 403),
        ("elem_parent", "school-a", 403),
        ("a_staff", "county-a", 200),
        ("a_staff", "county-b", 404),
        ("b_admin", "county-a", 404),
        ("moe", "county-b", 200),
        ("elem_admin", "county-a", 403),
        ("elem_student", "county-a", 403),
        ("a_staff", "programme-a", 200),
        ("a_staff", "programme-b", 404),
        ("elem_teacher", "programme-a", 403),
    ],
)
def test_access(api: NinjaAPI, world: Any, user: str, what: str, status: int) -> None:
    paths = {
        "school-a": f"/analytics/schools/{world.schools['A-elem'].public_id}/overview",
        "school-j": f"/analytics/schools/{world.schools['A-junior'].public_id}/overview",
        "school-b": f"/analytics/schools/{world.schools['B-elem'].public_id}/overview",
        "county-a": f"/analytics/counties/{world.counties['A'].code}/overview",
        "county-b": f"/analytics/counties/{world.counties['B'].code}/overview",
        "programme-a": f"/analytics/counties/{world.counties['A'].code}/programmes/{LS}",
        "programme-b": f"/analytics/counties/{world.counties['B'].code}/programmes/{LS}",
    }
    assert get(api, world, user, paths[what]).status_code == status


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "custom", "start": "2025-10-06"}, "end"),
        ({"period": "custom", "start": "x", "end": "2025-10-06"}, "start"),
        ({"term": "1-9"}, "term"),
    ],
    ids=["no-end", "bad-start", "bad-term"],
)
def test_bad_period_is_422(api: NinjaAPI, world: Any, params: dict, field: str) -> None:
    code = world.counties["A"].code
    response = get(api, world, "a_staff", f"/analytics/counties/{code}/overview", **params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]


def test_unknown_programme_is_422(api: NinjaAPI, world: Any) -> None:
    code = world.counties["A"].code
    response = get(api, world, "a_staff", f"/analytics/counties/{code}/programmes/bogus")
    assert response.status_code == 422
