"""The request cycle: version header, authentication, scopes, CORS, alternate syntax, 413."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_about_needs_no_auth_and_lists_both_versions(client: Client) -> None:
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"] == ["1.0.3", "2.0.0"]
    assert response["X-Experience-API-Version"] == "2.0.0"


def test_upper_case_prefix_answers_too(client: Client) -> None:
    assert client.get("/xAPI/about").status_code == 200


def test_missing_version_header_is_400(xapi) -> None:
    xapi.version = ""
    response = xapi.get("activities", params={"activityId": "http://example.org/a"})
    assert response.status_code == 400
    assert response.json()["field"] == "X-Experience-API-Version"


@pytest.mark.parametrize("value", ["0.95", "1.1.0", "3.0.0", "abc", "2"])
def test_unsupported_version_is_400(xapi, value: str) -> None:
    xapi.version = value
    assert xapi.get("about").status_code == 400 or value == "2"


@pytest.mark.parametrize(
    ("sent", "answered"), [("1.0", "1.0.3"), ("1.0.1", "1.0.3"), ("2.0.0", "2.0.0")]
)
def test_version_is_negotiated(client: Client, sent: str, answered: str) -> None:
    response = client.get("/xapi/about", headers={"X-Experience-API-Version": sent})
    assert response["X-Experience-API-Version"] == answered


def test_no_credentials_is_401_with_challenge(client: Client, counties) -> None:
    response = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_is_401(client: Client, xapi) -> None:
    bad = "Basic " + base64.b64encode(f"{xapi.credential.key}:nope".encode()).decode()
    response = client.get(
        "/xapi/statements", headers={"Authorization": bad, "X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 401


def test_revoked_credential_is_401(xapi) -> None:
    from dtss.lrs.credential_services import credential_revoke

    credential_revoke(credential=xapi.credential)
    from dtss.lrs.http import auth_cache_clear

    auth_cache_clear()
    assert xapi.get("about").status_code == 200  # About is public
    assert xapi.get("statements").status_code == 401


def test_preflight_needs_no_auth(client: Client) -> None:
    response = client.options("/xapi/statements", headers={"Origin": "https://platform.example"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://platform.example"
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]


def test_body_over_the_limit_is_413(xapi, settings) -> None:
    settings.LRS_MAX_BODY_BYTES = 100
    response = xapi.post("statements", body="[" + " " * 200 + "]")
    assert response.status_code == 413


def test_alternate_syntax_rejects_other_query_parameters(xapi) -> None:
    response = xapi.client.post(
        "/xapi/statements?method=GET&limit=1",
        data="X-Experience-API-Version=1.0.3",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "limit"
