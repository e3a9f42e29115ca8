"""The framework's JSON API (/api/v1/): behaviour beyond the tenancy matrix of dtss.api.tests.

Filling through PATCH moves the stage; the review workflow (submit → request changes → submit →
accept) freezes the assessment; bad input is a 422 naming the field with nothing changed; an
outsider gets 404, the same as for a missing object.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dtss.accounts.services import api_token_create
from dtss.conftest import World
from dtss.framework import plan_services, services
from dtss.framework.models import Assessment, AssessmentEvent, Cycle, Evidence, Response

BASE = "/api/v1"


def _client(world: World, name: str) -> Client:
    _token, key = api_token_create(user=world.users[name], name="tests")
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"})


def _call(client: Client, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method.lower())(BASE + path, **kwargs)


def _rows() -> dict[str, int]:
    """Rows per table of the apps the framework API writes to."""
    return {
        model._meta.db_table: model._default_manager.count()
        for label in ("framework", "core", "orgs")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def _fields(response: Any) -> set[str | None]:
    return {e["field"] for e in response.json()["detail"]}


def _cycle(world: World, **kwargs: Any) -> Cycle:
    args: dict[str, Any] = {
        "county": world.counties["A"],
        "name": "114學年度第1學期",
        "opens_on": date(2025, 9, 1),
        "deadline": date(2099, 12, 31),
        "schools": [world.schools["A-elem"], world.schools["A-junior"]],
        "actor": world.users["a_admin"],
    }
    args.update(kwargs)
    return services.cycle_open(**args)


@pytest.fixture
def cycle(world: World) -> Cycle:
    return _cycle(world)


def _elem(cycle: Cycle, world: World) -> Assessment:
    return cycle.assessments.get(school=world.schools["A-elem"])


def _response(assessment: Assessment, code: str) -> Response:
    return assessment.responses.get(strategy__code=code)


def _item(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in body["items"] if i["code"] == code)


# --- the framework ------------------------------------------------------------------------


def test_framework_lists_items_stages_strategies_and_own_local_ones(world: World) -> None:
    from dtss.framework.models import Item
    from dtss.framework.selectors import current_version

    item = Item.objects.get(version=current_version(), code="S1")
    local = services.strategy_local_add(
        county=world.counties["A"], item=item, stage="A", text_zh="本縣自訂"
    )
    body = _call(_client(world, "elem_teacher"), "GET", "/framework?level=school").json()
    assert body["county"]["code"] == "10008"
    assert [i["code"] for i in body["items"]] == ["S1", "S2", "S3", "S4", "S5"]
    s1 = body["items"][0]
    assert [s["stage"] for s in s1["stages"]] == ["D", "A", "M"]
    codes = [s["code"] for s in s1["stages"][1]["strategies"]]
    assert local.code in codes and codes[-1] == local.code  # local ones after the official
    first = s1["stages"][0]["strategies"][0]
    assert (first["code"], first["item"], first["local"], first["county"]) == (
        "S1.D1",
        "S1",
        False,
        None,
    )
    local_out = s1["stages"][1]["strategies"][-1]
    assert local_out["local"] is True and local_out["county"] == "10008"
    # Another county's people do not see it; the outsider (no role) sees the official only.
    for name in ("b_teacher", "outsider"):
        other = _call(_client(world, name), "GET", "/framework?level=school").json()
        assert local.code not in json.dumps(other)
    missing = _call(_client(world, "b_teacher"), "GET", f"/framework/strategies/{local.code}")
    assert missing.status_code == 404
    assert _call(_client(world, "b_teacher"), "GET", "/framework/strategies/S9.D9").json() == (
        missing.json()
    )


def test_strategy_shows_the_indicators_that_evidence_it(world: World) -> None:
    body = _call(_client(world, "elem_student"), "GET", "/framework/strategies/l2.d1").json()
    assert body["code"] == "L2.D1" and body["item_detail"]["level"] == "county"
    ids = {i["id"] for i in body["indicators"]}
    assert {"orgs.office_in_place", "orgs.work_plan_done"} <= ids
    assert all("L2.D1" in i["strategies"] for i in body["indicators"])


def test_local_strategy_bad_input(world: World) -> None:
    client = _client(world, "a_admin")
    before = _rows()
    bad = _call(
        client, "POST", "/framework/strategies", {"item": "S9", "stage": "D", "text_zh": "x"}
    )
    assert bad.status_code == 422 and _fields(bad) == {"item"}
    bad = _call(
        client, "POST", "/framework/strategies", {"item": "S1", "stage": "X", "text_zh": "x"}
    )
    assert bad.status_code == 422 and _fields(bad) == {"stage"}
    assert _rows() == before
    ok = _call(
        client, "POST", "/framework/strategies", {"item": "S1", "stage": "D", "text_zh": "本縣策略"}
    )
    assert ok.status_code == 201 and ok.json()["code"] == "S1.DL1" and ok.json()["local"]


# --- cycles -------------------------------------------------------------------------------


GOOD_CYCLE = {
    "name": "115學年度第1學期",
    "opens_on": "2026-09-01",
    "deadline": "2026-10-31",
    "rule_share": "0.667",
    "require_evidence": False,
    "schools": "all",
}


def test_open_a_cycle_for_all_schools(world: World) -> None:
    response = _call(_client(world, "a_admin"), "POST", "/cycles", GOOD_CYCLE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["school_total"] == 2 and body["rule_share"] == 0.667
    assert body["can_close"] and body["can_sample"] and not body["require_evidence"]
    cycle = Cycle.objects.get(public_id=body["public_id"])
    assert cycle.county == world.counties["A"] and cycle.assessments.count() == 3
    listed = _call(_client(world, "elem_teacher"), "GET", "/cycles").json()
    assert [c["public_id"] for c in listed["items"]] == [body["public_id"]]
    assert listed["items"][0]["can_sample"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2026-08-01"}, "deadline"),
        ({"rule_share": "0.3"}, "rule_share"),
        ({"rule_share": "0.6667"}, "rule_share"),
        ({"schools": [str(uuid.uuid4())]}, "schools"),
        ({"schools": "some"}, "schools"),
        ({"schools": [], "include_county": False}, "schools"),
        ({"name": ""}, "name"),
        ({"name": "114學年度第1學期"}, "name"),  # taken
        ({"term": {"roc_year": 120, "semester": 1}}, "term"),
        ({"county": "10002"}, "county"),  # not theirs
        ({"opens_on": "soon"}, "opens_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_cycles_name_the_field_and_change_nothing(
    world: World, cycle: Cycle, change: dict[str, Any], field: str
) -> None:
    client = _client(world, "a_admin")
    before = _rows()
    response = _call(client, "POST", "/cycles", {**GOOD_CYCLE, **change})
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert _rows() == before


def test_another_countys_school_is_refused_like_a_missing_one(world: World) -> None:
    client = _client(world, "a_admin")
    foreign = _call(
        client,
        "POST",
        "/cycles",
        {**GOOD_CYCLE, "schools": [str(world.schools["B-elem"].public_id)]},
    )
    missing = _call(client, "POST", "/cycles", {**GOOD_CYCLE, "schools": [str(uuid.UUID(int=1))]})
    assert foreign.status_code == missing.status_code == 422
    assert _fields(foreign) == _fields(missing) == {"schools"}


def test_cycle_detail_sample_and_close(world: World, cycle: Cycle) -> None:
    staff = _client(world, "a_staff")
    detail = _call(staff, "GET", f"/cycles/{cycle.public_id}").json()
    assert detail["school_total"] == 2 and detail["sampled_total"] == 0
    assert {c["status"]: c["count"] for c in detail["status_counts"]}["draft"] == 2
    bad = _call(staff, "POST", f"/cycles/{cycle.public_id}/sample", {"size": 0})
    assert bad.status_code == 422 and _fields(bad) == {"size"}
    drawn = _call(staff, "POST", f"/cycles/{cycle.public_id}/sample", {"size": 1}).json()
    assert len(drawn["drawn"]) == 1 and drawn["sampled_total"] == 1
    assert drawn["drawn"][0]["sampled"] is True
    assert _call(staff, "POST", f"/cycles/{cycle.public_id}/close").status_code == 403
    admin = _client(world, "a_admin")
    closed = _call(admin, "POST", f"/cycles/{cycle.public_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = _call(admin, "POST", f"/cycles/{cycle.public_id}/close")
    assert again.status_code == 422
    assert _call(staff, "POST", f"/cycles/{cycle.public_id}/sample", {"size": 1}).status_code == (
        422
    )
    # Nothing in a closed cycle is changed.
    r = _response(_elem(cycle, world), "S1.D1")
    refused = _call(admin, "PATCH", f"/responses/{r.public_id}", {"status": "implemented"})
    assert refused.status_code == 422 and _fields(refused) == {None}


# --- filling and the stage ----------------------------------------------------------------


def test_filling_through_patch_moves_the_stage(world: World, cycle: Cycle) -> None:
    a = _elem(cycle, world)
    client = _client(world, "elem_admin")
    d1, d2 = _response(a, "S1.D1"), _response(a, "S1.D2")
    first = _call(client, "PATCH", f"/responses/{d1.public_id}", {"status": "implemented"})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "implemented" and body["met"] is False  # evidence required
    assert body["item"]["stage"] is None and body["item"]["next_stage"] == "D"
    assert "S1.D1" in body["item"]["next_steps"]
    for r in (d1, d2):
        added = _call(
            client,
            "POST",
            f"/responses/{r.public_id}/evidence",
            {"kind": "text", "text": "校務會議紀錄"},
        )
        assert added.status_code == 201, added.content
    assert added.json()["item"]["stage"] is None  # S1.D2 not implemented yet
    done = _call(
        client,
        "PATCH",
        f"/responses/{d2.public_id}",
        {
            "status": "embedded",
            "notes": "每學期檢討",
            "owner": str(world.people["elem_teacher"].public_id),
        },
    )
    body = done.json()
    assert body["met"] and body["notes"] == "每學期檢討"
    assert body["owner"]["name"] == "elem_teacher" and body["updated_by"] == "elem_admin"
    assert body["item"]["stage"] == "D" and body["item"]["next_stage"] == "A"
    assert "S1.A1" in body["item"]["next_steps"]
    a.refresh_from_db()
    assert a.stages["S1"] == "D"
    detail = _call(_client(world, "elem_teacher"), "GET", f"/assessments/{a.public_id}").json()
    s1 = _item(detail, "S1")
    assert s1["stage"] == "D" and s1["next_stage"] == "A" and s1["next_met"] == 0
    assert s1["met_by_stage"][0] == {"stage": "D", "met": 2, "total": 2}
    assert detail["stages"]["S1"] == "D" and detail["can_fill"] is False
    assert detail["editable"] is False and detail["can_review"] is False
    # The responses list carries the evidence; owner cleared with null.
    listed = _call(client, "GET", f"/assessments/{a.public_id}/responses?item=S1").json()
    assert listed["count"] == sum(1 for _ in a.responses.filter(strategy__item__code="S1"))
    d1_out = next(x for x in listed["items"] if x["strategy"]["code"] == "S1.D1")
    assert d1_out["met"] and d1_out["evidence"][0]["text"] == "校務會議紀錄"
    cleared = _call(client, "PATCH", f"/responses/{d2.public_id}", {"owner": None}).json()
    assert cleared["owner"] is None and cleared["notes"] == "每學期檢討"


def test_evidence_file_upload_and_removal(world: World, cycle: Cycle) -> None:
    a = _elem(cycle, world)
    r = _response(a, "S1.D1")
    client = _client(world, "elem_admin")
    path = f"{BASE}/responses/{r.public_id}/evidence"
    before = _rows()
    renamed = client.post(path, {"file": SimpleUploadedFile("plan.pdf", b"MZ not a pdf")})
    assert renamed.status_code == 422 and _fields(renamed) == {"file"}
    exe = client.post(path, {"file": SimpleUploadedFile("run.exe", b"MZ")})
    assert exe.status_code == 422 and _fields(exe) == {"file"}
    assert _rows() == before
    ok = client.post(
        path, {"file": SimpleUploadedFile("計畫.pdf", b"%PDF-1.4 test"), "title": "計畫書"}
    )
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert body["kind"] == "file" and body["title"] == "計畫書" and body["size"] == 13
    assert body["content_type"] == "application/pdf" and body["download_url"]
    assert body["file_url"] == f"{BASE}/evidence/{body['public_id']}/file"
    assert body["response"] == str(r.public_id)
    # The teacher may read but not remove it; another county's admin gets 404.
    assert (
        _call(
            _client(world, "elem_teacher"), "DELETE", f"/evidence/{body['public_id']}"
        ).status_code
        == 403
    )
    assert (
        _call(_client(world, "b_admin"), "DELETE", f"/evidence/{body['public_id']}").status_code
        == 404
    )
    assert _call(client, "DELETE", f"/evidence/{body['public_id']}").status_code == 204
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "link", "url": "not a link"}, "url"),
        ({"kind": "link"}, "url"),
        ({"kind": "text", "text": "   "}, "text"),
        ({"kind": "file"}, "kind"),
        ({"kind": "text", "text": "x", "size": 3}, "size"),
        ({"kind": "text", "text": "x", "title": "t" * 201}, "title"),
        (["not", "an", "object"], "payload"),  # as ninja names a body that is no object
    ],
)
def test_bad_evidence_names_the_field(
    world: World, cycle: Cycle, body: Any, field: str | None
) -> None:
    r = _response(_elem(cycle, world), "S1.D1")
    client = _client(world, "elem_admin")
    before = _rows()
    response = _call(client, "POST", f"/responses/{r.public_id}/evidence", body)
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert _rows() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"notes": None}, "notes"),
        ({"notes": "x" * 10001}, "notes"),
        ({"owner": "b_teacher"}, "owner"),  # another county's teacher
        ({"owner": "junior_teacher"}, "owner"),  # another school's teacher
        ({"owner": str(uuid.UUID(int=7))}, "owner"),
        ({"owner": "not-a-uuid"}, "owner"),
        ({"colour": "red"}, "colour"),
        ({}, None),
    ],
)
def test_bad_patch_names_the_field_and_changes_nothing(
    world: World, cycle: Cycle, body: dict[str, Any], field: str | None
) -> None:
    r = _response(_elem(cycle, world), "S1.D1")
    if body.get("owner") in world.people:
        body = {"owner": str(world.people[body["owner"]].public_id)}
    client = _client(world, "elem_admin")
    before = _rows()
    response = _call(client, "PATCH", f"/responses/{r.public_id}", body)
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert _rows() == before
    r.refresh_from_db()
    assert (r.status, r.notes, r.owner_id) == ("not_started", "", None)


# --- submission and review ----------------------------------------------------------------


def test_review_workflow_and_history(world: World, cycle: Cycle) -> None:
    a = _elem(cycle, world)
    school, reviewer = _client(world, "elem_admin"), _client(world, "a_staff")
    r = _response(a, "S1.D1")
    assert (
        _call(school, "PATCH", f"/responses/{r.public_id}", {"status": "implemented"}).status_code
        == 200
    )
    # Only the county reviews, and only a submitted assessment.
    early = _call(reviewer, "POST", f"/assessments/{a.public_id}/accept", {})
    assert early.status_code == 422
    submitted = _call(school, "POST", f"/assessments/{a.public_id}/submit", {"note": "請審閱"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["editable"] is False
    refused = _call(school, "PATCH", f"/responses/{r.public_id}", {"status": "planned"})
    assert refused.status_code == 422 and _fields(refused) == {None}
    assert _call(school, "POST", f"/assessments/{a.public_id}/accept", {}).status_code == 403
    assert _call(school, "POST", f"/assessments/{a.public_id}/submit", {}).status_code == 422
    # Review: a comment, then a request for changes on an item.
    bad_item = _call(
        reviewer, "POST", f"/assessments/{a.public_id}/comment", {"item": "L1", "note": "?"}
    )
    assert bad_item.status_code == 422 and _fields(bad_item) == {"item"}
    no_note = _call(
        reviewer, "POST", f"/assessments/{a.public_id}/request-changes", {"item": "S2", "note": " "}
    )
    assert no_note.status_code == 422 and _fields(no_note) == {"note"}
    comment = _call(
        reviewer, "POST", f"/assessments/{a.public_id}/comment", {"item": "S1", "note": "很好"}
    )
    assert comment.status_code == 201 and comment.json()["item"] == "S1"
    changes = _call(
        reviewer,
        "POST",
        f"/assessments/{a.public_id}/request-changes",
        {"item": "S2", "note": "請補充家長日簡報"},
    )
    assert changes.status_code == 200 and changes.json()["status"] == "changes_requested"
    # The school edits and submits again; the county accepts; the assessment is frozen.
    again = _call(school, "PATCH", f"/responses/{r.public_id}", {"notes": "已補充"})
    assert again.status_code == 200
    assert (
        _call(school, "POST", f"/assessments/{a.public_id}/submit", {"note": "已補充"}).status_code
        == 200
    )
    accepted = _call(reviewer, "POST", f"/assessments/{a.public_id}/accept", {"note": "通過"})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["accepted_at"] and body["snapshot"]["items"]
    before = _rows()
    frozen = _call(school, "PATCH", f"/responses/{r.public_id}", {"status": "embedded"})
    assert frozen.status_code == 422 and _fields(frozen) == {None}
    evidence = _call(
        school, "POST", f"/responses/{r.public_id}/evidence", {"kind": "text", "text": "x"}
    )
    assert evidence.status_code == 422
    assert _rows() == before
    r.refresh_from_db()
    assert r.status == "implemented" and r.notes == "已補充"
    # The history: who, when, what, the note.
    events = _call(
        _client(world, "elem_teacher"), "GET", f"/assessments/{a.public_id}/events"
    ).json()
    actions = [(e["action"], e["by"], e["note"]) for e in events["items"]]
    assert actions == [
        ("status", "elem_admin", ""),
        ("submit", "elem_admin", "請審閱"),
        ("comment", "a_staff", "很好"),
        ("request_changes", "a_staff", "請補充家長日簡報"),
        ("answer", "elem_admin", "已補充"),
        ("accept", "a_staff", "通過"),
    ]
    assert events["items"][0]["strategy"] == "S1.D1" and events["items"][0]["to_status"] == (
        "implemented"
    )
    assert all(e["at"] for e in events["items"])
    assert AssessmentEvent.objects.filter(assessment=a).count() == 6


def test_indicator_readings_flag_disagreement(world: World) -> None:
    cycle = _cycle(world, schools=[])
    county = cycle.assessments.get()
    client = _client(world, "a_staff")
    r = _response(county, "L2.D1")
    assert (
        _call(client, "PATCH", f"/responses/{r.public_id}", {"status": "implemented"}).status_code
        == 200
    )
    body = _call(client, "GET", f"/assessments/{county.public_id}").json()
    assert body["level"] == "county" and body["school"] is None and body["can_fill"]
    office = next(
        i
        for i in body["indicators"]
        if i["indicator"] == "orgs.office_in_place" and i["strategy"] == "L2.D1"
    )
    assert office["value"] == 0.0 and office["achieved"] is False
    assert office["disagreement"] == "claimed_not_measured"


# --- lists and tenancy --------------------------------------------------------------------


def test_assessment_list_filters(world: World, cycle: Cycle) -> None:
    other = _cycle(
        world, name="113學年度第2學期", opens_on=date(2025, 2, 1), schools=[world.schools["A-elem"]]
    )
    client = _client(world, "a_admin")
    everything = _call(client, "GET", "/assessments").json()
    assert everything["count"] == 5
    only = _call(client, "GET", f"/assessments?cycle={other.public_id}&level=school").json()
    assert [x["school"]["code"] for x in only["items"]] == ["083601"]
    school = world.schools["A-junior"].public_id
    assert _call(client, "GET", f"/assessments?school={school}").json()["count"] == 1
    assert _call(client, "GET", "/assessments?status=accepted").json()["count"] == 0
    bad = _call(client, "GET", "/assessments?status=finished")
    assert bad.status_code == 422 and _fields(bad) == {"status"}
    # School staff see their own school's only; another county's cycle matches nothing.
    mine = _call(_client(world, "elem_teacher"), "GET", "/assessments").json()
    assert {x["school"]["code"] for x in mine["items"]} == {"083601"}
    b = _client(world, "b_admin")
    assert _call(b, "GET", f"/assessments?cycle={cycle.public_id}").json()["count"] == 0


def test_outsiders_get_404_like_a_missing_object(world: World, cycle: Cycle) -> None:
    a = _elem(cycle, world)
    r = _response(a, "S1.D1")
    missing = str(uuid.UUID(int=3))
    for name in ("b_admin", "junior_admin", "b_teacher"):
        client = _client(world, name)
        for method, path, body in (
            ("GET", f"/assessments/{a.public_id}", None),
            ("GET", f"/assessments/{a.public_id}/events", None),
            ("PATCH", f"/responses/{r.public_id}", {"status": "implemented"}),
            ("POST", f"/assessments/{a.public_id}/submit", {}),
        ):
            out = _call(client, method, path, body)
            gone = _call(
                client,
                method,
                path.replace(str(a.public_id if "assess" in path else r.public_id), missing),
                body,
            )
            assert out.status_code == gone.status_code == 404, (name, path)
            assert out.json() == gone.json()
    # Students and parents may not use the assessment API at all.
    for name in ("elem_student", "elem_parent", "outsider"):
        assert _call(_client(world, name), "GET", "/assessments").status_code == 403
    r.refresh_from_db()
    assert r.status == "not_started"


def test_session_writes_need_the_csrf_token(world: World, cycle: Cycle) -> None:
    r = _response(_elem(cycle, world), "S1.D1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["elem_admin"])
    path = f"/responses/{r.public_id}"
    assert _call(client, "PATCH", path, {"status": "planned"}).status_code == 403
    client.cookies["csrftoken"] = "a" * 32
    client.defaults["HTTP_X_CSRFTOKEN"] = "a" * 32
    assert _call(client, "PATCH", path, {"status": "planned"}).status_code == 200


# --- plans and cases ----------------------------------------------------------------------


def test_plan_goals_actions(world: World, cycle: Cycle) -> None:
    client = _client(world, "elem_admin")
    school = str(world.schools["A-elem"].public_id)
    created = _call(
        client,
        "POST",
        "/plans",
        {"school": school, "title": "三年計畫", "horizon": "mid", "cycle": str(cycle.public_id)},
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["school"]["code"] == "083601" and plan["can_edit"] and plan["goals"] == []
    goal = _call(
        client,
        "POST",
        f"/plans/{plan['public_id']}/goals",
        {"title": "到加速期", "strategies": ["S1.A1", "s1.a2"]},
    )
    assert goal.status_code == 201, goal.content
    assert [s["code"] for s in goal.json()["strategies"]] == ["S1.A1", "S1.A2"]
    assert goal.json()["strategies"][0]["status"] == "not_started"
    action = _call(
        client,
        "POST",
        f"/goals/{goal.json()['public_id']}/actions",
        {
            "title": "研習",
            "budget": 30000,
            "funding": "school",
            "owner": str(world.people["elem_teacher"].public_id),
            "starts_on": "2025-09-01",
            "ends_on": "2025-12-31",
        },
    )
    assert action.status_code == 201, action.content
    assert action.json()["budget"] == 30000 and action.json()["owner"]["name"] == "elem_teacher"
    done = _call(client, "PATCH", f"/actions/{action.json()['public_id']}", {"status": "done"})
    assert done.json()["status"] == "done" and done.json()["progress"] == 100
    detail = _call(_client(world, "elem_teacher"), "GET", f"/plans/{plan['public_id']}").json()
    assert detail["budget_total"] == 30000 and detail["done_total"] == 1
    assert [(f["funding"], f["total"]) for f in detail["funding"]] == [("school", 30000)]
    assert detail["funding"][0]["label"]
    assert detail["can_edit"] is False
    listed = _call(client, "GET", "/plans?school=" + school).json()
    assert [p["title"] for p in listed["items"]] == ["三年計畫"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("goals", {"title": "x", "strategies": ["L1.D1"]}, "strategies"),  # county strategy
        ("goals", {"title": "x", "strategies": ["S9.D9"]}, "strategies"),
        ("goals", {"title": ""}, "title"),
        ("actions", {"title": "x", "budget": 100}, "funding"),
        ("actions", {"title": "x", "budget": -1, "funding": "school"}, "budget"),
        ("actions", {"title": "x", "funding": "programme"}, "programme"),
        ("actions", {"title": "x", "starts_on": "2026-02-01", "ends_on": "2026-01-01"}, "ends_on"),
        ("actions", {"title": "x", "owner": "b_teacher"}, "owner"),
        ("actions", {"title": "x", "progress": 101}, "progress"),
        ("patch", {"status": None}, "status"),
        ("patch", {"status": "finished"}, "status"),
        (
            "patch",
            {"funding": "other", "budget": 5, "ends_on": "2020-01-01", "starts_on": "2021-01-01"},
            "ends_on",
        ),
    ],
)
def test_bad_plan_input_names_the_field(
    world: World, path: str, body: dict[str, Any], field: str
) -> None:
    plan = plan_services.plan_create(
        county=world.counties["A"], school=world.schools["A-elem"], title="p", actor=None
    )
    goal = plan_services.goal_create(plan=plan, title="g", actor=None)
    action = plan_services.action_create(goal=goal, title="a", actor=None)
    if body.get("owner") in world.people:
        body = {**body, "owner": str(world.people[body["owner"]].public_id)}
    url = {
        "goals": ("POST", f"/plans/{plan.public_id}/goals"),
        "actions": ("POST", f"/goals/{goal.public_id}/actions"),
        "patch": ("PATCH", f"/actions/{action.public_id}"),
    }[path]
    client = _client(world, "elem_admin")
    before = _rows()
    response = _call(client, *url, body)
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert _rows() == before


def test_plan_from_next_steps_and_cases(world: World, cycle: Cycle) -> None:
    a = _elem(cycle, world)
    client = _client(world, "elem_admin")
    made = _call(client, "POST", f"/assessments/{a.public_id}/plan", {})
    assert made.status_code == 201
    goals = made.json()["goals"]
    assert len(goals) == 5 and goals[0]["strategies"][0]["code"] == "S1.D1"
    r = _response(a, "S1.D1")
    evidence = services.evidence_add(response=r, actor=None, kind="text", text="家長日簡報")
    case = _call(
        client,
        "POST",
        f"/evidence/{evidence.public_id}/case",
        {"title": "家長日", "summary": "做法", "tags": ["家長日", "平板"]},
    )
    assert case.status_code == 201, case.content
    body = case.json()
    assert body["item"] == "S1" and body["strategy"] == "S1.D1" and body["stage"] == "D"
    assert body["tags"] == ["家長日", "平板"] and body["evidence"]["text"] == "家長日簡報"
    twice = _call(
        client,
        "POST",
        f"/evidence/{evidence.public_id}/case",
        {"title": "家長日", "summary": "做法"},
    )
    assert twice.status_code == 422 and _fields(twice) == {"evidence"}
    # Every staff member finds it; only the school edits it.
    found = _call(_client(world, "b_teacher"), "GET", "/cases?q=家長日&item=S1").json()
    assert [c["title"] for c in found["items"]] == ["家長日"] and not found["items"][0]["can_edit"]
    assert (
        _call(
            _client(world, "b_admin"), "PATCH", f"/cases/{body['public_id']}", {"title": "x"}
        ).status_code
        == 403
    )
    changed = _call(client, "PATCH", f"/cases/{body['public_id']}", {"subject": "數學"}).json()
    assert changed["subject"] == "數學" and changed["title"] == "家長日"
    assert _call(client, "DELETE", f"/cases/{body['public_id']}").status_code == 204
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_delete_goal_needs_its_actions_confirmed(world: World) -> None:
    admin = world.users["elem_admin"]
    plan = plan_services.plan_create(
        county=world.counties["A"], school=world.schools["A-elem"], title="計畫", actor=admin
    )
    goal = plan_services.goal_create(plan=plan, title="目標", actor=admin)
    action = plan_services.action_create(goal=goal, title="行動一", actor=admin)
    plan_services.action_create(goal=goal, title="行動二", actor=admin)
    client = _client(world, "elem_admin")
    before = _rows()
    out = _call(client, "DELETE", f"/goals/{goal.public_id}?confirm_actions=1")
    assert out.status_code == 422 and "confirm_actions" in out.content.decode()
    assert _rows() == before
    assert _call(client, "DELETE", f"/actions/{action.public_id}").status_code == 204
    assert _call(client, "DELETE", f"/goals/{goal.public_id}?confirm_actions=1").status_code == 204
    assert not plan.goals.exists()
    assert _call(client, "DELETE", f"/goals/{goal.public_id}").status_code == 404
