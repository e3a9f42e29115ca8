"""The JSON API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Every router lives in its app's `api.py` and starts each query from `visible_to(request.user)`.
"""

from __future__ import annotations

from ninja import NinjaAPI

from dtss.api.auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="DTSS API",
    version="1",
    description=(
        "DTSS 數位教學支持系統 JSON API. Authenticate with a personal token "
        "(`Authorization: Bearer dtss_…`, created under API tokens) or a browser session. "
        "Every endpoint applies the same tenancy rule as the pages: another tenant's object "
        "is a 404."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
)

from dtss.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/", orgs_router)
