"""PUT and POST /xapi/statements: storing, ids, conflicts, voiding, index rows, scopes, tenancy.

xAPI 1.0.3 Communication §2.1.1 (PUT), §2.1.2 (POST), Data §2.2–§2.4, §2.3.2 (voiding); 2.0.0
§4.1.6.1 and §4.2. Attachments and signatures are in test_statements_write_attachments.py.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest

from dtss.lrs.models import Activity, Statement, StatementActivity, StatementAgent

pytestmark = pytest.mark.django_db

ACTOR = {"objectType": "Agent", "name": "Student One", "mbox": "mailto:one@example.org"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}}
ACTIVITY = {
    "objectType": "Activity",
    "id": "http://example.org/activities/quiz-1",
    "definition": {
        "name": {"en-US": "Quiz 1"},
        "type": "http://adlnet.gov/expapi/activities/assessment",
    },
}
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def statement(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": copy.deepcopy(ACTOR),
        "verb": copy.deepcopy(VERB),
        "object": copy.deepcopy(ACTIVITY),
    }
    data.update(extra)
    return data


def voiding(target: str) -> dict[str, Any]:
    return {
        "actor": copy.deepcopy(ACTOR),
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }


def stored(statement_id: str) -> dict[str, Any]:
    return json.loads(Statement.objects.get(statement_id=statement_id).payload)


def assert_rejected(response: Any, status: int, field_part: str, before: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert field_part in body.get("field", ""), body
    assert Statement.objects.count() == before


# --- POST ----------


def test_post_single_statement_returns_its_id(xapi) -> None:
    """Communication §2.1.2, XAPI-00146/00147: 200 and the array of ids."""
    response = xapi.post("statements", json_body=statement())
    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 1
    uuid.UUID(ids[0])
    row = Statement.objects.get()
    assert str(row.statement_id) == ids[0]
    assert response["X-Experience-API-Consistent-Through"].endswith("Z")


def test_post_batch_keeps_order_and_given_ids(xapi) -> None:
    """Communication §2.1.2: every id of the batch, in the batch's order."""
    given = str(uuid.uuid4())
    response = xapi.post("statements", json_body=[statement(), statement(id=given), statement()])
    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 3 and ids[1] == given
    rows = list(Statement.objects.order_by("id").values_list("statement_id", flat=True))
    assert [str(r) for r in rows] == ids


def test_post_empty_array_stores_nothing(xapi) -> None:
    """Communication §2.1.2: an empty batch is accepted with no ids."""
    response = xapi.post("statements", json_body=[])
    assert response.status_code == 200
    assert response.json() == []
    assert Statement.objects.count() == 0


def test_lrs_sets_stored_timestamp_authority_version(xapi) -> None:
    """Data §2.4.7 (timestamp = stored when absent), §2.4.8 stored, §2.4.9 authority
    (overwritten with the credential's), §2.4.10 version 1.0.0 when absent (1.0.3)."""
    other = {"objectType": "Agent", "mbox": "mailto:forger@example.org"}
    ids = xapi.post("statements", json_body=statement(authority=other)).json()
    data = stored(ids[0])
    assert data["id"] == ids[0]
    assert data["stored"].endswith("Z")
    assert data["timestamp"] == data["stored"]
    assert data["authority"]["account"]["name"] == xapi.credential.key
    assert data["version"] == "1.0.0"
    row = Statement.objects.get()
    assert row.version == "1.0.0"
    assert row.credential_id == xapi.credential.id


def test_given_timestamp_and_version_are_kept(xapi) -> None:
    """Data §2.4.7, §2.4.10: a valid timestamp and version are stored as given."""
    ids = xapi.post(
        "statements", json_body=statement(timestamp="2024-05-01T08:30:00+08:00", version="1.0.3")
    ).json()
    data = stored(ids[0])
    assert data["timestamp"] == "2024-05-01T08:30:00+08:00"
    assert data["version"] == "1.0.3"
    row = Statement.objects.get()
    assert row.timestamp.isoformat() == "2024-05-01T00:30:00+00:00"


def test_version_defaults_to_2_0_0_for_2_0_0(xapi2) -> None:
    """2.0.0 §4.2.4.3: version is 2.0.0 when absent."""
    ids = xapi2.post("statements", json_body=statement()).json()
    assert stored(ids[0])["version"] == "2.0.0"
    assert xapi2.post("statements", json_body=statement(version="1.0.3")).status_code == 200


def test_batch_shares_stored_and_is_ordered_by_insertion(xapi) -> None:
    """Data §2.4.8: one stored time for the batch; the insertion order breaks ties."""
    ids = xapi.post("statements", json_body=[statement() for _ in range(5)]).json()
    rows = list(Statement.objects.order_by("id"))
    assert len({r.stored for r in rows}) == 1
    assert [str(r.statement_id) for r in rows] == ids


def test_invalid_statement_in_batch_rejects_all(xapi) -> None:
    """Communication §2.1.2.s2.b4: nothing of a rejected batch is stored; the field is named."""
    bad = statement()
    bad["verb"]["id"] = "should fail"
    response = xapi.post("statements", json_body=[statement(), bad])
    assert_rejected(response, 400, "statements[1].verb.id", 0)


def test_single_invalid_statement_names_statement(xapi) -> None:
    """Data §2.4.2: a missing actor is a 400 naming statement.actor."""
    bad = statement()
    del bad["actor"]
    assert_rejected(xapi.post("statements", json_body=bad), 400, "statement.actor", 0)


def test_duplicate_ids_in_batch_are_400(xapi) -> None:
    """Communication §2.1.1.s2.b4: a batch with two statements of one id is rejected."""
    same = str(uuid.uuid4())
    response = xapi.post("statements", json_body=[statement(id=same), statement(id=same)])
    assert_rejected(response, 400, "statements[1].id", 0)


def test_post_body_not_statement_is_400(xapi) -> None:
    """Communication §2.1.2: the body is a statement or an array."""
    assert_rejected(
        xapi.post("statements", body="12", content_type="application/json"), 400, "statement", 0
    )
    assert_rejected(
        xapi.post("statements", body="{", content_type="application/json"), 400, "statement", 0
    )


def test_other_content_type_is_400(xapi) -> None:
    """Communication §1.5 / Data §2.4.11: only application/json or multipart/mixed."""
    response = xapi.post(
        "statements", body=json.dumps(statement()), content_type="multipart/form-data; boundary=x"
    )
    assert_rejected(response, 400, "Content-Type", 0)
    response = xapi.post("statements", body=json.dumps(statement()), content_type="text/plain")
    assert_rejected(response, 400, "Content-Type", 0)


# --- PUT ----------


def test_put_stores_with_statement_id(xapi) -> None:
    """Communication §2.1.1, XAPI-00143/00144: 204 and the statement under that id."""
    sid = str(uuid.uuid4())
    response = xapi.put("statements", params={"statementId": sid}, json_body=statement(id=sid))
    assert response.status_code == 204
    assert response["X-Experience-API-Consistent-Through"].endswith("Z")
    assert stored(sid)["id"] == sid


def test_put_without_id_in_body_takes_the_parameter(xapi) -> None:
    """Communication §2.1.1: the statementId parameter gives the id."""
    sid = str(uuid.uuid4())
    assert (
        xapi.put("statements", params={"statementId": sid}, json_body=statement()).status_code
        == 204
    )
    assert stored(sid)["id"] == sid


def test_put_without_statement_id_is_400(xapi) -> None:
    """Communication §2.1.1, XAPI-00145."""
    response = xapi.put("statements", json_body=statement(id=str(uuid.uuid4())))
    assert_rejected(response, 400, "statementId", 0)


@pytest.mark.parametrize("value", ["true", "not-a-uuid", "[object Object]"])
def test_put_statement_id_must_be_uuid(xapi, value: str) -> None:
    """Communication §2.1.1.s1.table1.row1: statementId is a UUID."""
    response = xapi.put("statements", params={"statementId": value}, json_body=statement())
    assert_rejected(response, 400, "statementId", 0)


def test_put_id_differs_from_parameter_is_400(xapi) -> None:
    """Communication §2.1.1.s3.b3: the body's id matches statementId."""
    response = xapi.put(
        "statements",
        params={"statementId": str(uuid.uuid4())},
        json_body=statement(id=str(uuid.uuid4())),
    )
    assert_rejected(response, 400, "statement.id", 0)


def test_put_array_is_400(xapi) -> None:
    """Communication §2.1.1: PUT takes a single statement."""
    response = xapi.put(
        "statements", params={"statementId": str(uuid.uuid4())}, json_body=[statement()]
    )
    assert_rejected(response, 400, "statement", 0)


# --- same id again (Communication §2.1.1.s2.b2/b3, Data §2.3.1) ----------


def test_same_statement_again_is_accepted_without_change(xapi) -> None:
    """XAPI-00142: the same statement again is 204 (PUT) / 200 with its id (POST), not stored
    twice; properties the LRS sets, key order, verb display, activity definitions and group
    member order are not compared."""
    sid = str(uuid.uuid4())
    first = statement(id=sid)
    assert xapi.put("statements", params={"statementId": sid}, json_body=first).status_code == 204
    before = stored(sid)
    again = {
        "object": {"id": ACTIVITY["id"], "objectType": "Activity"},
        "verb": {"id": VERB["id"], "display": {"fr-FR": "essayé"}},
        "actor": ACTOR,
        "id": sid.upper(),
        "timestamp": "2020-01-01T00:00:00Z",
    }
    assert xapi.put("statements", params={"statementId": sid}, json_body=again).status_code == 204
    response = xapi.post("statements", json_body=again)
    assert response.status_code == 200 and response.json() == [sid]
    assert Statement.objects.count() == 1
    assert stored(sid) == before


def test_different_statement_with_same_id_is_409(xapi) -> None:
    """XAPI-00142, Communication §2.1.1.s2.b3: a different statement under a stored id is a
    409 and the stored one is unchanged (PUT and POST)."""
    sid = str(uuid.uuid4())
    xapi.post("statements", json_body=statement(id=sid))
    before = stored(sid)
    modified = statement(id=sid)
    modified["verb"]["id"] = "http://example.org/verbs/other"
    put = xapi.put("statements", params={"statementId": sid}, json_body=modified)
    assert_rejected(put, 409, "statement.id", 1)
    post = xapi.post("statements", json_body=[statement(), modified])
    assert_rejected(post, 409, "statements[1].id", 1)
    assert stored(sid) == before


def test_group_member_order_does_not_conflict(xapi) -> None:
    """Data §2.3.1: the order of group members is not significant."""
    members = [
        {"objectType": "Agent", "mbox": "mailto:a@example.org"},
        {"objectType": "Agent", "mbox": "mailto:b@example.org"},
    ]
    sid = str(uuid.uuid4())
    group = {"objectType": "Group", "name": "team", "member": members}
    xapi.post("statements", json_body=statement(id=sid, actor=group))
    swapped = {**group, "member": list(reversed(members))}
    assert xapi.post("statements", json_body=statement(id=sid, actor=swapped)).status_code == 200
    assert Statement.objects.count() == 1


# --- voiding (Data §2.3.2) ----------


def test_voiding_marks_the_target(xapi) -> None:
    """Data §2.3.2, XAPI-00018: the target is voided, the voiding statement records it."""
    target = xapi.post("statements", json_body=statement()).json()[0]
    void_id = xapi.post("statements", json_body=voiding(target)).json()[0]
    assert Statement.objects.get(statement_id=target).voided is True
    row = Statement.objects.get(statement_id=void_id)
    assert str(row.voids) == target and row.voided is False
    assert row.object_type == "StatementRef" and row.object_key == target


def test_voiding_before_the_target_arrives(xapi) -> None:
    """Data §2.3.2.s2.b5 (the target need not be present): stored voided when it arrives."""
    target = str(uuid.uuid4())
    assert xapi.post("statements", json_body=voiding(target)).status_code == 200
    xapi.post("statements", json_body=statement(id=target))
    assert Statement.objects.get(statement_id=target).voided is True


def test_voiding_target_in_the_same_batch(xapi) -> None:
    """Data §2.3.2: a batch may hold a statement and the statement voiding it."""
    target = str(uuid.uuid4())
    xapi.post("statements", json_body=[statement(id=target), voiding(target)])
    assert Statement.objects.get(statement_id=target).voided is True


def test_voiding_a_voiding_statement_is_400(xapi) -> None:
    """Data §2.3.2.s2.b7, XAPI-00016: a voiding statement cannot be voided."""
    target = xapi.post("statements", json_body=statement()).json()[0]
    void_id = xapi.post("statements", json_body=voiding(target)).json()[0]
    assert_rejected(xapi.post("statements", json_body=voiding(void_id)), 400, "statement.object", 2)
    assert Statement.objects.get(statement_id=void_id).voided is False


def test_voiding_an_already_voided_statement_is_accepted(xapi) -> None:
    """Data §2.3.2, suite 'should not void an already voided statement': stored, no error."""
    target = xapi.post("statements", json_body=statement()).json()[0]
    xapi.post("statements", json_body=voiding(target))
    assert xapi.post("statements", json_body=voiding(target)).status_code == 200
    assert Statement.objects.get(statement_id=target).voided is True


def test_voided_verb_needs_statement_ref(xapi) -> None:
    """Data §2.3.2.s2.b1, XAPI-00017: a voiding statement's object is a StatementRef."""
    bad = statement(verb={"id": VOIDED, "display": {"en-US": "voided"}})
    assert_rejected(xapi.post("statements", json_body=bad), 400, "statement.object.objectType", 0)


# --- index rows and activity definitions ----------


def test_index_columns_and_agent_and_activity_rows(xapi2) -> None:
    """Communication §2.1.3 filters: the actor/verb/object/registration columns and the
    direct/related agent and activity rows (2.0.0 contextAgents/contextGroups included)."""
    registration = str(uuid.uuid4())
    group = {
        "objectType": "Group",
        "mbox": "mailto:class@example.org",
        "member": [{"mbox": "mailto:m1@example.org"}, {"mbox": "mailto:m2@example.org"}],
    }
    data = statement(
        actor=group,
        context={
            "registration": registration,
            "instructor": {"mbox": "mailto:teacher@example.org"},
            "contextActivities": {
                "parent": {"id": "http://example.org/activities/course"},
                "category": [{"id": "http://example.org/activities/cat"}],
            },
            "contextAgents": [
                {"objectType": "contextAgent", "agent": {"mbox": "mailto:peer@example.org"}}
            ],
            "contextGroups": [
                {
                    "objectType": "contextGroup",
                    "group": {"objectType": "Group", "mbox": "mailto:house@example.org"},
                }
            ],
        },
    )
    response = xapi2.post("statements", json_body=data)
    assert response.status_code == 200, response.content
    row = Statement.objects.get()
    assert row.actor_key == "mbox:mailto:class@example.org"
    assert row.verb_id == VERB["id"]
    assert row.object_type == "Activity" and row.object_key == ACTIVITY["id"]
    assert str(row.registration) == registration
    agents = dict(StatementAgent.objects.values_list("agent_key", "direct"))
    assert agents["mbox:mailto:class@example.org"] is True
    assert agents["mbox:mailto:m1@example.org"] is True
    assert agents["mbox:mailto:teacher@example.org"] is False
    assert agents["mbox:mailto:peer@example.org"] is False
    assert agents["mbox:mailto:house@example.org"] is False
    assert agents[f"account:{row_authority_home(row)}|{xapi2.credential.key}"] is False
    activities = dict(StatementActivity.objects.values_list("activity_id", "direct"))
    assert activities == {
        ACTIVITY["id"]: True,
        "http://example.org/activities/course": False,
        "http://example.org/activities/cat": False,
    }
    assert StatementAgent.objects.filter(store=row.store, stored=row.stored).count() == len(agents)


def row_authority_home(row: Statement) -> str:
    return json.loads(row.payload)["authority"]["account"]["homePage"]


def test_substatement_and_agent_object_rows(xapi) -> None:
    """Data §2.4.4.3 (SubStatement), §2.4.4.2 (Agent object): object agents are direct, a
    SubStatement's agents and activities are related."""
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:sub@example.org"},
        "verb": VERB,
        "object": {"id": "http://example.org/activities/sub"},
        "context": {"contextActivities": {"other": [{"id": "http://example.org/activities/o"}]}},
    }
    xapi.post(
        "statements",
        json_body=[
            statement(object=sub),
            statement(object={"objectType": "Agent", "mbox": "mailto:obj@example.org"}),
        ],
    )
    first, second = Statement.objects.order_by("id")
    assert first.object_type == "SubStatement"
    sub_agents = dict(
        StatementAgent.objects.filter(statement=first).values_list("agent_key", "direct")
    )
    assert sub_agents["mbox:mailto:sub@example.org"] is False
    sub_activities = dict(
        StatementActivity.objects.filter(statement=first).values_list("activity_id", "direct")
    )
    assert sub_activities == {
        "http://example.org/activities/sub": False,
        "http://example.org/activities/o": False,
    }
    assert second.object_type == "Agent" and second.object_key == "mbox:mailto:obj@example.org"
    assert StatementAgent.objects.get(statement=second, agent_key=second.object_key).direct


def test_activity_definitions_are_merged(xapi) -> None:
    """Communication §2.5 / format=canonical: the LRS keeps a merged definition; language
    maps merge per language, later non-empty values win."""
    xapi.post("statements", json_body=statement())
    second = statement()
    second["object"]["definition"] = {
        "name": {"zh-TW": "測驗一"},
        "description": {"en-US": "The first quiz"},
    }
    xapi.post("statements", json_body=second)
    third = statement()
    third["object"]["definition"] = {"name": {"en-US": "Quiz One"}}
    xapi.post("statements", json_body=third)
    definition = Activity.objects.get(activity_id=ACTIVITY["id"]).definition
    assert definition == {
        "name": {"en-US": "Quiz One", "zh-TW": "測驗一"},
        "description": {"en-US": "The first quiz"},
        "type": "http://adlnet.gov/expapi/activities/assessment",
    }


def test_context_activities_without_definition_are_known(xapi) -> None:
    """Communication §2.5: every activity a statement mentions is known to the LRS."""
    xapi.post(
        "statements",
        json_body=statement(context={"contextActivities": {"parent": [{"id": "http://e.org/p"}]}}),
    )
    assert set(Activity.objects.values_list("activity_id", flat=True)) == {
        ACTIVITY["id"],
        "http://e.org/p",
    }


# --- scopes and stores ----------


@pytest.mark.parametrize("scopes", [["statements/read"], ["state"], ["statements/read/mine"]])
def test_write_needs_statements_write(make_xapi, scopes: list[str]) -> None:
    """Communication §4 (authorization scopes): PUT/POST need statements/write (or all)."""
    client = make_xapi(scopes)
    assert client.post("statements", json_body=statement()).status_code == 403
    sid = str(uuid.uuid4())
    assert (
        client.put("statements", params={"statementId": sid}, json_body=statement()).status_code
        == 403
    )
    assert Statement.objects.count() == 0


def test_statements_write_scope_is_enough(make_xapi) -> None:
    """Communication §4: statements/write allows PUT and POST."""
    client = make_xapi(["statements/write"])
    assert client.post("statements", json_body=statement()).status_code == 200


def test_stores_are_separate(xapi, xapi_b) -> None:
    """Tenancy: ids are per store; county B can neither conflict with nor void county A's
    statements, and B's statements land in B's store."""
    sid = str(uuid.uuid4())
    xapi.post("statements", json_body=statement(id=sid))
    other = statement(id=sid)
    other["verb"]["id"] = "http://example.org/verbs/other"
    assert xapi_b.post("statements", json_body=other).status_code == 200  # no 409: B's own id
    assert xapi_b.post("statements", json_body=voiding(sid)).status_code == 200
    a_row = Statement.objects.get(statement_id=sid, store=xapi.credential.county_id)
    b_row = Statement.objects.get(statement_id=sid, store=xapi_b.credential.county_id)
    assert a_row.voided is False  # B's voiding statement voided B's statement only
    assert b_row.voided is True
    assert json.loads(a_row.payload)["verb"]["id"] == VERB["id"]


# --- responses and the read side ----------------------------------------------------------------


def test_consistent_through_on_success_and_error(xapi) -> None:
    """Communication §2.1.3, XAPI-00153: every Statement resource response carries
    X-Experience-API-Consistent-Through, errors included."""
    ok = xapi.post("statements", json_body=statement())
    bad = xapi.put("statements", json_body=statement())
    assert bad.status_code == 400
    for response in (ok, bad):
        assert response["X-Experience-API-Consistent-Through"].endswith("Z")


def test_put_then_get_returns_the_stored_statement(xapi2) -> None:
    """Communication §2.1.1 + §2.1.3: GET statementId returns what PUT stored (format=exact:
    the payload, with the properties the LRS set)."""
    sid = str(uuid.uuid4())
    xapi2.put("statements", params={"statementId": sid}, json_body=statement())
    response = xapi2.get("statements", params={"statementId": sid})
    assert response.status_code == 200
    data = response.json()
    assert data == stored(sid)
    assert data["version"] == "2.0.0" and data["stored"] == data["timestamp"]


def test_voided_statement_is_only_found_as_voided(xapi) -> None:
    """Data §2.3.2, XAPI-00018 (with the read side): GET statementId of a voided statement is
    404, voidedStatementId finds it."""
    target = xapi.post("statements", json_body=statement()).json()[0]
    xapi.post("statements", json_body=voiding(target))
    assert xapi.get("statements", params={"statementId": target}).status_code == 404
    found = xapi.get("statements", params={"voidedStatementId": target})
    assert found.status_code == 200 and found.json()["id"] == target


def test_alternate_syntax_put(xapi) -> None:
    """Communication §1.3: PUT through POST ?method=PUT with a form body."""
    from urllib.parse import urlencode

    sid = str(uuid.uuid4())
    form = urlencode(
        {
            "statementId": sid,
            "content": json.dumps(statement()),
            "Authorization": xapi.auth,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        }
    )
    response = xapi.client.post(
        "/xapi/statements?method=PUT",
        data=form,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    assert stored(sid)["id"] == sid


def test_unknown_parameters_are_400(xapi) -> None:
    """Communication §3.2, XAPI-00324/00325: a parameter the LRS does not know (or with another
    case, e.g. StatementId) is a 400 naming it."""
    sid = str(uuid.uuid4())
    response = xapi.put("statements", params={"StatementId": sid}, json_body=statement())
    assert_rejected(response, 400, "statementId", 0)
    response = xapi.put(
        "statements", params={"statementId": sid, "foo": "bar"}, json_body=statement()
    )
    assert_rejected(response, 400, "foo", 0)
    assert_rejected(
        xapi.post("statements", params={"foo": "bar"}, json_body=statement()), 400, "foo", 0
    )
