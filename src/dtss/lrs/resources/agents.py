"""The Agents resource (/agents): xAPI 1.0.3 Communication §2.4, 2.0.0 §4.1.6.3.

GET ?agent returns a Person Object: objectType "Person" and arrays of what the LRS knows of the
agent (XAPI-00236–XAPI-00249). It always holds the given agent's identifier (mbox, mbox_sha1sum,
openid or account) and name (XAPI-00247: "that Person Object will only include the information
associated with the requested Agent"), plus the other names the same identifier carried as the
actor of its latest statements in the credential's store (one index range on
(store, actor_key, stored), at most 20 rows). DTSS keeps no mapping from one identifier to
another identifier of the same person, so the arrays of identifiers hold the requested one only.

Scopes: as the Activities resource (`all/read`, `statements/read`, `define`, `profile`, `all`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from dtss.lrs import xapi
from dtss.lrs.document_selectors import agent_names
from dtss.lrs.http import XapiRequest, json_response, xapi_view
from dtss.lrs.resources.activities import READ_SCOPES
from dtss.lrs.resources.documents import agent_param, check_params


def person_object(*, store: int, agent: dict[str, Any]) -> dict[str, Any]:
    """The Person Object for an Agent (or identified Group) in `store`."""
    person: dict[str, Any] = {"objectType": "Person"}
    names: list[str] = []
    if isinstance(agent.get("name"), str) and agent["name"]:
        names.append(agent["name"])
    for name in agent_names(store=store, agent_key=xapi.agent_key(agent)):
        if name not in names:
            names.append(name)
    if names:
        person["name"] = names
    for ifi in ("mbox", "mbox_sha1sum", "openid"):
        if agent.get(ifi) is not None:
            person[ifi] = [agent[ifi]]
    account = agent.get("account")
    if isinstance(account, dict):
        person["account"] = [{"homePage": account["homePage"], "name": account["name"]}]
    return person


def agents_get(ctx: XapiRequest) -> HttpResponse:
    ctx.require(*READ_SCOPES)
    check_params(ctx, allowed=("agent",), required=("agent",))
    agent = agent_param(ctx)
    return json_response(person_object(store=ctx.store, agent=agent))


view = xapi_view({"GET": agents_get})
