"""The Activities resource, /xapi/activities (xAPI 1.0.3 Communication §2.5, 2.0.0 §4.1.6.4;
XAPI-00250–XAPI-00254)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from dtss.lrs.models import Activity
from dtss.lrs.tests.test_documents_state import assert_error

pytestmark = pytest.mark.django_db

MEETING = {
    "objectType": "Activity",
    "id": "http://www.example.com/verify/complete/34534",
    "definition": {
        "type": "http://adlnet.gov/expapi/activities/meeting",
        "name": {"en-GB": "example meeting", "en-US": "example meeting"},
        "description": {"en-US": "An example meeting."},
        "moreInfo": "http://virtualmeeting.example.com/345256",
        "extensions": {"http://example.com/profiles/meetings/extension/location": "X:\\m"},
    },
}
ACTOR = {"objectType": "Agent", "name": "Rick", "mbox": "mailto:rick@example.org"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}}


def store_activity(counties: Any, county: str, activity_id: str, definition: dict) -> None:
    Activity.objects.create(
        store=counties[county].id, activity_id=activity_id, definition=definition
    )


@pytest.mark.parametrize("fixture", ["xapi", "xapi2"])
def test_known_activity_is_returned_with_its_definition(request, counties, fixture: str) -> None:
    """1.0.3 §2.5 (XAPI-00251, XAPI-00253): the complete Activity Object, 200."""
    client = request.getfixturevalue(fixture)
    store_activity(counties, "A", MEETING["id"], MEETING["definition"])
    response = client.get("activities", params={"activityId": MEETING["id"]})
    assert response.status_code == 200
    assert response.json() == MEETING


@pytest.mark.parametrize("fixture", ["xapi", "xapi2"])
def test_unknown_activity_is_still_an_activity_object(request, fixture: str) -> None:
    """2.0.0 §4.1.6.4: "If an LRS does not have a canonical definition of the Activity to
    return, the LRS shall still return an Activity Object when queried" (ADL suites: 200)."""
    client = request.getfixturevalue(fixture)
    activity_id = f"http://www.example.com/never-before-seen-activityId/{uuid.uuid4()}"
    response = client.get("activities", params={"activityId": activity_id})
    assert response.status_code == 200
    assert response.json() == {"objectType": "Activity", "id": activity_id}


def test_definitions_from_statements_are_merged(xapi) -> None:
    """1.0.3 §2.5 (XAPI-00254): the Activity Object holds what every statement about the
    activity said, e.g. both languages of two statements' names (through the write path)."""
    first = {"actor": ACTOR, "verb": VERB, "object": copy.deepcopy(MEETING)}
    second = {"actor": ACTOR, "verb": VERB, "object": copy.deepcopy(MEETING)}
    second["object"]["definition"]["name"] = {"fr-FR": "réunion"}
    assert xapi.post("statements", json_body=[first, second]).status_code == 200
    activity = xapi.get("activities", params={"activityId": MEETING["id"]}).json()
    assert activity["definition"]["name"]["en-US"] == "example meeting"
    assert activity["definition"]["name"]["fr-FR"] == "réunion"
    assert activity["id"] == MEETING["id"]


def test_head_answers_without_body(xapi) -> None:
    """Communication §1.1: HEAD as GET without a body."""
    response = xapi.head("activities", params={"activityId": MEETING["id"]})
    assert response.status_code == 200
    assert response.content == b""


def test_missing_activity_id_is_400(xapi) -> None:
    """1.0.3 §2.5 table (XAPI-00250): activityId is required."""
    assert_error(xapi.get("activities"), 400, "activityId")


@pytest.mark.parametrize("value", ["1", "true", {"key": "value"}, "not an IRI", ""])
def test_activity_id_that_is_not_an_iri_is_400(xapi, value: Any) -> None:
    """1.0.3 §2.5 table: activityId is an IRI."""
    assert_error(xapi.get("activities", params={"activityId": value}), 400, "activityId")


@pytest.mark.parametrize("name", ["since", "agent", "activity"])
def test_unknown_parameter_is_400(xapi, name: str) -> None:
    """1.0.3 §2.5 table (ADL suite "GET with since" on /activities): only activityId."""
    params = {"activityId": MEETING["id"], name: "2024-01-01T00:00:00Z"}
    assert_error(xapi.get("activities", params=params), 400, name)


@pytest.mark.parametrize("scopes", [["statements/write"], ["state"], ["statements/read/mine"]])
def test_without_a_read_scope_is_403(make_xapi, scopes: list[str]) -> None:
    """Communication §4.2: reading definitions needs all/read, statements/read, define,
    profile or all."""
    client = make_xapi(scopes)
    assert client.get("activities", params={"activityId": MEETING["id"]}).status_code == 403


@pytest.mark.parametrize("scopes", [["all/read"], ["statements/read"], ["define"], ["profile"]])
def test_read_scopes_may_read(make_xapi, scopes: list[str]) -> None:
    """Communication §4.2: the scopes that read activity definitions."""
    client = make_xapi(scopes)
    assert client.get("activities", params={"activityId": MEETING["id"]}).status_code == 200


def test_county_b_does_not_see_county_a_definitions(counties, xapi, xapi_b) -> None:
    """Tenancy: a definition learnt in county A's store is not shown to county B."""
    store_activity(counties, "A", MEETING["id"], MEETING["definition"])
    assert xapi.get("activities", params={"activityId": MEETING["id"]}).json() == MEETING
    response = xapi_b.get("activities", params={"activityId": MEETING["id"]})
    assert response.json() == {"objectType": "Activity", "id": MEETING["id"]}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_405_even_without_credentials(client, counties, method: str) -> None:
    """Communication §3.2 (ADL suite "should fail with activities DELETE/POST/PUT"): 405."""
    response = client.generic(
        method,
        f"/xapi/activities?activityId={MEETING['id']}",
        headers={"X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 405
    assert "GET" in response["Allow"]
