"""GET /xapi/statements (xAPI 1.0.3 Communication §2.1.3–§2.1.4, Data §2.5; 2.0.0 §4.1.6.1).

- `statementId` / `voidedStatementId`: one statement (404 when absent, when `statementId` names a
  voided statement or `voidedStatementId` a statement that is not voided), with `Last-Modified`;
  only `format` and `attachments` may come with them.
- Otherwise a StatementResult `{"statements": [...], "more": "..."}` filtered by `agent`, `verb`,
  `activity`, `registration` (`related_agents`, `related_activities`), `since` / `until`,
  `limit` (0 or absent: the server's page size, `settings.LRS_PAGE_SIZE`), `ascending`.
- `more` is `<this path>?more=<token>`: the token, signed with django.core.signing, carries the
  filter, the format, the limit and a keyset cursor, and is valid for the store and credential
  that received it.
- `format`: exact (as stored), ids, canonical (activity definitions from the LRS's Activity
  table, language maps reduced by Accept-Language).
- `attachments=true`: multipart/mixed, the result first and then every attachment content the
  statements reference, with `X-Experience-API-Hash` and `Content-Transfer-Encoding: binary`.
- `X-Experience-API-Consistent-Through` on every response (errors included, see
  `consistent_through`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.utils.http import http_date

from dtss.lrs import xapi
from dtss.lrs.http import XapiError, XapiRequest, json_response
from dtss.lrs.models.statements import Statement
from dtss.lrs.statement_selectors import (
    Cursor,
    StatementFilter,
    activity_definitions,
    attachments_for,
    statement_get,
    statement_page,
)

READ_SCOPES = ("statements/read", "all/read")
MINE_SCOPE = "statements/read/mine"
FORMATS = ("exact", "ids", "canonical")
SINGLE_PARAMS = frozenset({"statementId", "voidedStatementId", "format", "attachments"})
LIST_PARAMS = frozenset(
    {
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
    }
)
ALL_PARAMS = SINGLE_PARAMS | LIST_PARAMS | {"more"}
MORE_SALT = "dtss.lrs.statements.more"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"


# --- consistent-through ---------------------------------------------------------------------


def consistency_margin() -> dt.timedelta:
    """How long a write may take between choosing `stored` and committing (default 1 s)."""
    return dt.timedelta(milliseconds=int(getattr(settings, "LRS_CONSISTENCY_MARGIN_MS", 1000)))


def consistent_through_time() -> dt.datetime:
    """The time through which every statement is visible: now minus the consistency margin.

    A write picks `stored` before its transaction commits, so a statement with an earlier
    `stored` may become visible after a later one. Lists only hold statements stored at or
    before this time, so a client that polls with `since=<the previous header>` misses nothing
    (and XAPI-00152, "not before the stored value of any returned statement", holds). Truncated
    to the millisecond so the header is never before a returned `stored` however it is printed.
    """
    now = dt.datetime.now(dt.UTC) - consistency_margin()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def consistent_through() -> str:
    """The `X-Experience-API-Consistent-Through` value (RFC 3339, UTC)."""
    return _rfc3339(consistent_through_time())


def consistent_through_headers() -> dict[str, str]:
    """Headers for every Statement resource response, errors included (XAPI-00153)."""
    return {CONSISTENT_THROUGH: consistent_through()}


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- parameters -----------------------------------------------------------------------------


def _invalid(exc: xapi.StatementInvalid, field: str) -> XapiError:
    return XapiError(400, exc.message, field=exc.field or field)


def _bool(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value == "true":
        return True
    if value == "false":
        return False
    raise XapiError(400, f"The {name} parameter must be true or false, not {value!r}.", field=name)


def _format(params: Mapping[str, str]) -> str:
    value = params.get("format", "exact")
    if value not in FORMATS:
        raise XapiError(
            400,
            f"The format parameter must be ids, exact or canonical, not {value!r}.",
            field="format",
        )
    return value


def _iri(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    scheme, sep, rest = value.partition(":")
    if not sep or not scheme or not rest or not scheme[0].isalpha() or any(c in value for c in " "):
        raise XapiError(400, f"The {name} parameter must be an IRI, not {value!r}.", field=name)
    return value


def _timestamp(params: Mapping[str, str], name: str) -> dt.datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return xapi.parse_timestamp(value, field=name)
    except xapi.StatementInvalid as exc:
        raise _invalid(exc, name) from None


def _limit(params: Mapping[str, str]) -> int:
    page_size = max(1, int(getattr(settings, "LRS_PAGE_SIZE", 100)))
    value = params.get("limit")
    if value is None:
        return page_size
    if not value.isascii() or not value.isdigit():
        raise XapiError(
            400,
            f"The limit parameter must be a non-negative integer, not {value!r}.",
            field="limit",
        )
    number = int(value)
    return page_size if number == 0 else min(number, page_size)


def _uuid(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return xapi.validate_uuid(value, field=name).lower()
    except xapi.StatementInvalid as exc:
        raise _invalid(exc, name) from None


def _filter(ctx: XapiRequest, mine: int | None) -> StatementFilter:
    params = ctx.params
    agent = None
    if "agent" in params:
        try:
            agent = xapi.agent_key(
                xapi.parse_agent_param(params["agent"], version=ctx.version, field="agent")
            )
        except xapi.StatementInvalid as exc:
            raise _invalid(exc, "agent") from None
    registration = _uuid(params, "registration")
    since = _timestamp(params, "since")
    until = _timestamp(params, "until")
    return StatementFilter(
        agent_key=agent,
        verb_id=_iri(params, "verb"),
        activity_id=_iri(params, "activity"),
        registration=UUID(registration) if registration else None,
        related_agents=_bool(params, "related_agents"),
        related_activities=_bool(params, "related_activities"),
        since=since,
        until=until,
        ascending=_bool(params, "ascending"),
        credential_id=mine,
    )


# --- the handler ----------------------------------------------------------------------------


def statements_get(ctx: XapiRequest) -> HttpResponse:
    """GET /statements: one statement or a StatementResult page (Communication §2.1.3)."""
    try:
        response = _statements_get(ctx)
    except XapiError as exc:
        response = exc.response(ctx.version)
    for name, value in consistent_through_headers().items():
        response[name] = value
    return response


def _mine(ctx: XapiRequest) -> int | None:
    """None when the credential reads the whole store, else its id (statements/read/mine)."""
    credential = ctx.credential
    if credential is not None and credential.allows(*READ_SCOPES):
        return None
    ctx.require(*READ_SCOPES, MINE_SCOPE)
    assert credential is not None
    return credential.id


def _statements_get(ctx: XapiRequest) -> HttpResponse:
    mine = _mine(ctx)
    params = ctx.params
    unknown = sorted(set(params) - ALL_PARAMS)
    if unknown:
        raise XapiError(
            400, f"GET /statements does not take the parameter {unknown[0]}.", field=unknown[0]
        )
    if "more" in params:
        return _more(ctx, mine)
    if "statementId" in params or "voidedStatementId" in params:
        return _single(ctx, mine)
    fmt = _format(params)
    attachments = _bool(params, "attachments")
    filters = _filter(ctx, mine)
    limit = _limit(params)
    return _page(ctx, filters, limit, None, fmt, attachments)


def _single(ctx: XapiRequest, mine: int | None) -> HttpResponse:
    params = ctx.params
    if "statementId" in params and "voidedStatementId" in params:
        raise XapiError(
            400,
            "Use statementId or voidedStatementId, not both.",
            field="voidedStatementId",
        )
    name = "statementId" if "statementId" in params else "voidedStatementId"
    extra = sorted(set(params) - SINGLE_PARAMS)
    if extra:
        raise XapiError(
            400,
            f"With {name} only format and attachments may be given, not {extra[0]}.",
            field=extra[0],
        )
    fmt = _format(params)
    attachments = _bool(params, "attachments")
    statement_id = _uuid(params, name)
    assert statement_id is not None
    row = statement_get(
        store=ctx.store,
        statement_id=statement_id,
        voided=name == "voidedStatementId",
        credential_id=mine,
    )
    if row is None:
        raise XapiError(404, f"No statement with {name} {statement_id}.", field=name)
    body = _render(ctx, [row], fmt)[0]
    headers = {"Last-Modified": http_date(row.stored.timestamp())}
    if attachments:
        response = _multipart(body, attachments_for(store=ctx.store, hashes=_hashes([row])))
        for key, value in headers.items():
            response[key] = value
        return response
    return json_response(body, headers=headers)


def _page(
    ctx: XapiRequest,
    filters: StatementFilter,
    limit: int,
    after: Cursor | None,
    fmt: str,
    attachments: bool,
) -> HttpResponse:
    page = statement_page(
        store=ctx.store,
        filters=filters,
        limit=limit,
        after=after,
        through=consistent_through_time(),
    )
    more = ""
    if page.next_cursor is not None:
        more = _more_url(ctx, filters, page.next_cursor, limit, fmt, attachments)
    result = {"statements": _render(ctx, page.statements, fmt), "more": more}
    if attachments:
        return _multipart(result, attachments_for(store=ctx.store, hashes=_hashes(page.statements)))
    return json_response(result)


# --- more -----------------------------------------------------------------------------------


def _more_url(
    ctx: XapiRequest,
    filters: StatementFilter,
    cursor: Cursor,
    limit: int,
    fmt: str,
    attachments: bool,
) -> str:
    credential_id = ctx.credential.id if ctx.credential else None
    token = signing.dumps(
        {
            "s": ctx.store,
            "c": credential_id,
            "f": filters.to_dict(),
            "k": cursor.to_list(),
            "l": limit,
            "o": fmt,
            "a": attachments,
        },
        salt=MORE_SALT,
        compress=True,
    )
    return f"{ctx.request.path}?more={token}"


def _more(ctx: XapiRequest, mine: int | None) -> HttpResponse:
    extra = sorted(set(ctx.params) - {"more"})
    if extra:
        raise XapiError(
            400,
            f"A more link continues a listing and takes no other parameter ({extra[0]}).",
            field=extra[0],
        )
    max_age = int(getattr(settings, "LRS_MORE_MAX_AGE", 24 * 3600))
    try:
        data = signing.loads(ctx.params["more"], salt=MORE_SALT, max_age=max_age)
        credential_id = ctx.credential.id if ctx.credential else None
        if data["s"] != ctx.store or data["c"] != credential_id:
            raise ValueError("another store or credential")
        filters = StatementFilter.from_dict(data["f"])
        if filters.credential_id != mine:
            raise ValueError("scope changed")
        cursor = Cursor.from_list(data["k"])
        limit = int(data["l"])
        fmt = str(data["o"])
        attachments = bool(data["a"])
        if fmt not in FORMATS or limit < 1:
            raise ValueError("bad token")
    except signing.SignatureExpired:
        raise XapiError(
            400, "This more link has expired; repeat the original query.", field="more"
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise XapiError(
            400, "The more parameter is not a more link this LRS gave you.", field="more"
        ) from None
    return _page(ctx, filters, limit, cursor, fmt, attachments)


# --- output ---------------------------------------------------------------------------------


def _hashes(rows: Iterable[Statement]) -> list[str]:
    return [h for row in rows for h in (row.attachment_hashes or [])]


def _render(ctx: XapiRequest, rows: list[Statement], fmt: str) -> list[dict[str, Any]]:
    statements = [json.loads(row.payload) for row in rows]
    if fmt == "ids":
        return [xapi.statement_ids_format(s) for s in statements]
    if fmt == "canonical":
        languages = xapi.accept_languages(ctx.header("accept-language"))
        ids: set[str] = set()
        for statement in statements:
            for activity in _activities(statement):
                ids.add(activity["id"])
        definitions = activity_definitions(store=ctx.store, activity_ids=ids)
        return [
            xapi.statement_canonical_format(_with_definitions(s, definitions), languages)
            for s in statements
        ]
    return statements


def _activities(statement: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """Every activity object of a statement: object, context activities, sub-statement's."""
    obj = statement.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and obj.get("id"):
        yield obj
    elif obj.get("objectType") == "SubStatement":
        yield from _activities(obj)
    context = statement.get("context") or {}
    for value in (context.get("contextActivities") or {}).values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("id"):
                yield item


def _with_definitions(
    statement: dict[str, Any], definitions: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """The statement with each activity's definition replaced by the LRS's canonical one."""

    def activity(item: dict[str, Any]) -> dict[str, Any]:
        definition = definitions.get(item.get("id", ""))
        return {**item, "definition": definition} if definition else item

    out = dict(statement)
    obj = out.get("object") or {}
    if obj.get("objectType", "Activity") == "Activity" and obj.get("id"):
        out["object"] = activity(obj)
    elif obj.get("objectType") == "SubStatement":
        out["object"] = _with_definitions(obj, definitions)
    context = out.get("context")
    if context and context.get("contextActivities"):
        out["context"] = {
            **context,
            "contextActivities": {
                key: [activity(a) for a in (value if isinstance(value, list) else [value])]
                for key, value in context["contextActivities"].items()
            },
        }
    return out


def _multipart(result: Any, attachments: list[Any]) -> HttpResponse:
    """multipart/mixed: the JSON result, then each attachment's raw content (Data §2.4.11)."""
    boundary = "dtss-" + secrets.token_hex(16)
    dash = f"--{boundary}".encode()
    parts = [
        dash,
        b"\r\nContent-Type: application/json\r\n\r\n",
        json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode(),
        b"\r\n",
    ]
    for attachment in attachments:
        parts += [
            dash,
            b"\r\nContent-Type: ",
            attachment.content_type.encode("latin-1", "replace"),
            b"\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ",
            attachment.sha2.encode(),
            b"\r\n\r\n",
            bytes(attachment.content),
            b"\r\n",
        ]
    parts += [dash, b"--\r\n"]
    return HttpResponse(b"".join(parts), content_type=f"multipart/mixed; boundary={boundary}")
