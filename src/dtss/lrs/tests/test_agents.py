"""The Agents resource, /xapi/agents: the Person Object (xAPI 1.0.3 Communication §2.4, 2.0.0
§4.1.6.3; XAPI-00236–XAPI-00249)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from dtss.lrs.tests.test_documents_state import assert_error

pytestmark = pytest.mark.django_db

VERB = {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}}
OBJECT = {"objectType": "Activity", "id": "http://www.example.com/meetings/1"}
RICK = {
    "name": "Rick James",
    "objectType": "Agent",
    "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"},
}


def person(client: Any, agent: dict[str, Any]) -> dict[str, Any]:
    response = client.get("agents", params={"agent": agent})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("fixture", ["xapi", "xapi2"])
def test_unknown_agent_is_a_person_with_its_own_information(request, fixture: str) -> None:
    """1.0.3 §2.4 (XAPI-00236, XAPI-00247): the LRS still answers a Person holding only what the
    request gave."""
    client = request.getfixturevalue(fixture)
    assert person(client, RICK) == {
        "objectType": "Person",
        "name": ["Rick James"],
        "account": [{"homePage": "http://www.example.com/agentId/1", "name": "Rick James"}],
    }


@pytest.mark.parametrize(
    ("agent", "ifi"),
    [
        ({"mbox": "mailto:rick@example.org"}, "mbox"),
        ({"mbox_sha1sum": hashlib.sha1(b"mailto:rick@example.org").hexdigest()}, "mbox_sha1sum"),
        ({"openid": "http://openid.example.org/rick"}, "openid"),
    ],
)
def test_each_identifier_becomes_an_array(xapi, agent: dict[str, Any], ifi: str) -> None:
    """1.0.3 §2.4 Person table (XAPI-00237, XAPI-00239–XAPI-00242, XAPI-00244): objectType
    "Person", every property an array."""
    got = person(xapi, agent)
    assert got["objectType"] == "Person"
    assert got[ifi] == [agent[ifi]]
    assert set(got) == {"objectType", ifi}


def test_names_come_from_the_agents_statements(xapi) -> None:
    """1.0.3 §2.4 (XAPI-00238, XAPI-00248): the Person combines the names the LRS has seen for
    the agent (through the statement write path)."""
    mbox = "mailto:rick@example.org"
    for name in ("Rick", "Rick James"):
        actor = {"objectType": "Agent", "name": name, "mbox": mbox}
        statement = {"actor": actor, "verb": VERB, "object": OBJECT}
        assert xapi.post("statements", json_body=statement).status_code == 200
    got = person(xapi, {"mbox": mbox, "name": "R. J."})
    assert got["name"][0] == "R. J."
    assert set(got["name"]) == {"R. J.", "Rick", "Rick James"}
    assert got["mbox"] == [mbox]


def test_county_b_does_not_learn_county_a_names(xapi, xapi_b) -> None:
    """Tenancy: names from county A's statements stay in county A's store."""
    actor = {"objectType": "Agent", "name": "Secret Name", "mbox": "mailto:s@example.org"}
    xapi.post("statements", json_body={"actor": actor, "verb": VERB, "object": OBJECT})
    assert "name" not in person(xapi_b, {"mbox": "mailto:s@example.org"})
    assert person(xapi, {"mbox": "mailto:s@example.org"})["name"] == ["Secret Name"]


def test_identified_group(xapi2) -> None:
    """2.0.0 §4.1.6.3: a Person for an identified Group holds its identifier."""
    group = {"objectType": "Group", "mbox": "mailto:team@example.org", "name": "Team"}
    assert person(xapi2, group) == {
        "objectType": "Person",
        "name": ["Team"],
        "mbox": ["mailto:team@example.org"],
    }


def test_head_answers_without_body(xapi) -> None:
    """Communication §1.1: HEAD as GET without a body."""
    response = xapi.head("agents", params={"agent": RICK})
    assert response.status_code == 200
    assert response.content == b""


def test_missing_agent_is_400(xapi) -> None:
    """1.0.3 §2.4 table (XAPI-00243): agent is required."""
    assert_error(xapi.get("agents"), 400, "agent")


@pytest.mark.parametrize(
    "value",
    [
        "not JSON",
        "1",
        "true",
        {"key": "value"},
        {"objectType": "Agent", "name": "Rick James"},  # XAPI-00249: no identifier
        {"mbox": "rick@example.org"},
        {"account": {"name": "no home page"}},
    ],
)
def test_invalid_agent_is_400(xapi, value: Any) -> None:
    """1.0.3 §2.4 (XAPI-00249): an agent parameter that is not a valid Agent is 400."""
    assert_error(xapi.get("agents", params={"agent": value}), 400, "agent")


def test_unknown_parameter_is_400(xapi) -> None:
    """1.0.3 §2.4 table: the only parameter is agent."""
    assert_error(xapi.get("agents", params={"agent": RICK, "since": "x"}), 400, "since")


@pytest.mark.parametrize("scopes", [["statements/write"], ["state"]])
def test_without_a_read_scope_is_403(make_xapi, scopes: list[str]) -> None:
    """Communication §4.2: as the Activities resource."""
    assert make_xapi(scopes).get("agents", params={"agent": RICK}).status_code == 403


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_405_even_without_credentials(client, counties, method: str) -> None:
    """Communication §3.2 (ADL suite "should fail with agents DELETE/POST/PUT"): 405."""
    response = client.generic(
        method, "/xapi/agents?agent=%7B%7D", headers={"X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 405
