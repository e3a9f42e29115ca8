"""GET /xapi/statements: parameters, errors, filters, voiding, formats, attachments, paging.

xAPI 1.0.3 Communication §2.1.3–§2.1.4 and Data §2.3.2, §2.5 (conformance requirement ids
XAPI-00149…00181 and the adlnet/lrs-conformance-test-suite cases named in the docstrings);
2.0.0 §4.1.6.1 where it differs. Statements are written through POST /xapi/statements.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from dtss.lrs.models.statements import Statement

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/experienced"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ACTIVITY = "http://example.org/activities/lesson-1"


@pytest.fixture(autouse=True)
def _no_margin(settings: Any) -> None:
    """Statements are listed as soon as they are written (the margin has its own tests)."""
    settings.LRS_CONSISTENCY_MARGIN_MS = 0
    settings.LRS_PAGE_SIZE = 100


def agent(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "mbox": f"mailto:{name}@example.org"}


def stmt(
    actor: str = "ann",
    verb: str = VERB,
    obj: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": agent(actor),
        "verb": {"id": verb, "display": {"en-US": "experienced"}},
        "object": obj or {"objectType": "Activity", "id": ACTIVITY},
    }
    data.update(extra)
    return data


def post(client: Any, *statements: dict[str, Any]) -> list[str]:
    response = client.post("statements", json_body=list(statements))
    assert response.status_code == 200, response.content
    return response.json()


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statements"]]


def listing(client: Any, **params: Any) -> list[str]:
    return ids(client.get("statements", params=params))


def stored_of(client: Any, statement_id: str) -> str:
    return client.get("statements", params={"statementId": statement_id}).json()["stored"]


# --- single statements ----------------------------------------------------------------------


def test_statement_id_returns_the_statement(xapi) -> None:
    """Communication §2.1.3, XAPI-00156/00158: statementId → 200 and that statement, with
    Last-Modified (its stored time) and X-Experience-API-Consistent-Through."""
    s = stmt()
    post(xapi, s)
    response = xapi.get("statements", params={"statementId": s["id"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["id"] == s["id"]
    assert body["verb"] == s["verb"]
    assert "stored" in body and "authority" in body
    modified = parsedate_to_datetime(response["Last-Modified"])
    assert abs(modified.timestamp() - _ts(body["stored"])) < 1.0
    assert response["X-Experience-API-Consistent-Through"]


def _ts(value: str) -> float:
    from dtss.lrs.xapi import parse_timestamp

    return parse_timestamp(value, field="t").timestamp()


def test_unknown_statement_id_is_404(xapi) -> None:
    """Communication §2.1.3: a statementId the store does not hold → 404."""
    response = xapi.get("statements", params={"statementId": str(uuid.uuid4())})
    assert response.status_code == 404
    assert response.json()["field"] == "statementId"
    assert response["X-Experience-API-Consistent-Through"]


def test_statement_id_in_upper_case_is_found(xapi) -> None:
    """Data §4.0 UUIDs: the id is matched whatever the case of its hex digits."""
    s = stmt()
    post(xapi, s)
    response = xapi.get("statements", params={"statementId": s["id"].upper()})
    assert response.status_code == 200
    assert response.json()["id"] == s["id"]


def _void(client: Any, target: str) -> str:
    voiding = stmt(verb=VOIDED, obj={"objectType": "StatementRef", "id": target})
    post(client, voiding)
    return voiding["id"]


def test_voided_statement_only_by_voided_statement_id(xapi) -> None:
    """Data §2.3.2, Communication §2.1.3/§2.1.4, XAPI-00155/00157/00163: a voided statement is
    404 by statementId and 200 by voidedStatementId; a statement that is not voided is 404 by
    voidedStatementId."""
    target, other = stmt(), stmt()
    post(xapi, target, other)
    _void(xapi, target["id"])
    assert xapi.get("statements", params={"statementId": target["id"]}).status_code == 404
    response = xapi.get("statements", params={"voidedStatementId": target["id"]})
    assert response.status_code == 200
    assert response.json()["id"] == target["id"]
    assert response["Last-Modified"]
    missing = xapi.get("statements", params={"voidedStatementId": other["id"]})
    assert missing.status_code == 404
    assert missing.json()["field"] == "voidedStatementId"


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("agent", json.dumps(agent("ann"))),
        ("verb", VERB),
        ("activity", ACTIVITY),
        ("registration", "6b1e5b3c-2d0a-4c1e-9a51-7f6f0b7a9d10"),
        ("related_activities", "true"),
        ("related_agents", "true"),
        ("since", "2012-06-01T19:09:13.245Z"),
        ("until", "2012-06-01T19:09:13.245Z"),
        ("limit", "1"),
        ("ascending", "true"),
    ],
)
@pytest.mark.parametrize("single", ["statementId", "voidedStatementId"])
def test_single_statement_with_other_parameter_is_400(xapi, single, param, value) -> None:
    """Communication §2.1.3, XAPI-00150/00151: statementId or voidedStatementId with any
    parameter other than attachments or format → 400 naming that parameter."""
    s = stmt()
    post(xapi, s)
    response = xapi.get("statements", params={single: s["id"], param: value})
    assert response.status_code == 400
    assert response.json()["field"] == param
    assert response["X-Experience-API-Consistent-Through"]


@pytest.mark.parametrize("extra", [{"format": "ids"}, {"attachments": "true"}, {"format": "exact"}])
def test_single_statement_with_format_or_attachments(xapi, extra) -> None:
    """Communication §2.1.3, XAPI-00151: format and attachments may come with statementId."""
    s = stmt()
    post(xapi, s)
    response = xapi.get("statements", params={"statementId": s["id"], **extra})
    assert response.status_code == 200


def test_statement_id_and_voided_statement_id_together_is_400(xapi) -> None:
    """Communication §2.1.3: statementId and voidedStatementId together → 400."""
    response = xapi.get(
        "statements",
        params={"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "voidedStatementId"


@pytest.mark.parametrize("name", ["statementId", "voidedStatementId"])
@pytest.mark.parametrize("value", ["true", "not-a-uuid", "{}", ""])
def test_malformed_statement_id_is_400(xapi, name, value) -> None:
    """Communication §2.1.3 (suite: statementId as boolean/object): not a UUID → 400."""
    response = xapi.get("statements", params={name: value})
    assert response.status_code == 400
    assert response.json()["field"] == name


# --- parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("agent", "not json"),
        ("agent", json.dumps({"name": "no ifi"})),
        ("agent", json.dumps({"mbox": "ann@example.org"})),
        ("agent", json.dumps(["mailto:ann@example.org"])),
        ("verb", "not an iri"),
        ("activity", "lesson-1"),
        ("registration", "not-a-uuid"),
        ("since", "yesterday"),
        ("until", "2024-13-01T00:00:00Z"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "1.5"),
        ("limit", ""),
        ("related_agents", "yes"),
        ("related_activities", "1"),
        ("ascending", "TRUE!"),
        ("attachments", "maybe"),
        ("format", "full"),
        ("more", "garbage"),
        ("fromage", "brie"),
    ],
)
def test_bad_parameter_is_400_naming_it(xapi, param, value) -> None:
    """Communication §2.1.3 table of parameters: a value of the wrong type or an unknown
    parameter → 400 whose field names the parameter (and the Consistent-Through header)."""
    response = xapi.get("statements", params={param: value})
    assert response.status_code == 400, (param, value)
    field = response.json()["field"]
    assert field == param or field.startswith(param + "."), field
    assert response["X-Experience-API-Consistent-Through"]


def test_read_scope_is_needed(make_xapi) -> None:
    """Communication §4 (scopes): without statements/read, statements/read/mine, all/read or
    all → 403."""
    client = make_xapi(["state", "statements/write"])
    response = client.get("statements")
    assert response.status_code == 403
    assert response["X-Experience-API-Consistent-Through"]


@pytest.mark.parametrize("scope", ["statements/read", "all/read", "all"])
def test_read_scopes_read_the_whole_store(xapi, make_xapi, scope) -> None:
    """Communication §4 scopes: statements/read, all/read and all read every statement."""
    s = stmt()
    post(xapi, s)
    assert s["id"] in listing(make_xapi([scope]))


def test_read_mine_sees_only_its_own_statements(xapi, make_xapi) -> None:
    """Communication §4 statements/read/mine: only statements whose authority is this
    credential, in lists and by id (another credential's statement → 404)."""
    mine_client = make_xapi(["statements/read/mine", "statements/write"])
    theirs, own = stmt(), stmt()
    post(xapi, theirs)
    post(mine_client, own)
    assert listing(mine_client) == [own["id"]]
    assert mine_client.get("statements", params={"statementId": own["id"]}).status_code == 200
    other = mine_client.get("statements", params={"statementId": theirs["id"]})
    assert other.status_code == 404
    assert set(listing(xapi)) >= {own["id"], theirs["id"]}


# --- the StatementResult ------------------------------------------------------------------


def test_empty_result(xapi) -> None:
    """Communication §2.1.3, XAPI-00149; Data §2.5: a query matching nothing → 200 with an
    empty statements array and more = ""."""
    response = xapi.get("statements", params={"verb": "http://example.org/verbs/none"})
    assert response.status_code == 200
    assert response.json() == {"statements": [], "more": ""}


def test_result_is_newest_first_and_ascending_reverses(xapi) -> None:
    """Communication §2.1.3 (ascending, XAPI-00166): stored descending by default, ascending
    with ascending=true; statements of one batch share `stored` and keep their order."""
    first = [stmt() for _ in range(3)]
    post(xapi, *first)
    second = stmt()
    post(xapi, second)
    newest_first = listing(xapi)
    assert newest_first[0] == second["id"]
    assert set(newest_first[1:]) == {s["id"] for s in first}
    assert listing(xapi, ascending="true") == list(reversed(newest_first))
    assert listing(xapi, ascending="false") == newest_first


def test_limit(xapi, settings) -> None:
    """Communication §2.1.3 limit (XAPI-00173): at most `limit` statements; 0 means the server
    maximum (LRS_PAGE_SIZE), and a larger limit is cut to it."""
    settings.LRS_PAGE_SIZE = 4
    post(xapi, *[stmt() for _ in range(6)])
    assert len(listing(xapi, limit=2)) == 2
    assert len(listing(xapi, limit=0)) == 4
    assert len(listing(xapi, limit=50)) == 4
    assert len(listing(xapi)) == 4


def test_more_pages_return_every_statement_once(xapi, settings) -> None:
    """Data §2.5 (more), suite "more property … refers to next page": following `more` returns
    every statement exactly once, in order, and ends with more = ""."""
    settings.LRS_PAGE_SIZE = 100
    for _ in range(3):
        post(xapi, *[stmt() for _ in range(4)])
    expected = listing(xapi)
    for ascending in ("false", "true"):
        seen: list[str] = []
        response = xapi.get("statements", params={"limit": 5, "ascending": ascending})
        pages = 0
        while True:
            body = response.json()
            assert response.status_code == 200
            seen.extend(s["id"] for s in body["statements"])
            pages += 1
            if not body["more"]:
                break
            assert body["more"].startswith("/xapi/statements?more=")
            response = xapi.client.get(
                body["more"],
                headers={"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3"},
            )
        assert pages == 3
        assert seen == (expected if ascending == "false" else list(reversed(expected)))


def test_more_keeps_filter_and_format(xapi) -> None:
    """Data §2.5: the more link continues the original query (filters and format)."""
    mine = [stmt(actor="bob") for _ in range(3)]
    post(xapi, *mine, stmt(actor="cat"), stmt(actor="cat"))
    response = xapi.get("statements", params={"agent": agent("bob"), "limit": 2, "format": "ids"})
    body = response.json()
    assert len(body["statements"]) == 2
    second = _follow(xapi, body["more"]).json()
    got = [s["id"] for s in body["statements"] + second["statements"]]
    assert sorted(got) == sorted(s["id"] for s in mine)
    assert second["more"] == ""
    assert second["statements"][0]["verb"] == {"id": VERB}  # still format=ids


def _follow(client: Any, more: str, **headers: str) -> Any:
    return client.client.get(
        more,
        headers={"Authorization": client.auth, "X-Experience-API-Version": client.version}
        | headers,
    )


def test_more_token_is_bound_to_store_and_cannot_be_tampered(xapi, xapi_b) -> None:
    """Data §2.5 more; tenancy: county B cannot continue county A's listing, a changed token is
    refused, and a more link takes no other parameter (400 naming the parameter)."""
    post(xapi, stmt(), stmt())
    more = xapi.get("statements", params={"limit": 1}).json()["more"]
    assert more
    foreign = _follow(xapi_b, more)
    assert foreign.status_code == 400
    assert foreign.json()["field"] == "more"
    token = more.split("more=", 1)[1]
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    bad = xapi.get("statements", params={"more": tampered})
    assert bad.status_code == 400
    assert bad.json()["field"] == "more"
    extra = _follow(xapi, more + "&limit=3")
    assert extra.status_code == 400
    assert extra.json()["field"] == "limit"
    assert _follow(xapi, more).status_code == 200


def test_county_b_sees_none_of_county_a(xapi, xapi_b) -> None:
    """Tenancy: a credential reads its own store only (lists, by id, by voidedStatementId)."""
    a = stmt(actor="shared")
    post(xapi, a)
    b = stmt(actor="shared")
    post(xapi_b, b)
    assert listing(xapi_b) == [b["id"]]
    assert listing(xapi_b, agent=agent("shared")) == [b["id"]]
    assert xapi_b.get("statements", params={"statementId": a["id"]}).status_code == 404
    _void(xapi, a["id"])
    assert xapi_b.get("statements", params={"voidedStatementId": a["id"]}).status_code == 404
    assert a["id"] not in listing(xapi_b)


# --- filters --------------------------------------------------------------------------------


def test_agent_filter_matches_actor_object_and_group_members(xapi) -> None:
    """Communication §2.1.3 agent (XAPI-00181): the actor or the object, including the members
    of a Group; not the related agents unless related_agents=true."""
    as_actor = stmt(actor="dan")
    as_object = stmt(actor="eve", obj=agent("dan"))
    group = {"objectType": "Group", "name": "g", "member": [agent("dan"), agent("fay")]}
    in_group = stmt()
    in_group["actor"] = group
    as_instructor = stmt(actor="gus", context={"instructor": agent("dan")})
    unrelated = stmt(actor="hal")
    post(xapi, as_actor, as_object, in_group, as_instructor, unrelated)
    got = set(listing(xapi, agent=agent("dan")))
    assert got == {as_actor["id"], as_object["id"], in_group["id"]}


def test_related_agents(xapi) -> None:
    """Communication §2.1.3 related_agents (XAPI-00176): also authority, instructor, team and
    the agents of a SubStatement."""
    instructor = stmt(actor="a1", context={"instructor": agent("ida")})
    team = stmt(
        actor="a2",
        context={"team": {"objectType": "Group", "member": [agent("ida")]}},
    )
    sub = stmt(
        actor="a3",
        obj={
            "objectType": "SubStatement",
            "actor": agent("ida"),
            "verb": {"id": VERB},
            "object": {"objectType": "Activity", "id": ACTIVITY},
        },
    )
    other = stmt(actor="a4")
    post(xapi, instructor, team, sub, other)
    related = set(listing(xapi, agent=agent("ida"), related_agents="true"))
    assert related == {instructor["id"], team["id"], sub["id"]}
    assert listing(xapi, agent=agent("ida")) == []
    assert listing(xapi, agent=agent("ida"), related_agents="false") == []


def test_related_agents_matches_the_authority(xapi) -> None:
    """Communication §2.1.3 related_agents: the authority (the credential's agent) matches."""
    s = stmt()
    post(xapi, s)
    authority = xapi.get("statements", params={"statementId": s["id"]}).json()["authority"]
    assert s["id"] in listing(xapi, agent=authority, related_agents="true")
    assert s["id"] not in listing(xapi, agent=authority)


def test_verb_filter(xapi) -> None:
    """Communication §2.1.3 verb (XAPI-00180): exact verb id."""
    hit = stmt(verb="http://example.org/verbs/jumped")
    post(xapi, hit, stmt())
    assert listing(xapi, verb="http://example.org/verbs/jumped") == [hit["id"]]


def test_activity_filter_and_related_activities(xapi) -> None:
    """Communication §2.1.3 activity / related_activities (XAPI-00177/00179): the object only,
    or with related_activities also context activities and a SubStatement's activities."""
    target = "http://example.org/activities/target"
    direct = stmt(obj={"objectType": "Activity", "id": target})
    in_context = stmt(context={"contextActivities": {"parent": [{"id": target}]}})
    in_sub = stmt(
        obj={
            "objectType": "SubStatement",
            "actor": agent("sue"),
            "verb": {"id": VERB},
            "object": {"objectType": "Activity", "id": target},
        }
    )
    post(xapi, direct, in_context, in_sub, stmt())
    assert listing(xapi, activity=target) == [direct["id"]]
    assert set(listing(xapi, activity=target, related_activities="true")) == {
        direct["id"],
        in_context["id"],
        in_sub["id"],
    }


def test_registration_filter(xapi) -> None:
    """Communication §2.1.3 registration (XAPI-00178)."""
    registration = str(uuid.uuid4())
    hit = stmt(context={"registration": registration})
    post(xapi, hit, stmt(context={"registration": str(uuid.uuid4())}), stmt())
    assert listing(xapi, registration=registration) == [hit["id"]]
    assert listing(xapi, registration=registration.upper()) == [hit["id"]]


def test_since_and_until(xapi) -> None:
    """Communication §2.1.3 since/until (XAPI-00174/00175, XAPI-00141): stored > since and
    stored <= until."""
    first, second, third = stmt(), stmt(), stmt()
    post(xapi, first)
    post(xapi, second)
    post(xapi, third)
    t1, t2 = stored_of(xapi, first["id"]), stored_of(xapi, second["id"])
    assert listing(xapi, since=t1) == [third["id"], second["id"]]
    assert listing(xapi, until=t2) == [second["id"], first["id"]]
    assert listing(xapi, since=t1, until=t2) == [second["id"]]
    assert listing(xapi, since="2012-06-01T19:09:13.245Z") == [
        third["id"],
        second["id"],
        first["id"],
    ]
    assert listing(xapi, until="2012-06-01T19:09:13.245Z") == []


def test_filters_combine(xapi) -> None:
    """Data §2.5 (suite "statements will correspond to the filtering criterion"): every
    filter applies at once."""
    registration = str(uuid.uuid4())
    hit = stmt(actor="joe", context={"registration": registration})
    post(
        xapi,
        hit,
        stmt(actor="joe"),
        stmt(actor="kim", context={"registration": registration}),
    )
    got = listing(
        xapi,
        agent=agent("joe"),
        verb=VERB,
        activity=ACTIVITY,
        registration=registration,
        related_activities="true",
        since="2012-06-01T19:09:13.245Z",
        format="ids",
        attachments="false",
        limit=1,
    )
    assert got == [hit["id"]]


# --- voiding and StatementRefs ------------------------------------------------------------


def test_voided_statements_are_not_listed_but_voiding_statements_are(xapi) -> None:
    """Data §2.3.2, Communication §2.1.4, XAPI-00162: a voided statement is left out of lists;
    the voiding statement and a statement referring to it are listed, also under a filter that
    only the voided target matches (StatementRef filter rule)."""
    verb = f"http://example.org/verbs/{uuid.uuid4()}"
    voided = stmt(verb=verb)
    post(xapi, voided)
    voiding = _void(xapi, voided["id"])
    ref = stmt(verb=verb, obj={"objectType": "StatementRef", "id": voided["id"]})
    post(xapi, ref)
    assert listing(xapi, verb=verb) == [ref["id"], voiding]
    assert listing(xapi, verb=verb, limit=1) == [ref["id"]]
    assert voided["id"] not in listing(xapi)
    assert voiding in listing(xapi, verb=VOIDED)


def test_statement_ref_filter_applies_recursively(xapi) -> None:
    """Communication §2.1.4: a matches when a targets b which targets c and c matches; time
    filters still apply to the referring statement."""
    c = stmt(actor="deep")
    post(xapi, c)
    b = stmt(actor="mid", obj={"objectType": "StatementRef", "id": c["id"]})
    post(xapi, b)
    a = stmt(actor="top", obj={"objectType": "StatementRef", "id": b["id"]})
    post(xapi, a)
    assert listing(xapi, agent=agent("deep")) == [a["id"], b["id"], c["id"]]
    assert listing(xapi, agent=agent("deep"), since=stored_of(xapi, b["id"])) == [a["id"]]
    assert listing(xapi, agent=agent("deep"), activity=ACTIVITY) == [a["id"], b["id"], c["id"]]
    assert listing(xapi, agent=agent("mid")) == [a["id"], b["id"]]


# --- formats --------------------------------------------------------------------------------


def test_format_exact_is_the_default(xapi) -> None:
    """Communication §2.1.3 format (XAPI-00168/00170): exact returns the statement as stored."""
    s = stmt(actor="zed")
    s["actor"]["name"] = "Zed"
    post(xapi, s)
    body = xapi.get("statements", params={"statementId": s["id"]}).json()
    assert body["actor"] == s["actor"]
    assert body == xapi.get("statements", params={"statementId": s["id"], "format": "exact"}).json()


def test_format_ids(xapi) -> None:
    """Communication §2.1.3 format=ids (XAPI-00171): agents reduced to their IFI, activities to
    their id, verbs to their id."""
    s = stmt(
        obj={
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "Lesson"}},
        }
    )
    s["actor"]["name"] = "Ann"
    post(xapi, s)
    body = xapi.get("statements", params={"statementId": s["id"], "format": "ids"}).json()
    assert body["actor"] == {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
    assert body["verb"] == {"id": VERB}
    assert body["object"] == {"objectType": "Activity", "id": ACTIVITY}
    listed = xapi.get("statements", params={"format": "ids"}).json()["statements"][0]
    assert listed == body


def test_format_canonical_uses_lrs_definitions_and_accept_language(xapi) -> None:
    """Communication §2.1.3 format=canonical (XAPI-00169/00172): activities carry the LRS's
    canonical definition, language maps reduced to the Accept-Language choice; without format
    every language is kept."""
    first = stmt(
        obj={
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {"name": {"en-US": "Lesson", "zh-TW": "課程"}},
        }
    )
    first["verb"]["display"] = {"en-US": "experienced", "en-GB": "experienced (GB)"}
    later = stmt(
        obj={
            "objectType": "Activity",
            "id": ACTIVITY,
            "definition": {"description": {"en-US": "About", "zh-TW": "說明"}},
        },
        context={"contextActivities": {"category": [{"id": ACTIVITY}]}},
    )
    post(xapi, first)
    post(xapi, later)
    body = xapi.get(
        "statements",
        params={"statementId": first["id"], "format": "canonical"},
        headers={"Accept-Language": "zh-TW, en;q=0.5"},
    ).json()
    assert body["object"]["definition"] == {
        "name": {"zh-TW": "課程"},
        "description": {"zh-TW": "說明"},
    }
    gb = xapi.get(
        "statements",
        params={"statementId": first["id"], "format": "canonical"},
        headers={"Accept-Language": "en-GB"},
    ).json()
    assert gb["verb"]["display"] == {"en-GB": "experienced (GB)"}
    listed = xapi.get(
        "statements",
        params={"format": "canonical", "limit": 1},
        headers={"Accept-Language": "zh-TW"},
    ).json()["statements"][0]
    assert listed["context"]["contextActivities"]["category"][0]["definition"]["name"] == {
        "zh-TW": "課程"
    }
    exact = xapi.get(
        "statements",
        params={"statementId": first["id"]},
        headers={"Accept-Language": "en-GB"},
    ).json()
    assert exact["verb"]["display"] == first["verb"]["display"]
    assert exact["object"]["definition"] == first["object"]["definition"]


# --- attachments ----------------------------------------------------------------------------


def _post_with_attachment(client: Any, content: bytes) -> tuple[str, str]:
    sha2 = hashlib.sha256(content).hexdigest()
    s = stmt(
        attachments=[
            {
                "usageType": "http://example.org/usage/notes",
                "display": {"en-US": "notes"},
                "contentType": "text/plain",
                "length": len(content),
                "sha2": sha2,
            }
        ]
    )
    boundary = "xapi-test-boundary"
    body = (
        (
            f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(s)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "statements", body=body, content_type=f"multipart/mixed; boundary={boundary}"
    )
    assert response.status_code == 200, response.content
    return s["id"], sha2


def _parts(response: Any) -> list[tuple[dict[str, str], bytes]]:
    media, _, rest = response["Content-Type"].partition(";")
    assert media == "multipart/mixed"
    boundary = rest.strip().removeprefix("boundary=")
    chunks = response.content.split(b"--" + boundary.encode())
    assert chunks[-1].startswith(b"--")
    parts = []
    for chunk in chunks[1:-1]:
        head, _, body = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, body.removesuffix(b"\r\n")))
    return parts


def test_attachments_true_is_multipart(xapi) -> None:
    """Communication §2.1.3 attachments (XAPI-00167), Data §2.4.11: multipart/mixed with the
    result as first part and each attachment's raw content with X-Experience-API-Hash and
    Content-Transfer-Encoding: binary."""
    content = b"here is a simple attachment\x00\xff binary"
    statement_id, sha2 = _post_with_attachment(xapi, content)
    response = xapi.get("statements", params={"statementId": statement_id, "attachments": "true"})
    assert response.status_code == 200
    parts = _parts(response)
    assert parts[0][0]["content-type"] == "application/json"
    assert json.loads(parts[0][1])["id"] == statement_id
    assert parts[1][0]["x-experience-api-hash"] == sha2
    assert parts[1][0]["content-transfer-encoding"] == "binary"
    assert parts[1][0]["content-type"] == "text/plain"
    assert parts[1][1] == content
    listed = xapi.get("statements", params={"attachments": "true"})
    list_parts = _parts(listed)
    assert json.loads(list_parts[0][1])["statements"][0]["id"] == statement_id
    assert list_parts[1][1] == content
    assert listed["X-Experience-API-Consistent-Through"]


def test_attachments_false_is_json(xapi) -> None:
    """Communication §2.1.3, XAPI-00161: attachments absent or false → application/json."""
    statement_id, _ = _post_with_attachment(xapi, b"text")
    for params in (
        {"statementId": statement_id},
        {"statementId": statement_id, "attachments": "false"},
    ):
        response = xapi.get("statements", params=params)
        assert response["Content-Type"] == "application/json"
    assert xapi.get("statements", params={"attachments": "false"}).json()["more"] == ""


# --- consistent-through ---------------------------------------------------------------------


def test_consistent_through_is_not_before_returned_statements(xapi) -> None:
    """Communication §2.1.3, XAPI-00152/00160: the header is an ISO 8601 time not before the
    stored value of any returned statement."""
    post(xapi, stmt(), stmt())
    response = xapi.get("statements")
    through = _ts(response["X-Experience-API-Consistent-Through"])
    stored = [_ts(s["stored"]) for s in response.json()["statements"]]
    assert stored and all(t <= through for t in stored)


def test_consistency_margin_hides_statements_still_committing(xapi, settings) -> None:
    """Communication §2.1.3 Consistent-Through: lists hold statements stored at or before the
    header's time (now minus LRS_CONSISTENCY_MARGIN_MS), a single statement is found at once."""
    settings.LRS_CONSISTENCY_MARGIN_MS = 60_000
    s = stmt()
    post(xapi, s)
    response = xapi.get("statements")
    assert response.json()["statements"] == []
    through = _ts(response["X-Experience-API-Consistent-Through"])
    import time

    assert time.time() - 61 < through < time.time() - 59
    assert xapi.get("statements", params={"statementId": s["id"]}).status_code == 200


def test_consistent_through_on_errors(xapi) -> None:
    """XAPI-00153: the header comes with every GET /statements response, 400 and 404 too."""
    assert xapi.get("statements", params={"limit": "x"})["X-Experience-API-Consistent-Through"]
    response = xapi.get("statements", params={"statementId": str(uuid.uuid4())})
    assert response["X-Experience-API-Consistent-Through"]


# --- request forms --------------------------------------------------------------------------


def test_head_and_alternate_syntax(xapi) -> None:
    """Communication §1.1 HEAD, §1.3 alternate syntax (XAPI-00148): GET as HEAD has no body;
    POST ?method=GET with form parameters answers the StatementResult."""
    s = stmt()
    post(xapi, s)
    head = xapi.head("statements", params={"statementId": s["id"]})
    assert head.status_code == 200 and head.content == b""
    from urllib.parse import urlencode

    form = urlencode(
        {
            "limit": "1",
            "Authorization": xapi.auth,
            "X-Experience-API-Version": "1.0.3",
        }
    )
    response = xapi.client.post(
        "/xapi/statements?method=GET",
        data=form,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.json()["statements"][0]["id"] == s["id"]


# --- 2.0.0 ------------------------------------------------------------------------------------


def test_v2_context_agents_are_related_agents(xapi2) -> None:
    """xAPI 2.0.0 §4.1.6.1 / Data 2.4.6: contextAgents and contextGroups count as related
    agents; the stored version is returned."""
    s = stmt(
        actor="v2",
        context={
            "contextAgents": [{"objectType": "contextAgent", "agent": agent("ctx")}],
            "contextGroups": [
                {
                    "objectType": "contextGroup",
                    "group": {"objectType": "Group", "member": [agent("grp")]},
                }
            ],
        },
        timestamp="2024-05-01T08:30:00.000Z",
    )
    post(xapi2, s)
    assert listing(xapi2, agent=agent("ctx"), related_agents="true") == [s["id"]]
    assert listing(xapi2, agent=agent("grp"), related_agents="true") == [s["id"]]
    assert listing(xapi2, agent=agent("ctx")) == []
    body = xapi2.get("statements", params={"statementId": s["id"]}).json()
    assert body["version"] == "2.0.0"
    assert xapi2.get("statements", params={"statementId": s["id"]})["X-Experience-API-Version"] == (
        "2.0.0"
    )


def test_rows_are_read_only_from_own_store(xapi, counties) -> None:
    """Tenancy at the row level: the national store (0) and county B rows are never read."""
    s = stmt()
    post(xapi, s)
    row = Statement.objects.get(statement_id=s["id"])
    assert row.store == counties["A"].id
