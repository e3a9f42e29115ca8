"""The xAPI request cycle shared by every LRS resource.

Each resource module exposes handlers `(XapiRequest) -> HttpResponse`; `xapi_view` turns a
mapping of HTTP methods to handlers into a Django view that does, in order:

1. CORS preflight (OPTIONS) without authentication.
2. The alternate request syntax (xAPI 1.0.3 Communication §1.3): a POST with `?method=` whose
   form-encoded body carries the headers, the parameters and the `content`.
3. The body size limit (413) before the body is read.
4. Version negotiation with `X-Experience-API-Version` (1.0.x → 1.0.3, 2.0.x → 2.0.0), 400
   when it is missing or unsupported (the About resource needs none).
5. HTTP Basic authentication against a `Credential` (401), scopes are checked by the handlers
   with `ctx.require(...)` (403).
6. The handler; an `XapiError` becomes a JSON error naming the offending field.
7. Response headers: `X-Experience-API-Version`, CORS, and HEAD answered as GET without a body.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

VERSIONS = ("1.0.3", "2.0.0")
ALT_SYNTAX_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
    "accept-language",
}
CORS_ALLOW_HEADERS = (
    "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, "
    "X-Experience-API-Version, X-Experience-API-Consistent-Through, Accept-Language"
)
CORS_EXPOSE_HEADERS = (
    "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, WWW-Authenticate, "
    "X-Experience-API-Version, X-Experience-API-Consistent-Through"
)
AUTH_CACHE_SECONDS = 5.0


class XapiError(Exception):
    """An xAPI error response: the status code and a message naming the field at fault."""

    def __init__(self, status: int, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def response(self, version: str) -> HttpResponse:
        body: dict[str, Any] = {"error": True, "status": self.status, "message": self.message}
        if self.field:
            body["field"] = self.field
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=self.status,
            content_type="application/json",
        )
        if self.status == 401:
            response["WWW-Authenticate"] = 'Basic realm="DTSS xAPI"'
        response["X-Experience-API-Version"] = version
        return response


def negotiate_version(value: str | None, *, required: bool = True) -> str:
    """The version to answer with for the request's `X-Experience-API-Version` header."""
    if value is None or value.strip() == "":
        if required:
            raise XapiError(
                400,
                "The X-Experience-API-Version header is required (1.0.3 or 2.0.0).",
                field="X-Experience-API-Version",
            )
        return VERSIONS[-1]
    value = value.strip()
    parts = value.split(".")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        major_minor = ".".join(parts[:2])
        if major_minor == "1.0":
            return "1.0.3"
        if major_minor == "2.0":
            return "2.0.0"
    raise XapiError(
        400,
        f"X-Experience-API-Version {value!r} is not supported; use 1.0.3 or 2.0.0.",
        field="X-Experience-API-Version",
    )


@dataclass
class CredentialInfo:
    """What the request cycle keeps of a credential (cached per process for a few seconds)."""

    id: int
    key: str
    name: str
    county_id: int | None
    scopes: frozenset[str]
    authority: dict[str, Any]

    def allows(self, *wanted: str) -> bool:
        return "all" in self.scopes or bool(self.scopes.intersection(wanted))


_auth_cache: dict[str, tuple[float, str, CredentialInfo | None]] = {}
_auth_lock = threading.Lock()


def auth_cache_clear() -> None:
    """Forget cached credentials (after a revocation, and between tests)."""
    with _auth_lock:
        _auth_cache.clear()


def _credential_for_key(key: str) -> tuple[str, CredentialInfo | None]:
    now = time.monotonic()
    with _auth_lock:
        hit = _auth_cache.get(key)
    if hit is not None and now - hit[0] < AUTH_CACHE_SECONDS:
        return hit[1], hit[2]
    from dtss.lrs.models import Credential

    cred = Credential.objects.filter(key=key, revoked_at__isnull=True).first()
    if cred is None:
        entry: tuple[float, str, CredentialInfo | None] = (now, "", None)
    else:
        info = CredentialInfo(
            id=cred.id,
            key=cred.key,
            name=cred.name,
            county_id=cred.county_id,
            scopes=frozenset(cred.scopes),
            authority=cred.authority,
        )
        entry = (now, cred.secret_hash, info)
    with _auth_lock:
        if len(_auth_cache) > 10_000:
            _auth_cache.clear()
        _auth_cache[key] = entry
    return entry[1], entry[2]


def authenticate(header: str | None) -> CredentialInfo:
    """The credential named by an HTTP Basic `Authorization` header, or a 401."""
    import hmac

    from dtss.lrs.models.credentials import secret_digest

    if not header:
        raise XapiError(401, "Authentication is required (HTTP Basic with an LRS credential).")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise XapiError(401, "Use HTTP Basic authentication with an LRS key and secret.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise XapiError(401, "The Authorization header is not valid Basic credentials.") from None
    key, sep, secret = decoded.partition(":")
    if not sep:
        raise XapiError(401, "The Authorization header is not valid Basic credentials.")
    secret_hash, info = _credential_for_key(key)
    if info is None or not hmac.compare_digest(secret_hash, secret_digest(secret)):
        raise XapiError(401, "Unknown or revoked LRS credential.")
    return info


@dataclass
class XapiRequest:
    """One xAPI request after the alternate syntax is unfolded, versioned and authenticated."""

    request: HttpRequest
    method: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    content_type: str  # media type only, lower-case
    content_type_params: dict[str, str]
    version: str
    credential: CredentialInfo | None
    alternate: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> int:
        """The store: the credential's county id, or 0 for the national store."""
        return (self.credential.county_id or 0) if self.credential else 0

    def require(self, *scopes: str) -> None:
        """403 unless the credential holds one of `scopes` (or `all`)."""
        if self.credential is None or not self.credential.allows(*scopes):
            raise XapiError(
                403, f"This credential lacks the scope for this request ({' or '.join(scopes)})."
            )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        return self.params.get(name)

    def json_body(self, *, field: str = "content") -> Any:
        """The body parsed as JSON, or a 400 naming the field."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise XapiError(
                400, f"The request body is not valid JSON: {exc}", field=field
            ) from None


def _split_content_type(value: str) -> tuple[str, dict[str, str]]:
    main, *rest = value.split(";")
    params: dict[str, str] = {}
    for item in rest:
        name, sep, val = item.strip().partition("=")
        if sep:
            params[name.strip().lower()] = val.strip().strip('"')
    return main.strip().lower(), params


def _request_headers(request: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in request.headers.items()}


def _query_params(request: HttpRequest) -> dict[str, str]:
    return {name: request.GET.get(name, "") for name in request.GET}


def _cors(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    origin = request.headers.get("Origin")
    response["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response["Vary"] = "Origin"
    response["Access-Control-Allow-Methods"] = "HEAD, GET, POST, PUT, DELETE, OPTIONS"
    response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    response["Access-Control-Allow-Credentials"] = "true"
    return response


def max_body_bytes() -> int:
    return int(getattr(settings, "LRS_MAX_BODY_BYTES", 32 * 1024 * 1024))


def _read_body(request: HttpRequest) -> bytes:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise XapiError(400, "Content-Length is not a number.", field="Content-Length") from None
    limit = max_body_bytes()
    if length > limit:
        raise XapiError(413, f"The request body is larger than this LRS accepts ({limit} bytes).")
    data = request.read(limit + 1) if length or request.META.get("HTTP_TRANSFER_ENCODING") else b""
    if len(data) > limit:
        raise XapiError(413, f"The request body is larger than this LRS accepts ({limit} bytes).")
    return data


def _unfold_alternate(
    request: HttpRequest, body: bytes
) -> tuple[str, dict[str, str], dict[str, str], bytes]:
    """Method, params, headers and body of an alternate-syntax request (1.0.3 §1.3)."""
    method = request.GET.get("method", "").upper()
    if set(request.GET) != {"method"}:
        extra = sorted(set(request.GET) - {"method"})
        raise XapiError(
            400,
            "With the alternate request syntax every parameter goes in the form body, "
            f"not the query string: {', '.join(extra)}.",
            field=extra[0],
        )
    if method not in {"GET", "PUT", "POST", "DELETE", "HEAD"}:
        raise XapiError(400, f"Unknown method {method!r} in the alternate syntax.", field="method")
    ctype, _ = _split_content_type(request.META.get("CONTENT_TYPE", ""))
    if ctype != "application/x-www-form-urlencoded":
        raise XapiError(
            415 if ctype else 400,
            "The alternate request syntax needs a form-encoded body "
            "(application/x-www-form-urlencoded).",
            field="Content-Type",
        )
    try:
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise XapiError(400, "The form body is not UTF-8.", field="content") from None
    headers = _request_headers(request)
    params: dict[str, str] = {}
    content = ""
    for name, value in form:
        lowered = name.lower()
        if lowered in ALT_SYNTAX_HEADERS:
            headers[lowered] = value
        elif name == "content":
            content = value
        else:
            params[name] = value
    if "content-type" not in {n.lower() for n, _ in form}:
        headers.pop("content-type", None)
        if content:
            headers["content-type"] = "application/json"
    return method, params, headers, content.encode("utf-8")


Handler = Callable[[XapiRequest], HttpResponse]


def xapi_view(
    handlers: Mapping[str, Handler],
    *,
    authenticate_request: bool = True,
    always_headers: Callable[[], Mapping[str, str]] | None = None,
) -> Callable[[HttpRequest], HttpResponse]:
    """A Django view serving one xAPI resource with the request cycle described above."""

    allowed = set(handlers) | ({"HEAD"} if "GET" in handlers else set())

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=200), request)
        version = VERSIONS[-1]
        try:
            body = _read_body(request)
            method = request.method or "GET"
            alternate = method == "POST" and "method" in request.GET
            if alternate:
                method, params, headers, body = _unfold_alternate(request, body)
            else:
                params = _query_params(request)
                headers = _request_headers(request)
            raw_version = headers.get("x-experience-api-version")
            version = negotiate_version(raw_version, required=authenticate_request)
            # 405 before 401: the ADL suite (Communication 3.2, "should fail with activities
            # DELETE") sends methods the resource does not have without credentials.
            if method not in allowed:
                raise XapiError(405, f"{method} is not allowed on this resource.")
            credential = (
                authenticate(headers.get("authorization")) if authenticate_request else None
            )
            ctype, ctype_params = _split_content_type(headers.get("content-type", ""))
            ctx = XapiRequest(
                request=request,
                method=method,
                params=params,
                headers=headers,
                body=body,
                content_type=ctype,
                content_type_params=ctype_params,
                version=version,
                credential=credential,
                alternate=alternate,
            )
            handler = handlers["GET" if method == "HEAD" else method]
            response = handler(ctx)
            if method == "HEAD":
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
        except XapiError as exc:
            response = exc.response(version)
        if response.status_code == 405:
            response["Allow"] = ", ".join(sorted(allowed | {"OPTIONS"}))
        response["X-Experience-API-Version"] = version
        for name, value in (always_headers() if always_headers else {}).items():
            if name not in response:  # headers on every response, errors included
                response[name] = value
        return _cors(response, request)

    return view


def json_response(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
