"""The State resource, /xapi/activities/state (xAPI 1.0.3 Communication §2.2, §2.3; 2.0.0
§4.1.6.2), with the ADL conformance requirement ids (XAPI-00xxx) the cases stand for."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest

from dtss.lrs.models import Document

pytestmark = pytest.mark.django_db

ACTIVITY = "http://www.example.com/activityId/hashset"
AGENT = {
    "objectType": "Agent",
    "account": {"homePage": "http://www.example.com/agentId/1", "name": "Rick James"},
}
PATH = "activities/state"


def state(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"activityId": ACTIVITY, "agent": AGENT, "stateId": str(uuid.uuid4())}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def without(params: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in names}


def assert_error(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    # The field is the parameter, or a path inside it (agent.mbox).
    assert body["field"] == field or body["field"].startswith((f"{field}.", f"{field}[")), body
    assert body["message"]


# --- PUT, POST, GET, DELETE -------------------------------------------------------------------


def test_put_then_get_returns_the_document_byte_for_byte(xapi) -> None:
    """Communication §2.3 (XAPI-00190, XAPI-00188, XAPI-00192): PUT 204, GET 200 the document."""
    params = state()
    body = b'{"name": "x",  "spaced":   true}'
    response = xapi.put(PATH, params=params, body=body)
    assert response.status_code == 204
    got = xapi.get(PATH, params=params)
    assert got.status_code == 200
    assert got.content == body
    assert got["Content-Type"] == "application/json"


def test_get_has_quoted_sha1_etag_and_last_modified(xapi) -> None:
    """Communication §3.1 (XAPI-00322): the ETag is the quoted SHA-1 hex of the content; §2.2
    Last Modified: a single-document GET carries Last-Modified."""
    params = state()
    body = b'{"car": "Honda"}'
    xapi.put(PATH, params=params, body=body)
    got = xapi.get(PATH, params=params)
    assert got["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'
    assert len(got["ETag"]) == 42
    assert got["Last-Modified"].endswith("GMT")


def test_any_content_type_is_stored_and_returned(xapi) -> None:
    """Communication §2.2: documents are opaque; the stored Content-Type is returned."""
    params = state()
    data = bytes(range(256))
    xapi.put(PATH, params=params, body=data, content_type="application/octet-stream")
    got = xapi.get(PATH, params=params)
    assert got.content == data
    assert got["Content-Type"] == "application/octet-stream"


def test_post_of_a_new_document_stores_it(xapi) -> None:
    """Communication §2.2.s7 (XAPI-00233): POST without a document behaves as PUT."""
    params = state()
    document = {"name": str(uuid.uuid4()), "location": {"name": "here"}}
    assert xapi.post(PATH, params=params, json_body=document).status_code == 204
    assert xapi.get(PATH, params=params).json() == document


@pytest.mark.parametrize("body", [b"1", b"true", b"abc"])
def test_post_of_a_new_non_json_document_is_accepted(xapi, body: bytes) -> None:
    """Communication §2.2.s4.b2: the LRS cannot reject a POST for the document's contents."""
    params = state()
    response = xapi.post(
        PATH, params=params, body=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 204
    assert xapi.get(PATH, params=params).content == body


def test_post_merges_json_objects_posted_values_winning(xapi) -> None:
    """Communication §2.2.s7 (XAPI-00234, XAPI-00184): top-level properties are merged."""
    params = state()
    xapi.post(PATH, params=params, json_body={"car": "Honda", "kept": 1})
    assert (
        xapi.post(PATH, params=params, json_body={"type": "Civic", "car": "MKZ"}).status_code == 204
    )
    assert xapi.get(PATH, params=params).json() == {"car": "MKZ", "kept": 1, "type": "Civic"}


def test_merge_replaces_nested_objects_whole(xapi) -> None:
    """Communication §2.2.s7.b2 (XAPI-00183): merging is one level deep."""
    params = state()
    xapi.post(PATH, params=params, json_body={"car": {"make": "Ford", "model": "Escape"}, "d": 1})
    xapi.post(PATH, params=params, json_body={"car": {"make": "Dodge"}})
    assert xapi.get(PATH, params=params).json() == {"car": {"make": "Dodge"}, "d": 1}


def test_merge_updates_etag_and_last_modified(xapi) -> None:
    """Communication §3.1: the ETag follows the content after a merge."""
    params = state()
    xapi.post(PATH, params=params, json_body={"a": 1})
    before = xapi.get(PATH, params=params)["ETag"]
    xapi.post(PATH, params=params, json_body={"b": 2})
    after = xapi.get(PATH, params=params)
    assert after["ETag"] != before
    assert after["ETag"] == '"' + hashlib.sha1(after.content).hexdigest() + '"'


@pytest.mark.parametrize(
    ("first", "first_type", "second", "second_type", "field"),
    [
        # XAPI-00229 case 1 / XAPI-00232: the posted document is not application/json.
        (b'{"a": 1}', "application/json", b"abcdefg", "not/json", "Content-Type"),
        (
            b'{"a": 1}',
            "application/json",
            b"abc",
            "application/x-www-form-urlencoded",
            "Content-Type",
        ),
        # XAPI-00229 case 2: the stored document is not application/json.
        (
            b"/ asdf / undefined",
            "application/octet-stream",
            b'{"a": 2}',
            "application/json",
            "Content-Type",
        ),
        # XAPI-00229 case 3 / XAPI-00235: the posted JSON does not parse.
        (b'{"a": 1}', "application/json", b'{"a": 2}{', "application/json", "content"),
        # Communication §2.2.s8.b1: a JSON value that is not an Object cannot be merged.
        (b'{"a": 1}', "application/json", b"[1, 2]", "application/json", "content"),
        (b"[1]", "application/json", b'{"a": 2}', "application/json", "content"),
    ],
)
def test_post_that_cannot_merge_is_400_and_changes_nothing(
    xapi, first: bytes, first_type: str, second: bytes, second_type: str, field: str
) -> None:
    """Communication §2.2.s8.b1 (XAPI-00229, XAPI-00232): 400, the stored document unchanged."""
    params = state()
    assert xapi.put(PATH, params=params, body=first, content_type=first_type).status_code == 204
    response = xapi.post(PATH, params=params, body=second, content_type=second_type)
    assert_error(response, 400, field)
    got = xapi.get(PATH, params=params)
    assert got.content == first
    assert got["Content-Type"] == first_type


def test_post_of_invalid_json_to_a_new_document_is_400(xapi) -> None:
    """2.0.0 §4.1.6.2 (XAPI-00235, XAPI-00314): application/json that does not parse."""
    response = xapi.post(PATH, params=state(), body=b'{"a": 1}[', content_type="application/json")
    assert_error(response, 400, "content")
    assert Document.objects.count() == 0


def test_get_of_a_missing_document_is_404(xapi) -> None:
    """Communication §3.2: 404 for a single document that does not exist."""
    assert_error(xapi.get(PATH, params=state()), 404, "stateId")


def test_head_answers_headers_without_body(xapi) -> None:
    """Communication §1.1 (HEAD): as GET, without the body."""
    params = state()
    xapi.put(PATH, params=params, json_body={"a": 1})
    response = xapi.head(PATH, params=params)
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"].startswith('"')


def test_delete_removes_the_document(xapi) -> None:
    """Communication §2.3 (XAPI-00187, XAPI-00191): DELETE with stateId, 204."""
    params = state()
    xapi.put(PATH, params=params, json_body={"a": 1})
    assert xapi.delete(PATH, params=params).status_code == 204
    assert xapi.get(PATH, params=params).status_code == 404


def test_delete_of_a_missing_document_is_204(xapi) -> None:
    """Communication §2.3: deleting what is not there is no error."""
    assert xapi.delete(PATH, params=state()).status_code == 204


# --- registration -----------------------------------------------------------------------------


def test_registration_separates_documents(xapi) -> None:
    """Communication §2.3 table row 3 (XAPI-00218, XAPI-00220, XAPI-00227): the registration
    is part of the document's address."""
    registration = str(uuid.uuid4())
    plain = state(stateId="same")
    registered = state(stateId="same", registration=registration)
    xapi.put(PATH, params=plain, json_body={"which": "plain"})
    xapi.put(PATH, params=registered, json_body={"which": "registered"})
    assert xapi.get(PATH, params=plain).json() == {"which": "plain"}
    assert xapi.get(PATH, params=registered).json() == {"which": "registered"}
    upper = state(stateId="same", registration=registration.upper())
    assert xapi.get(PATH, params=upper).json() == {"which": "registered"}


def test_delete_with_registration_deletes_that_registration_only(xapi) -> None:
    """Communication §2.3 (XAPI-00219): DELETE honours the registration."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    registration = str(uuid.uuid4())
    xapi.put(PATH, params=state(activityId=activity, stateId="s"), json_body={})
    xapi.put(
        PATH,
        params=state(activityId=activity, stateId="s", registration=registration),
        json_body={},
    )
    xapi.delete(PATH, params=state(activityId=activity, stateId="s", registration=registration))
    assert xapi.get(PATH, params=state(activityId=activity, stateId="s")).status_code == 200


# --- multiple documents -----------------------------------------------------------------------


def test_get_without_state_id_lists_the_ids(xapi) -> None:
    """Communication §2.3.s4 (XAPI-00193): an array of the stateIds of this activity+agent."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    for sid in ("one", "two"):
        xapi.put(PATH, params=state(activityId=activity, stateId=sid), json_body={})
    xapi.put(PATH, params=state(stateId="other-activity"), json_body={})
    response = xapi.get(PATH, params=state(activityId=activity, stateId=None))
    assert response.status_code == 200
    assert sorted(response.json()) == ["one", "two"]
    assert response["Last-Modified"].endswith("GMT")
    assert response["ETag"].startswith('"')


def test_list_with_registration_lists_that_registration_only(xapi) -> None:
    """Communication §2.3.s4: "Activity + Agent [+ registration if specified]"."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    registration = str(uuid.uuid4())
    xapi.put(PATH, params=state(activityId=activity, stateId="plain"), json_body={})
    xapi.put(
        PATH,
        params=state(activityId=activity, stateId="reg", registration=registration),
        json_body={},
    )
    all_ids = xapi.get(PATH, params=state(activityId=activity, stateId=None)).json()
    assert sorted(all_ids) == ["plain", "reg"]
    only = state(activityId=activity, stateId=None, registration=registration)
    assert xapi.get(PATH, params=only).json() == ["reg"]


def test_list_with_since_returns_documents_updated_after_it(xapi) -> None:
    """Communication §2.3.s4 table row 4 (XAPI-00195, XAPI-00221): since is exclusive."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    xapi.put(PATH, params=state(activityId=activity, stateId="old"), json_body={})
    Document.objects.filter(document_id="old").update(
        updated=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    xapi.put(PATH, params=state(activityId=activity, stateId="new"), json_body={})
    listed = state(activityId=activity, stateId=None, since="2021-01-01T00:00:00Z")
    assert xapi.get(PATH, params=listed).json() == ["new"]
    exact = state(activityId=activity, stateId=None, since="2020-01-01T00:00:00Z")
    assert xapi.get(PATH, params=exact).json() == ["new"]
    earlier = state(activityId=activity, stateId=None, since="2019-12-31T23:59:59+00:00")
    assert sorted(xapi.get(PATH, params=earlier).json()) == ["new", "old"]


def test_list_of_an_unknown_context_is_empty(xapi) -> None:
    """Communication §2.3.s4: no documents → an empty array, 200."""
    response = xapi.get(PATH, params=state(activityId=f"{ACTIVITY}/{uuid.uuid4()}", stateId=None))
    assert response.status_code == 200
    assert response.json() == []


def test_delete_without_state_id_deletes_the_context(xapi) -> None:
    """Communication §2.3.s5 (XAPI-00194): every document of the activity+agent goes."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    registration = str(uuid.uuid4())
    xapi.put(PATH, params=state(activityId=activity), json_body={})
    xapi.put(PATH, params=state(activityId=activity, registration=registration), json_body={})
    kept = state()
    xapi.put(PATH, params=kept, json_body={"kept": True})
    assert xapi.delete(PATH, params=state(activityId=activity, stateId=None)).status_code == 204
    assert xapi.get(PATH, params=state(activityId=activity, stateId=None)).json() == []
    assert xapi.get(PATH, params=kept).json() == {"kept": True}


def test_delete_all_with_registration_keeps_other_registrations(xapi) -> None:
    """Communication §2.3.s5: "[+ registration if specified]"."""
    activity = f"{ACTIVITY}/{uuid.uuid4()}"
    registration = str(uuid.uuid4())
    xapi.put(PATH, params=state(activityId=activity, stateId="plain"), json_body={})
    xapi.put(
        PATH,
        params=state(activityId=activity, stateId="reg", registration=registration),
        json_body={},
    )
    only = state(activityId=activity, stateId=None, registration=registration)
    assert xapi.delete(PATH, params=only).status_code == 204
    assert xapi.get(PATH, params=state(activityId=activity, stateId=None)).json() == ["plain"]


def test_agent_name_does_not_change_the_address(xapi) -> None:
    """Data §2.4.2.1: an Agent is identified by its IFI; the name is not part of it."""
    params = state()
    xapi.put(PATH, params=params, json_body={"a": 1})
    named = dict(params, agent={**AGENT, "name": "Rick"})
    assert xapi.get(PATH, params=named).json() == {"a": 1}


def test_identified_group_may_own_state(xapi2) -> None:
    """2.0.0 §4.1.6.2: agent is an Agent or identified Group."""
    group = {"objectType": "Group", "mbox": "mailto:team@example.org"}
    params = state(agent=group)
    response = xapi2.put(PATH, params=params, json_body={"team": True})
    assert response.status_code == 204
    assert xapi2.get(PATH, params=params).json() == {"team": True}


def test_alternate_syntax_put(xapi) -> None:
    """Communication §1.3: PUT through POST ?method=PUT with the parameters in the form."""
    from urllib.parse import urlencode

    params = state()
    form = {
        "activityId": params["activityId"],
        "agent": json.dumps(AGENT),
        "stateId": params["stateId"],
        "Authorization": xapi.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps({"alt": 1}),
    }
    response = xapi.client.post(
        "/xapi/activities/state?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    assert xapi.get(PATH, params=params).json() == {"alt": 1}


# --- bad requests -----------------------------------------------------------------------------

REQUIRED = {
    "PUT": ("activityId", "agent", "stateId"),
    "POST": ("activityId", "agent", "stateId"),
    "GET": ("activityId", "agent"),
    "DELETE": ("activityId", "agent"),
}


@pytest.mark.parametrize(
    ("method", "name"),
    [(method, name) for method, names in REQUIRED.items() for name in names],
)
def test_missing_required_parameter_is_400(xapi, method: str, name: str) -> None:
    """Communication §2.3 table (XAPI-00206–XAPI-00215): a missing parameter is 400, named."""
    response = xapi.request(method, PATH, params=without(state(), name), json_body={"a": 1})
    assert_error(response, 400, name)
    assert Document.objects.count() == 0


def test_all_missing_parameters_are_named(xapi) -> None:
    """Communication §3.2: the message names every missing parameter."""
    response = xapi.put(PATH, json_body={"a": 1})
    assert_error(response, 400, "activityId")
    for name in REQUIRED["PUT"]:
        assert name in response.json()["message"]


BAD_VALUES = [
    ("activityId", "1"),
    ("activityId", "true"),
    ("activityId", "undefined"),
    ("activityId", {"key": "value"}),
    ("activityId", "not an iri"),
    ("agent", "not JSON"),
    ("agent", "1"),
    ("agent", "true"),
    ("agent", "undefined"),
    ("agent", {"key": "value"}),
    ("agent", {"objectType": "Agent", "name": "no identifier"}),
    ("agent", {"mbox": "not-a-mailto"}),
    ("agent", {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}),
    ("registration", "1"),
    ("registration", "true"),
    ("registration", "not UUID"),
    ("stateId", ""),
]


@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_bad_parameter_value_is_400(xapi, method: str, name: str, value: Any) -> None:
    """Communication §2.3 table (XAPI-00196–XAPI-00203): wrong types/formats are 400."""
    params = state(**{name: value})
    response = xapi.request(method, PATH, params=params, json_body={"a": 1})
    assert_error(response, 400, name)
    assert Document.objects.count() == 0


def test_agent_with_broken_json_encoding_is_400(xapi) -> None:
    """2.0.0 §4.1.6.2 (XAPI-00235): an agent parameter that is not JSON."""
    broken = json.dumps(AGENT).replace(":", '"', 1)
    response = xapi.post(PATH, params=state(agent=broken), json_body={"a": 1})
    assert_error(response, 400, "agent")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("value", ["not a timestamp", "1", "true"])
def test_bad_since_is_400(xapi, value: str) -> None:
    """Communication §2.3.s4 table row 4 (XAPI-00204): since must be a Timestamp."""
    response = xapi.get(PATH, params=state(stateId=None, since=value))
    assert_error(response, 400, "since")


@pytest.mark.parametrize(
    ("method", "name"),
    [("PUT", "profileId"), ("POST", "since"), ("DELETE", "since"), ("GET", "limit")],
)
def test_unknown_parameter_is_400(xapi, method: str, name: str) -> None:
    """Communication §2.3 table: a parameter the method does not take is 400 (the ADL suite's
    "DELETE with since" case, XAPI-00205)."""
    params = state(**{name: "2024-01-01T00:00:00Z"})
    response = xapi.request(method, PATH, params=params, json_body={"a": 1})
    assert_error(response, 400, name)
    assert Document.objects.count() == 0


def test_since_with_state_id_is_ignored_in_1_0_3(xapi) -> None:
    """1.0.3 Communication §2.3 (ADL suite "can process a GET request with since"): since is
    not applied to a single-document GET."""
    params = state()
    xapi.put(PATH, params=params, json_body={"a": 1})
    response = xapi.get(PATH, params=dict(params, since="2999-01-01T00:00:00Z"))
    assert response.status_code == 200
    assert response.json() == {"a": 1}


def test_since_with_state_id_is_400_in_2_0_0(xapi2) -> None:
    """2.0.0 §4.1.6.2 single-document GET: since "If the stateId parameter is included, Not
    Allowed"."""
    params = state()
    xapi2.put(PATH, params=params, json_body={"a": 1})
    response = xapi2.get(PATH, params=dict(params, since="2020-01-01T00:00:00Z"))
    assert_error(response, 400, "since")


# --- scopes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scopes", [["statements/write"], ["statements/read"], ["profile"]])
@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
def test_without_state_scope_is_403(make_xapi, scopes: list[str], method: str) -> None:
    """Communication §4.2 scopes: the State resource needs `state` (or `all`)."""
    client = make_xapi(scopes)
    response = client.request(method, PATH, params=state(), json_body={"a": 1})
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_state_scope_reads_and_writes(make_xapi) -> None:
    """Communication §4.2: `state` grants the whole State resource."""
    client = make_xapi(["state"])
    params = state()
    assert client.put(PATH, params=params, json_body={"a": 1}).status_code == 204
    assert client.get(PATH, params=params).status_code == 200
    assert client.delete(PATH, params=params).status_code == 204


def test_all_read_scope_reads_but_does_not_write(xapi, make_xapi) -> None:
    """Communication §4.2: `all/read` is read-only."""
    params = state()
    xapi.put(PATH, params=params, json_body={"a": 1})
    reader = make_xapi(["all/read"])
    assert reader.get(PATH, params=params).json() == {"a": 1}
    assert reader.put(PATH, params=params, json_body={"b": 1}).status_code == 403
    assert reader.delete(PATH, params=params).status_code == 403
    assert xapi.get(PATH, params=params).json() == {"a": 1}


# --- stores -----------------------------------------------------------------------------------


def test_county_b_cannot_read_or_change_county_a_state(xapi, xapi_b) -> None:
    """Tenancy: a credential reads and writes its own county's store only."""
    params = state()
    xapi.put(PATH, params=params, json_body={"county": "A"})
    assert xapi_b.get(PATH, params=params).status_code == 404
    assert xapi_b.get(PATH, params=without(params, "stateId")).json() == []
    assert xapi_b.post(PATH, params=params, json_body={"county": "B"}).status_code == 204
    assert xapi_b.delete(PATH, params=without(params, "stateId")).status_code == 204
    assert xapi.get(PATH, params=params).json() == {"county": "A"}
    assert Document.objects.filter(document_id=params["stateId"]).count() == 1
    xapi_b.post(PATH, params=params, json_body={"county": "B"})
    assert xapi_b.get(PATH, params=params).json() == {"county": "B"}
    assert xapi.get(PATH, params=params).json() == {"county": "A"}
