"""The document resources: State (/activities/state), Activity Profile (/activities/profile) and
Agent Profile (/agents/profile) — xAPI 1.0.3 Communication §2.2, §2.3, §2.6, §2.7, §3.1;
2.0.0 §4.1.4, §4.1.6.2, §4.1.6.5, §4.1.6.6.

Parameters are checked in a fixed order, each failure a 400 naming the parameter: unknown
parameters, missing required ones (all named), then each value's format (activityId an IRI,
agent a JSON Agent or identified Group, registration a UUID, since a timestamp, ids non-empty).

Scopes (1.0.3 Communication §4.2, 2.0.0 §4.3): `state` for the State resource, `profile` for the
profile resources, `all/read` may GET either, `all` does everything; otherwise 403.

Concurrency: a PUT without If-Match/If-None-Match on an existing document is 409, except on the
State resource in 1.0.3 ("The State Resource will permit PUT, POST and DELETE requests without
concurrency headers"); the Agent Profile resource also refuses (400) a header-less PUT that
would create a document (1.0.3 §3.1 client requirement, ADL suite XAPI-00273). POST and DELETE
need no header but honour them (412).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse
from django.utils.http import http_date

from dtss.lrs import xapi
from dtss.lrs.document_selectors import DocumentAddress, document_get, document_ids
from dtss.lrs.document_services import (
    MissingPrecondition,
    Preconditions,
    content_etag,
    document_delete,
    document_post,
    document_put,
    documents_delete,
)
from dtss.lrs.http import XapiError, XapiRequest, json_response, xapi_view
from dtss.lrs.models.documents import Document

MAX_CONTENT_TYPE = 255


# --- parameters -----------------------------------------------------------------------------


def check_params(ctx: XapiRequest, *, allowed: Iterable[str], required: Iterable[str]) -> None:
    """400 for a parameter the request may not carry, or for missing required ones."""
    allowed_set = set(allowed)
    unknown = sorted(name for name in ctx.params if name not in allowed_set)
    if unknown:
        raise XapiError(
            400,
            f"Unexpected parameter{'s' if len(unknown) > 1 else ''} for this request: "
            f"{', '.join(unknown)} (allowed: {', '.join(sorted(allowed_set))}).",
            field=unknown[0],
        )
    missing = [name for name in required if name not in ctx.params]
    if missing:
        raise XapiError(
            400,
            f"Missing required parameter{'s' if len(missing) > 1 else ''}: {', '.join(missing)}.",
            field=missing[0],
        )


def _invalid(exc: xapi.StatementInvalid) -> XapiError:
    return XapiError(400, exc.message, field=exc.field)


def activity_id_param(ctx: XapiRequest, name: str = "activityId") -> str:
    try:
        return xapi.validate_iri(ctx.params[name], field=name)
    except xapi.StatementInvalid as exc:
        raise _invalid(exc) from None


def agent_param(ctx: XapiRequest, name: str = "agent") -> dict[str, Any]:
    try:
        return xapi.parse_agent_param(ctx.params[name], version=ctx.version, field=name)
    except xapi.StatementInvalid as exc:
        raise _invalid(exc) from None


def _registration_param(ctx: XapiRequest) -> str | None:
    if "registration" not in ctx.params:
        return None
    try:
        return xapi.validate_uuid(ctx.params["registration"], field="registration")
    except xapi.StatementInvalid as exc:
        raise _invalid(exc) from None


def _since_param(ctx: XapiRequest) -> dt.datetime | None:
    if "since" not in ctx.params:
        return None
    try:
        return xapi.parse_timestamp(ctx.params["since"], field="since")
    except xapi.StatementInvalid as exc:
        raise _invalid(exc) from None


def _id_param(ctx: XapiRequest, name: str) -> str:
    value = ctx.params[name]
    if value == "":
        raise XapiError(400, f"{name} must not be empty.", field=name)
    return value


def _content_type(ctx: XapiRequest) -> str:
    value = (ctx.headers.get("content-type") or "").strip()
    if len(value) > MAX_CONTENT_TYPE:
        raise XapiError(
            400, f"Content-Type is longer than {MAX_CONTENT_TYPE} characters.", field="Content-Type"
        )
    return value


def _preconditions(ctx: XapiRequest) -> Preconditions:
    return Preconditions.from_headers(
        if_match=ctx.headers.get("if-match"), if_none_match=ctx.headers.get("if-none-match")
    )


# --- responses ------------------------------------------------------------------------------


def document_response(document: Document) -> HttpResponse:
    """A single document: its bytes, its Content-Type, ETag and Last-Modified."""
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response


def _ids_response(
    address: DocumentAddress, registration: str | None, since: dt.datetime | None
) -> HttpResponse:
    ids, latest = document_ids(address=address, registration=registration, since=since)
    response = json_response(ids)
    response["ETag"] = f'"{content_etag(response.content)}"'
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


def _no_content(document: Document | None = None) -> HttpResponse:
    response = HttpResponse(status=204)
    if document is not None:
        response["ETag"] = f'"{document.etag}"'
    return response


def _single_get(ctx: XapiRequest, address: DocumentAddress, id_name: str) -> HttpResponse:
    if "since" in ctx.params:
        _since_param(ctx)  # still validated
        if ctx.version != "1.0.3":
            raise XapiError(
                400,
                f"since is not allowed together with {id_name} (single document GET).",
                field="since",
            )
    document = document_get(address=address)
    if document is None:
        raise XapiError(404, f"There is no document with this {id_name}.", field=id_name)
    return document_response(document)


# --- State (1.0.3 Communication §2.3, 2.0.0 §4.1.6.2) ---------------------------------------

STATE_WRITE = ("state",)
STATE_READ = ("state", "all/read")
_STATE_BASE = ("activityId", "agent", "registration")


def _state_address(ctx: XapiRequest, *, with_id: bool) -> DocumentAddress:
    activity_id = activity_id_param(ctx)
    agent = agent_param(ctx)
    registration = _registration_param(ctx)
    return DocumentAddress(
        store=ctx.store,
        kind=Document.Kind.STATE,
        activity_id=activity_id,
        agent_key=xapi.agent_key(agent),
        registration=registration or "",
        document_id=_id_param(ctx, "stateId") if with_id else "",
    )


def _state_missing_policy(ctx: XapiRequest) -> MissingPrecondition:
    return MissingPrecondition.ALLOW if ctx.version == "1.0.3" else MissingPrecondition.CONFLICT


def state_put(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*STATE_WRITE)
    check_params(
        ctx, allowed=(*_STATE_BASE, "stateId"), required=("activityId", "agent", "stateId")
    )
    address = _state_address(ctx, with_id=True)
    document = document_put(
        address=address,
        content=ctx.body,
        content_type=_content_type(ctx),
        preconditions=_preconditions(ctx),
        missing=_state_missing_policy(ctx),
    )
    return _no_content(document)


def state_post(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*STATE_WRITE)
    check_params(
        ctx, allowed=(*_STATE_BASE, "stateId"), required=("activityId", "agent", "stateId")
    )
    address = _state_address(ctx, with_id=True)
    document = document_post(
        address=address,
        content=ctx.body,
        content_type=_content_type(ctx),
        preconditions=_preconditions(ctx),
    )
    return _no_content(document)


def state_get(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*STATE_READ)
    check_params(ctx, allowed=(*_STATE_BASE, "stateId", "since"), required=("activityId", "agent"))
    if "stateId" in ctx.params:
        return _single_get(ctx, _state_address(ctx, with_id=True), "stateId")
    address = _state_address(ctx, with_id=False)
    return _ids_response(address, _registration_param(ctx), _since_param(ctx))


def state_delete(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*STATE_WRITE)
    check_params(ctx, allowed=(*_STATE_BASE, "stateId"), required=("activityId", "agent"))
    if "stateId" in ctx.params:
        document_delete(
            address=_state_address(ctx, with_id=True), preconditions=_preconditions(ctx)
        )
    else:
        address = _state_address(ctx, with_id=False)
        documents_delete(address=address, registration=_registration_param(ctx))
    return _no_content()


# --- Activity Profile (1.0.3 Communication §2.7, 2.0.0 §4.1.6.6) ----------------------------

PROFILE_WRITE = ("profile",)
PROFILE_READ = ("profile", "all/read")


def _activity_profile_address(ctx: XapiRequest, *, with_id: bool) -> DocumentAddress:
    return DocumentAddress(
        store=ctx.store,
        kind=Document.Kind.ACTIVITY_PROFILE,
        activity_id=activity_id_param(ctx),
        document_id=_id_param(ctx, "profileId") if with_id else "",
    )


# --- Agent Profile (1.0.3 Communication §2.6, 2.0.0 §4.1.6.5), and both profiles' methods ---


def _agent_profile_address(ctx: XapiRequest, *, with_id: bool) -> DocumentAddress:
    return DocumentAddress(
        store=ctx.store,
        kind=Document.Kind.AGENT_PROFILE,
        agent_key=xapi.agent_key(agent_param(ctx)),
        document_id=_id_param(ctx, "profileId") if with_id else "",
    )


def _profile_handlers(
    owner: str,
    address: Callable[..., DocumentAddress],
    missing: MissingPrecondition,
) -> dict[str, Callable[[XapiRequest], HttpResponse]]:
    """The four methods of a profile resource, whose documents are addressed by `owner`
    (activityId or agent) and profileId; `missing` is what a PUT without If-Match or
    If-None-Match does (the two profile resources differ there, as the suites do)."""
    one = (owner, "profileId")

    def put(ctx: XapiRequest) -> HttpResponse:
        ctx.require(*PROFILE_WRITE)
        check_params(ctx, allowed=one, required=one)
        document = document_put(
            address=address(ctx, with_id=True),
            content=ctx.body,
            content_type=_content_type(ctx),
            preconditions=_preconditions(ctx),
            missing=missing,
        )
        return _no_content(document)

    def post(ctx: XapiRequest) -> HttpResponse:
        ctx.require(*PROFILE_WRITE)
        check_params(ctx, allowed=one, required=one)
        document = document_post(
            address=address(ctx, with_id=True),
            content=ctx.body,
            content_type=_content_type(ctx),
            preconditions=_preconditions(ctx),
        )
        return _no_content(document)

    def get(ctx: XapiRequest) -> HttpResponse:
        ctx.require(*PROFILE_READ)
        check_params(ctx, allowed=(*one, "since"), required=(owner,))
        if "profileId" in ctx.params:
            return _single_get(ctx, address(ctx, with_id=True), "profileId")
        return _ids_response(address(ctx, with_id=False), None, _since_param(ctx))

    def delete(ctx: XapiRequest) -> HttpResponse:
        ctx.require(*PROFILE_WRITE)
        check_params(ctx, allowed=one, required=one)
        document_delete(address=address(ctx, with_id=True), preconditions=_preconditions(ctx))
        return _no_content()

    return {"GET": get, "PUT": put, "POST": post, "DELETE": delete}


state_view = xapi_view(
    {"GET": state_get, "PUT": state_put, "POST": state_post, "DELETE": state_delete}
)
activity_profile_view = xapi_view(
    _profile_handlers("activityId", _activity_profile_address, MissingPrecondition.CONFLICT)
)
agent_profile_view = xapi_view(
    _profile_handlers("agent", _agent_profile_address, MissingPrecondition.REQUIRED)
)
