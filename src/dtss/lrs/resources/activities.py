"""The Activities resource (/activities): xAPI 1.0.3 Communication §2.5, 2.0.0 §4.1.6.4.

GET ?activityId returns the Activity Object with the LRS's canonical definition, merged by the
statement write path from every statement of the credential's store that carried the activity
(XAPI-00251, XAPI-00254). An activity the store has no definition for is still returned as
{"objectType": "Activity", "id": ...} with 200 (2.0.0 §4.1.6.4 "If an LRS does not have a
canonical definition of the Activity to return, the LRS shall still return an Activity Object";
the ADL suites expect 200 for unknown activities in both versions), never 404.

Scopes: reading definitions is open to `all/read`, `statements/read`, `define` and `profile`
(and `all`); any other credential gets 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from dtss.lrs.document_selectors import activity_definition
from dtss.lrs.http import XapiRequest, json_response, xapi_view
from dtss.lrs.resources.documents import activity_id_param, check_params

READ_SCOPES = ("all/read", "statements/read", "define", "profile")


def activity_object(*, store: int, activity_id: str) -> dict[str, Any]:
    """The Activity Object the LRS holds for `activity_id` in `store`."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    definition = activity_definition(store=store, activity_id=activity_id)
    if definition:
        activity["definition"] = definition
    return activity


def activities_get(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*READ_SCOPES)
    check_params(ctx, allowed=("activityId",), required=("activityId",))
    activity_id = activity_id_param(ctx)
    return json_response(activity_object(store=ctx.store, activity_id=activity_id))


view = xapi_view({"GET": activities_get})
