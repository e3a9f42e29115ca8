"""How the API reports errors: one JSON shape for every failure.

* 401 ``{"detail": "Unauthorized"}`` — no valid token or session.
* 403 ``{"detail": "..."}`` — the role may never do this (or may read but not change it).
* 404 ``{"detail": "Not Found"}`` — missing, or another tenant's object (indistinguishable).
* 422 ``{"detail": [{"field": "code", "message": "...", "location": "body"}]}`` — bad input,
  from request parsing or from a service's ``full_clean``; nothing was changed.
* 409 — the same shape as 422, when the database refused a write that raced another one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_errors_from_django(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """Every message of a Django ValidationError, each with the field it names."""
    if hasattr(exc, "error_dict"):
        out = []
        for name, messages in exc.message_dict.items():
            field = None if name == NON_FIELD_ERRORS else name
            out += [{"field": field, "message": m, "location": "body"} for m in messages]
        return out
    return [{"field": None, "message": m, "location": None} for m in exc.messages]


def field_errors_from_ninja(exc: NinjaValidationError) -> list[dict[str, Any]]:
    """Request-parsing errors (pydantic), reshaped to the same field/message form."""
    out = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in LOCATIONS else None
        parts = loc[1:] if location else loc
        # a JSON body arrives as one parameter (named after the view argument): drop it
        if location == "body" and len(parts) > 1:
            parts = parts[1:]
        out.append(
            {
                "field": ".".join(parts) or None,
                "message": str(error.get("msg", "")),
                "location": location,
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    """Register the DTSS error handlers on the API."""

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors_from_django(exc)}, status=422)

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors_from_ninja(exc)}, status=422)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": message}, status=403)

    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        body = {
            "detail": [
                {
                    "field": None,
                    "message": _("This conflicts with data saved at the same time; try again."),
                    "location": None,
                }
            ]
        }
        return api.create_response(request, body, status=409)

    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(IntegrityError, on_integrity)
