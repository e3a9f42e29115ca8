"""/api/v1/openapi.json describes every endpoint, and describes it usefully.

The lists of paths are compared three ways: the document, Django's URL resolver (what is really
served) and the explicit list below. An endpoint added without a schema, summary, description
or tags fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from dtss.api.tests.conftest import PUBLIC
from dtss.api.urls import api

PREFIX = "/api/v1"

EXPECTED = {
    "GET /me",
    "GET /tokens",
    "POST /tokens",
    "DELETE /tokens/{public_id}",
    "GET /counties",
    "GET /counties/{code}",
    "GET /districts",
    "POST /districts",
    "GET /schools",
    "POST /schools",
    "GET /schools/{public_id}",
    "PATCH /schools/{public_id}",
    "POST /schools/{public_id}/people",
    "GET /terms",
    "GET /classes",
    "POST /classes",
    "GET /classes/{public_id}",
    "GET /classes/{public_id}/students",
    "GET /people",
    "POST /people",
    "GET /people/{public_id}",
    "GET /people/{public_id}/memberships",
    "POST /people/{public_id}/account",
    "GET /guardianships",
    "POST /guardianships",
    "GET /office",
    "POST /office",
    "POST /office/groups",
    "POST /office/groups/{public_id}/members",
    "POST /office/plans",
    "POST /office/plans/{public_id}/tasks",
    "PATCH /office/tasks/{public_id}",
    "GET /audit",
    "GET /framework",
    "GET /framework/strategies/{code}",
    "POST /framework/strategies",
    "GET /cycles",
    "POST /cycles",
    "GET /cycles/{public_id}",
    "POST /cycles/{public_id}/sample",
    "POST /cycles/{public_id}/close",
    "GET /assessments",
    "GET /assessments/{public_id}",
    "GET /assessments/{public_id}/responses",
    "GET /assessments/{public_id}/events",
    "POST /assessments/{public_id}/submit",
    "POST /assessments/{public_id}/comment",
    "POST /assessments/{public_id}/request-changes",
    "POST /assessments/{public_id}/accept",
    "POST /assessments/{public_id}/plan",
    "PATCH /responses/{public_id}",
    "POST /responses/{public_id}/evidence",
    "DELETE /evidence/{public_id}",
    "GET /evidence/{public_id}/file",
    "POST /evidence/{public_id}/case",
    "GET /plans",
    "POST /plans",
    "GET /plans/{public_id}",
    "POST /plans/{public_id}/goals",
    "POST /goals/{public_id}/actions",
    "PATCH /actions/{public_id}",
    "DELETE /actions/{public_id}",
    "DELETE /goals/{public_id}",
    "GET /cases",
    "GET /cases/{public_id}",
    "PATCH /cases/{public_id}",
    "DELETE /cases/{public_id}",
    "GET /surveys/bank",
    "POST /surveys/bank",
    "GET /surveys/questionnaires",
    "POST /surveys/questionnaires",
    "POST /surveys/questionnaires/from-bank",
    "GET /surveys/questionnaires/{public_id}",
    "PATCH /surveys/questionnaires/{public_id}",
    "POST /surveys/questionnaires/{public_id}/archive",
    "POST /surveys/questionnaires/{public_id}/copy",
    "POST /surveys/questionnaires/{public_id}/sections",
    "PATCH /surveys/sections/{public_id}",
    "DELETE /surveys/sections/{public_id}",
    "POST /surveys/sections/{public_id}/move",
    "POST /surveys/sections/{public_id}/questions",
    "POST /surveys/sections/{public_id}/questions/from-bank",
    "PATCH /surveys/questions/{public_id}",
    "DELETE /surveys/questions/{public_id}",
    "POST /surveys/questions/{public_id}/move",
    "GET /surveys/runs",
    "POST /surveys/runs",
    "GET /surveys/runs/{public_id}",
    "POST /surveys/runs/{public_id}/open",
    "POST /surveys/runs/{public_id}/close",
    "GET /surveys/runs/{public_id}/progress",
    "GET /surveys/runs/{public_id}/codes",
    "POST /surveys/runs/{public_id}/codes",
    "GET /surveys/runs/{public_id}/invitations",
    "POST /surveys/runs/{public_id}/invitations",
    "POST /surveys/runs/{public_id}/remind",
    "GET /surveys/runs/{public_id}/results",
    "GET /surveys/runs/{public_id}/results/schools",
    "GET /surveys/runs/{public_id}/answers",
    "GET /surveys/answer/{code}",
    "POST /surveys/answer",
    "GET /surveys/invitations",
    "GET /surveys/invitations/{public_id}",
    "PUT /surveys/invitations/{public_id}/answers",
    "GET /analytics/classes",
    "GET /analytics/classes/{public_id}",
    "GET /analytics/students/{public_id}",
    "GET /analytics/schools/{public_id}/overview",
    "GET /analytics/counties/{code}/overview",
    "GET /analytics/counties/{code}/programmes/{programme}",
    "GET /analytics/platforms",
    "POST /analytics/platforms",
    "GET /analytics/platforms/{public_id}",
    "PATCH /analytics/platforms/{public_id}",
    "POST /analytics/platforms/{public_id}/deactivate",
    "POST /analytics/platforms/{public_id}/reactivate",
    "POST /analytics/platforms/{public_id}/credential",
    "GET /analytics/platforms/{public_id}/mappings",
    "POST /analytics/platforms/{public_id}/mappings",
    "GET /analytics/platforms/{public_id}/mappings/{mapping_id}",
    "PATCH /analytics/platforms/{public_id}/mappings/{mapping_id}",
    "DELETE /analytics/platforms/{public_id}/mappings/{mapping_id}",
    "POST /analytics/platforms/{public_id}/mappings/{mapping_id}/preview",
    "POST /analytics/platforms/{public_id}/mappings/{mapping_id}/import",
    "GET /analytics/platforms/{public_id}/imports/{import_id}",
    "POST /analytics/platforms/{public_id}/imports/{import_id}/retry",
    "GET /analytics/xapi-profile",
    "GET /predict/classes/{public_id}/risks",
    "GET /predict/students/{public_id}/risks",
    "GET /predict/students/{public_id}/interventions",
    "POST /predict/students/{public_id}/interventions",
    "PATCH /predict/interventions/{public_id}",
    "DELETE /predict/interventions/{public_id}",
    "GET /predict/models",
    "GET /predict/models/{public_id}",
    # devices (issue 8)
    "GET /devices",
    "POST /devices",
    "GET /devices/{public_id}",
    "PATCH /devices/{public_id}",
    "POST /devices/{public_id}/status",
    "POST /devices/{public_id}/transfer",
    "GET /devices/{public_id}/events",
    "GET /licences",
    "POST /licences",
    "GET /licences/{public_id}",
    "PATCH /licences/{public_id}",
    "POST /licences/{public_id}/seats",
    "DELETE /seats/{public_id}",
    "POST /device-imports",
    "GET /device-imports",
    "GET /device-imports/{public_id}",
    "GET /assignments",
    "POST /assignments",
    "GET /assignments/{public_id}",
    "POST /assignments/{public_id}/sign",
    "POST /assignments/{public_id}/sign-on-paper",
    "POST /assignments/{public_id}/recall",
    "POST /assignments/{public_id}/return",
    "POST /assignments/{public_id}/cancel",
    "POST /devices/{public_id}/loaner",
    "GET /loan-requests",
    "POST /loan-requests",
    "POST /loan-requests/{public_id}/decline",
    "GET /loan-queue",
    "GET /student-support",
    "PUT /student-support/{student_public_id}",
    "GET /needs-collections",
    "POST /needs-collections",
    "GET /needs-collections/{public_id}",
    "PATCH /needs-collections/{public_id}",
    "POST /needs-collections/{public_id}/open",
    "POST /needs-collections/{public_id}/close",
    "GET /needs-collections/{public_id}/submissions",
    "POST /needs-collections/{public_id}/submissions",
    "GET /need-submissions/{public_id}",
    "POST /need-submissions/{public_id}/lines",
    "PATCH /need-lines/{public_id}",
    "DELETE /need-lines/{public_id}",
    "POST /need-submissions/{public_id}/submit",
    "POST /need-submissions/{public_id}/return",
    "GET /procurement-plans",
    "POST /procurement-plans",
    "GET /procurement-plans/{public_id}",
    "POST /procurement-plans/{public_id}/lines",
    "PATCH /procurement-lines/{public_id}",
    "POST /procurement-plans/{public_id}/approve",
    "POST /procurement-plans/{public_id}/ordered",
    "POST /allocations/{public_id}/receive",
    "GET /device-review",
    "GET /device-review/county",
    "GET /stocktakes",
    "POST /stocktakes",
    "GET /stocktakes/{public_id}",
    "POST /stocktakes/{public_id}/scans",
    "POST /stocktakes/{public_id}/close",
    "GET /helpdesk/requests",
    "POST /helpdesk/requests",
    "GET /helpdesk/requests/{public_id}",
    "GET /helpdesk/requests/{public_id}/messages",
    "POST /helpdesk/requests/{public_id}/messages",
    "POST /helpdesk/requests/{public_id}/assign",
    "POST /helpdesk/requests/{public_id}/status",
    "POST /helpdesk/requests/{public_id}/priority",
    "POST /helpdesk/requests/{public_id}/escalate",
    "POST /helpdesk/requests/{public_id}/solved",
    "POST /helpdesk/requests/{public_id}/rating",
    "POST /helpdesk/requests/{public_id}/files",
    "GET /helpdesk/attachments/{public_id}",
    "GET /helpdesk/canned-replies",
    "POST /helpdesk/canned-replies",
    "PATCH /helpdesk/canned-replies/{public_id}",
    "DELETE /helpdesk/canned-replies/{public_id}",
    "GET /helpdesk/articles",
    "GET /helpdesk/articles/suggest",
    "GET /helpdesk/articles/{public_id}",
    "POST /helpdesk/articles",
    "PATCH /helpdesk/articles/{public_id}",
    "POST /helpdesk/articles/{public_id}/status",
    "POST /helpdesk/articles/{public_id}/media",
    "DELETE /helpdesk/article-media/{public_id}",
    "POST /helpdesk/requests/{public_id}/article-draft",
    "GET /helpdesk/settings",
    "PUT /helpdesk/settings",
    "GET /helpdesk/calendar",
    "POST /helpdesk/calendar",
    "DELETE /helpdesk/calendar/{public_id}",
    "GET /helpdesk/targets",
    "PUT /helpdesk/targets",
    "GET /helpdesk/reports",
    "GET /helpdesk/threads",
    "POST /helpdesk/threads",
    "GET /helpdesk/threads/{public_id}",
    "POST /helpdesk/threads/{public_id}/posts",
    "POST /helpdesk/threads/{public_id}/pin",
    "POST /helpdesk/threads/{public_id}/lock",
    "PATCH /helpdesk/posts/{public_id}",
    "POST /helpdesk/posts/{public_id}/answer",
    "GET /helpdesk/shared-queue",
    "GET /homeschool/contact/classes/{public_id}/entries",
    "GET /homeschool/contact/entries/{public_id}",
    "PUT /homeschool/contact/classes/{public_id}/entries/{day}",
    "POST /homeschool/contact/entries/{public_id}/publish",
    "POST /homeschool/contact/entries/{public_id}/files",
    "GET /homeschool/contact/attachments/{public_id}",
    "DELETE /homeschool/contact/attachments/{public_id}",
    "GET /homeschool/contact/entries/{public_id}/signatures",
    "POST /homeschool/contact/entries/{public_id}/sign",
    "POST /homeschool/contact/signatures/{public_id}/answer",
    "GET /homeschool/leave/options",
    "GET /homeschool/leave/requests",
    "POST /homeschool/leave/requests",
    "GET /homeschool/leave/requests/{public_id}",
    "POST /homeschool/leave/requests/{public_id}/decide",
    "POST /homeschool/leave/requests/{public_id}/cancel",
    "GET /homeschool/leave/attachments/{public_id}",
    "GET /homeschool/attendance/classes/{public_id}",
    "PUT /homeschool/attendance/classes/{public_id}",
    "GET /homeschool/attendance/classes/{public_id}/report",
    "GET /homeschool/attendance/schools/{public_id}/report",
    "GET /homeschool/attendance/students/{public_id}",
    "GET /homeschool/announcements",
    "POST /homeschool/announcements",
    "GET /homeschool/announcements/{public_id}",
    "PATCH /homeschool/announcements/{public_id}",
    "POST /homeschool/announcements/{public_id}/publish",
    "POST /homeschool/announcements/{public_id}/read",
    "GET /homeschool/announcements/{public_id}/receipts",
    "GET /homeschool/conversations",
    "POST /homeschool/conversations",
    "GET /homeschool/conversations/{public_id}",
    "POST /homeschool/conversations/{public_id}/messages",
    "POST /homeschool/conversations/{public_id}/read",
    "GET /homeschool/notifications",
    "POST /homeschool/notifications/read",
    "GET /homeschool/preferences",
    "PUT /homeschool/preferences",
    "GET /homeschool/schools/{public_id}/settings",
    "PUT /homeschool/schools/{public_id}/settings",
    "GET /homeschool/schools/{public_id}/leave-types",
    "POST /homeschool/schools/{public_id}/leave-types",
    "PATCH /homeschool/leave-types/{public_id}",
    "GET /homeschool/schools/{public_id}/periods",
    "POST /homeschool/schools/{public_id}/periods",
    "PATCH /homeschool/periods/{public_id}",
    "GET /homeschool/classes/{public_id}/timetable",
    "PUT /homeschool/classes/{public_id}/timetable",
    "GET /homeschool/forms",
    "POST /homeschool/classes/{public_id}/forms",
    "GET /homeschool/forms/{public_id}",
    "POST /homeschool/forms/{public_id}/remind",
    "POST /homeschool/forms/{public_id}/close",
}
DOCUMENT_URLS = {"openapi.json", "docs", ""}  # the schema, the docs page, the API root


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path.removeprefix(PREFIX)}": operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def _served() -> tuple[set[str], set[str]]:
    """Paths and view names under /api/v1/ as Django's URL resolver serves them."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == PREFIX[1:] + "/":
            urls = [p for p in pattern.url_patterns if str(p.pattern) not in DOCUMENT_URLS]
            paths = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern)) for p in urls}
            return paths, {p.name for p in urls}
    raise AssertionError("the API is not mounted at /api/v1/")


def test_document_lists_every_endpoint(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    assert set(_operations(document)) == EXPECTED


def test_document_matches_the_url_resolver(document: dict[str, Any]) -> None:
    paths, names = _served()
    assert {p.removeprefix(PREFIX) for p in document["paths"]} == paths
    operation_ids = {op["operationId"] for op in _operations(document).values()}
    assert {
        name for name in names if not any(o.endswith("_" + name) for o in operation_ids)
    } == set()
    assert len(names) == len(operation_ids) == len(EXPECTED)


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def _registered() -> set[str]:
    """Operations as the routers register them (checked below even if not in EXPECTED)."""
    return set(_operations(api.get_openapi_schema(path_prefix=PREFIX)))


@pytest.mark.parametrize("endpoint", sorted(EXPECTED | _registered()))
def test_each_operation_is_documented(document: dict[str, Any], endpoint: str) -> None:
    operation = _operations(document)[endpoint]
    assert operation.get("summary"), "needs a summary"
    assert operation.get("description"), "needs a description"
    assert operation.get("tags"), "needs tags"
    responses = operation["responses"]
    if endpoint in PUBLIC:
        assert "401" not in responses and not operation.get("security"), "public: no auth"
    else:
        assert "401" in responses, "every endpoint needs authentication"
    checked = [p for p in operation.get("parameters", []) if p["schema"].get("type") != "string"]
    if checked or "requestBody" in operation:
        assert "422" in responses, "input can be invalid: declare 422"
    success = [code for code in responses if code.startswith("2")]
    assert len(success) == 1
    for code, response in responses.items():
        assert response.get("description"), f"{code} needs a description"
        if code == "204":
            continue
        if code == "200" and "application/json" not in response["content"]:
            # a file download: the body is the file itself
            assert [c["schema"] for c in response["content"].values()] == [
                {"type": "string", "format": "binary"}
            ]
            continue
        schema = response["content"]["application/json"]["schema"]
        resolved = _resolve(document, schema)
        assert resolved.get("properties") or resolved.get("type") == "array", f"{code} schema"
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), f"parameter {parameter['name']} needs a description"
    if "requestBody" in operation:
        content = operation["requestBody"]["content"]
        # JSON and/or a file upload (multipart/form-data: the file and its form fields)
        assert content and set(content) <= {"application/json", "multipart/form-data"}
        for body in content.values():
            assert _resolve(document, body["schema"]).get("properties")


def test_every_schema_field_is_described(document: dict[str, Any]) -> None:
    missing = [
        f"{name}.{field}"
        for name, schema in document["components"]["schemas"].items()
        for field, prop in schema.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


def test_lists_are_paged_with_a_total(document: dict[str, Any]) -> None:
    for endpoint, operation in _operations(document).items():
        schema = operation["responses"].get("200", {}).get("content", {})
        schema = schema.get("application/json", {}).get("schema")
        if schema is None:
            continue
        resolved = _resolve(document, schema)
        if "items" in resolved.get("properties", {}) and "count" in resolved["properties"]:
            names = {p["name"] for p in operation["parameters"]}
            assert {"limit", "offset"} <= names, endpoint


def test_only_the_answer_endpoints_are_public(document: dict[str, Any]) -> None:
    public = {e for e, op in _operations(document).items() if not op.get("security")}
    assert public == PUBLIC


def test_security_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_is_served() -> None:
    assert Client().get(f"{PREFIX}/docs").status_code == 200
