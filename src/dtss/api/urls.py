"""The JSON API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Every router lives in its app's `api.py` and starts each query from `visible_to(request.user)`.
Authentication: a personal token (`Authorization: Bearer dtss_…`) or the browser session (with
Django's CSRF check on unsafe methods). See README.md in this package.
"""

from __future__ import annotations

from ninja import NinjaAPI

from dtss.api import errors
from dtss.api.auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="DTSS API",
    version="1",
    description=(
        "DTSS 數位教學支持系統 JSON API. Authenticate with a personal token "
        "(`Authorization: Bearer dtss_…`, created under API tokens) or a browser session. "
        "Every endpoint applies the same tenancy rule as the pages: another tenant's object "
        "is a 404, exactly like a missing one. Lists are paged with `limit` and `offset` and "
        "return `{items, count}`. Errors: 401 not signed in, 403 your role may not do this, "
        "404 missing or not yours, 422 bad input (`detail` lists each failing field; nothing "
        "was changed)."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), SessionAuth()],
)
errors.install(api)

from dtss.accounts.api import router as accounts_router  # noqa: E402
from dtss.analytics.api_class import router as analytics_class_router  # noqa: E402
from dtss.analytics.api_overview import router as analytics_overview_router  # noqa: E402
from dtss.analytics.api_platforms import router as analytics_platforms_router  # noqa: E402
from dtss.core.api import router as core_router  # noqa: E402
from dtss.devices.api_imports import router as devices_imports_router  # noqa: E402
from dtss.devices.api_loans import router as devices_loans_router  # noqa: E402
from dtss.devices.api_procurement import router as devices_procurement_router  # noqa: E402
from dtss.devices.api_register import router as devices_register_router  # noqa: E402
from dtss.devices.api_review import router as devices_review_router  # noqa: E402
from dtss.framework.api import router as framework_router  # noqa: E402
from dtss.helpdesk.api_admin import router as helpdesk_admin_router  # noqa: E402
from dtss.helpdesk.api_community import router as helpdesk_community_router  # noqa: E402
from dtss.helpdesk.api_kb import router as helpdesk_kb_router  # noqa: E402
from dtss.helpdesk.api_requests import router as helpdesk_requests_router  # noqa: E402
from dtss.homeschool.api_contact import router as homeschool_contact_router  # noqa: E402
from dtss.homeschool.api_leave import router as homeschool_leave_router  # noqa: E402
from dtss.homeschool.api_messages import router as homeschool_messages_router  # noqa: E402
from dtss.homeschool.api_school import router as homeschool_school_router  # noqa: E402
from dtss.orgs.api import router as orgs_router  # noqa: E402
from dtss.predict.api import router as predict_router  # noqa: E402
from dtss.surveys.api import router as surveys_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/", orgs_router)
api.add_router("/", core_router)
api.add_router("/", framework_router)
api.add_router("/", surveys_router)
api.add_router("/", analytics_class_router)
api.add_router("/", analytics_overview_router)
api.add_router("/", analytics_platforms_router)
api.add_router("/", predict_router)
api.add_router("/", devices_register_router)
api.add_router("/", devices_imports_router)
api.add_router("/", devices_loans_router)
api.add_router("/", devices_procurement_router)
api.add_router("/", devices_review_router)
api.add_router("/", helpdesk_requests_router)
api.add_router("/", helpdesk_kb_router)
api.add_router("/", helpdesk_admin_router)
api.add_router("/", helpdesk_community_router)
api.add_router("/", homeschool_contact_router)
api.add_router("/", homeschool_leave_router)
api.add_router("/", homeschool_messages_router)
api.add_router("/", homeschool_school_router)
