"""The About resource (xAPI 1.0.3 Communication §2.8, 2.0.0 §2.8): versions and extensions."""

from __future__ import annotations

from django.http import HttpResponse

from dtss.lrs.http import VERSIONS, XapiRequest, json_response, xapi_view


def about_get(ctx: XapiRequest) -> HttpResponse:
    return json_response({"version": list(VERSIONS), "extensions": {}})


view = xapi_view({"GET": about_get}, authenticate_request=False)
