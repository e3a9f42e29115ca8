"""Who may see and change needs and procurement, for every page and every API endpoint:
teachers (and students, parents) 403; another county 404; a school administrator sees neither
another school's needs or arrivals nor a draft collection or plan, and may not do what only
the county office does (403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dtss.devices import procurement_services as svc
from dtss.devices.models import NeedsCollection, NeedSubmission, ProcurementLine, ProcurementPlan
from dtss.devices.tests.procurement_helpers import make_loop, open_collection, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(world: Any) -> dict[str, Any]:
    loop = make_loop(world)
    draft = svc.collection_create(
        county=world.counties["A"],
        title="草稿",
        opens_on=today(),
        closes_on=today(),
        kinds=[],
        instructions="",
    )
    draft_plan = svc.plan_create(county=world.counties["A"], title="草稿計畫")
    return {
        "c": loop.collection.public_id,
        "draft": draft.public_id,
        "sub": loop.elem.public_id,
        "jsub": loop.junior.public_id,
        "need": loop.elem_line.public_id,
        "plan": loop.plan.public_id,
        "draft_plan": draft_plan.public_id,
        "pline": loop.plan.lines.first().public_id,
        "alloc": loop.allocation(world, "A-elem").public_id,
        "elem": world.schools["A-elem"].public_id,
    }


# (method, url name, state key or None)
PAGES = [
    ("get", "devices:needs_list", None),
    ("get", "devices:needs_create", None),
    ("get", "devices:plan_list", None),
    ("get", "devices:plan_create", None),
    ("get", "devices:needs_detail", "c"),
    ("get", "devices:needs_edit", "c"),
    ("post", "devices:needs_open", "c"),
    ("post", "devices:needs_close", "c"),
    ("get", "devices:needs_export_csv", "c"),
    ("get", "devices:needs_export_xlsx", "c"),
    ("get", "devices:need_submission", "c"),
    ("get", "devices:need_line_edit", "need"),
    ("post", "devices:need_line_delete", "need"),
    ("post", "devices:need_submit", "sub"),
    ("post", "devices:need_return", "sub"),
    ("get", "devices:plan_detail", "plan"),
    ("get", "devices:plan_edit", "plan"),
    ("get", "devices:plan_line_add", "plan"),
    ("post", "devices:plan_approve", "plan"),
    ("post", "devices:plan_ordered", "plan"),
    ("get", "devices:plan_export_csv", "plan"),
    ("get", "devices:plan_line_edit", "pline"),
    ("post", "devices:plan_line_delete", "pline"),
    ("get", "devices:plan_receive", "alloc"),
]

A = "/api/v1"
# (method, path template, body)
ENDPOINTS = [
    ("get", "/needs-collections", None),
    (
        "post",
        "/needs-collections",
        {"title": "x", "opens_on": "2025-01-01", "closes_on": "2025-01-02"},
    ),
    ("get", "/needs-collections/{c}", None),
    ("patch", "/needs-collections/{c}", {"title": "改"}),
    ("post", "/needs-collections/{c}/open", None),
    ("post", "/needs-collections/{c}/close", None),
    ("get", "/needs-collections/{c}/submissions", None),
    ("post", "/needs-collections/{c}/submissions", {}),
    ("get", "/need-submissions/{sub}", None),
    (
        "post",
        "/need-submissions/{sub}/lines",
        {"kind": "tablet", "quantity": 1, "justification": "x"},
    ),
    ("patch", "/need-lines/{need}", {"quantity": 2}),
    ("delete", "/need-lines/{need}", None),
    ("post", "/need-submissions/{sub}/submit", None),
    ("post", "/need-submissions/{sub}/return", {"comment": "x"}),
    ("get", "/procurement-plans", None),
    ("post", "/procurement-plans", {"title": "x"}),
    ("get", "/procurement-plans/{plan}", None),
    (
        "post",
        "/procurement-plans/{plan}/lines",
        {"kind": "tablet", "quantity": 1, "unit_cost": 1, "allocations": []},
    ),
    ("patch", "/procurement-lines/{pline}", {"quantity": 2}),
    ("post", "/procurement-plans/{plan}/approve", None),
    ("post", "/procurement-plans/{plan}/ordered", None),
    ("post", "/allocations/{alloc}/receive", {"items": [{"serial": "X1"}]}),
]


def _page(client: Any, method: str, name: str, key: str | None, state: dict[str, Any]) -> Any:
    url = reverse(name, args=[state[key]] if key else [])
    return client.post(url, {"comment": "x"}) if method == "post" else client.get(url)


def _call(client: Any, method: str, path: str, body: Any, state: dict[str, Any]) -> Any:
    url = A + path.format(**state)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body or {}, content_type="application/json")


@pytest.mark.parametrize("user", ["elem_teacher", "elem_student", "elem_parent", "outsider"])
def test_teachers_students_parents_get_403_everywhere(world: Any, state: Any, user: str) -> None:
    client = world.client(user)
    for method, name, key in PAGES:
        assert _page(client, method, name, key, state).status_code == 403, name
    for method, path, body in ENDPOINTS:
        assert _call(client, method, path, body, state).status_code == 403, path
    assert NeedSubmission.objects.get(public_id=state["sub"]).status == "submitted"


def test_another_county_gets_404(world: Any, state: Any) -> None:
    client = world.client("b_admin")
    for method, name, key in PAGES:
        expected = 200 if key is None else 404
        assert _page(client, method, name, key, state).status_code == expected, name
    for method, path, body in ENDPOINTS:
        r = _call(client, method, path, body, state)
        if "{" in path:
            assert r.status_code == 404, path
    assert "115" not in client.get(reverse("devices:needs_list")).content.decode()
    for path in ("/needs-collections", "/procurement-plans"):
        assert {c["county"] for c in client.get(A + path).json()["items"]} <= {"10002"}
    plan = ProcurementPlan.objects.get(public_id=state["plan"])
    assert plan.status == "approved" and plan.lines.count() == 2


def test_school_admin_sees_only_own_school_and_no_drafts(world: Any, state: Any) -> None:
    junior = world.client("junior_admin")
    # another school's submission, need lines and arrivals: 404
    url = reverse("devices:need_submission", args=[state["c"]])
    assert junior.get(url, {"school": state["elem"]}).status_code == 404
    for method, name, key in [
        ("get", "devices:need_line_edit", "need"),
        ("post", "devices:need_line_delete", "need"),
        ("post", "devices:need_submit", "sub"),
        ("get", "devices:plan_receive", "alloc"),
    ]:
        assert _page(junior, method, name, key, state).status_code == 404, name
    for method, path, body in [
        ("get", "/need-submissions/{sub}", None),
        ("patch", "/need-lines/{need}", {"quantity": 2}),
        ("delete", "/need-lines/{need}", None),
        ("post", "/need-submissions/{sub}/submit", None),
        ("post", "/allocations/{alloc}/receive", {"items": [{"serial": "X1"}]}),
    ]:
        assert _call(junior, method, path, body, state).status_code == 404, path
    rows = junior.get(A + "/needs-collections/{c}/submissions".format(**state)).json()["items"]
    assert [r["school"] for r in rows] == ["083501"]
    detail = junior.get(A + "/procurement-plans/{plan}".format(**state)).json()
    assert {a["school"] for line in detail["lines"] for a in line["allocations"]} == {"083501"}

    # drafts: neither the collection nor the plan
    elem = world.client("elem_admin")
    assert elem.get(reverse("devices:needs_detail", args=[state["draft"]])).status_code == 404
    assert elem.get(reverse("devices:need_submission", args=[state["draft"]])).status_code == 404
    assert elem.get(A + f"/needs-collections/{state['draft']}").status_code == 404
    assert elem.get(reverse("devices:plan_detail", args=[state["draft_plan"]])).status_code == 404
    assert elem.get(A + f"/procurement-plans/{state['draft_plan']}").status_code == 404
    assert elem.get(A + "/needs-collections").json()["count"] == 1


def test_school_admin_may_not_do_the_county_office_work(world: Any, state: Any) -> None:
    elem = world.client("elem_admin")
    for method, name, key in [
        ("get", "devices:needs_create", None),
        ("get", "devices:plan_create", None),
        ("get", "devices:needs_edit", "c"),
        ("post", "devices:needs_close", "c"),
        ("post", "devices:need_return", "sub"),
        ("get", "devices:needs_export_csv", "c"),
        ("post", "devices:plan_approve", "plan"),
        ("post", "devices:plan_ordered", "plan"),
        ("get", "devices:plan_line_edit", "pline"),
    ]:
        assert _page(elem, method, name, key, state).status_code == 403, name
    county_only = {
        ("post", "/needs-collections"),
        ("patch", "/needs-collections/{c}"),
        ("post", "/needs-collections/{c}/open"),
        ("post", "/needs-collections/{c}/close"),
        ("post", "/need-submissions/{sub}/return"),
        ("post", "/procurement-plans"),
        ("post", "/procurement-plans/{plan}/lines"),
        ("patch", "/procurement-lines/{pline}"),
        ("post", "/procurement-plans/{plan}/approve"),
        ("post", "/procurement-plans/{plan}/ordered"),
    }
    for method, path, body in ENDPOINTS:
        if (method, path) in county_only:
            assert _call(elem, method, path, body, state).status_code == 403, path
    assert NeedsCollection.objects.get(public_id=state["c"]).status == "open"
    assert ProcurementLine.objects.get(public_id=state["pline"]).quantity == 5
    # the county office does not fill a school's needs
    county = world.client("a_staff")
    r = county.post(
        reverse("devices:need_submission", args=[state["c"]]) + f"?school={state['elem']}",
        {"kind": "tablet", "quantity": "1", "priority": "2", "justification": "x"},
    )
    assert r.status_code == 403
    assert _call(county, "post", "/need-submissions/{sub}/submit", None, state).status_code == 403


def test_open_collection_for_a_fresh_school_page(world: Any) -> None:
    """A school administrator opens a collection before answering: the page shows facts and
    an empty list, and nothing is created until the first need is added."""
    c = open_collection(world)
    r = world.client("elem_admin").get(reverse("devices:need_submission", args=[c.public_id]))
    assert r.status_code == 200 and r.context["editable"] and r.context["submission"] is None
    assert not NeedSubmission.objects.exists()
