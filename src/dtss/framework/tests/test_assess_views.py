"""Self-assessment pages: the permission matrix, filling and the stage, autosave, evidence,
submission and review (journeys 2 and 3).

The matrix reads as a table: (URL, user) → expected status. 404 means "does not exist for you":
another school's or county's assessment, response or evidence looks exactly like a missing one.
403: the user may see the object but not do this.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from dtss.conftest import World
from dtss.framework import services
from dtss.framework.models import Assessment, AssessmentEvent, Cycle, Evidence, Response

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}

ALL = [
    "moe",
    "a_admin",
    "a_staff",
    "b_admin",
    "elem_admin",
    "junior_admin",
    "elem_teacher",
    "junior_teacher",
    "b_teacher",
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
]
STUDENTS_PARENTS = {
    "elem_student",
    "elem_student2",
    "b_student",
    "elem_parent",
    "b_parent",
    "outsider",
}
STAFF = set(ALL) - STUDENTS_PARENTS


def expect(
    ok: set[str], *, forbidden: set[str] = frozenset(), ok_status: int = 200
) -> dict[str, int]:  # type: ignore[assignment]
    """Every user: `ok_status` for `ok`, 403 for `forbidden` and for students/parents (pages
    are for staff), 404 for everyone else."""
    return {
        u: ok_status if u in ok else 403 if u in forbidden | STUDENTS_PARENTS else 404 for u in ALL
    }


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Setup:
    world: World
    cycle_a: Cycle
    cycle_b: Cycle
    assessments: dict[str, Assessment]

    def response(self, key: str, code: str) -> Response:
        return Response.objects.get(assessment=self.assessments[key], strategy__code=code)


def open_cycles(world: World, *, rule_share: Decimal = Decimal("1")) -> Setup:
    """County A opens a cycle for A-elem and A-junior (and itself); county B for B-elem."""
    today = timezone.localdate()
    a, b = world.counties["A"], world.counties["B"]
    cycle_a = services.cycle_open(
        county=a,
        name="114學年度第1學期",
        opens_on=today - timedelta(days=10),
        deadline=today + timedelta(days=30),
        schools=[world.schools["A-elem"], world.schools["A-junior"]],
        include_county=True,
        rule_share=rule_share,
        actor=world.users["a_admin"],
    )
    cycle_b = services.cycle_open(
        county=b,
        name="114學年度第1學期",
        opens_on=today - timedelta(days=10),
        deadline=today + timedelta(days=30),
        schools=[world.schools["B-elem"]],
        include_county=True,
        actor=world.users["b_admin"],
    )
    assessments = {
        "elem": cycle_a.assessments.get(school=world.schools["A-elem"]),
        "junior": cycle_a.assessments.get(school=world.schools["A-junior"]),
        "county": cycle_a.assessments.get(school__isnull=True),
        "b": cycle_b.assessments.get(school=world.schools["B-elem"]),
    }
    return Setup(world, cycle_a, cycle_b, assessments)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def setup(world: World, media: Any) -> Setup:
    s = open_cycles(world)
    for key, user in (("elem", "elem_admin"), ("b", "b_admin"), ("county", "a_admin")):
        code = "L1.D1" if key == "county" else "S1.D1"
        services.evidence_add(
            response=s.response(key, code),
            actor=world.users[user],
            kind="file",
            file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        )
    return s


def en(world: World, user: str) -> Client:
    """A signed-in client that chose English (the assertions read English source strings;
    Chinese is the default and its translations are added separately)."""
    client = world.client(user)
    client.cookies["dtss_language"] = "en"
    return client


def _evidence(s: Setup, key: str) -> Evidence:
    return Evidence.objects.get(response__assessment=s.assessments[key], kind="file")


def _detail(key: str) -> Callable[[Setup], str]:
    return lambda s: reverse("framework:assessment_detail", args=[s.assessments[key].public_id])


def _item(key: str, code: str) -> Callable[[Setup], str]:
    return lambda s: reverse("framework:assessment_item", args=[s.assessments[key].public_id, code])


ELEM_READERS = {"moe", "a_admin", "a_staff", "elem_admin", "elem_teacher"}
JUNIOR_READERS = {"moe", "a_admin", "a_staff", "junior_admin", "junior_teacher"}
B_READERS = {"moe", "b_admin", "b_teacher"}
A_COUNTY_READERS = {"moe", "a_admin", "a_staff"}

PAGES: dict[str, tuple[Callable[[Setup], str], dict[str, int]]] = {
    "list": (lambda s: reverse("framework:assessment_list"), expect(STAFF)),
    "detail A-elem": (_detail("elem"), expect(ELEM_READERS)),
    "detail A-junior": (_detail("junior"), expect(JUNIOR_READERS)),
    "detail B-elem": (_detail("b"), expect(B_READERS)),
    "detail county A": (_detail("county"), expect(A_COUNTY_READERS)),
    "item A-elem S1": (_item("elem", "S1"), expect(ELEM_READERS)),
    "item A-junior S2": (_item("junior", "S2"), expect(JUNIOR_READERS)),
    "item B-elem S1": (_item("b", "S1"), expect(B_READERS)),
    "item county A L1": (_item("county", "L1"), expect(A_COUNTY_READERS)),
    "evidence A-elem": (
        lambda s: reverse("framework:evidence_download", args=[_evidence(s, "elem").public_id]),
        expect(ELEM_READERS),
    ),
    "evidence B-elem": (
        lambda s: reverse("framework:evidence_download", args=[_evidence(s, "b").public_id]),
        expect(B_READERS),
    ),
    "evidence county A": (
        lambda s: reverse("framework:evidence_download", args=[_evidence(s, "county").public_id]),
        expect(A_COUNTY_READERS),
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_access(setup: Setup, page: str) -> None:
    """Reads change nothing, so one world serves every user of a page; a failure lists every
    user whose status differs from the table."""
    url_of, table = PAGES[page]
    url = url_of(setup)
    got = {user: setup.world.client(user).get(url).status_code for user in ALL}
    wrong = {u: f"got {got[u]}, expected {table[u]}" for u in ALL if got[u] != table[u]}
    assert not wrong, f"{page}: {wrong}"


# --- writes: who may, and nothing changes for those who may not --------------------------------


@dataclass
class Post:
    url: Callable[[Setup], str]
    data: Callable[[Setup], dict[str, Any]]
    table: dict[str, int]
    json: bool = False
    before: Callable[[Setup], None] | None = None


def _response_url(key: str, code: str) -> Callable[[Setup], str]:
    return lambda s: reverse("framework:response_update", args=[s.response(key, code).public_id])


def _evidence_add_url(key: str, code: str) -> Callable[[Setup], str]:
    return lambda s: reverse("framework:evidence_add", args=[s.response(key, code).public_id])


def _submitted(key: str) -> Callable[[Setup], None]:
    def run(s: Setup) -> None:
        actor = "a_admin" if key in ("elem", "junior", "county") else "b_admin"
        services.assessment_submit(assessment=s.assessments[key], actor=s.world.users[actor])

    return run


SCHOOL_FILLERS = {"elem_admin", "a_admin"}
ELEM_SEE_ONLY = {"moe", "a_staff", "elem_teacher"}

POSTS: dict[str, Post] = {
    "autosave A-elem": Post(
        _response_url("elem", "S1.D2"),
        lambda s: {"status": "planned"},
        expect(SCHOOL_FILLERS, forbidden=ELEM_SEE_ONLY),
        json=True,
    ),
    "form save A-elem": Post(
        _response_url("elem", "S1.D2"),
        lambda s: {"status": "planned", "notes": "x", "owner": ""},
        expect(SCHOOL_FILLERS, forbidden=ELEM_SEE_ONLY, ok_status=302),
    ),
    "autosave B-elem": Post(
        _response_url("b", "S1.D2"),
        lambda s: {"status": "planned"},
        expect({"b_admin"}, forbidden={"moe", "b_teacher"}),
        json=True,
    ),
    "autosave county A": Post(
        _response_url("county", "L1.D2"),
        lambda s: {"status": "planned"},
        expect({"a_admin", "a_staff"}, forbidden={"moe"}),
        json=True,
    ),
    "add evidence A-elem": Post(
        _evidence_add_url("elem", "S1.D2"),
        lambda s: {"text": "會議紀錄"},
        expect(SCHOOL_FILLERS, forbidden=ELEM_SEE_ONLY, ok_status=302),
    ),
    "add evidence B-elem": Post(
        _evidence_add_url("b", "S1.D2"),
        lambda s: {"text": "會議紀錄"},
        expect({"b_admin"}, forbidden={"moe", "b_teacher"}, ok_status=302),
    ),
    "remove evidence A-elem": Post(
        lambda s: reverse("framework:evidence_remove", args=[_evidence(s, "elem").public_id]),
        lambda s: {},
        expect(SCHOOL_FILLERS, forbidden=ELEM_SEE_ONLY, ok_status=302),
    ),
    "remove evidence county A": Post(
        lambda s: reverse("framework:evidence_remove", args=[_evidence(s, "county").public_id]),
        lambda s: {},
        expect({"a_admin", "a_staff"}, forbidden={"moe"}, ok_status=302),
    ),
    "submit A-elem": Post(
        lambda s: reverse("framework:assessment_submit", args=[s.assessments["elem"].public_id]),
        lambda s: {"note": ""},
        expect(SCHOOL_FILLERS, forbidden=ELEM_SEE_ONLY, ok_status=302),
    ),
    "submit county A": Post(
        lambda s: reverse("framework:assessment_submit", args=[s.assessments["county"].public_id]),
        lambda s: {"note": ""},
        expect({"a_admin", "a_staff"}, forbidden={"moe"}, ok_status=302),
    ),
    # A school never reviews itself; a county reviews its schools, not its own Table 6.
    "review A-elem": Post(
        lambda s: reverse("framework:assessment_review", args=[s.assessments["elem"].public_id]),
        lambda s: {"action": "request_changes", "item": "S2", "note": "請補充"},
        expect(
            {"a_admin", "a_staff"}, forbidden={"moe", "elem_admin", "elem_teacher"}, ok_status=302
        ),
        before=_submitted("elem"),
    ),
    "review B-elem": Post(
        lambda s: reverse("framework:assessment_review", args=[s.assessments["b"].public_id]),
        lambda s: {"action": "accept", "note": ""},
        expect({"b_admin"}, forbidden={"moe", "b_teacher"}, ok_status=302),
        before=_submitted("b"),
    ),
    "review county A": Post(
        lambda s: reverse("framework:assessment_review", args=[s.assessments["county"].public_id]),
        lambda s: {"action": "accept", "note": ""},
        expect(set(), forbidden={"moe", "a_admin", "a_staff"}),
        before=_submitted("county"),
    ),
}
POST_CASES = [(p, u, st) for p, post in POSTS.items() for u, st in post.table.items()]


def _fingerprint() -> tuple[Any, ...]:
    return (
        AssessmentEvent.objects.count(),
        Evidence.objects.count(),
        tuple(Assessment.objects.order_by("id").values_list("status", flat=True)),
        tuple(Response.objects.order_by("id").values_list("status", "notes", "owner_id")),
    )


@pytest.mark.parametrize(("name", "user", "status"), POST_CASES)
def test_post_access(setup: Setup, name: str, user: str, status: int) -> None:
    post = POSTS[name]
    if post.before:
        post.before(setup)
    url = post.url(setup)
    before = _fingerprint()
    extra = FETCH if post.json else {}
    response = setup.world.client(user).post(url, post.data(setup), **extra)
    assert response.status_code == status, f"{user} on {name}: {response.status_code}"
    if status in (403, 404):
        assert _fingerprint() == before, f"{user} on {name} changed something"
    else:
        assert _fingerprint() != before, f"{user} on {name} changed nothing"


def test_get_on_post_only_urls_is_refused(setup: Setup) -> None:
    client = setup.world.client("elem_admin")
    for url in (
        _response_url("elem", "S1.D1")(setup),
        _evidence_add_url("elem", "S1.D1")(setup),
        reverse("framework:assessment_submit", args=[setup.assessments["elem"].public_id]),
        reverse("framework:evidence_remove", args=[_evidence(setup, "elem").public_id]),
    ):
        assert client.get(url).status_code == 405


def test_anonymous_is_sent_to_login(setup: Setup) -> None:
    for url in (reverse("framework:assessment_list"), _detail("elem")(setup)):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    response = Client().post(_response_url("elem", "S1.D1")(setup), {"status": "planned"})
    assert response.status_code == 302
    assert setup.response("elem", "S1.D1").status == "not_started"


def test_unknown_item_and_other_levels_item_are_404(setup: Setup) -> None:
    client = setup.world.client("elem_admin")
    assert client.get(_item("elem", "S9")(setup)).status_code == 404
    assert client.get(_item("elem", "L1")(setup)).status_code == 404  # a county item
    bad = reverse("framework:assessment_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(bad).status_code == 404


def test_media_files_are_not_served_statically(setup: Setup) -> None:
    evidence = _evidence(setup, "elem")
    assert evidence.file.name.startswith("evidence/")
    client = setup.world.client("elem_admin")
    assert client.get("/media/" + evidence.file.name).status_code == 404
    body = client.get(_item("elem", "S1")(setup)).content.decode()
    assert evidence.file.name not in body
    assert reverse("framework:evidence_download", args=[evidence.public_id]) in body


# --- the list -----------------------------------------------------------------------------------


def test_list_groups_by_cycle_newest_first_with_status_stages_and_filters(
    world: World, media: Any
) -> None:
    s = open_cycles(world)
    today = timezone.localdate()
    older = services.cycle_open(
        county=world.counties["A"],
        name="113學年度第2學期",
        opens_on=today - timedelta(days=200),
        deadline=today - timedelta(days=100),
        schools=[world.schools["A-elem"]],
        include_county=False,
        actor=world.users["a_admin"],
    )
    services.assessment_submit(assessment=s.assessments["elem"], actor=world.users["elem_admin"])
    client = en(world, "a_staff")
    response = client.get(reverse("framework:assessment_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("114學年度第1學期") < body.index("113學年度第2學期")
    assert "南投國小" in body and "南投國中" in body and "宜蘭國小" not in body
    groups = response.context["groups"]
    assert [g["cycle"] for g in groups] == [s.cycle_a, older]
    first = [r["assessment"] for r in groups[0]["rows"]]
    assert first[0] == s.assessments["county"]  # the county's own (Table 6) first
    assert {r["assessment"].school for r in groups[0]["rows"][1:]} == {
        world.schools["A-elem"],
        world.schools["A-junior"],
    }
    # the older cycle's draft is past its deadline
    old_row = groups[1]["rows"][0]
    assert old_row["overdue"] is True
    assert all(not r["overdue"] for r in groups[0]["rows"])
    # stage summary from assessment.stages: one entry per item, none reached yet
    elem_row = next(r for r in groups[0]["rows"] if r["assessment"] == s.assessments["elem"])
    assert [x["code"] for x in elem_row["stages"]] == ["S1", "S2", "S3", "S4", "S5"]
    assert {x["stage"] for x in elem_row["stages"]} == {None}

    def names(**params: str) -> set[str]:
        r = client.get(reverse("framework:assessment_list"), params)
        return {row["name"] for g in r.context["groups"] for row in g["rows"]}

    assert names(status="submitted") == {"南投國小"}
    assert names(cycle=str(older.public_id)) == {"南投國小"}
    assert names(stage="junior") == {"南投國中"}
    district = world.schools["A-elem"].district
    assert names(district=str(district.public_id), cycle=str(s.cycle_a.public_id)) == {
        "南投國小",
        "南投國中",
    }
    assert names(cycle="not-a-uuid") == set()
    assert names(status="nonsense") == set()


def test_school_admin_sees_only_own_school_in_list(setup: Setup) -> None:
    response = en(setup.world, "elem_admin").get(reverse("framework:assessment_list"))
    rows = [r["assessment"] for g in response.context["groups"] for r in g["rows"]]
    assert rows == [setup.assessments["elem"]]


def test_list_pages(setup: Setup, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    client = en(setup.world, "a_admin")
    first = client.get(reverse("framework:assessment_list"))
    second = client.get(reverse("framework:assessment_list"), {"page": 2})
    rows1 = [r["assessment"] for g in first.context["groups"] for r in g["rows"]]
    rows2 = [r["assessment"] for g in second.context["groups"] for r in g["rows"]]
    assert len(rows1) == 2 and len(rows2) == 1
    assert not set(rows1) & set(rows2)


# --- filling moves the stage --------------------------------------------------------------------


def _autosave(client: Client, response: Response, **data: str) -> Any:
    return client.post(
        reverse("framework:response_update", args=[response.public_id]), data, **FETCH
    )


def _add_text_evidence(client: Client, response: Response, text: str = "照片與紀錄") -> Any:
    return client.post(reverse("framework:evidence_add", args=[response.public_id]), {"text": text})


def test_marking_development_strategies_with_evidence_moves_s1_to_development(
    world: World, media: Any
) -> None:
    s = open_cycles(world)
    client = en(world, "elem_admin")
    d_codes = ["S1.D1", "S1.D2"]
    a_codes = list(
        Response.objects.filter(
            assessment=s.assessments["elem"], strategy__item__code="S1", strategy__stage="A"
        ).values_list("strategy__code", flat=True)
    )
    for i, code in enumerate(d_codes):
        r = s.response("elem", code)
        data = _autosave(client, r, status="implemented").json()
        assert data["ok"] is True
        assert data["stage"] is None  # the default rule also wants evidence
        assert _add_text_evidence(client, r).status_code == 302
        if i == 0:
            data = _autosave(client, r, notes="第一項").json()
            assert data["stage"] is None
            assert data["next_share_text"] == "1 of 2 strategies of Development met"
    data = _autosave(client, s.response("elem", "S1.D2"), notes="完成").json()
    assert data["stage"] == "D"
    assert data["stage_label"] == "Development"
    assert data["next_stage"] == "A"
    assert data["next_steps"] == a_codes
    assert data["next_share_text"] == f"0 of {len(a_codes)} strategies of Acceleration met"
    assert set(data["met"]) == set(d_codes)
    assert data["bar"] == {"D": 100, "A": 0, "M": 0}
    s.assessments["elem"].refresh_from_db()
    assert s.assessments["elem"].stages["S1"] == "D"

    page = client.get(_item("elem", "S1")(s))
    assert page.context["card"].result.stage == "D"
    shown = [n["response"].strategy.code for n in page.context["next_steps"] if not n["hidden"]]
    assert shown == a_codes
    overview = client.get(_detail("elem")(s))
    s1 = next(c for c in overview.context["cards"] if c.item.code == "S1")
    assert s1.result.stage == "D" and s1.met == 2 and s1.evidence == 2
    # one strategy of acceleration implemented with evidence: the share moves
    r = s.response("elem", a_codes[0])
    _autosave(client, r, status="embedded")
    _add_text_evidence(client, r)
    data = _autosave(client, r, notes="").json()
    assert data["next_share_text"] == f"1 of {len(a_codes)} strategies of Acceleration met"
    assert data["bar"]["A"] == round(100 / len(a_codes))


def test_two_thirds_rule_needs_fewer_strategies(world: World, media: Any) -> None:
    s = open_cycles(world, rule_share=Decimal("0.667"))
    client = en(world, "elem_admin")
    s2_d = list(
        Response.objects.filter(
            assessment=s.assessments["elem"], strategy__item__code="S2", strategy__stage="D"
        ).order_by("strategy__order")
    )
    assert len(s2_d) == 4  # 3 of 4 needed with two-thirds
    page = client.get(_item("elem", "S2")(s))
    assert page.context["card"].share_text == "0 of 4 strategies of Development met (3 needed)"
    for r in s2_d[:2]:
        _add_text_evidence(client, r)
        data = _autosave(client, r, status="implemented").json()
    assert data["stage"] is None
    _add_text_evidence(client, s2_d[2])
    data = _autosave(client, s2_d[2], status="implemented").json()
    assert data["stage"] == "D"
    assert data["next_stage"] == "A"
    assert s2_d[3].strategy.code not in data["met"]  # the fourth is not needed


# --- autosave ----------------------------------------------------------------------------------


def test_autosave_good_answer_carries_state_and_keeps_history(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    r = setup.response("elem", "S1.D2")
    owner = setup.world.people["elem_teacher"]
    data = _autosave(client, r, status="in_progress").json()
    assert data["ok"] is True and data["status"] == "in_progress"
    assert len(data["saved_at"]) == 5 and data["saved_at"][2] == ":"
    assert _autosave(client, r, owner=str(owner.public_id)).json()["owner"] == str(owner.public_id)
    assert _autosave(client, r, notes="規劃中  ").json()["ok"] is True
    r.refresh_from_db()
    assert (r.status, r.owner, r.notes) == ("in_progress", owner, "規劃中  ")
    assert r.updated_by == setup.world.users["elem_admin"]
    event = AssessmentEvent.objects.get(assessment=r.assessment, action="status")
    assert (event.from_status, event.to_status, event.strategy) == (
        "not_started",
        "in_progress",
        r.strategy,
    )
    assert event.by == setup.world.users["elem_admin"] and event.at is not None
    # clearing the owner
    assert _autosave(client, r, owner="").json()["owner"] is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": ""}, "status"),
        ({"notes": "x" * 10001}, "notes"),
        ({"owner": "00000000-0000-0000-0000-000000000000"}, "owner"),
        ({"owner": "not-a-uuid"}, "owner"),
        ({}, "__all__"),
    ],
)
def test_autosave_bad_input_is_400_naming_the_field_and_changes_nothing(
    setup: Setup, data: dict[str, str], field: str
) -> None:
    r = setup.response("elem", "S1.D2")
    before = _fingerprint()
    response = _autosave(en(setup.world, "elem_admin"), r, **data)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and list(body["errors"]) == [field]
    assert body["errors"][field][0]
    assert _fingerprint() == before


def test_autosave_owner_from_another_school_is_refused(setup: Setup) -> None:
    r = setup.response("elem", "S1.D2")
    for person in ("junior_teacher", "b_teacher", "elem_student"):
        data = {"owner": str(setup.world.people[person].public_id)}
        response = _autosave(en(setup.world, "elem_admin"), r, **data)
        assert response.status_code == 400 and "owner" in response.json()["errors"]
    r.refresh_from_db()
    assert r.owner is None


def test_autosave_on_a_submitted_assessment_is_400_submitted(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    services.assessment_submit(
        assessment=setup.assessments["elem"], actor=setup.world.users["elem_admin"]
    )
    r = setup.response("elem", "S1.D2")
    response = _autosave(client, r, status="implemented", notes="late")
    assert response.status_code == 400
    assert "submitted" in " ".join(response.json()["errors"]["__all__"])
    r.refresh_from_db()
    assert (r.status, r.notes) == ("not_started", "")
    # the page is read-only now and says why
    page = client.get(_item("elem", "S1")(setup))
    assert page.context["editable"] is False
    assert "submitted" in page.context["readonly_reason"]
    assert b"data-autosave-url" not in page.content and b"assess.js" not in page.content


def test_plain_form_post_saves_and_redirects_or_shows_errors(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    r = setup.response("elem", "S1.D1")
    url = reverse("framework:response_update", args=[r.public_id])
    owner = setup.world.people["elem_admin"]
    response = client.post(
        url, {"status": "planned", "owner": str(owner.public_id), "notes": "下學期"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/items/S1/#s-S1-D1")
    r.refresh_from_db()
    assert (r.status, r.owner, r.notes) == ("planned", owner, "下學期")
    response = client.post(url, {"status": "finished", "owner": "", "notes": "改"})
    assert response.status_code == 200
    block = next(
        b for g in response.context["groups"] for b in g["blocks"] if b.response.pk == r.pk
    )
    assert "status" in block.form.errors
    r.refresh_from_db()
    assert (r.status, r.notes) == ("planned", "下學期")


def test_item_page_has_autosave_form_with_csrf_and_static_script(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    body = client.get(_item("elem", "S1")(setup)).content.decode()
    r = setup.response("elem", "S1.D1")
    assert f'data-autosave-url="/framework/responses/{r.public_id}/"' in body
    assert "csrfmiddlewaretoken" in body
    assert '<script src="/static/framework/assess.js"' in body
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body
    assert client.get("/static/framework/assess.js").status_code == 200
    # owners: the school's administrators and teachers only
    owners = {
        p.name
        for p in client.get(_item("elem", "S1")(setup))
        .context["groups"][0]["blocks"][0]
        .form.fields["owner"]
        .queryset
    }
    assert owners == {"elem_admin", "elem_teacher"}


def test_county_table6_owner_choices_are_county_staff(setup: Setup) -> None:
    page = en(setup.world, "a_staff").get(_item("county", "L1")(setup))
    owners = {p.name for p in page.context["groups"][0]["blocks"][0].form.fields["owner"].queryset}
    assert owners == {"a_admin", "a_staff"}


def test_read_only_for_who_can_see_but_not_fill(setup: Setup) -> None:
    for user in ("elem_teacher", "a_staff", "moe"):
        page = en(setup.world, user).get(_item("elem", "S1")(setup))
        assert page.status_code == 200
        assert page.context["editable"] is False
        assert b"data-autosave-url" not in page.content
        assert b'enctype="multipart/form-data"' not in page.content
        detail = en(setup.world, user).get(_detail("elem")(setup))
        assert detail.context["can_submit"] is False
        assert b"framework/assessments/" in detail.content


# --- evidence ----------------------------------------------------------------------------------


def _upload(client: Client, response: Response, upload: Any, **extra: str) -> Any:
    return client.post(
        reverse("framework:evidence_add", args=[response.public_id]), {"file": upload, **extra}
    )


def _evidence_errors(page: Any, response: Response) -> dict[str, list[str]]:
    block = next(
        b for g in page.context["groups"] for b in g["blocks"] if b.response.pk == response.pk
    )
    assert block.evidence_open is True
    return {k: list(v) for k, v in block.evidence_form.errors.items()}


@pytest.mark.parametrize(
    ("name", "content", "field", "words"),
    [
        ("virus.exe", b"MZ....", "file", "not an accepted type"),
        ("page.html", b"<script>", "file", "not an accepted type"),
        ("noextension", b"abc", "file", "not an accepted type"),
        ("fake.pdf", b"MZ this is not a pdf", "file", "does not look like a PDF"),
        ("photo.jpg", PNG, "file", "does not look like a JPG"),
        ("empty.pdf", b"", "file", "empty"),
    ],
)
def test_evidence_file_errors_name_the_field(
    setup: Setup, name: str, content: bytes, field: str, words: str
) -> None:
    r = setup.response("elem", "S1.D2")
    before = _fingerprint()
    page = _upload(en(setup.world, "elem_admin"), r, SimpleUploadedFile(name, content))
    assert page.status_code == 200
    errors = _evidence_errors(page, r)
    assert field in errors and words in " ".join(errors[field])
    assert _fingerprint() == before


def test_evidence_larger_than_20_mb_is_refused(setup: Setup) -> None:
    r = setup.response("elem", "S1.D2")
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (20 * 1024 * 1024 - 3))
    page = _upload(en(setup.world, "elem_admin"), r, big)
    assert "larger than 20 MB" in " ".join(_evidence_errors(page, r)["file"])
    assert not r.evidence.exists()


def test_evidence_needs_exactly_one_thing(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    r = setup.response("elem", "S1.D2")
    url = reverse("framework:evidence_add", args=[r.public_id])
    page = client.post(url, {"title": "只有標題"})
    assert "Choose a file" in " ".join(_evidence_errors(page, r)["__all__"])
    page = client.post(url, {"url": "https://example.org/a", "text": "兩者"})
    assert "one piece of evidence" in " ".join(_evidence_errors(page, r)["__all__"])
    page = client.post(url, {"url": "javascript:alert(1)"})
    assert "url" in _evidence_errors(page, r)
    response = client.post(url, {"url": "https://example.org/a", "text": "兩者"}, **FETCH)
    assert response.status_code == 400 and "__all__" in response.json()["errors"]
    assert not r.evidence.exists()


def test_evidence_file_link_and_text_are_added_served_and_removed(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    r = setup.response("elem", "S1.D2")
    assert _upload(client, r, SimpleUploadedFile("會議紀錄.pdf", PDF)).status_code == 302
    assert (
        _upload(client, r, SimpleUploadedFile("教室.PNG", PNG), title="教室照片").status_code == 302
    )
    url = reverse("framework:evidence_add", args=[r.public_id])
    assert client.post(url, {"url": "https://example.org/plan"}).status_code == 302
    assert client.post(url, {"text": "每週資訊會議"}).status_code == 302
    kinds = list(r.evidence.order_by("created_at", "id").values_list("kind", "title"))
    assert kinds == [
        ("file", "會議紀錄.pdf"),
        ("file", "教室照片"),
        ("link", "https://example.org/plan"),
        ("text", "每週資訊會議"),
    ]
    pdf = r.evidence.get(title="會議紀錄.pdf")
    assert (pdf.content_type, pdf.size) == ("application/pdf", len(PDF))
    download = en(setup.world, "elem_teacher").get(
        reverse("framework:evidence_download", args=[pdf.public_id])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E6%9C%83" in download["Content-Disposition"]  # 會議紀錄.pdf
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # non-file evidence has no download
    link = r.evidence.get(kind="link")
    assert (
        client.get(reverse("framework:evidence_download", args=[link.public_id])).status_code == 404
    )
    page = client.get(_item("elem", "S1")(setup)).content.decode()
    assert "教室照片" in page and "https://example.org/plan" in page and "每週資訊會議" in page
    # remove
    path = pdf.file.path
    response = client.post(reverse("framework:evidence_remove", args=[pdf.public_id]))
    assert response.status_code == 302
    assert not r.evidence.filter(pk=pdf.pk).exists()
    import os

    assert not os.path.exists(path)


def test_office_documents_are_downloaded_as_attachments(setup: Setup) -> None:
    client = en(setup.world, "elem_admin")
    r = setup.response("elem", "S1.D2")
    _upload(client, r, SimpleUploadedFile("計畫.docx", b"PK\x03\x04 docx"))
    doc = r.evidence.get()
    download = client.get(reverse("framework:evidence_download", args=[doc.public_id]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "sandbox"


# --- submit, review, freeze (journey 3) --------------------------------------------------------


def test_submit_request_changes_answer_accept_freezes_with_history(setup: Setup) -> None:
    w = setup.world
    school, reviewer = en(w, "elem_admin"), en(w, "a_staff")
    a = setup.assessments["elem"]
    detail = _detail("elem")(setup)
    submit = reverse("framework:assessment_submit", args=[a.public_id])
    review = reverse("framework:assessment_review", args=[a.public_id])

    page = school.get(detail)
    assert page.context["can_submit"] and not page.context["can_review"]
    assert b'action="' + submit.encode() in page.content
    r = setup.response("elem", "S2.D1")
    _autosave(school, r, status="implemented")
    assert school.post(submit, {"note": "請審閱"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted" and a.submitted_at is not None

    page = reviewer.get(detail)
    assert page.context["can_review"] and not page.context["can_submit"]
    assert b'value="request_changes"' in page.content
    # a reviewer cannot edit the school's responses
    assert _autosave(reviewer, r, status="planned").status_code == 403
    # comment on an item, then ask for changes on S2
    assert (
        reviewer.post(review, {"action": "comment", "item": "S1", "note": "S1 很好"}).status_code
        == 302
    )
    reviewer.post(review, {"action": "request_changes", "item": "S2", "note": ""})
    a.refresh_from_db()
    assert a.status == "submitted"  # a request for changes needs a comment
    reviewer.post(review, {"action": "request_changes", "item": "S2", "note": "S2.D1 請附會議紀錄"})
    a.refresh_from_db()
    assert a.status == "changes_requested"

    # the school sees the request, on the overview and on S2
    page = school.get(detail)
    assert "S2.D1 請附會議紀錄" in page.content.decode()
    assert page.context["last_request"].item.code == "S2"
    s2 = next(c for c in page.context["cards"] if c.item.code == "S2")
    assert s2.comments == 1
    item_page = school.get(_item("elem", "S2")(setup))
    assert [c["event"].note for c in item_page.context["comments"]] == ["S2.D1 請附會議紀錄"]
    assert item_page.context["editable"] is True
    # the school answers: evidence, then submits again with a note
    assert _add_text_evidence(school, r, "會議紀錄 114-09-01").status_code == 302
    assert school.post(submit, {"note": "已補上會議紀錄"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted"

    # a school cannot review itself
    assert school.post(review, {"action": "accept"}).status_code == 403
    assert reviewer.post(review, {"action": "accept", "note": "通過"}).status_code == 302
    a.refresh_from_db()
    assert a.status == "accepted" and a.is_frozen and a.accepted_at is not None
    assert a.snapshot["items"][1]["item"] == "S2"
    snap = {s["id"]: s for s in a.snapshot["items"][1]["strategies"]}
    assert snap["S2.D1"]["status"] == "implemented"
    assert snap["S2.D1"]["evidence"] == ["會議紀錄 114-09-01"]

    # frozen: the pages say so and every edit is refused
    page = school.get(detail)
    assert b"frozen" in page.content
    assert page.context["can_submit"] is False
    item_page = school.get(_item("elem", "S2")(setup))
    assert (
        item_page.context["editable"] is False and "frozen" in item_page.context["readonly_reason"]
    )
    before = _fingerprint()
    assert _autosave(school, r, status="planned").status_code == 400
    assert _add_text_evidence(school, r).status_code == 302
    ev = r.evidence.get()
    school.post(reverse("framework:evidence_remove", args=[ev.public_id]))
    school.post(submit, {})
    reviewer.post(review, {"action": "request_changes", "note": "again"})
    assert _fingerprint() == before

    # history: who, when, what, the note for every step
    events = list(a.events.order_by("at", "id"))
    steps = [(e.action, e.by.username, e.note) for e in events if e.action != "status"]
    assert steps == [
        ("submit", "elem_admin", "請審閱"),
        ("comment", "a_staff", "S1 很好"),
        ("request_changes", "a_staff", "S2.D1 請附會議紀錄"),
        ("answer", "elem_admin", "已補上會議紀錄"),
        ("accept", "a_staff", "通過"),
    ]
    assert all(e.at is not None for e in events)
    history = school.get(detail).context["history"]
    assert [h["event"].action for h in history] == [e.action for e in events]
    assert history[0]["who"] == "elem_admin"  # the person's name
    body = school.get(detail).content.decode()
    for note in ("請審閱", "S2.D1 請附會議紀錄", "已補上會議紀錄", "通過"):
        assert note in body


def test_review_actions_out_of_order_show_an_error(setup: Setup) -> None:
    a = setup.assessments["elem"]
    reviewer = en(setup.world, "a_admin")
    review = reverse("framework:assessment_review", args=[a.public_id])
    response = reviewer.post(review, {"action": "accept"}, follow=True)
    assert "Only a submitted assessment can be accepted." in response.content.decode()
    response = reviewer.post(review, {"action": "comment", "note": ""}, follow=True)
    assert "Write the comment." in response.content.decode()
    response = reviewer.post(review, {"action": "nonsense"}, follow=True)
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.status == "draft" and not a.events.exists()


def test_submit_twice_is_refused_with_a_message(setup: Setup) -> None:
    a = setup.assessments["elem"]
    client = en(setup.world, "elem_admin")
    submit = reverse("framework:assessment_submit", args=[a.public_id])
    client.post(submit, {})
    response = client.post(submit, {}, follow=True)
    assert response.status_code == 200
    assert a.events.filter(action="submit").count() == 1


# --- two languages ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_pages_render_in_both_languages(setup: Setup, language: str) -> None:
    client = setup.world.client("elem_admin")
    client.cookies["dtss_language"] = language
    lang = "en" if language == "en" else "zh-Hant-TW"
    for url in (
        reverse("framework:assessment_list"),
        _detail("elem")(setup),
        _item("elem", "S1")(setup),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{lang}">' in response.content.decode()
    item = setup.response("elem", "S1.D1").strategy
    body = client.get(_item("elem", "S1")(setup)).content.decode()
    assert escape(item.text_en if language == "en" else item.text_zh) in body


def test_autosave_json_is_plain_json(setup: Setup) -> None:
    response = _autosave(
        en(setup.world, "elem_admin"), setup.response("elem", "S1.D1"), status="planned"
    )
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) >= {
        "ok",
        "status",
        "stage",
        "next_share_text",
        "saved_at",
    }
