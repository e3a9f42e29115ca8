"""Loan pages: staff lists and actions, family pages, the queue, the device panel, and tenancy
for every view (another school's or county's admin 404, wrong role 403, other family 404)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from dtss.devices import loan_services as svc
from dtss.devices.models import Assignment, LoanRequest
from dtss.devices.tests.factories import make_device

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def lend(world: Any, **kw: Any) -> Assignment:
    return svc.loan_create(
        device=kw.pop("device", None) or make_device(world),
        student=world.people[kw.pop("student", "elem_student")],
        due_on=TODAY() + dt.timedelta(days=100),
        accessories="充電器",
    )


def signed(world: Any) -> Assignment:
    loan = lend(world)
    svc.loan_sign(
        assignment=loan,
        user=world.users["elem_parent"],
        signed_name=world.people["elem_parent"].name,
        agree=True,
    )
    loan.refresh_from_db()
    return loan


def url(name: str, *args: Any) -> str:
    return reverse(f"devices:{name}", args=args)


def test_loan_list_filters_and_export(world: Any) -> None:
    waiting = lend(world)
    active = signed(world)
    client = world.client("elem_admin")
    page = client.get(url("loan_list")).content.decode()
    assert str(waiting.public_id) in page and str(active.public_id) in page
    page = client.get(url("loan_list") + "?state=awaiting").content.decode()
    assert str(waiting.public_id) in page and str(active.public_id) not in page
    page = client.get(url("loan_list") + "?q=nobody").content.decode()
    assert 'id="no-loans"' in page
    r = client.get(url("loan_export") + "?state=active")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and active.device.asset_tag in rows[1]
    # county admin chooses the school
    a_admin = world.client("a_admin")
    assert a_admin.get(url("loan_list")).status_code == 200
    school = world.schools["A-elem"].public_id
    assert (
        str(active.public_id)
        in a_admin.get(url("loan_list") + f"?school={school}").content.decode()
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("elem_teacher", 403),
        ("elem_parent", 403),
        ("elem_student", 403),
        ("moe", 403),
        ("outsider", 403),
        ("junior_admin", 404),
        ("b_admin", 404),
    ],
)
def test_loan_list_tenancy(world: Any, who: str, status: int) -> None:
    lend(world)
    school = world.schools["A-elem"].public_id
    client = world.client(who)
    assert client.get(url("loan_list") + f"?school={school}").status_code == status
    assert client.get(url("loan_export") + f"?school={school}").status_code == status


def test_create_loan_from_page(world: Any) -> None:
    device = make_device(world)
    client = world.client("elem_admin")
    page = client.get(url("loan_create") + f"?device={device.public_id}")
    assert page.status_code == 200 and device.asset_tag in page.content.decode()
    r = client.post(
        url("loan_create") + f"?device={device.public_id}",
        {
            "device": str(device.public_id),
            "student": str(world.people["elem_student"].public_id),
            "due_on": (TODAY() + dt.timedelta(days=60)).isoformat(),
            "accessories": "充電器",
        },
    )
    loan = Assignment.objects.get(device=device)
    assert r.status_code == 302 and r["Location"] == url("loan_detail", loan.public_id)
    assert loan.status == "awaiting" and loan.created_by == world.users["elem_admin"]
    # a second loan of the same device: error on the page, nothing created
    r = client.post(
        url("loan_create"),
        {
            "device": str(device.public_id),
            "student": str(world.people["elem_student2"].public_id),
            "due_on": (TODAY() + dt.timedelta(days=60)).isoformat(),
        },
    )
    assert r.status_code == 200 and Assignment.objects.filter(device=device).count() == 1


def test_create_from_request(world: Any) -> None:
    req = svc.loan_request_create(
        student=world.people["elem_student"], need="device", actor=world.users["elem_parent"]
    )
    device = make_device(world)
    client = world.client("elem_admin")
    page = client.get(url("loan_create") + f"?request={req.public_id}").content.decode()
    assert 'id="from-request"' in page
    client.post(
        url("loan_create") + f"?request={req.public_id}",
        {
            "device": str(device.public_id),
            "student": str(world.people["elem_student"].public_id),
            "due_on": (TODAY() + dt.timedelta(days=60)).isoformat(),
        },
    )
    req.refresh_from_db()
    assert req.status == "fulfilled" and req.assignments.get().device == device


@pytest.mark.parametrize(("who", "status"), [("junior_admin", 404), ("b_admin", 404)])
def test_create_other_school(world: Any, who: str, status: int) -> None:
    device = make_device(world)
    client = world.client(who)
    assert client.get(url("loan_create") + f"?device={device.public_id}").status_code == status
    assert (
        client.get(url("assignment_create") + f"?device={device.public_id}").status_code == status
    )
    r = client.post(
        url("loan_create") + f"?device={device.public_id}",
        {"device": str(device.public_id), "student": str(world.people["elem_student"].public_id)},
    )
    assert r.status_code == status and not Assignment.objects.exists()


def test_assign_from_page(world: Any) -> None:
    device = make_device(world, kind="display")
    client = world.client("elem_admin")
    r = client.post(
        url("assignment_create") + f"?device={device.public_id}",
        {
            "device": str(device.public_id),
            "school_class": str(world.classes["A-elem 5-1"].public_id),
        },
    )
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == "assigned" and device.holder_class == world.classes["A-elem 5-1"]
    assert world.client("elem_teacher").get(url("assignment_create")).status_code == 403


def test_staff_actions_pages(world: Any) -> None:
    loan = signed(world)
    client = world.client("elem_admin")
    page = client.get(url("loan_detail", loan.public_id)).content.decode()
    assert 'id="agreement-state"' in page and world.people["elem_parent"].name in page
    r = client.post(
        url("loan_recall", loan.public_id),
        {"reason": "年度檢查", "return_by": (TODAY() + dt.timedelta(days=5)).isoformat()},
    )
    assert r.status_code == 302
    loan.refresh_from_db()
    assert loan.status == "recalled"
    r = client.get(url("loan_print", loan.public_id))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.post(url("assignment_return", loan.public_id), {"condition_in": "良好"})
    assert r.status_code == 302
    loan.refresh_from_db()
    loan.device.refresh_from_db()
    assert loan.status == "returned" and loan.device.status == "in_stock"


def test_recall_errors_shown(world: Any) -> None:
    loan = signed(world)
    r = world.client("elem_admin").post(
        url("loan_recall", loan.public_id),
        {"reason": "x", "return_by": (TODAY() - dt.timedelta(days=5)).isoformat()},
    )
    assert r.status_code == 200 and 'id="form-errors"' in r.content.decode()
    loan.refresh_from_db()
    assert loan.status == "active"


def test_paper_and_cancel_pages(world: Any) -> None:
    loan = lend(world)
    client = world.client("elem_admin")
    r = client.post(
        url("loan_sign_paper", loan.public_id), {"signed_name": world.people["elem_parent"].name}
    )
    assert r.status_code == 302
    loan.refresh_from_db()
    assert loan.status == "active" and svc.is_paper_signed(loan)
    assert "data-paper" in client.get(url("loan_detail", loan.public_id)).content.decode()
    other = lend(world, student="elem_student2")
    assert client.post(url("loan_cancel", other.public_id), {"reason": "x"}).status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"


def test_loaner_pages(world: Any) -> None:
    loan = signed(world)
    spare = make_device(world)
    client = world.client("elem_admin")
    assert client.get(url("loaner_issue", loan.device.public_id)).status_code == 200
    r = client.post(url("loaner_issue", loan.device.public_id), {"loaner": str(spare.public_id)})
    assert r.status_code == 302
    loaner = Assignment.objects.get(device=spare)
    assert loaner.kind == "loaner"
    r = client.post(url("loaner_return", loaner.public_id), {"reason": "ok"})
    assert r.status_code == 302
    loan.device.refresh_from_db()
    assert loan.device.status == "on_loan"


ACTIONS = [
    ("loan_detail", "get"),
    ("loan_recall", "post"),
    ("assignment_return", "post"),
    ("loan_cancel", "post"),
    ("loan_sign_paper", "post"),
    ("loaner_return", "post"),
    ("loan_print", "get"),
]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("junior_admin", 404),
        ("b_admin", 404),
        ("b_parent", 404),
        ("b_teacher", 404),
        ("elem_teacher", 403),
        ("elem_parent", 403),
        ("moe", 403),
    ],
)
def test_action_tenancy(world: Any, who: str, status: int) -> None:
    waiting = lend(world)
    active = signed(world)
    client = world.client(who)
    for name, method in ACTIONS:
        for a in (waiting, active):
            r = getattr(client, method)(url(name, a.public_id), {"reason": "x", "signed_name": "x"})
            assert r.status_code == status, (name, a.status, r.status_code)
    r = client.post(url("loaner_issue", active.device.public_id), {"loaner": "x"})
    assert r.status_code == status
    waiting.refresh_from_db()
    active.refresh_from_db()
    assert (waiting.status, active.status) == ("awaiting", "active")


def test_parent_signs_on_page(world: Any) -> None:
    loan = lend(world)
    client = world.client("elem_parent")
    page = client.get(url("my_devices")).content.decode()
    assert url("loan_sign", loan.public_id) in page
    page = client.get(url("loan_sign", loan.public_id)).content.decode()
    assert "借用切結書" in page and 'id="sign-form"' in page
    # mismatched name: error, nothing changed
    r = client.post(url("loan_sign", loan.public_id), {"signed_name": "王大明", "agree": "on"})
    assert r.status_code == 200 and 'id="form-errors"' in r.content.decode()
    loan.refresh_from_db()
    assert loan.status == "awaiting"
    r = client.post(
        url("loan_sign", loan.public_id),
        {"signed_name": world.people["elem_parent"].name, "agree": "on"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert r.status_code == 302
    loan.refresh_from_db()
    assert loan.status == "active" and loan.signed_ip == "192.0.2.7"


@pytest.mark.parametrize(
    ("who", "status"),
    [("b_parent", 404), ("b_admin", 404), ("junior_admin", 404), ("elem_teacher", 403),
     ("elem_admin", 403), ("elem_student", 403)],
)  # fmt: skip
def test_sign_page_refuses_others(world: Any, who: str, status: int) -> None:
    loan = lend(world)
    client = world.client(who)
    assert client.get(url("loan_sign", loan.public_id)).status_code == status
    r = client.post(url("loan_sign", loan.public_id), {"signed_name": "x", "agree": "on"})
    assert r.status_code == status
    loan.refresh_from_db()
    assert loan.status == "awaiting" and loan.signed_at is None


def test_family_page(world: Any) -> None:
    loan = signed(world)
    svc.loan_recall(assignment=loan, reason="期末收回", return_by=TODAY() + dt.timedelta(days=3))
    page = world.client("elem_parent").get(url("my_devices")).content.decode()
    assert loan.device.asset_tag in page and "期末收回" in page
    assert f'data-recall="{(TODAY() + dt.timedelta(days=3)).isoformat()}"' in page
    page = world.client("elem_student").get(url("my_devices")).content.decode()
    assert loan.device.asset_tag in page and url("loan_sign", loan.public_id) not in page
    for other in ("b_parent", "b_student", "elem_student2"):
        assert (
            loan.device.asset_tag not in world.client(other).get(url("my_devices")).content.decode()
        )
    # no helpdesk link unless the helpdesk provides one
    try:
        reverse("helpdesk:request_create")
    except Exception:
        assert "Report a problem" not in page


def test_request_and_home_access(world: Any) -> None:
    client = world.client("elem_parent")
    child = world.people["elem_student"]
    assert client.get(url("loan_request_create")).status_code == 200
    r = client.post(
        url("loan_request_create"),
        {"student": str(child.public_id), "need": "both", "reason": "家中沒有電腦"},
    )
    assert r.status_code == 302
    assert LoanRequest.objects.get().requested_by == world.people["elem_parent"]
    # another family's child: 404
    other = world.people["b_student"]
    r = client.get(url("loan_request_create") + f"?student={other.public_id}")
    assert r.status_code == 404
    r = world.client("b_parent").post(
        url("home_access_edit", child.public_id),
        {f"{child.public_id}-device_at_home": "no", f"{child.public_id}-internet_at_home": "no"},
    )
    assert r.status_code == 404
    r = client.post(
        url("home_access_edit", child.public_id),
        {
            f"{child.public_id}-device_at_home": "no",
            f"{child.public_id}-internet_at_home": "shared",
        },
    )
    assert r.status_code == 302
    child.device_support.refresh_from_db()
    assert child.device_support.internet_at_home == "shared"
    assert not child.device_support.needs_support


def test_queue_page(world: Any) -> None:
    from dtss.devices.equity_services import support_set

    support_set(student=world.people["elem_student"], low_income=True, internet_at_home="no")
    svc.loan_request_create(student=world.people["elem_student2"], need="device", reason="兄弟共用")
    school = world.schools["A-elem"].public_id
    page = world.client("elem_admin").get(url("loan_queue")).content.decode()
    assert page.index(world.people["elem_student"].name) < page.index(
        world.people["elem_student2"].name
    )
    assert "兄弟共用" in page
    assert world.client("a_admin").get(url("loan_queue") + f"?school={school}").status_code == 200
    for who, status in [("elem_teacher", 403), ("moe", 403), ("elem_parent", 403),
                        ("junior_admin", 404), ("b_admin", 404)]:  # fmt: skip
        r = world.client(who).get(url("loan_queue") + f"?school={school}")
        assert r.status_code == status, who
        assert "low-income" not in r.content.decode()


def test_decline_request_page(world: Any) -> None:
    req = svc.loan_request_create(student=world.people["elem_student"], need="device")
    assert (
        world.client("elem_teacher").get(url("loan_request_decline", req.public_id)).status_code
        == 403
    )
    assert (
        world.client("b_admin").get(url("loan_request_decline", req.public_id)).status_code == 404
    )
    r = world.client("elem_admin").post(
        url("loan_request_decline", req.public_id), {"note": "無庫存"}
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "declined"


def test_device_panel(world: Any) -> None:
    device = make_device(world)
    request = RequestFactory().get("/")
    request.user = world.users["elem_admin"]
    html = render_to_string(
        "devices/loans/_device_panel.html",
        {"device": device, "request": request, "may_manage": True},
    )
    assert url("loan_create") + f"?device={device.public_id}" in html
    loan = lend(world, device=device)
    html = render_to_string(
        "devices/loans/_device_panel.html",
        {"device": device, "request": request, "may_manage": True},
    )
    assert url("loan_cancel", loan.public_id) in html and url("loan_create") not in html
    svc.loan_sign(
        assignment=loan, user=world.users["elem_parent"],
        signed_name=world.people["elem_parent"].name, agree=True,
    )  # fmt: skip
    device.refresh_from_db()
    html = render_to_string(
        "devices/loans/_device_panel.html",
        {"device": device, "request": request, "may_manage": False},
    )
    assert 'data-status="active"' in html and url("loan_recall", loan.public_id) not in html
