"""Authentication: personal tokens (Bearer) and the browser session (with CSRF on writes)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dtss.accounts.models import ApiToken
from dtss.accounts.services import api_token_create, api_token_revoke
from dtss.api.tests.conftest import BASE, PUBLIC, ApiWorld, call, row_counts
from dtss.api.urls import api

MISSING = uuid.UUID("5b6b69e0-0000-4000-8000-000000000000")


def _all_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix=BASE)
    return sorted(
        # a fixed id (missing everywhere), so that the test ids are the same in every process
        (method.upper(), path.replace("{public_id}", str(MISSING)).replace("{code}", "10008"))
        for path, operations in schema["paths"].items()
        for method in operations
        if f"{method.upper()} {path.removeprefix(BASE)}" not in PUBLIC
    )


@pytest.mark.parametrize(("method", "path"), _all_operations())
def test_every_endpoint_needs_authentication(api_world: ApiWorld, method: str, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    if method == "GET":
        response = client.get(path)
    else:
        response = getattr(client, method.lower())(path, "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def _bearer(key: str) -> Client:
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"})


def test_token_works_and_records_last_use(api_world: ApiWorld) -> None:
    token, key = api_token_create(user=api_world.users["elem_teacher"], name="script")
    assert token.last_used_at is None
    response = call(_bearer(key), "GET", "/me")
    assert response.status_code == 200 and response.json()["username"] == "elem_teacher"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


@pytest.mark.parametrize(
    "header",
    ["Bearer dtss_not-a-real-token", "Bearer nonsense", "Token dtss_x", "Basic YTpi", ""],
)
def test_bad_credentials_are_401(api_world: ApiWorld, header: str) -> None:
    client = Client(headers={"authorization": header} if header else {})
    assert call(client, "GET", "/me").status_code == 401


def test_revoked_token_is_401(api_world: ApiWorld) -> None:
    user = api_world.users["a_admin"]
    token, key = api_token_create(user=user, name="script")
    assert call(_bearer(key), "GET", "/me").status_code == 200
    api_token_revoke(token=token, actor=user)
    assert call(_bearer(key), "GET", "/me").status_code == 401


def test_expired_token_is_401(api_world: ApiWorld) -> None:
    user = api_world.users["a_admin"]
    _token, key = api_token_create(
        user=user, name="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert call(_bearer(key), "GET", "/me").status_code == 401
    _token, key = api_token_create(
        user=user, name="fresh", expires_at=timezone.now() + timedelta(days=1)
    )
    assert call(_bearer(key), "GET", "/me").status_code == 200


def test_inactive_user_token_is_401(api_world: ApiWorld) -> None:
    user = api_world.users["a_admin"]
    _token, key = api_token_create(user=user, name="script")
    user.is_active = False
    user.save()
    assert call(_bearer(key), "GET", "/me").status_code == 401


def test_revoke_through_the_api(api_world: ApiWorld) -> None:
    user = api_world.users["elem_admin"]
    token, key = api_token_create(user=user, name="script")
    client = _bearer(key)
    listed = call(client, "GET", "/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["script"]
    assert "key" not in listed["items"][0] and listed["items"][0]["active"] is True
    assert call(client, "DELETE", f"/tokens/{token.public_id}").status_code == 204
    assert call(client, "GET", "/me").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_session_reads(api_world: ApiWorld) -> None:
    response = call(api_world.session("elem_teacher"), "GET", "/me")
    assert response.status_code == 200 and response.json()["username"] == "elem_teacher"
    plain = Client()
    plain.force_login(api_world.users["b_admin"])
    assert call(plain, "GET", "/schools").status_code == 200


def test_session_write_without_csrf_is_refused(api_world: ApiWorld) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(api_world.users["a_admin"])
    before = row_counts()
    for method, path, body in [
        ("POST", "/tokens", {"name": "x"}),
        ("PATCH", f"/schools/{api_world.objects['school:A-elem'].public_id}", {"phone": "1"}),
        ("POST", "/districts", {"county": "10008", "code": "A9", "name_zh": "x"}),
    ]:
        response = call(client, method, path, body)
        assert response.status_code == 403, path
        assert "CSRF" in response.json()["detail"]
    assert row_counts() == before


def test_session_write_with_csrf_creates_a_token_once(api_world: ApiWorld) -> None:
    client = api_world.session("junior_teacher")
    response = call(client, "POST", "/tokens", {"name": "grading script", "expires_in_days": 30})
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith("dtss_") and created["active"] is True
    token = ApiToken.objects.get(public_id=created["public_id"])
    assert token.user == api_world.users["junior_teacher"]
    assert token.expires_at is not None
    # the secret works, and is never shown again
    assert call(_bearer(created["key"]), "GET", "/me").json()["username"] == "junior_teacher"
    listed = call(client, "GET", "/tokens").json()["items"]
    assert all("key" not in item for item in listed)
    assert created["key"] not in json.dumps(listed)


def test_a_token_cannot_mint_tokens(api_world: ApiWorld) -> None:
    _token, key = api_token_create(user=api_world.users["a_admin"], name="script")
    response = call(_bearer(key), "POST", "/tokens", {"name": "another"})
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=api_world.users["a_admin"]).count() == 1


def test_token_writes_need_no_csrf(api_world: ApiWorld) -> None:
    response = call(
        api_world.bearer("elem_admin"),
        "PATCH",
        f"/schools/{api_world.objects['school:A-elem'].public_id}",
        {"phone": "049-1234567"},
    )
    assert response.status_code == 200 and response.json()["phone"] == "049-1234567"


def test_account_needs_every_role_administered(api_world: ApiWorld) -> None:
    """Giving a login hands over all of the person's roles: an administrator of only one of
    them may not (the page allows it; see the report)."""
    from dtss.orgs import services as org_services
    from dtss.orgs.models import Role

    person = api_world.objects["person:new_a_teacher"]
    org_services.membership_create(
        person=person, role=Role.COUNTY_ADMIN, county=api_world.objects["county:B"]
    )
    body = {"username": "taken-over", "email": "evil@example.org"}
    response = call(
        api_world.bearer("elem_admin"), "POST", f"/people/{person.public_id}/account", body
    )
    assert response.status_code == 403
    response = call(
        api_world.bearer("a_admin"), "POST", f"/people/{person.public_id}/account", body
    )
    assert response.status_code == 403
