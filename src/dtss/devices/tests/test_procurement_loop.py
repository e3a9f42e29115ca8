"""Journey 8, first half, through the pages: the county opens a needs collection, two schools
submit, the county consolidates a plan, edits and approves it, and received tablets enter the
register with their funding, programme and warranty; then the validation that changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.devices import procurement_services as svc
from dtss.devices.models import (
    Device,
    DeviceEvent,
    NeedsCollection,
    NeedSubmission,
    ProcurementAllocation,
    ProcurementLine,
    ProcurementPlan,
)
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.procurement_helpers import make_loop, open_collection, today

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_whole_loop_through_the_pages(world: Any) -> None:
    county = world.client("a_staff")
    # the county makes a draft; the school does not see it yet
    r = county.post(
        reverse("devices:needs_create"),
        {
            "title": "115 需求調查",
            "instructions": "依學生數",
            "kinds": ["tablet", "laptop"],
            "opens_on": today().isoformat(),
            "closes_on": (today() + dt.timedelta(days=7)).isoformat(),
        },
    )
    c = NeedsCollection.objects.get(title="115 需求調查")
    assert r.status_code == 302 and c.status == "draft" and c.kinds == ["tablet", "laptop"]
    elem = world.client("elem_admin")
    assert elem.get(reverse("devices:needs_detail", args=[c.public_id])).status_code == 404
    assert c.title not in elem.get(reverse("devices:needs_list")).content.decode()
    county.post(reverse("devices:needs_open", args=[c.public_id]))
    assert elem.get(reverse("devices:needs_list")).content.decode().count(c.title) == 1

    # the school sees its facts from the register and asks for tablets
    make_device(world, "A-elem", kind="tablet")
    make_device(world, "A-elem", kind="laptop", warranty_end=today() - dt.timedelta(days=1))
    make_device(world, "A-elem", kind="projector")
    url = reverse("devices:need_submission", args=[c.public_id])
    r = elem.get(reverse("devices:needs_detail", args=[c.public_id]), follow=True)
    assert r.redirect_chain[-1][0] == url
    facts = r.context["facts"]
    assert (facts.students, facts.student_devices, facts.warranty_ended) == (300, 2, 1)
    assert facts.per_student == round(2 / 300, 2)
    assert [k for k, _l in r.context["form"].fields["kind"].choices] == ["tablet", "laptop"]
    r = elem.post(
        url,
        {
            "kind": "tablet",
            "quantity": "20",
            "unit_cost": "15000",
            "priority": "1",
            "justification": "五年級生生用平板",
            "description": "10 吋",
        },
    )
    assert r.status_code == 302
    sub = NeedSubmission.objects.get(collection=c, school=world.schools["A-elem"])
    elem.post(reverse("devices:need_submit", args=[sub.public_id]))
    sub.refresh_from_db()
    assert sub.status == "submitted"

    junior = world.client("junior_admin")
    junior.post(
        url,
        {
            "kind": "tablet",
            "quantity": "10",
            "unit_cost": "17000",
            "priority": "2",
            "justification": "七年級",
        },
    )
    junior.post(
        url,
        {
            "kind": "laptop",
            "quantity": "5",
            "unit_cost": "30000",
            "priority": "3",
            "justification": "教師用",
        },
    )
    jsub = NeedSubmission.objects.get(collection=c, school=world.schools["A-junior"])
    junior.post(reverse("devices:need_submit", args=[jsub.public_id]))

    # the county's overview: statuses, totals by kind, the school × kind table
    r = county.get(reverse("devices:needs_detail", args=[c.public_id]))
    ov = r.context["overview"]
    totals = {t["kind"]: (t["quantity"], t["budget"]) for t in ov.totals}
    assert totals == {"tablet": (30, 470000), "laptop": (5, 150000)}
    rows = {row.school.code: row for row in ov.rows}
    assert rows["083601"].cells == [20, 0] and rows["083501"].cells == [10, 5]
    assert ov.counts == {"submitted": 2}

    # the county returns the junior school's answer; it fixes it and submits again
    county.post(reverse("devices:need_return", args=[jsub.public_id]), {"comment": "筆電請減為 4"})
    jsub.refresh_from_db()
    assert jsub.status == "returned" and jsub.county_comment == "筆電請減為 4"
    laptop = jsub.lines.get(kind="laptop")
    r = junior.post(
        reverse("devices:need_line_edit", args=[laptop.public_id]),
        {
            "kind": "laptop",
            "quantity": "4",
            "unit_cost": "30000",
            "priority": "3",
            "justification": "教師用",
        },
    )
    assert r.status_code == 302
    junior.post(reverse("devices:need_submit", args=[jsub.public_id]))
    jsub.refresh_from_db()
    assert jsub.status == "submitted"

    # consolidation: one line per kind, average unit cost, allocations as asked
    r = county.post(
        reverse("devices:plan_create"),
        {"title": "115 平板採購", "fiscal_year": "115", "collection": str(c.public_id)},
    )
    plan = ProcurementPlan.objects.get(title="115 平板採購")
    tablet = plan.lines.get(kind="tablet")
    assert (tablet.quantity, tablet.unit_cost) == (30, 15667)  # (20×15000 + 10×17000) / 30
    assert {a.school.code: a.quantity for a in tablet.allocations.all()} == {
        "083601": 20,
        "083501": 10,
    }
    assert plan.lines.get(kind="laptop").quantity == 4

    # edit: allocations must add up, naming the line; then a valid edit
    edit = reverse("devices:plan_line_edit", args=[tablet.public_id])
    form = {
        "kind": "tablet",
        "description": "iPad 10 64GB",
        "quantity": "22",
        "unit_cost": "16000",
        "funding_source": "central",
        "programme": "生生用平板",
        "warranty_months": "36",
        "alloc_083601": "11",
        "alloc_083501": "10",
        "alloc_024601": "0",
    }
    r = county.post(edit, form)
    assert r.status_code == 200
    assert "iPad 10 64GB" in str(r.context["form"].errors) and "21" in str(r.context["form"].errors)
    tablet.refresh_from_db()
    assert tablet.quantity == 30 and tablet.programme == ""
    r = county.post(edit, {**form, "alloc_083601": "12"})
    assert r.status_code == 302
    tablet.refresh_from_db()
    assert (tablet.quantity, tablet.unit_cost, tablet.programme) == (22, 16000, "生生用平板")
    r = county.get(reverse("devices:plan_detail", args=[plan.public_id]))
    s = r.context["s"]
    assert s.total_budget == 22 * 16000 + 4 * 30000
    assert {f["source"]: f["budget"] for f in s.by_funding} == {"central": s.total_budget}
    assert {row.school.code: row.budget for row in s.schools} == {
        "083601": 12 * 16000,
        "083501": 10 * 16000 + 4 * 30000,
    }

    county.post(reverse("devices:plan_approve", args=[plan.public_id]))
    plan.refresh_from_db()
    assert plan.status == "approved"
    r = county.post(edit, {**form, "quantity": "23", "alloc_083601": "13"}, follow=True)
    tablet.refresh_from_db()
    assert tablet.quantity == 22  # no more edits once approved

    # the school receives its tablets by pasting serials; the register fills in
    alloc = ProcurementAllocation.objects.get(line=tablet, school=world.schools["A-elem"])
    receive = reverse("devices:plan_receive", args=[alloc.public_id])
    serials = "\n".join(f"DMP{n:04d}" for n in range(11)) + "\nDMP9999, ELEM-TAB-X"
    r = elem.post(receive, {"received_on": today().isoformat(), "serials": serials})
    assert r.status_code == 302, r.context and r.context["problems"]
    alloc.refresh_from_db()
    assert alloc.received == 12
    devices = Device.objects.filter(procurement_line=tablet).order_by("asset_tag")
    assert devices.count() == 12
    d = devices.get(serial="DMP0000")
    assert d.school == world.schools["A-elem"] and d.kind == "tablet"
    assert (d.funding_source, d.programme, d.cost, d.model_name) == (
        "central",
        "生生用平板",
        16000,
        "iPad 10 64GB",
    )
    assert d.purchase_date == today() and d.warranty_end == svc.add_months(today(), 36)
    assert d.asset_tag == f"083601-{today().year}-0001"
    assert devices.get(serial="DMP9999").asset_tag == "ELEM-TAB-X"
    assert d.events.filter(kind=DeviceEvent.Kind.RECEIVED).exists()
    r = county.get(reverse("devices:plan_detail", args=[plan.public_id]))
    assert r.context["s"].received == 12 and "12 / 12" in r.content.decode()

    # the rest arrives (CSV upload for the junior school's tablets); the plan completes
    county.post(reverse("devices:plan_ordered", args=[plan.public_id]))
    jtab = ProcurementAllocation.objects.get(line=tablet, school=world.schools["A-junior"])
    body = "serial,asset_tag\n" + "".join(f"JR{n:03d},\n" for n in range(10))
    upload = io.BytesIO(body.encode())
    upload.name = "serials.csv"
    r = junior.post(
        reverse("devices:plan_receive", args=[jtab.public_id]),
        {"received_on": today().isoformat(), "file": upload},
    )
    assert r.status_code == 302
    assert Device.objects.get(serial="JR000").asset_tag == f"083501-{today().year}-0001"
    jlap = ProcurementAllocation.objects.get(line__plan=plan, line__kind="laptop")
    svc.allocation_receive(
        allocation=jlap,
        items=[svc.Item(row=i, serial=f"LP{i}") for i in range(4)],
        actor=world.users["junior_admin"],
    )
    plan.refresh_from_db()
    assert plan.status == "completed"

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "needs.collection_create",
        "needs.collection_open",
        "needs.line_add",
        "needs.submission_submit",
        "needs.submission_return",
        "needs.line_update",
        "procurement.plan_create",
        "procurement.line_update",
        "procurement.plan_approve",
        "procurement.receive",
        "procurement.plan_complete",
    } <= actions


def test_collection_dates_and_closing(world: Any) -> None:
    county = world.client("a_admin")
    r = county.post(
        reverse("devices:needs_create"),
        {"title": "x", "opens_on": "2025-05-10", "closes_on": "2025-05-01"},
    )
    assert r.status_code == 200 and "closes_on" in r.context["form"].errors
    assert not NeedsCollection.objects.exists()

    c = open_collection(world)
    sub = svc.submission_get_or_create(
        collection=c, school=world.schools["A-elem"], actor=world.users["elem_admin"]
    )
    with pytest.raises(ValidationError) as exc:
        svc.submission_submit(submission=sub)
    assert "lines" in exc.value.message_dict  # needs at least one line
    with pytest.raises(ValidationError) as exc:
        svc.need_line_add(submission=sub, kind="projector", quantity=0, justification="")
    assert set(exc.value.message_dict) == {"kind", "quantity", "justification"}
    svc.need_line_add(submission=sub, kind="tablet", quantity=2, justification="需要")
    NeedsCollection.objects.filter(pk=c.pk).update(closes_on=today() - dt.timedelta(days=1))
    sub.refresh_from_db()
    with pytest.raises(ValidationError):
        svc.submission_submit(submission=sub)
    sub.refresh_from_db()
    assert sub.status == "draft"
    # closing stops the school's edits through the page too
    NeedsCollection.objects.filter(pk=c.pk).update(closes_on=today())
    county.post(reverse("devices:needs_close", args=[c.public_id]))
    r = world.client("elem_admin").post(
        reverse("devices:need_submission", args=[c.public_id]),
        {"kind": "tablet", "quantity": "1", "priority": "2", "justification": "x"},
    )
    assert r.status_code == 200 and sub.lines.count() == 1


def test_submitted_needs_are_frozen_until_returned(world: Any) -> None:
    loop = make_loop(world, approve=False)
    line = loop.elem_line
    with pytest.raises(ValidationError):
        svc.need_line_update(line=line, quantity=9)
    with pytest.raises(ValidationError):
        svc.need_line_delete(line=line)
    with pytest.raises(ValidationError) as exc:
        svc.submission_return(submission=loop.elem, comment="  ")
    assert "comment" in exc.value.message_dict
    svc.submission_return(submission=loop.elem, comment="請補充")
    svc.need_line_update(line=line, quantity=9)
    line.refresh_from_db()
    assert line.quantity == 9


def test_plan_allocations_must_add_up(world: Any) -> None:
    loop = make_loop(world, approve=False)
    plan = loop.plan
    with pytest.raises(ValidationError) as exc:
        svc.plan_line_add(
            plan=plan,
            kind="hotspot",
            description="4G 分享器",
            quantity=5,
            unit_cost=2000,
            allocations={world.schools["A-elem"]: 3},
        )
    assert "4G 分享器" in exc.value.message_dict["allocations"][0]
    assert not plan.lines.filter(kind="hotspot").exists()
    with pytest.raises(ValidationError):  # another county's school
        svc.plan_line_add(
            plan=plan,
            kind="hotspot",
            quantity=1,
            unit_cost=1,
            allocations={world.schools["B-elem"]: 1},
        )
    # an allocation out of step (e.g. edited elsewhere) blocks the approval, naming the line
    ProcurementAllocation.objects.filter(line__plan=plan, line__kind="laptop").update(quantity=3)
    with pytest.raises(ValidationError) as exc:
        svc.plan_approve(plan=plan)
    assert "Laptop" in exc.value.message_dict["allocations"][0] or "筆" in str(exc.value)
    plan.refresh_from_db()
    assert plan.status == "draft"
    # a plan without a collection
    empty = svc.plan_create(county=world.counties["A"], title="學校自購")
    with pytest.raises(ValidationError):
        svc.plan_approve(plan=empty)
    svc.plan_line_add(
        plan=empty,
        kind="display",
        quantity=2,
        unit_cost=50000,
        funding_source="county",
        allocations={world.schools["A-elem"]: 2},
    )
    assert svc.plan_approve(plan=empty).status == "approved"


def test_receiving_is_all_or_nothing(world: Any) -> None:
    loop = make_loop(world)
    alloc = loop.allocation(world, "A-elem")  # 3 tablets
    make_device(world, "A-junior", serial="TAKEN1", asset_tag="TAG-TAKEN")
    before = Device.objects.count()

    def fails(items: list[tuple[str, str]]) -> list[str]:
        with pytest.raises(ValidationError) as exc:
            svc.allocation_receive(
                allocation=alloc,
                items=[svc.Item(row=i, serial=s, asset_tag=t) for i, (s, t) in enumerate(items, 1)],
            )
        return exc.value.message_dict["items"]

    errors = fails([("A1", ""), ("A1", "")])
    assert any("2" in e and "A1" in e for e in errors)
    assert any("TAKEN1" in e for e in fails([("A2", ""), ("TAKEN1", "")]))
    assert any("TAG-TAKEN" in e for e in fails([("A3", "TAG-TAKEN")]))
    assert fails([("A4", ""), ("A5", ""), ("A6", ""), ("A7", "")])  # 4 > 3 allocated
    assert fails([("", "")])
    alloc.refresh_from_db()
    assert alloc.received == 0 and Device.objects.count() == before

    # pasted text reports the line numbers of the paste
    items = svc.parse_paste("S1\n\nS2\tTAG-2\nS1")
    assert [(i.row, i.serial, i.asset_tag) for i in items] == [
        (1, "S1", ""),
        (3, "S2", "TAG-2"),
        (4, "S1", ""),
    ]
    with pytest.raises(ValidationError) as exc:
        svc.allocation_receive(allocation=alloc, items=items)
    assert any("4" in e and "S1" in e for e in exc.value.message_dict["items"])

    # a draft plan receives nothing
    ProcurementPlan.objects.filter(pk=loop.plan.pk).update(status="draft")
    with pytest.raises(ValidationError):
        svc.allocation_receive(allocation=alloc, items=[svc.Item(row=1, serial="Z")])


def test_generated_tags_continue_the_sequence(world: Any) -> None:
    loop = make_loop(world)
    year = today().year
    make_device(world, "A-elem", asset_tag=f"083601-{year}-0041")
    alloc = loop.allocation(world, "A-elem")
    devices = svc.allocation_receive(
        allocation=alloc,
        items=[
            svc.Item(row=1, serial="G1"),
            svc.Item(row=2, serial="G2", asset_tag=f"083601-{year}-0042"),
        ],
    )
    assert [d.asset_tag for d in devices] == [f"083601-{year}-0043", f"083601-{year}-0042"]
    assert ProcurementLine.objects.get(pk=alloc.line_id).devices.count() == 2


def test_exports(world: Any) -> None:
    loop = make_loop(world, approve=False)
    client = world.client("a_staff")
    r = client.get(reverse("devices:needs_export_csv", args=[loop.collection.public_id]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3
    assert rows[1][:2] == ["083501", "南投國中"] and "17000" in rows[1] and "34000" in rows[1]
    r = client.get(reverse("devices:needs_export_xlsx", args=[loop.collection.public_id]))
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "南投國小" in values and 45000 in values
    r = client.get(reverse("devices:plan_export_csv", args=[loop.plan.public_id]))
    assert "南投國小" in r.content.decode("utf-8-sig")
    assert AuditEntry.objects.filter(action="needs.export").count() == 2
    # a school administrator may not export every school's needs
    r = world.client("elem_admin").get(
        reverse("devices:needs_export_csv", args=[loop.collection.public_id])
    )
    assert r.status_code == 403


def test_every_page_renders_in_both_languages(world: Any) -> None:
    loop = make_loop(world, approve=False)
    c, plan = loop.collection, loop.plan
    line = plan.lines.first()
    county_pages = [
        reverse("devices:needs_list"),
        reverse("devices:needs_create"),
        reverse("devices:needs_detail", args=[c.public_id]) + "?status=submitted&q=南投",
        reverse("devices:needs_edit", args=[c.public_id]),
        reverse("devices:need_submission", args=[c.public_id])
        + f"?school={world.schools['A-elem'].public_id}",
        reverse("devices:plan_list") + "?status=draft",
        reverse("devices:plan_create") + f"?collection={c.public_id}",
        reverse("devices:plan_detail", args=[plan.public_id]),
        reverse("devices:plan_edit", args=[plan.public_id]),
        reverse("devices:plan_line_add", args=[plan.public_id]),
        reverse("devices:plan_line_edit", args=[line.public_id]),
    ]
    svc.submission_return(submission=loop.elem, comment="請補充理由")
    svc.plan_approve(plan=plan)
    alloc = loop.allocation(world, "A-elem")
    school_pages = [
        reverse("devices:needs_list"),
        reverse("devices:need_submission", args=[c.public_id]),
        reverse("devices:need_line_edit", args=[loop.elem_line.public_id]),
        reverse("devices:plan_list"),
        reverse("devices:plan_detail", args=[plan.public_id]),
        reverse("devices:plan_receive", args=[alloc.public_id]),
    ]
    for user, pages in (("a_staff", county_pages), ("elem_admin", school_pages)):
        client = world.client(user)
        for lang in ("zh-hant", "en"):
            client.cookies["dtss_language"] = lang
            for url in pages:
                r = client.get(url)
                assert r.status_code == 200, (user, url)
    r = world.client("elem_admin").get(reverse("devices:need_submission", args=[c.public_id]))
    assert "請補充理由" in r.content.decode() and r.context["editable"]
    assert (
        world.client("moe").get(reverse("devices:needs_detail", args=[c.public_id])).status_code
        == 200
    )
