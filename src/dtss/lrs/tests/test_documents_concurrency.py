"""Concurrency of the document resources: ETag, If-Match, If-None-Match, 409 and 412 (xAPI 1.0.3
Communication §3.1, XAPI-00322; 2.0.0 §4.1.4), per resource and version."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from dtss.lrs.models import Document
from dtss.lrs.tests.test_documents_profiles import activity_profile, agent_profile
from dtss.lrs.tests.test_documents_state import assert_error, state

pytestmark = pytest.mark.django_db

RESOURCES = {
    "activities/state": state,
    "activities/profile": activity_profile,
    "agents/profile": agent_profile,
}


@pytest.fixture(params=list(RESOURCES))
def resource(request: Any) -> tuple[str, Any]:
    return request.param, RESOURCES[request.param]


@pytest.fixture(params=["xapi", "xapi2"])
def client(request: Any) -> Any:
    return request.getfixturevalue(request.param)


def created(client: Any, path: str, params: dict[str, Any], document: Any) -> str:
    """Create a document and answer its ETag."""
    response = client.put(path, params=params, json_body=document, headers={"If-None-Match": "*"})
    assert response.status_code == 204, response.content
    return client.get(path, params=params)["ETag"]


def test_put_with_matching_if_match_replaces(client, resource) -> None:
    """§3.1 (3.1.s4.b5): PUT If-Match with the current ETag succeeds."""
    path, build = resource
    params = build()
    etag = created(client, path, params, {"v": 1})
    response = client.put(path, params=params, json_body={"v": 2}, headers={"If-Match": etag})
    assert response.status_code == 204
    assert client.get(path, params=params).json() == {"v": 2}


@pytest.mark.parametrize("tag", ['"1111111111111111111111111111111111111111"', "1234", 'W/"0"'])
@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_wrong_if_match_is_412_and_changes_nothing(client, resource, method: str, tag: str) -> None:
    """§3.1 (3.1.s4.b9/b10; 2.0.0 §4.1.4 "PUT, POST, or DELETE ... If-Match"): 412, unchanged."""
    path, build = resource
    params = build()
    etag = created(client, path, params, {"v": 1})
    response = client.request(
        method, path, params=params, json_body={"v": 2}, headers={"If-Match": tag}
    )
    assert_error(response, 412, "If-Match")
    got = client.get(path, params=params)
    assert got.json() == {"v": 1}
    assert got["ETag"] == etag


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_post_and_delete_with_matching_if_match_succeed(client, resource, method: str) -> None:
    """2.0.0 §4.1.4: If-Match is honoured on POST and DELETE too."""
    path, build = resource
    params = build()
    etag = created(client, path, params, {"v": 1})
    response = client.request(
        method, path, params=params, json_body={"w": 2}, headers={"If-Match": etag}
    )
    assert response.status_code == 204
    got = client.get(path, params=params)
    if method == "POST":
        assert got.json() == {"v": 1, "w": 2}
    else:
        assert got.status_code == 404


def test_weak_and_listed_etags_match(client, resource) -> None:
    """RFC 7232 §3.1: If-Match holds a list of entity tags, possibly weak ones."""
    path, build = resource
    params = build()
    etag = created(client, path, params, {"v": 1})
    header = f'"0000", W/{etag}'
    response = client.put(path, params=params, json_body={"v": 2}, headers={"If-Match": header})
    assert response.status_code == 204


def test_if_match_star_needs_an_existing_document(client, resource) -> None:
    """RFC 7232 §3.1: If-Match: * fails when there is no document, succeeds when there is."""
    path, build = resource
    params = build()
    response = client.put(path, params=params, json_body={"v": 1}, headers={"If-Match": "*"})
    assert_error(response, 412, "If-Match")
    assert Document.objects.count() == 0
    created(client, path, params, {"v": 1})
    response = client.put(path, params=params, json_body={"v": 2}, headers={"If-Match": "*"})
    assert response.status_code == 204


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_if_match_on_a_missing_document_is_412(client, resource, method: str) -> None:
    """RFC 7232 §3.1: an ETag cannot match a document that does not exist."""
    path, build = resource
    tag = '"' + "a" * 40 + '"'
    response = client.request(method, path, params=build(), json_body={}, headers={"If-Match": tag})
    assert_error(response, 412, "If-Match")
    assert Document.objects.count() == 0


def test_if_none_match_star_creates_only_when_missing(client, resource) -> None:
    """§3.1 (3.1.s4.b6; ADL suite "handle the If-None-Match header ... if it contains *"):
    204 when missing, 412 when the document exists, which stays unchanged."""
    path, build = resource
    params = build()
    created(client, path, params, {"v": 1})
    response = client.put(path, params=params, json_body={"v": 2}, headers={"If-None-Match": "*"})
    assert_error(response, 412, "If-None-Match")
    assert client.get(path, params=params).json() == {"v": 1}


def test_post_with_if_none_match_star_on_existing_is_412(client, resource) -> None:
    """§3.1 (3.1.s4.b8): POST SHOULD honour If-None-Match: *."""
    path, build = resource
    params = build()
    created(client, path, params, {"v": 1})
    response = client.post(path, params=params, json_body={"w": 2}, headers={"If-None-Match": "*"})
    assert_error(response, 412, "If-None-Match")
    assert client.get(path, params=params).json() == {"v": 1}


@pytest.mark.parametrize(
    ("path", "fixture"),
    [
        ("activities/profile", "xapi"),
        ("agents/profile", "xapi"),
        ("activities/state", "xapi2"),
        ("activities/profile", "xapi2"),
        ("agents/profile", "xapi2"),
    ],
)
def test_put_without_header_on_existing_document_is_409(request, path: str, fixture: str) -> None:
    """1.0.3 §3.1 (3.1.s4.b13–b15) for the profile resources; 2.0.0 §4.1.4 for all three
    ("If a PUT request is received without either header for a resource that already exists"):
    409 with a message explaining how to resolve it, and no change."""
    client = request.getfixturevalue(fixture)
    params = RESOURCES[path]()
    etag = created(client, path, params, {"v": 1})
    response = client.put(path, params=params, json_body={"v": 2})
    assert_error(response, 409, "If-Match")
    assert "ETag" in response.json()["message"]
    got = client.get(path, params=params)
    assert got.json() == {"v": 1}
    assert got["ETag"] == etag


def test_state_put_without_header_overwrites_in_1_0_3(xapi) -> None:
    """1.0.3 §3.1.s3: "The State Resource will permit PUT, POST and DELETE requests without
    concurrency headers, since state conflicts are unlikely"."""
    params = state()
    created(xapi, "activities/state", params, {"v": 1})
    assert xapi.put("activities/state", params=params, json_body={"v": 2}).status_code == 204
    assert xapi.get("activities/state", params=params).json() == {"v": 2}


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_post_and_delete_need_no_header(client, resource, method: str) -> None:
    """2.0.0 §4.1.4 / ADL 2.0 suite (merges and deletes without headers): only PUT requires a
    precondition on an existing document."""
    path, build = resource
    params = build()
    created(client, path, params, {"v": 1})
    assert client.request(method, path, params=params, json_body={"w": 1}).status_code == 204


def test_etag_of_a_list_response(client, resource) -> None:
    """§3.1.s4.b1: "An LRS responding to a GET request MUST add an ETag HTTP header"."""
    path, build = resource
    params = build()
    created(client, path, params, {"v": 1})
    id_name = "stateId" if path == "activities/state" else "profileId"
    listed = client.get(path, params={k: v for k, v in params.items() if k != id_name})
    assert listed.status_code == 200
    assert listed["ETag"].startswith('"') and len(listed["ETag"]) == 42


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creations_are_race_safe(xapi) -> None:
    """§3.1: two PUTs with If-None-Match: * at once — exactly one creates, the other is 412
    (the unique index decides; the loser retries and sees the row)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    params = activity_profile()
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    lock = threading.Lock()

    def put(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            response = xapi.put(
                "activities/profile",
                params=params,
                json_body={"writer": n},
                headers={"If-None-Match": "*"},
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=put, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204, 412, 412, 412]
    assert Document.objects.count() == 1
