"""The profile resources: Activity Profile, /xapi/activities/profile (xAPI 1.0.3 Communication
§2.7, 2.0.0 §4.1.6.6) and Agent Profile, /xapi/agents/profile (1.0.3 §2.6, 2.0.0 §4.1.6.5)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from dtss.lrs.models import Document
from dtss.lrs.tests.test_documents_state import ACTIVITY, AGENT, assert_error, without

pytestmark = pytest.mark.django_db

CREATE = {"If-None-Match": "*"}


def activity_profile(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"activityId": ACTIVITY, "profileId": str(uuid.uuid4())}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def agent_profile(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"agent": AGENT, "profileId": str(uuid.uuid4())}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


RESOURCES = {
    "activities/profile": activity_profile,
    "agents/profile": agent_profile,
}
CONTEXT = {"activities/profile": "activityId", "agents/profile": "agent"}


@pytest.fixture(params=list(RESOURCES))
def resource(request: Any) -> tuple[str, Any]:
    return request.param, RESOURCES[request.param]


# --- the common behaviour ---------------------------------------------------------------------


def test_put_then_get_returns_the_document(xapi, resource) -> None:
    """1.0.3 §2.6/§2.7 (XAPI-00273, XAPI-00287, XAPI-00288, XAPI-00269): PUT 204, GET 200."""
    path, build = resource
    params = build()
    body = b'{"name":  "profile"}'
    assert xapi.put(path, params=params, body=body, headers=CREATE).status_code == 204
    got = xapi.get(path, params=params)
    assert got.status_code == 200
    assert got.content == body
    assert got["Content-Type"] == "application/json"
    assert len(got["ETag"]) == 42
    assert got["Last-Modified"].endswith("GMT")


def test_post_of_a_new_document_stores_it(xapi, resource) -> None:
    """Communication §2.2.s7 (XAPI-00280, XAPI-00310): POST without a document stores it."""
    path, build = resource
    params = build()
    assert xapi.post(path, params=params, json_body={"car": "Honda"}).status_code == 204
    assert xapi.get(path, params=params).json() == {"car": "Honda"}


def test_post_merges(xapi, resource) -> None:
    """Communication §2.2.s7 (XAPI-00279, XAPI-00308): JSON Objects are merged."""
    path, build = resource
    params = build()
    xapi.post(path, params=params, json_body={"car": "Honda"})
    assert xapi.post(path, params=params, json_body={"type": "Civic"}).status_code == 204
    assert xapi.get(path, params=params).json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize(
    ("first", "first_type", "second", "second_type", "field"),
    [
        (b'{"a": 1}', "application/json", b"abcdefg", "application/octet-stream", "Content-Type"),
        (b'{"a": 1}', "application/json", b"abcdefg", "not/json", "Content-Type"),
        (
            b"/ asdf / undefined",
            "application/octet-stream",
            b'{"a": 2}',
            "application/json",
            "Content-Type",
        ),
        (b'{"a": 1}', "application/json", b'{"a": 2}{', "application/json", "content"),
    ],
)
def test_post_that_cannot_merge_is_400_and_changes_nothing(
    xapi, resource, first: bytes, first_type: str, second: bytes, second_type: str, field: str
) -> None:
    """Communication §2.2.s8.b1 (XAPI-00278, XAPI-00281, XAPI-00309, XAPI-00313)."""
    path, build = resource
    params = build()
    xapi.put(path, params=params, body=first, content_type=first_type, headers=CREATE)
    response = xapi.post(path, params=params, body=second, content_type=second_type)
    assert_error(response, 400, field)
    got = xapi.get(path, params=params)
    assert got.content == first
    assert got["Content-Type"] == first_type


def test_post_of_invalid_json_is_400(xapi, resource) -> None:
    """2.0.0 §4.1.6.5/§4.1.6.6 (XAPI-00284, XAPI-00314): application/json that does not parse."""
    path, build = resource
    response = xapi.post(path, params=build(), body=b'{"a": 1}[', content_type="application/json")
    assert_error(response, 400, "content")
    assert Document.objects.count() == 0


def test_delete_removes_the_document(xapi, resource) -> None:
    """1.0.3 §2.6/§2.7 (XAPI-00271, XAPI-00285): DELETE 204, then GET 404."""
    path, build = resource
    params = build()
    xapi.post(path, params=params, json_body={"a": 1})
    assert xapi.delete(path, params=params).status_code == 204
    assert_error(xapi.get(path, params=params), 404, "profileId")


def test_delete_of_a_missing_document_is_204(xapi, resource) -> None:
    """1.0.3 §2.7 (ADL suite "accepts DELETE requests", XAPI-00291): nothing to delete, 204."""
    path, build = resource
    assert xapi.delete(path, params=build()).status_code == 204


def test_get_without_profile_id_lists_ids_and_since(xapi, resource) -> None:
    """1.0.3 §2.6/§2.7 GET without profileId (XAPI-00270, XAPI-00289, XAPI-00294, XAPI-00275):
    an array of profileIds, with since (exclusive)."""
    path, build = resource
    context = CONTEXT[path]
    base = (
        build(activityId=f"{ACTIVITY}/{uuid.uuid4()}")
        if context == "activityId"
        else build(agent={"mbox": f"mailto:{uuid.uuid4()}@example.org"})
    )
    context_params = without(base, "profileId")
    xapi.post(path, params=dict(context_params, profileId="old"), json_body={})
    xapi.post(path, params=dict(context_params, profileId="new"), json_body={})
    Document.objects.filter(document_id="old").update(
        updated=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    listed = xapi.get(path, params=context_params)
    assert listed.status_code == 200
    assert sorted(listed.json()) == ["new", "old"]
    assert listed["Last-Modified"].endswith("GMT")
    since = dict(context_params, since="2020-01-01T00:00:00.000Z")
    assert xapi.get(path, params=since).json() == ["new"]


@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
def test_missing_context_parameter_is_400(xapi, resource, method: str) -> None:
    """1.0.3 §2.6/§2.7 tables (XAPI-00261–XAPI-00264, XAPI-00296–XAPI-00299)."""
    path, build = resource
    name = CONTEXT[path]
    response = xapi.request(
        method, path, params=without(build(), name), json_body={}, headers=CREATE
    )
    assert_error(response, 400, name)
    assert Document.objects.count() == 0


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_missing_profile_id_is_400(xapi, resource, method: str) -> None:
    """1.0.3 §2.6/§2.7 tables (XAPI-00265–XAPI-00267, XAPI-00300–XAPI-00302)."""
    path, build = resource
    response = xapi.request(
        method, path, params=without(build(), "profileId"), json_body={}, headers=CREATE
    )
    assert_error(response, 400, "profileId")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
@pytest.mark.parametrize("value", ["1", "true", {"key": "value"}, "not JSON", "undefined"])
def test_bad_context_parameter_is_400(xapi, resource, method: str, value: Any) -> None:
    """1.0.3 §2.6/§2.7 tables (XAPI-00255–XAPI-00258, activityId not an IRI)."""
    path, build = resource
    name = CONTEXT[path]
    response = xapi.request(
        method, path, params=build(**{name: value}), json_body={}, headers=CREATE
    )
    assert_error(response, 400, name)
    assert Document.objects.count() == 0


@pytest.mark.parametrize("value", ["not timestamp", "1", "true"])
def test_bad_since_is_400(xapi, resource, value: str) -> None:
    """1.0.3 §2.6/§2.7 (XAPI-00260, XAPI-00295): since must be a Timestamp."""
    path, build = resource
    response = xapi.get(path, params=without(build(since=value), "profileId"))
    assert_error(response, 400, "since")


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_empty_profile_id_is_400(xapi, resource, method: str) -> None:
    """1.0.3 §2.6/§2.7: profileId is a non-empty String."""
    path, build = resource
    response = xapi.request(method, path, params=build(profileId=""), json_body={}, headers=CREATE)
    assert_error(response, 400, "profileId")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
def test_unknown_parameter_is_400(xapi, resource, method: str) -> None:
    """1.0.3 §2.7 (ADL suite passes `agent` to the Activity Profile: 400), and `stateId` or
    `registration` on either profile resource."""
    path, build = resource
    extra = {"agent": AGENT} if path == "activities/profile" else {"activityId": ACTIVITY}
    response = xapi.request(method, path, params=build(**extra), json_body={}, headers=CREATE)
    assert_error(response, 400, next(iter(extra)))
    response = xapi.request(
        method, path, params=build(registration=str(uuid.uuid4())), json_body={}, headers=CREATE
    )
    assert_error(response, 400, "registration")
    assert Document.objects.count() == 0


def test_since_with_profile_id_is_400_in_2_0_0(xapi2, resource) -> None:
    """2.0.0 §4.1.6.5/§4.1.6.6 single-document GET: since is not allowed with profileId."""
    path, build = resource
    params = build()
    xapi2.post(path, params=params, json_body={})
    assert_error(xapi2.get(path, params=dict(params, since="2020-01-01T00:00:00Z")), 400, "since")


@pytest.mark.parametrize("scopes", [["statements/write"], ["state"], ["statements/read"]])
@pytest.mark.parametrize("method", ["PUT", "POST", "GET", "DELETE"])
def test_without_profile_scope_is_403(make_xapi, resource, scopes: list[str], method: str) -> None:
    """Communication §4.2 scopes: the profile resources need `profile` (or `all`)."""
    path, build = resource
    client = make_xapi(scopes)
    response = client.request(method, path, params=build(), json_body={}, headers=CREATE)
    assert response.status_code == 403
    assert Document.objects.count() == 0


def test_profile_scope_and_all_read(xapi, make_xapi, resource) -> None:
    """Communication §4.2: `profile` grants the profile resources, `all/read` reads them."""
    path, build = resource
    params = build()
    writer = make_xapi(["profile"])
    assert writer.put(path, params=params, json_body={"a": 1}, headers=CREATE).status_code == 204
    reader = make_xapi(["all/read"])
    assert reader.get(path, params=params).json() == {"a": 1}
    assert reader.post(path, params=params, json_body={"b": 1}).status_code == 403
    assert writer.delete(path, params=params).status_code == 204


def test_county_b_cannot_read_or_change_county_a_profile(xapi, xapi_b, resource) -> None:
    """Tenancy: the same parameters in another county's store name another document."""
    path, build = resource
    params = build()
    xapi.post(path, params=params, json_body={"county": "A"})
    assert xapi_b.get(path, params=params).status_code == 404
    assert xapi_b.get(path, params=without(params, "profileId")).json() == []
    assert xapi_b.delete(path, params=params).status_code == 204
    # B's PUT creates B's own document: A's does not exist for B, so no 409.
    assert (
        xapi_b.put(path, params=params, json_body={"county": "B"}, headers=CREATE).status_code
        == 204
    )
    assert xapi.get(path, params=params).json() == {"county": "A"}
    assert xapi_b.get(path, params=params).json() == {"county": "B"}


# --- what differs between the two ------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["xapi", "xapi2"])
def test_agent_profile_put_without_precondition_header_is_400(request, fixture: str) -> None:
    """1.0.3 §3.1 client requirement ("A Client making a PUT request to ... the Agent Profile
    Resource MUST include If-Match or If-None-Match"), ADL suite XAPI-00273 "PUT request
    without an ETag header returns an error code": 400, nothing stored."""
    client = request.getfixturevalue(fixture)
    response = client.put("agents/profile", params=agent_profile(), json_body={"a": 1})
    assert_error(response, 400, "If-None-Match")
    assert "If-Match" in response.json()["message"]
    assert Document.objects.count() == 0


@pytest.mark.parametrize("fixture", ["xapi", "xapi2"])
def test_activity_profile_put_without_header_creates(request, fixture: str) -> None:
    """1.0.3 §2.7 (ADL suite XAPI-00293 "accepts PUT requests" sends no header): a new Activity
    Profile document may be PUT without a precondition."""
    client = request.getfixturevalue(fixture)
    params = activity_profile()
    assert client.put("activities/profile", params=params, json_body={"a": 1}).status_code == 204
    assert client.get("activities/profile", params=params).json() == {"a": 1}


def test_agent_profile_accepts_an_identified_group(xapi2) -> None:
    """2.0.0 §4.1.6.5: the agent may be an identified Group."""
    params = agent_profile(agent={"objectType": "Group", "openid": "http://openid.example.org/t"})
    assert xapi2.post("agents/profile", params=params, json_body={"g": 1}).status_code == 204
    assert xapi2.get("agents/profile", params=params).json() == {"g": 1}


def test_agent_profile_rejects_an_anonymous_group(xapi2) -> None:
    """2.0.0 §4.1.6.5: an anonymous Group has no identifier to file documents under."""
    group = {"objectType": "Group", "member": [{"mbox": "mailto:a@example.org"}]}
    response = xapi2.post("agents/profile", params=agent_profile(agent=group), json_body={})
    assert_error(response, 400, "agent")
    assert Document.objects.count() == 0


def test_profiles_and_state_do_not_share_documents(xapi) -> None:
    """Communication §2.2: the three document resources are separate stores."""
    xapi.post("activities/profile", params={"activityId": ACTIVITY, "profileId": "x"}, json_body={})
    xapi.post("agents/profile", params={"agent": AGENT, "profileId": "x"}, json_body={})
    state = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "x"}
    assert xapi.get("activities/state", params=state).status_code == 404
    assert Document.objects.count() == 2
