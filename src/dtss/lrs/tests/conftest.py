"""Fixtures for the LRS tests: credentials for county A and B and an xAPI test client."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from dtss.lrs.credential_services import credential_create
from dtss.lrs.http import auth_cache_clear


class XapiClient:
    """A Django test client that sends Basic credentials and the version header."""

    def __init__(self, key: str, secret: str, version: str = "1.0.3") -> None:
        self.client = Client()
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.version = version

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"Authorization": self.auth}
        if self.version:
            merged["X-Experience-API-Version"] = self.version
        merged.update(headers or {})
        return {k: v for k, v in merged.items() if v is not None}

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
        headers: dict[str, Any] | None = None,
    ) -> Any:
        from urllib.parse import urlencode

        url = "/xapi/" + path.lstrip("/")
        if params:
            url += "?" + urlencode(
                {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
            )
        data: bytes | str = b""
        if json_body is not None:
            data = json.dumps(json_body)
        elif body is not None:
            data = body
        return self.client.generic(
            method, url, data=data, content_type=content_type, headers=self._headers(headers)
        )

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def head(self, path: str, **kw: Any) -> Any:
        return self.request("HEAD", path, **kw)


@pytest.fixture(autouse=True)
def _fresh_auth_cache() -> Any:
    auth_cache_clear()
    yield
    auth_cache_clear()


def _client(
    county: Any, scopes: list[str], version: str = "1.0.3", name: str = "test"
) -> XapiClient:
    issued = credential_create(name=name, county=county, scopes=scopes)
    client = XapiClient(issued.credential.key, issued.secret, version)
    client.credential = issued.credential  # type: ignore[attr-defined]
    return client


@pytest.fixture
def counties(db: Any) -> dict[str, Any]:
    """Counties A (南投縣) and B (宜蘭縣), the same as `world`'s, without building the world:
    they are reference data, and most LRS tests need nothing else (and run much faster)."""
    from dtss.orgs.models import County

    return {"A": County.objects.get(code="10008"), "B": County.objects.get(code="10002")}


@pytest.fixture
def xapi(counties: dict[str, Any]) -> XapiClient:
    """County A's platform with every scope, speaking xAPI 1.0.3."""
    return _client(counties["A"], ["all"], "1.0.3", "platform-a")


@pytest.fixture
def xapi2(counties: dict[str, Any]) -> XapiClient:
    """County A's platform with every scope, speaking xAPI 2.0.0."""
    return _client(counties["A"], ["all"], "2.0.0", "platform-a2")


@pytest.fixture
def xapi_b(counties: dict[str, Any]) -> XapiClient:
    """County B's platform with every scope: must never see county A's records."""
    return _client(counties["B"], ["all"], "1.0.3", "platform-b")


@pytest.fixture
def make_xapi(counties: dict[str, Any]) -> Any:
    """Factory: make_xapi(scopes=[...], county="A", version="1.0.3")."""

    def make(scopes: list[str], county: str = "A", version: str = "1.0.3") -> XapiClient:
        return _client(counties[county], scopes, version, f"platform-{county}-{len(scopes)}")

    return make
