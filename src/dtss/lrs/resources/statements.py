"""The Statement resource, /xapi/statements (xAPI 1.0.3 Communication §2.1, 2.0.0 §4.1.6.1).

PUT stores one statement under `statementId` (204), POST stores one statement or an array of
them and answers their ids (200); both take application/json or multipart/mixed with
attachments (Data §2.4.11). GET is `statements_get` in statements_get.py. Every response
carries X-Experience-API-Consistent-Through.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.db import OperationalError
from django.http import HttpResponse

from dtss.lrs import xapi
from dtss.lrs.attachments import AttachmentPart, parse_statement_multipart
from dtss.lrs.http import Handler, XapiError, XapiRequest, json_response, xapi_view
from dtss.lrs.resources.statements_get import consistent_through_headers, statements_get
from dtss.lrs.statement_services import statements_store

WRITE_SCOPES = ("statements/write",)


def _with_consistency(handler: Handler) -> Handler:
    """Every Statement resource response carries X-Experience-API-Consistent-Through
    (Communication §2.1.3, XAPI-00153), errors included."""

    @functools.wraps(handler)
    def wrapped(ctx: XapiRequest) -> HttpResponse:
        try:
            response = handler(ctx)
        except XapiError as exc:
            response = exc.response(ctx.version)
        for name, value in consistent_through_headers().items():
            response[name] = value
        return response

    return wrapped


def _statement_body(ctx: XapiRequest) -> tuple[Any, dict[str, AttachmentPart] | None]:
    """The JSON of the statement(s) and the attachment parts of a multipart body."""
    attachments: dict[str, AttachmentPart] | None = None
    if ctx.content_type == "multipart/mixed":
        raw, attachments = parse_statement_multipart(
            ctx.body, ctx.content_type_params.get("boundary", "")
        )
    elif ctx.content_type == "application/json" or (ctx.alternate and not ctx.content_type):
        raw = ctx.body
    else:
        raise XapiError(
            400,
            "Statements are sent as application/json or multipart/mixed, not "
            f"{ctx.content_type or 'a body without Content-Type'}.",
            field="Content-Type",
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise XapiError(400, f"The statement is not valid JSON: {exc}", field="statement") from None
    return data, attachments


def statements_put(ctx: XapiRequest) -> HttpResponse:
    """PUT /statements?statementId=… (Communication §2.1.1): store one statement, 204."""
    ctx.require(*WRITE_SCOPES)
    raw_id = ctx.param("statementId")
    if raw_id is None or raw_id == "":
        raise XapiError(400, "PUT /statements needs a statementId parameter.", field="statementId")
    try:
        statement_id = xapi.validate_uuid(raw_id, field="statementId").lower()
    except xapi.StatementInvalid as exc:
        raise XapiError(400, exc.message, field=exc.field) from None
    extra = sorted(set(ctx.params) - {"statementId"})
    if extra:
        raise XapiError(
            400, f"PUT /statements does not take the parameter {extra[0]}.", field=extra[0]
        )
    data, attachments = _statement_body(ctx)
    if not isinstance(data, dict):
        raise XapiError(400, "PUT /statements takes a single statement object.", field="statement")
    given = data.get("id")
    if given is not None and (not isinstance(given, str) or given.lower() != statement_id):
        raise XapiError(
            400,
            f"The statement's id {given!r} differs from the statementId parameter {raw_id!r}.",
            field="statement.id",
        )
    if given is None:
        data = {"id": statement_id, **data}
    _store(ctx, [data], attachments, batch=False)
    return HttpResponse(status=204)


def statements_post(ctx: XapiRequest) -> HttpResponse:
    """POST /statements (Communication §2.1.2): store one statement or a batch, 200 + ids."""
    ctx.require(*WRITE_SCOPES)
    if ctx.params:
        name = sorted(ctx.params)[0]
        raise XapiError(400, f"POST /statements does not take the parameter {name}.", field=name)
    data, attachments = _statement_body(ctx)
    if isinstance(data, dict):
        ids = _store(ctx, [data], attachments, batch=False)
    elif isinstance(data, list):
        ids = _store(ctx, data, attachments, batch=True) if data else []
    else:
        raise XapiError(
            400, "POST /statements takes a statement or an array of them.", field="statement"
        )
    return json_response(ids)


RETRIES = 3
RETRYABLE = {"40P01", "40001"}  # deadlock_detected, serialization_failure


def _store(
    ctx: XapiRequest,
    statements: list[Any],
    attachments: dict[str, AttachmentPart] | None,
    *,
    batch: bool,
) -> list[str]:
    credential = ctx.credential
    assert credential is not None
    for attempt in range(RETRIES):
        try:
            return statements_store(
                store=ctx.store,
                credential_id=credential.id,
                authority=credential.authority,
                statements=statements,
                version=ctx.version,
                attachments=attachments,
                batch=batch,
            )
        except OperationalError as exc:
            # A deadlock or serialization failure between concurrent batches rolls the whole
            # batch back, so it can simply be stored again.
            if attempt == RETRIES - 1 or getattr(exc.__cause__, "sqlstate", None) not in RETRYABLE:
                raise
    raise AssertionError("unreachable")


view = xapi_view(
    {
        "GET": statements_get,
        "PUT": _with_consistency(statements_put),
        "POST": _with_consistency(statements_post),
    },
    always_headers=consistent_through_headers,
)
