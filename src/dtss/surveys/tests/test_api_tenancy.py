"""Who reaches what through /api/v1/surveys/, beyond the matrix of dtss.api.tests: every
endpoint without credentials (401, except answering with a code), and what each role's lists
contain (another county's or school's objects never appear; students and parents get 403)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from dtss.api.tests.conftest import PUBLIC
from dtss.api.urls import api
from dtss.conftest import World
from dtss.surveys import services
from dtss.surveys.models import AccessCode, Invitation, Questionnaire, Run
from dtss.surveys.tests.factories import questionnaire, run
from dtss.surveys.tests.test_api import BASE, call, client, snapshot


@dataclass
class Objects:
    qn: Questionnaire
    anonymous: Run
    named: Run
    code: AccessCode
    invitation: Invitation


def _objects(world: World) -> Objects:
    qn = questionnaire(world)
    anonymous = run(world, {"teachers": qn})
    named = run(world, {"parents": questionnaire(world, group="parents", pair="")}, mode="named")
    (code,) = services.codes_generate(
        run=anonymous, actor=world.users["a_admin"], group="teachers", count=1
    )
    return Objects(qn, anonymous, named, code, named.invitations.get())


def _survey_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix=BASE)
    return sorted(
        (method.upper(), path.removeprefix(BASE))
        for path, operations in schema["paths"].items()
        if path.startswith(f"{BASE}/surveys/")
        for method in operations
    )


def _fill(o: Objects, path: str) -> str:
    if "{code}" in path:
        return path.replace("{code}", o.code.code)
    named = any(path.endswith(s) for s in ("/invitations", "/remind", "/answers"))
    target: Any = {
        "/surveys/questionnaires/": o.qn,
        "/surveys/sections/": o.qn.sections.get(),
        "/surveys/questions/": o.qn.questions.get(code="Q1"),
        "/surveys/runs/": o.named if named else o.anonymous,
        "/surveys/invitations/": o.invitation,
    }
    for prefix, obj in target.items():
        if path.startswith(prefix):
            return path.replace("{public_id}", str(obj.public_id))
    return path


@pytest.mark.parametrize(("method", "path"), _survey_operations())
def test_without_credentials(world: World, method: str, path: str) -> None:
    """401 on every survey endpoint, with real ids of objects that exist; only the answer
    endpoints work without signing in."""
    o = _objects(world)
    anonymous = Client(enforce_csrf_checks=True)
    body = None
    if method != "GET":
        body = (
            {"code": o.code.code, "answers": {"Q1": 4, "Q2": "yes"}}
            if path in ("/surveys/answer",)
            else {}
        )
    before = snapshot()
    response = call(anonymous, method, _fill(o, path), body)
    if f"{method} {path}" in PUBLIC:
        assert response.status_code == (201 if method == "POST" else 200), response.content
        return
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": "Unauthorized"}
    assert snapshot() == before


def test_the_matrix_and_this_file_know_every_survey_endpoint() -> None:
    from dtss.api.tests.test_tenancy_matrix import MATRIX

    in_matrix = {r.endpoint for r in MATRIX if r.path.startswith("/surveys/")}
    assert in_matrix == {f"{m} {p}" for m, p in _survey_operations()}
    assert {e for e in PUBLIC if e.startswith(("GET /surveys", "POST /surveys"))} == PUBLIC


# --- list contents ---------------------------------------------------------------------------


@pytest.fixture
def spread(world: World) -> dict[str, Any]:
    """A questionnaire, run and bank question for A-elem, A-junior, the county A and B-elem."""
    out: dict[str, Any] = {}
    for key, county, school, admin in (
        ("A-elem", "A", "A-elem", "a_admin"),
        ("A-junior", "A", "A-junior", "a_admin"),
        ("A-county", "A", None, "a_admin"),
        ("B-elem", "B", "B-elem", "b_admin"),
    ):
        actor = world.users[admin]
        owner = world.counties[county]
        target = world.schools[school] if school else None
        qn = services.questionnaire_create(
            actor=actor, county=owner, school=target, title_zh=f"問卷{key}"
        )
        services.question_create(
            section=qn.sections.get(), actor=actor, kind="scale5", text_zh="題目"
        )
        bank = services.bank_question_create(
            actor=actor,
            county=owner,
            school=target,
            group="teachers",
            kind="scale5",
            text_zh=f"題庫{key}",
        )
        r = services.run_create(
            actor=actor,
            county=owner,
            school=target,
            title=f"run{key}",
            mode="named",
            parts={"teachers": qn},
            schools=[world.schools["A-elem"]] if key == "A-county" else [],
            opens_at=qn.created_at,
            closes_at=qn.created_at.replace(year=2099),
        )
        services.run_open(run=r, actor=actor)
        out[key] = {"qn": qn, "run": r, "bank": bank}
    return out


LISTS = {
    # role: keys of the questionnaires/runs/own bank questions listed
    "moe": {"A-elem", "A-junior", "A-county", "B-elem"},
    "a_admin": {"A-elem", "A-junior", "A-county"},
    "a_staff": {"A-elem", "A-junior", "A-county"},
    "b_admin": {"B-elem"},
    "elem_admin": {"A-elem"},
    "junior_admin": {"A-junior"},
    "elem_teacher": {"A-elem"},
    "b_teacher": {"B-elem"},
    "elem_student": None,
    "elem_parent": None,
    "b_parent": None,
    "outsider": None,
}


@pytest.mark.parametrize(("role", "expected"), LISTS.items())
def test_lists_show_only_the_scope(
    world: World, spread: dict[str, Any], role: str, expected: set[str] | None
) -> None:
    c = client(world, role)
    ids = {
        kind: {str(v[kind].public_id): k for k, v in spread.items()}
        for kind in ("qn", "run", "bank")
    }
    for kind, path in (
        ("qn", "/surveys/questionnaires?limit=500"),
        ("run", "/surveys/runs?limit=500"),
        ("bank", "/surveys/bank?limit=500"),
    ):
        response = call(c, "GET", path)
        if expected is None:
            assert response.status_code == 403, (path, response.content)
            continue
        assert response.status_code == 200
        items = response.json()["items"]
        listed = {ids[kind][i["public_id"]] for i in items if i["public_id"] in ids[kind]}
        own_bank = kind == "bank"
        if own_bank and role in ("elem_admin", "junior_admin", "elem_teacher", "b_teacher"):
            # a school reads its own questions and its county's
            county = "B-county" if role == "b_teacher" else "A-county"
            assert listed == expected | ({county} & set(spread)), (role, path)
        else:
            assert listed == expected, (role, path)
    # my invitations: only my own, in every role
    mine = call(c, "GET", "/surveys/invitations?limit=500").json()["items"]
    invited = {str(i.public_id) for i in Invitation.objects.filter(person=world.people[role])}
    assert {i["public_id"] for i in mine} == invited


def test_invitations_of_others_are_404_and_never_listed(world: World) -> None:
    qn = questionnaire(world, group="parents", pair="")
    named = run(world, {"parents": qn}, mode="named")
    inv = named.invitations.get()
    assert inv.person == world.people["elem_parent"]
    for role in ("moe", "a_admin", "elem_admin", "elem_teacher", "elem_student", "b_parent"):
        c = client(world, role)
        assert call(c, "GET", "/surveys/invitations").json()["count"] == 0
        assert call(c, "GET", f"/surveys/invitations/{inv.public_id}").status_code == 404
    listed = call(client(world, "elem_parent"), "GET", "/surveys/invitations").json()
    assert [i["public_id"] for i in listed["items"]] == [str(inv.public_id)]


def test_a_kiosk_session_answers_without_csrf(world: World) -> None:
    """The answer endpoints check neither credentials nor CSRF: a shared browser signed in
    as someone (or not) submits for an anonymous respondent."""
    qn = questionnaire(world)
    r = run(world, {"teachers": qn})
    (code,) = services.codes_generate(
        run=r, actor=world.users["a_admin"], group="teachers", count=1
    )
    kiosk = Client(enforce_csrf_checks=True)
    kiosk.force_login(world.users["elem_teacher"])
    response = kiosk.post(
        f"{BASE}/surveys/answer",
        json.dumps({"code": code.code, "answers": {"Q1": 4, "Q2": "yes"}}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # while a staff write through the same session needs the CSRF token
    refused = kiosk.post(
        f"{BASE}/surveys/runs/{r.public_id}/codes",
        json.dumps({"group": "teachers", "count": 1}),
        content_type="application/json",
    )
    assert refused.status_code in (401, 403)
