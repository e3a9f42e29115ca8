"""The surveys JSON API (/api/v1/surveys/): building questionnaires, running them, answering,
results, named forms — beyond the tenancy matrix of dtss.api.tests.

Bad input is a 422 naming the field (for answers: `answers.<code>`) with nothing changed;
results equal `selectors.run_results` with suppressed cells carrying no figure.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from dtss.accounts.services import api_token_create
from dtss.conftest import World
from dtss.surveys import selectors, services
from dtss.surveys.models import AccessCode, Question, Questionnaire, Run, Submission
from dtss.surveys.tests.factories import OPTS, answer_with_codes, questionnaire, run

BASE = "/api/v1"


def client(world: World, name: str) -> Client:
    _token, key = api_token_create(user=world.users[name], name="tests")
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"})


def call(c: Client, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(c, method.lower())(BASE + path, **kwargs)


def rows() -> dict[str, int]:
    """Rows per table of every app the surveys API may write to."""
    return {
        model._meta.db_table: model._default_manager.count()
        for label in ("surveys", "core", "orgs", "accounts")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def snapshot() -> list[Any]:
    """Rows and the fields edits change in place."""
    return [
        rows(),
        list(
            Question.objects.order_by("id").values_list(
                "id", "code", "order", "text_zh", "options", "show_if", "section_id", "kind"
            )
        ),
        list(
            Questionnaire.objects.order_by("id").values_list(
                "id", "title_zh", "group", "archived", "updated_at"
            )
        ),
        list(AccessCode.objects.order_by("id").values_list("id", "uses_left")),
    ]


def fields(response: Any) -> set[str | None]:
    return {e["field"] for e in response.json()["detail"]}


def refused(c: Client, method: str, path: str, body: Any, status: int = 422) -> Any:
    before = snapshot()
    response = call(c, method, path, body)
    assert response.status_code == status, response.content
    assert snapshot() == before, "a refused request changed something"
    return response


# --- building questionnaires -----------------------------------------------------------------


def test_build_a_questionnaire(world: World) -> None:
    admin = client(world, "elem_admin")
    school = str(world.schools["A-elem"].public_id)
    r = call(admin, "POST", "/surveys/questionnaires", {"school": school, "title_zh": "教師問卷"})
    assert r.status_code == 201, r.content
    qn = r.json()
    assert qn["school"]["code"] == "083601" and qn["can_edit"] and not qn["locked"]
    first = qn["sections"][0]["public_id"]
    q1 = call(
        admin,
        "POST",
        f"/surveys/sections/{first}/questions",
        {"kind": "single", "text_zh": "家中有網路嗎？", "options": OPTS, "required": True},
    )
    assert q1.status_code == 201, q1.content
    assert q1.json()["code"] == "Q1" and [o["value"] for o in q1.json()["options"]] == [
        "yes",
        "no",
    ]
    second = call(
        admin,
        "POST",
        f"/surveys/questionnaires/{qn['public_id']}/sections",
        {"title_zh": "沒有網路", "show_if": [{"q": "Q1", "op": "eq", "value": "no"}]},
    )
    assert second.status_code == 201, second.content
    q2 = call(
        admin,
        "POST",
        f"/surveys/sections/{second.json()['public_id']}/questions",
        {"kind": "long_text", "text_zh": "為什麼？"},
    )
    assert q2.status_code == 201
    bank = call(admin, "GET", "/surveys/bank?group=teachers&item=S2&limit=2").json()
    assert bank["count"] >= 2 and all(b["item"] == "S2" for b in bank["items"])
    added = call(
        admin,
        "POST",
        f"/surveys/sections/{first}/questions/from-bank",
        {"bank": [b["public_id"] for b in bank["items"]]},
    )
    assert added.status_code == 201, added.content
    assert [q["code"] for q in added.json()["questions"]] == ["Q1", "Q3", "Q4"]
    assert added.json()["questions"][1]["bank"] == bank["items"][0]["public_id"]
    # moving a question within its section
    moved = call(
        admin, "POST", f"/surveys/questions/{q1.json()['public_id']}/move", {"direction": "down"}
    )
    assert moved.status_code == 200
    assert [q["code"] for q in moved.json()["sections"][0]["questions"]] == ["Q3", "Q1", "Q4"]
    # the section with the condition on Q1 cannot move above it: nothing changes
    refused(
        admin,
        "POST",
        f"/surveys/sections/{second.json()['public_id']}/move",
        {"direction": "up"},
    )
    # change, then read it back
    patched = call(
        admin, "PATCH", f"/surveys/questions/{q2.json()['public_id']}", {"required": True}
    )
    assert patched.status_code == 200 and patched.json()["required"]
    detail = call(admin, "GET", f"/surveys/questionnaires/{qn['public_id']}").json()
    assert [s["title_zh"] for s in detail["sections"]] == ["", "沒有網路"]
    assert detail["sections"][1]["show_if"] == [{"q": "Q1", "op": "eq", "value": "no"}]
    assert detail["question_total"] == 4
    # a question used by skip logic cannot be deleted; another can
    refused(admin, "DELETE", f"/surveys/questions/{q1.json()['public_id']}", None)
    gone = call(admin, "DELETE", f"/surveys/questions/{q2.json()['public_id']}")
    assert gone.status_code == 204
    assert (
        call(admin, "DELETE", f"/surveys/sections/{second.json()['public_id']}").status_code == 204
    )
    # archive: no longer listed by default
    assert call(admin, "POST", f"/surveys/questionnaires/{qn['public_id']}/archive").json()[
        "archived"
    ]
    listed = call(admin, "GET", "/surveys/questionnaires").json()
    assert qn["public_id"] not in {i["public_id"] for i in listed["items"]}
    archived = call(admin, "GET", "/surveys/questionnaires?archived=true").json()
    assert [i["public_id"] for i in archived["items"]] == [qn["public_id"]]


def test_questionnaire_from_bank_and_copy(world: World) -> None:
    admin = client(world, "a_admin")
    r = call(
        admin,
        "POST",
        "/surveys/questionnaires/from-bank",
        {
            "county": "10008",
            "group": "students",
            "items": ["s1", "S2"],
            "title_zh": "學生問卷",
            "primary": True,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert [s["title_zh"][:2] for s in body["sections"]] == ["S1", "S2"]
    assert body["school"] is None and body["group"] == "students"
    copy = call(
        admin,
        "POST",
        f"/surveys/questionnaires/{body['public_id']}/copy",
        {"school": str(world.schools["A-junior"].public_id)},
    )
    assert copy.status_code == 201, copy.content
    assert copy.json()["school"]["code"] == "083501"
    assert copy.json()["question_total"] == body["question_total"]
    assert copy.json()["title_zh"] == "學生問卷（複本）"
    refused(
        admin,
        "POST",
        "/surveys/questionnaires/from-bank",
        {"county": "10008", "group": "county_staff", "items": ["S1"], "title_zh": "x"},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "single", "text_zh": "x", "options": [{"zh": "只有一個"}]}, "options"),
        ({"kind": "scale5", "text_zh": "x", "strategies": ["S9.Z9"]}, "strategies"),
        ({"kind": "scale5", "text_zh": "x", "show_if": [{"q": "Q9", "op": "answered"}]}, "show_if"),
        (
            {"kind": "scale5", "text_zh": "x", "show_if": [{"q": "Q1", "op": "near"}]},
            "show_if.0.op",
        ),
        ({"kind": "number", "text_zh": "x", "min_value": 5, "max_value": 1}, "max_value"),
        ({"kind": "essay", "text_zh": "x"}, "kind"),
        ({"kind": "scale5", "text_zh": ""}, "text_zh"),
        ({"kind": "scale5", "text_zh": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_question_changes_nothing(world: World, body: dict[str, Any], field: str) -> None:
    qn = questionnaire(world)
    section = qn.sections.get()
    response = refused(
        client(world, "elem_admin"),
        "POST",
        f"/surveys/sections/{section.public_id}/questions",
        body,
    )
    assert field in fields(response)
    assert all(e["message"] for e in response.json()["detail"])


def test_a_questionnaire_with_answers_is_locked(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    answer_with_codes(world, r, "teachers", [4])
    admin = client(world, "elem_admin")
    detail = call(admin, "GET", f"/surveys/questionnaires/{qn.public_id}").json()
    assert detail["locked"]
    q1 = qn.questions.get(code="Q1")
    refused(admin, "PATCH", f"/surveys/questions/{q1.public_id}", {"text_zh": "改題目"})
    refused(admin, "POST", f"/surveys/questions/{q1.public_id}/move", {"direction": "down"})
    refused(admin, "PATCH", f"/surveys/questionnaires/{qn.public_id}", {"group": "leaders"})
    refused(admin, "PATCH", f"/surveys/questionnaires/{qn.public_id}", {"title_zh": None})
    refused(admin, "PATCH", f"/surveys/questionnaires/{qn.public_id}", {})
    # the title may still change; a copy is free to edit
    ok = call(admin, "PATCH", f"/surveys/questionnaires/{qn.public_id}", {"title_en": "Teachers"})
    assert ok.status_code == 200 and ok.json()["title_en"] == "Teachers"
    copy = call(admin, "POST", f"/surveys/questionnaires/{qn.public_id}/copy", {}).json()
    assert not copy["locked"]


def test_bank_question_of_a_school(world: World) -> None:
    admin = client(world, "elem_admin")
    body = {
        "group": "parents",
        "kind": "scale5",
        "text_zh": "孩子喜歡用平板學習",
        "item": "s4",
        "strategies": ["S4.D1"],
    }
    r = call(admin, "POST", "/surveys/bank", body)  # the only school elem_admin administers
    assert r.status_code == 201, r.content
    assert r.json()["school"]["code"] == "083601" and not r.json()["built_in"]
    assert r.json()["item"] == "S4"
    mine = call(admin, "GET", "/surveys/bank?group=parents&strategy=s4.d1&limit=500").json()
    assert r.json()["public_id"] in {b["public_id"] for b in mine["items"]}
    other = call(client(world, "junior_admin"), "GET", "/surveys/bank?limit=500").json()
    assert r.json()["public_id"] not in {b["public_id"] for b in other["items"]}
    # a county admin administers several scopes: say which
    county_admin = client(world, "a_admin")
    refused(
        county_admin,
        "POST",
        "/surveys/bank",
        {**body, "school": str(world.schools["B-elem"].public_id)},
    )
    refused(county_admin, "POST", "/surveys/bank", {**body, "county": "10002"})


# --- runs, codes and answering ---------------------------------------------------------------


def _times() -> dict[str, str]:
    now = timezone.now()
    return {
        "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    }


def test_anonymous_run_from_creation_to_results(world: World) -> None:
    qn = questionnaire(world)
    admin = client(world, "elem_admin")
    created = call(
        admin,
        "POST",
        "/surveys/runs",
        {
            "title": "教師問卷",
            "mode": "anonymous",
            "parts": {"teachers": str(qn.public_id)},
            **_times(),
        },
    )
    assert created.status_code == 201, created.content
    run_id = created.json()["public_id"]
    assert created.json()["status"] == "draft" and created.json()["school"]["code"] == "083601"
    opened = call(admin, "POST", f"/surveys/runs/{run_id}/open")
    assert opened.status_code == 200 and opened.json()["open_now"]
    made = call(admin, "POST", f"/surveys/runs/{run_id}/codes", {"group": "teachers", "count": 6})
    assert made.status_code == 201, made.content
    codes = [c["code"] for c in made.json()["codes"]]
    assert len(codes) == 6 and made.json()["issued"] == 6
    detail = call(admin, "GET", f"/surveys/runs/{run_id}").json()
    assert detail["codes"] == [{"group": "teachers", "issued": 6, "unused": 6}]
    assert not any(c in json.dumps(detail) for c in codes)
    # the form of a code, without signing in
    form = Client().get(f"{BASE}/surveys/answer/{codes[0].lower()[:4]}-{codes[0][4:]}")
    assert form.status_code == 200, form.content
    assert [q["code"] for q in form.json()["sections"][0]["questions"]] == ["Q1", "Q2", "Q3"]
    assert form.json()["sections"][0]["questions"][2]["show_if"][0]["q"] == "Q2"
    assert [p["value"] for p in form.json()["scale"]] == [5, 4, 3, 2, 1, 0]
    anonymous = Client(enforce_csrf_checks=True)
    for code, score in zip(codes, [5, 5, 4, 4, 2, 1], strict=True):
        answers = {"Q1": score, "Q2": "yes" if score > 2 else "no"}
        if score <= 2:
            answers["Q3"] = f"理由{score}"
        r = call(anonymous, "POST", "/surveys/answer", {"code": code, "answers": answers})
        assert r.status_code == 201, r.content
        assert r.json() == {"received": True, "answered": len(answers)}
    # used codes are gone: from the list, from the answer endpoints
    assert call(admin, "GET", f"/surveys/runs/{run_id}/codes").json()["count"] == 0
    assert anonymous.get(f"{BASE}/surveys/answer/{codes[0]}").status_code == 404
    assert anonymous.get(f"{BASE}/surveys/answer/{codes[0]}").json() == {"detail": "Not Found"}
    again = refused(anonymous, "POST", "/surveys/answer", {"code": codes[0], "answers": {"Q1": 3}})
    assert fields(again) == {"code"}
    progress = call(admin, "GET", f"/surveys/runs/{run_id}/progress").json()
    assert progress["rows"][0]["answered"] == 6 and progress["rows"][0]["rate"] == 100
    results = call(admin, "GET", f"/surveys/runs/{run_id}/results").json()
    row = next(r for r in results["rows"] if r["key"] == "S2-voice")
    assert row["cells"][0]["mean"] == pytest.approx(3.5) and not row["cells"][0]["suppressed"]
    closed = call(admin, "POST", f"/surveys/runs/{run_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused(admin, "POST", f"/surveys/runs/{run_id}/close", None)
    refused(admin, "POST", f"/surveys/runs/{run_id}/codes", {"group": "teachers", "count": 1})


def test_bad_runs_change_nothing(world: World) -> None:
    qn = questionnaire(world)
    other = questionnaire(world, school="A-junior")
    admin = client(world, "elem_admin")
    good = {
        "title": "問卷",
        "mode": "anonymous",
        "parts": {"teachers": str(qn.public_id)},
        **_times(),
    }
    for change, field in [
        ({"parts": {"teachers": str(other.public_id)}}, "parts.teachers"),  # not visible
        ({"parts": {"robots": str(qn.public_id)}}, "parts.robots"),
        ({"min_group_size": 3}, "min_group_size"),
        ({"closes_at": (timezone.now() - timedelta(days=3)).isoformat()}, "closes_at"),
        ({"schools": [str(world.schools["A-junior"].public_id)]}, "schools"),
        ({"mode": "secret"}, "mode"),
        ({"previous": str(qn.public_id)}, "previous"),
    ]:
        response = refused(admin, "POST", "/surveys/runs", {**good, **change})
        assert field in fields(response), (change, response.json())


def test_codes_for_a_class_and_a_school(world: World) -> None:
    students = questionnaire(world, group="students", school=None)
    r = run(world, {"students": students}, school=None, schools=[world.schools["A-elem"]])
    admin = client(world, "a_admin")
    path = f"/surveys/runs/{r.public_id}/codes"
    klass = str(world.classes["A-elem 5-1"].public_id)
    link = call(
        admin,
        "POST",
        path,
        {"group": "students", "school_class": klass, "count": 30, "reusable": True},
    )
    assert link.status_code == 201, link.content
    (code,) = link.json()["codes"]
    assert code["reusable"] and code["uses_left"] == 30 and code["school"]["code"] == "083601"
    assert code["school_class"]["public_id"] == klass
    refused(
        admin,
        "POST",
        path,
        {"group": "students", "school": str(world.schools["A-junior"].public_id), "count": 1},
    )
    refused(
        admin,
        "POST",
        path,
        {
            "group": "students",
            "school_class": str(world.classes["A-junior 7-1"].public_id),
            "count": 1,
        },
    )
    refused(admin, "POST", path, {"group": "teachers", "count": 1})
    refused(admin, "POST", path, {"group": "students", "count": 2001})
    listed = call(admin, "GET", path).json()
    assert [c["code"] for c in listed["items"]] == [code["code"]]


def test_bad_answers_change_nothing(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    (code,) = services.codes_generate(
        run=r, actor=world.users["a_admin"], group="teachers", count=1
    )
    anonymous = Client(enforce_csrf_checks=True)
    bad = refused(
        anonymous,
        "POST",
        "/surveys/answer",
        {"code": code.code, "answers": {"Q1": 9, "Q2": "no", "Q7": 1}},
    )
    assert fields(bad) == {"answers.Q1", "answers.Q3", "answers.Q7"}
    assert (
        refused(anonymous, "POST", "/surveys/answer", {"code": "ZZZZZZZZ", "answers": {}}).json()[
            "detail"
        ][0]["field"]
        == "code"
    )
    assert "answers" in fields(refused(anonymous, "POST", "/surveys/answer", {"code": code.code}))
    code.refresh_from_db()
    assert code.uses_left == 1 and not Submission.objects.exists()


# --- anonymity through the API ---------------------------------------------------------------


def _identity_columns() -> list[tuple[Any, str]]:
    """Every foreign key to a user or a person, in every table."""
    from dtss.accounts.models import User
    from dtss.orgs.models import Person

    out = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in (User, Person):
                out.append((model, f.attname))
    return out


def test_answering_with_a_token_records_no_identity(world: World) -> None:
    from dtss.accounts.models import ApiToken
    from dtss.core.models import AuditEntry

    qn = questionnaire(world, group="students")
    r = run(world, {"students": qn})
    codes = services.codes_generate(run=r, actor=world.users["a_admin"], group="students", count=1)
    student = world.users["elem_student"]
    token, key = api_token_create(user=student, name="learning platform")
    c = Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"})
    c.force_login(student)  # and a browser session too
    before_audit = AuditEntry.objects.count()
    identity_before = {
        (model, column): set(model._default_manager.values_list("pk", column))
        for model, column in _identity_columns()
    }
    response = call(
        c, "POST", "/surveys/answer", {"code": codes[0].code, "answers": {"Q1": 4, "Q2": "yes"}}
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"received", "answered"}
    # nothing new anywhere points at a user or a person, and the token was not even read
    assert AuditEntry.objects.count() == before_audit
    for (model, column), before in identity_before.items():
        after = set(model._default_manager.values_list("pk", column))
        assert after == before, f"{model._meta.label}.{column} changed"
    token.refresh_from_db()
    assert token.last_used_at is None
    assert ApiToken.objects.filter(user=student).count() == 1
    (submission,) = Submission.objects.filter(run=r)
    assert submission.invitation_id is None and submission.submitted_at is None
    assert str(student.pk) not in json.dumps(list(submission.answers.values("value")))


def test_no_endpoint_links_an_answer_to_a_code(world: World) -> None:
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    admin = client(world, "elem_admin")
    made = call(
        admin, "POST", f"/surveys/runs/{r.public_id}/codes", {"group": "teachers", "count": 7}
    ).json()
    codes = [c["code"] for c in made["codes"]]
    for code, score in zip(codes[:6], [5, 4, 4, 3, 2, 1], strict=True):
        answers = {"Q1": score, "Q2": "no", "Q3": f"理由{score}"}
        assert (
            call(
                Client(), "POST", "/surveys/answer", {"code": code, "answers": answers}
            ).status_code
            == 201
        )
    used, unused = codes[:6], codes[6:]
    secrets = [*used, *(str(s.public_id) for s in Submission.objects.all())]
    bodies = []
    for path in [
        f"/surveys/runs/{r.public_id}",
        f"/surveys/runs/{r.public_id}/codes",
        f"/surveys/runs/{r.public_id}/progress",
        f"/surveys/runs/{r.public_id}/results",
        f"/surveys/runs/{r.public_id}/results/schools",
        "/surveys/runs",
        f"/surveys/questionnaires/{qn.public_id}",
    ]:
        response = call(admin, "GET", path)
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
    for body in bodies:
        assert not any(s in body for s in secrets)
    assert unused[0] in bodies[1]  # unused codes may be reprinted
    # texts come sorted, not in the order they were given
    results = json.loads(bodies[3])
    why = next(row for row in results["rows"] if row["key"] == "teachers:Q3")
    assert why["cells"][0]["texts"] == sorted(f"理由{s}" for s in [5, 4, 4, 3, 2, 1])
    # an anonymous run has no named answers
    assert call(admin, "GET", f"/surveys/runs/{r.public_id}/answers").status_code == 422
    assert call(admin, "GET", f"/surveys/runs/{r.public_id}/invitations").status_code == 422


# --- results equal the page's published figures ------------------------------------------------


def _published(res: selectors.Results) -> dict[tuple[str, str], Any]:
    out = {}
    for row in res.rows:
        for group, c in row.cells.items():
            out[(row.key, group)] = (
                {
                    "n": c.n,
                    "mean": c.mean,
                    "agree": c.agree,
                    "counts": [list(x) for x in c.counts],
                    "texts": c.texts,
                }
                if c.shown
                else None
            )
    return out


def _api_cells(body: dict[str, Any]) -> dict[tuple[str, str], Any]:
    out = {}
    for row in body["rows"]:
        for c in row["cells"]:
            if c["suppressed"]:
                assert {c[k] for k in ("n", "mean", "agree", "na", "counts", "texts")} == {None}
                out[(row["key"], c["group"])] = None
            else:
                out[(row["key"], c["group"])] = {
                    "n": c["n"],
                    "mean": c["mean"],
                    "agree": c["agree"],
                    "counts": [[x["value"], x["label"], x["count"]] for x in c["counts"]],
                    "texts": c["texts"],
                }
    return out


def test_results_equal_the_published_figures_and_suppress_small_groups(world: World) -> None:
    teachers = questionnaire(world)
    leaders = questionnaire(world, group="leaders", title="行政問卷")
    r = run(world, {"teachers": teachers, "leaders": leaders})
    answer_with_codes(world, r, "teachers", [5, 5, 4, 4, 2, 1])
    answer_with_codes(world, r, "leaders", [5, 5, 5, 5])  # four: below 5
    body = call(client(world, "a_staff"), "GET", f"/surveys/runs/{r.public_id}/results").json()
    expected = _published(selectors.run_results(run=r, language="zh-hant"))
    assert _api_cells(body) == expected
    groups = {g["group"]: g for g in body["groups"]}
    assert groups["leaders"]["suppressed"] and not groups["teachers"]["suppressed"]
    assert groups["teachers"]["respondents"] == 6 and body["min_group_size"] == 5
    voice = next(row for row in body["rows"] if row["key"] == "S2-voice")
    assert voice["gap"] is None  # nothing to compare with a suppressed group
    leaders_cell = next(c for c in voice["cells"] if c["group"] == "leaders")
    assert leaders_cell["suppressed"] and leaders_cell["mean"] is None
    why = next(row for row in body["rows"] if row["key"] == "teachers:Q3")
    assert why["cells"][0]["suppressed"] and why["cells"][0]["texts"] is None  # two answers
    # the county breakdown of a school's run: one school, the small group suppressed
    breakdown = call(
        client(world, "a_admin"), "GET", f"/surveys/runs/{r.public_id}/results/schools"
    ).json()
    (school,) = breakdown["schools"]
    cells = {c["group"]: c for c in school["groups"]}
    assert cells["leaders"]["suppressed"] and cells["leaders"]["mean"] is None
    assert (
        cells["teachers"]["mean"]
        == selectors.school_breakdown(run=r)[0]["groups"]["teachers"]["mean"]
    )


def test_a_class_filter_cannot_reveal_the_rest_of_the_school(world: World) -> None:
    students = questionnaire(world, group="students")
    r = run(world, {"students": students})
    klass = world.classes["A-elem 5-1"]
    answer_with_codes(world, r, "students", [4] * 7, school_class=klass)
    answer_with_codes(world, r, "students", [1] * 3)  # codes for the school, no class
    admin = client(world, "elem_admin")
    whole = call(admin, "GET", f"/surveys/runs/{r.public_id}/results").json()
    assert not whole["blocked"] and whole["groups"][0]["respondents"] == 10
    only_class = call(admin, "GET", f"/surveys/runs/{r.public_id}/results?class={klass.public_id}")
    body = only_class.json()
    assert body["blocked"] and body["groups"][0]["suppressed"]
    assert body["school_class"]["public_id"] == str(klass.public_id)
    assert all(c["suppressed"] for row in body["rows"] for c in row["cells"])
    assert _api_cells(body) == _published(selectors.run_results(run=r, class_id=klass.pk))


def test_a_class_of_a_county_run_is_compared_with_its_school(world: World) -> None:
    """A class filter on a county run is checked against its own school, not only against
    the whole run: otherwise the school's figure minus the class's would reveal the rest."""
    students = questionnaire(world, group="students", school=None)
    r = run(
        world,
        {"students": students},
        school=None,
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
    )
    klass = world.classes["A-elem 5-1"]
    answer_with_codes(
        world, r, "students", [4] * 7, school=world.schools["A-elem"], school_class=klass
    )
    answer_with_codes(world, r, "students", [1] * 3, school=world.schools["A-elem"])
    answer_with_codes(world, r, "students", [3] * 10, school=world.schools["A-junior"])
    admin = client(world, "a_admin")
    school = call(
        admin,
        "GET",
        f"/surveys/runs/{r.public_id}/results?school={world.schools['A-elem'].public_id}",
    ).json()
    assert not school["blocked"] and school["groups"][0]["respondents"] == 10
    body = call(admin, "GET", f"/surveys/runs/{r.public_id}/results?class={klass.public_id}").json()
    assert body["blocked"] and body["school"]["code"] == "083601"
    assert all(c["suppressed"] for row in body["rows"] for c in row["cells"])
    # filters outside the run
    bad = call(
        admin,
        "GET",
        f"/surveys/runs/{r.public_id}/results?school={world.schools['B-elem'].public_id}",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0] == {
        "field": "school",
        "message": bad.json()["detail"][0]["message"],
        "location": "query",
    }
    other = call(
        admin,
        "GET",
        f"/surveys/runs/{r.public_id}/results?class={world.classes['B-elem 3-2'].public_id}",
    )
    assert other.status_code == 422 and fields(other) == {"class"}


def test_previous_run_shows_the_change(world: World) -> None:
    qn = questionnaire(world)
    first = run(world, {"teachers": qn})
    answer_with_codes(world, first, "teachers", [2, 2, 2, 2, 2])
    services.run_close(run=first, actor=world.users["a_admin"])
    second = run(world, {"teachers": qn}, previous=first)
    answer_with_codes(world, second, "teachers", [4, 4, 4, 4, 3])
    body = call(
        client(world, "elem_admin"), "GET", f"/surveys/runs/{second.public_id}/results"
    ).json()
    assert body["previous"]["public_id"] == str(first.public_id)
    cell = next(row for row in body["rows"] if row["key"] == "S2-voice")["cells"][0]
    assert cell["previous_mean"] == 2.0 and cell["change"] == 1.8


# --- named runs --------------------------------------------------------------------------------


def test_named_run_answer_remind_and_read(world: World, settings: Any) -> None:
    settings.SITE_URL = "https://dtss.example.org"
    qn = questionnaire(world, group="parents", pair="", title="戶外教學調查表")
    r = run(world, {"parents": qn}, mode="named")
    parent = client(world, "elem_parent")
    mine = call(parent, "GET", "/surveys/invitations").json()
    assert mine["count"] == 1
    inv = mine["items"][0]
    assert inv["about"]["name"] == world.people["elem_student"].name and inv["answered_at"] is None
    detail = call(parent, "GET", f"/surveys/invitations/{inv['public_id']}").json()
    assert detail["answers"] == {} and detail["form"]["title_zh"] == "戶外教學調查表"
    path = f"/surveys/invitations/{inv['public_id']}/answers"
    bad = refused(parent, "PUT", path, {"answers": {"Q1": 4, "Q2": "no"}})
    assert fields(bad) == {"answers.Q3"}
    # only the invitee
    for name in ("elem_admin", "a_admin", "elem_student", "b_parent"):
        assert (
            call(client(world, name), "PUT", path, {"answers": {"Q1": 4, "Q2": "yes"}}).status_code
            == 404
        )
        assert (
            call(client(world, name), "GET", f"/surveys/invitations/{inv['public_id']}").status_code
            == 404
        )
    admin = client(world, "elem_admin")
    mail.outbox.clear()
    reminded = call(admin, "POST", f"/surveys/runs/{r.public_id}/remind")
    assert reminded.json() == {"sent": 1, "no_email": 0, "skipped": 0}
    assert mail.outbox[0].to == [world.people["elem_parent"].email]
    ok = call(parent, "PUT", path, {"answers": {"Q1": 4, "Q2": "yes"}})
    assert ok.status_code == 200, ok.content
    assert ok.json()["answers"] == {"Q1": 4, "Q2": "yes"} and ok.json()["answered_at"]
    changed = call(parent, "PUT", path, {"answers": {"Q1": 2, "Q2": "no", "Q3": "太遠"}})
    assert changed.json()["answers"] == {"Q1": 2, "Q2": "no", "Q3": "太遠"}
    invitations = call(admin, "GET", f"/surveys/runs/{r.public_id}/invitations").json()
    assert invitations["count"] == 1 and invitations["items"][0]["answered_at"]
    assert invitations["items"][0]["reminders"] == 1
    assert (
        call(admin, "GET", f"/surveys/runs/{r.public_id}/invitations?answered=false").json()[
            "count"
        ]
        == 0
    )
    answers = call(admin, "GET", f"/surveys/runs/{r.public_id}/answers").json()
    assert answers["items"][0]["answers"] == {"Q1": 2, "Q2": "no", "Q3": "太遠"}
    assert answers["items"][0]["person"]["name"] == world.people["elem_parent"].name
    # county staff read results, not the named answers
    staff = client(world, "a_staff")
    assert call(staff, "GET", f"/surveys/runs/{r.public_id}/answers").status_code == 403
    assert call(staff, "GET", f"/surveys/runs/{r.public_id}/results").status_code == 200
    # invite someone more
    added = call(
        admin,
        "POST",
        f"/surveys/runs/{r.public_id}/invitations",
        {"group": "parents", "people": [str(world.people["elem_teacher"].public_id)]},
    )
    assert added.status_code == 201 and added.json() == {"added": 1, "invited_total": 2}
    refused(
        admin,
        "POST",
        f"/surveys/runs/{r.public_id}/invitations",
        {"group": "parents", "people": [str(world.people["b_teacher"].public_id)]},
    )
    # after closing, answers cannot change
    services.run_close(run=r, actor=world.users["a_admin"])
    refused(parent, "PUT", path, {"answers": {"Q1": 5, "Q2": "yes"}})
    assert call(parent, "GET", "/surveys/invitations").json()["count"] == 0
    refused(admin, "POST", f"/surveys/runs/{r.public_id}/remind", None)


def test_file_questions_are_answered_on_the_page_only(world: World) -> None:
    admin = world.users["a_admin"]
    qn = services.questionnaire_create(
        actor=admin,
        county=world.counties["A"],
        school=world.schools["A-elem"],
        title_zh="報名表",
        group="teachers",
        purpose="form",
    )
    section = qn.sections.get()
    services.question_create(section=section, actor=admin, kind="short_text", text_zh="姓名")
    services.question_create(section=section, actor=admin, kind="file", text_zh="證明文件")
    r = run(world, {"teachers": qn}, mode="named")
    inv = r.invitations.get()
    teacher = client(world, "elem_teacher")
    bad = refused(
        teacher,
        "PUT",
        f"/surveys/invitations/{inv.public_id}/answers",
        {"answers": {"Q1": "王老師", "Q2": "a.pdf"}},
    )
    assert fields(bad) == {"answers.Q2"}
    ok = call(
        teacher,
        "PUT",
        f"/surveys/invitations/{inv.public_id}/answers",
        {"answers": {"Q1": "王老師"}},
    )
    assert ok.status_code == 200


def test_a_run_of_another_kind_refuses_codes_or_invitations(world: World) -> None:
    qn = questionnaire(world, pair="")
    named = run(world, {"teachers": qn}, mode="named")
    admin = client(world, "elem_admin")
    refused(
        admin, "POST", f"/surveys/runs/{named.public_id}/codes", {"group": "teachers", "count": 1}
    )
    anonymous = run(world, {"teachers": qn})
    refused(
        admin, "POST", f"/surveys/runs/{anonymous.public_id}/invitations", {"group": "teachers"}
    )
    refused(admin, "POST", f"/surveys/runs/{anonymous.public_id}/remind", None)
    draft = Run.objects.filter(pk=anonymous.pk)
    draft.update(status=Run.Status.DRAFT)
    (code,) = services.codes_generate(
        run=anonymous, actor=world.users["a_admin"], group="teachers", count=1
    )
    assert Client().get(f"{BASE}/surveys/answer/{code.code}").status_code == 404  # not open
