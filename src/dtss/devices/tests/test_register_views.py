"""The register pages: list, search, filters, sorts, exports, the form, status, transfer, BYOD,
and who may see and change what."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from dtss.core.models import AuditEntry
from dtss.devices import services
from dtss.devices.models import Device, DeviceEvent, StudentSupport
from dtss.devices.tests.factories import make_device

LIST = reverse("devices:device_list")


def _tags(response: Any) -> list[str]:
    return [d.asset_tag for d in response.context["page"].object_list]


def test_list_shows_own_school_and_counts(world: Any) -> None:
    make_device(world, asset_tag="E-1")
    make_device(world, asset_tag="E-2")
    make_device(world, "A-junior", asset_tag="J-1")
    make_device(world, "B-elem", asset_tag="B-1")
    make_device(world, None, asset_tag="STOCK-1")

    r = world.client("elem_admin").get(LIST)
    assert r.status_code == 200
    assert _tags(r) == ["E-1", "E-2"]
    assert r.context["total"] == 2
    assert r.context["may_manage"] is True
    assert reverse("devices:device_create").encode() in r.content

    r = world.client("a_admin").get(LIST)
    assert _tags(r) == ["E-1", "E-2", "J-1", "STOCK-1"]  # county stock too
    r = world.client("a_admin").get(LIST, {"school": "county"})
    assert _tags(r) == ["STOCK-1"]

    # a teacher reads the register but gets no "register" button
    r = world.client("elem_teacher").get(LIST)
    assert _tags(r) == ["E-1", "E-2"] and r.context["may_manage"] is False
    assert reverse("devices:device_create").encode() not in r.content

    # another county's admin sees only theirs
    assert _tags(world.client("b_admin").get(LIST)) == ["B-1"]


def test_list_for_students_parents_and_outsiders(world: Any) -> None:
    d = make_device(world, asset_tag="E-HELD")
    make_device(world, asset_tag="E-OTHER")
    services.holder_set(device=d, person=world.people["elem_student"], status="assigned")
    assert _tags(world.client("elem_student").get(LIST)) == ["E-HELD"]
    assert _tags(world.client("elem_parent").get(LIST)) == ["E-HELD"]
    assert _tags(world.client("elem_student2").get(LIST)) == []
    assert _tags(world.client("b_parent").get(LIST)) == []
    assert world.client("outsider").get(LIST).status_code == 403
    # students get no exports or labels
    assert world.client("elem_student").get(reverse("devices:labels")).status_code == 403


def test_search_filter_sort(world: Any) -> None:
    today = timezone.localdate()
    make_device(
        world,
        asset_tag="T-A",
        kind="laptop",
        model_name="ThinkPad",
        funding_source="central",
        programme="生生用平板",
        purchase_date=today - dt.timedelta(days=900),
        warranty_end=today + dt.timedelta(days=30),
    )
    b = make_device(
        world,
        asset_tag="T-B",
        serial="XYZ999",
        purchase_date=today - dt.timedelta(days=100),
        warranty_end=today - dt.timedelta(days=1),
    )
    c = make_device(world, asset_tag="T-C", kind="hotspot")
    Device.objects.filter(pk=c.pk).update(
        mdm_source="google", mdm_last_contact=timezone.now() - dt.timedelta(days=45)
    )
    services.holder_set(device=b, person=world.people["elem_student"], status="assigned")
    client = world.client("elem_admin")

    assert _tags(client.get(LIST, {"q": "thinkpad"})) == ["T-A"]
    assert _tags(client.get(LIST, {"q": "xyz9"})) == ["T-B"]
    assert _tags(client.get(LIST, {"q": "elem_student"})) == ["T-B"]  # holder's name
    assert _tags(client.get(LIST, {"kind": "hotspot"})) == ["T-C"]
    assert _tags(client.get(LIST, {"status": "assigned"})) == ["T-B"]
    assert _tags(client.get(LIST, {"funding_source": "central"})) == ["T-A"]
    assert _tags(client.get(LIST, {"programme": "生生"})) == ["T-A"]
    assert _tags(client.get(LIST, {"warranty": "expiring"})) == ["T-A"]
    assert _tags(client.get(LIST, {"warranty": "expired"})) == ["T-B"]
    assert _tags(client.get(LIST, {"mdm": "idle"})) == ["T-C"]
    assert _tags(client.get(LIST, {"sort": "-tag"})) == ["T-C", "T-B", "T-A"]
    assert _tags(client.get(LIST, {"sort": "-purchase"}))[:2] == ["T-B", "T-A"]
    assert _tags(client.get(LIST, {"sort": "warranty"}))[:2] == ["T-B", "T-A"]
    # the status counts follow the other filters
    r = client.get(LIST, {"kind": "tablet"})
    counts = {v: n for v, _l, n, _q in r.context["status_links"]}
    assert counts["assigned"] == 1 and counts["in_stock"] == 0
    # an unknown filter value is ignored, not an error page
    r = client.get(LIST, {"kind": "toaster", "q": "thinkpad"})
    assert r.status_code == 200 and _tags(r) == ["T-A"]


def test_paging(world: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for i in range(5):
        make_device(world, asset_tag=f"P-{i}")
    client = world.client("elem_admin")
    r = client.get(LIST)
    assert _tags(r) == ["P-0", "P-1"]
    assert _tags(client.get(LIST, {"page": 3})) == ["P-4"]


def test_empty_state(world: Any) -> None:
    r = world.client("elem_admin").get(LIST)
    assert b'id="no-devices"' in r.content
    assert reverse("devices:device_create").encode() in r.content


def test_csv_and_xlsx_export(world: Any) -> None:
    from openpyxl import load_workbook

    d = make_device(world, asset_tag="=HACK", model_name="iPad 9")
    make_device(world, asset_tag="K-2", kind="laptop")
    make_device(world, "B-elem", asset_tag="B-X")
    StudentSupport.objects.create(
        county=world.counties["A"],
        school=world.schools["A-elem"],
        student=world.people["elem_student"],
        low_income=True,
    )
    services.holder_set(device=d, person=world.people["elem_student"], status="assigned")
    client = world.client("elem_admin")
    r = client.get(reverse("devices:device_export_csv"), {"kind": "tablet"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert "'=HACK" in text and "K-2" not in text and "B-X" not in text
    assert "elem_student" in text
    for word in ("low", "income", "低收"):
        assert word not in text.lower()
    r = client.get(reverse("devices:device_export_xlsx"))
    wb = load_workbook(io.BytesIO(r.content))
    values = [c.value for row in wb.active.iter_rows() for c in row if c.value]
    assert "K-2" in values and "B-X" not in values
    assert AuditEntry.objects.filter(action="device.export").count() == 2
    # another county's admin exports nothing of A; a teacher may export their school
    r = world.client("b_admin").get(reverse("devices:device_export_csv"))
    assert "HACK" not in r.content.decode("utf-8-sig")
    assert world.client("elem_teacher").get(reverse("devices:device_export_csv")).status_code == 200
    assert world.client("outsider").get(reverse("devices:device_export_csv")).status_code == 403


def test_create_and_bad_input(world: Any) -> None:
    make_device(world, "A-junior", asset_tag="DUP-1")
    client = world.client("elem_admin")
    url = reverse("devices:device_create")
    r = client.get(url)
    assert r.status_code == 200
    places = [v for v, _l in r.context["form"].fields["place"].choices]
    assert places == [str(world.schools["A-elem"].public_id)]  # no county stock, no other school
    before = Device.objects.count()
    r = client.post(
        url,
        {"place": str(world.schools["A-elem"].public_id), "kind": "tablet", "asset_tag": "DUP-1"},
    )
    assert r.status_code == 200
    assert "asset_tag" in r.context["form"].errors
    assert Device.objects.count() == before
    # a school the user does not manage
    r = client.post(
        url,
        {"place": str(world.schools["A-junior"].public_id), "kind": "tablet", "asset_tag": "N-1"},
    )
    assert "place" in r.context["form"].errors and Device.objects.count() == before
    # warranty before purchase
    r = client.post(
        url,
        {
            "place": str(world.schools["A-elem"].public_id),
            "kind": "tablet",
            "asset_tag": "N-1",
            "purchase_date": "2024-05-01",
            "warranty_end": "2024-01-01",
        },
    )
    assert "warranty_end" in r.context["form"].errors and Device.objects.count() == before
    r = client.post(
        url,
        {
            "place": str(world.schools["A-elem"].public_id),
            "kind": "tablet",
            "asset_tag": "N-1",
            "serial": "S-1",
            "cost": "12000",
        },
    )
    d = Device.objects.get(asset_tag="N-1")
    assert r.status_code == 302 and r["Location"] == reverse(
        "devices:device_detail", args=[d.public_id]
    )
    assert d.school == world.schools["A-elem"] and d.cost == 12000
    assert AuditEntry.objects.filter(action="device.create", object_id=str(d.public_id)).exists()

    # a county admin may put it in the county's stock
    r = world.client("a_admin").post(
        url,
        {"place": f"stock:{world.counties['A'].public_id}", "kind": "laptop", "asset_tag": "ST-1"},
    )
    assert r.status_code == 302
    assert Device.objects.get(asset_tag="ST-1").school is None
    # but not another county's stock
    r = world.client("a_admin").post(
        url,
        {"place": f"stock:{world.counties['B'].public_id}", "kind": "laptop", "asset_tag": "ST-2"},
    )
    assert "place" in r.context["form"].errors


def test_edit(world: Any) -> None:
    d = make_device(world, asset_tag="ED-1", serial="S-ED", location="301")
    make_device(world, asset_tag="ED-2")
    client = world.client("elem_admin")
    url = reverse("devices:device_edit", args=[d.public_id])
    r = client.get(url)
    assert r.status_code == 200 and "place" not in r.context["form"].fields
    data = {"kind": "tablet", "asset_tag": "ED-2", "serial": "S-ED", "location": "圖書館"}
    r = client.post(url, data)
    assert "asset_tag" in r.context["form"].errors
    d.refresh_from_db()
    assert d.asset_tag == "ED-1" and d.location == "301"
    r = client.post(url, {**data, "asset_tag": "ED-1"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.location == "圖書館"
    event = d.events.first()
    assert event.kind == DeviceEvent.Kind.UPDATED and "location" in event.detail["changed"]
    assert event.actor == world.users["elem_admin"]
    assert AuditEntry.objects.filter(action="device.update").exists()


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("elem_teacher", 403),
        ("junior_admin", 404),
        ("b_admin", 404),
        ("elem_student", 404),
        ("elem_parent", 404),
        ("outsider", 404),
    ],
)
def test_writes_refused(world: Any, who: str, code: int) -> None:
    d = make_device(world, asset_tag="W-1", location="301")
    client = world.client(who)
    school = str(world.schools["A-junior"].public_id)
    for url, data in [
        (reverse("devices:device_edit", args=[d.public_id]), {"kind": "laptop", "asset_tag": "X"}),
        (reverse("devices:device_status", args=[d.public_id]), {"status": "lost"}),
        (reverse("devices:device_transfer", args=[d.public_id]), {"target": school}),
    ]:
        assert client.post(url, data).status_code == code, url
    d.refresh_from_db()
    assert (d.asset_tag, d.status, d.school_id) == ("W-1", "in_stock", world.schools["A-elem"].pk)
    # the forms themselves
    if who in ("elem_teacher", "elem_student", "elem_parent", "outsider"):
        for url in (reverse("devices:device_create"), reverse("devices:byod_create")):
            assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("elem_admin", 200),
        ("elem_teacher", 200),
        ("a_admin", 200),
        ("a_staff", 200),
        ("moe", 200),
        ("junior_admin", 404),
        ("junior_teacher", 404),
        ("b_admin", 404),
        ("b_teacher", 404),
        ("elem_student", 404),
        ("elem_parent", 404),
        ("outsider", 404),
    ],
)
def test_detail_tenancy(world: Any, who: str, code: int) -> None:
    d = make_device(world, asset_tag="DT-1")
    client = world.client(who)
    assert client.get(reverse("devices:device_detail", args=[d.public_id])).status_code == code
    label = client.get(reverse("devices:device_label", args=[d.public_id])).status_code
    # students and parents print no labels (403); other tenants get the same 404
    expected = 403 if who in ("elem_student", "elem_parent", "outsider") else code
    assert label == expected


def test_detail_for_holder_and_parent(world: Any) -> None:
    d = make_device(world, asset_tag="H-1", notes="cracked")
    services.device_update(device=d, location="5-1")
    services.holder_set(device=d, person=world.people["elem_student"], status="assigned")
    url = reverse("devices:device_detail", args=[d.public_id])
    for who in ("elem_student", "elem_parent"):
        r = world.client(who).get(url)
        assert r.status_code == 200
        assert r.context["events"] == [] and b"cracked" not in r.content  # no history, no notes
        assert r.context["may_manage"] is False
    assert world.client("elem_student2").get(url).status_code == 404
    r = world.client("elem_admin").get(url)
    kinds = [row["event"].kind for row in r.context["events"]]
    assert kinds == ["updated", "created"]
    assert b'id="status-form"' in r.content and b'id="transfer-form"' not in r.content


def test_status_and_transfer(world: Any) -> None:
    d = make_device(world, asset_tag="S-1")
    client = world.client("elem_admin")
    url = reverse("devices:device_status", args=[d.public_id])
    r = client.post(url, {"status": "in_repair", "note": "螢幕破裂"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "in_repair"
    r = client.post(url, {"status": "in_repair"}, follow=True)
    assert any("already" in str(m) or "已" in str(m) for m in r.context["messages"])
    r = client.post(url, {"status": "on_loan"})
    d.refresh_from_db()
    assert d.status == "in_repair"
    assert AuditEntry.objects.filter(action="device.status").count() == 1

    # a school admin cannot move it to another school; the county admin can
    t_url = reverse("devices:device_transfer", args=[d.public_id])
    client.post(t_url, {"target": str(world.schools["A-junior"].public_id)})
    d.refresh_from_db()
    assert d.school == world.schools["A-elem"]
    county = world.client("a_admin")
    r = county.get(reverse("devices:device_detail", args=[d.public_id]))
    targets = [v for v, _l in r.context["transfer_form"].fields["target"].choices]
    assert targets == ["county", str(world.schools["A-junior"].public_id)]
    r = county.post(t_url, {"target": str(world.schools["B-elem"].public_id)})
    d.refresh_from_db()
    assert d.school == world.schools["A-elem"]
    county.post(t_url, {"target": str(world.schools["A-junior"].public_id), "note": "調撥"})
    d.refresh_from_db()
    assert d.school == world.schools["A-junior"]
    assert d.events.first().kind == DeviceEvent.Kind.TRANSFERRED
    assert AuditEntry.objects.filter(action="device.transfer").count() == 1
    # the old school no longer sees it
    assert client.get(reverse("devices:device_detail", args=[d.public_id])).status_code == 404
    county.post(t_url, {"target": "county"})
    d.refresh_from_db()
    assert d.school is None


def test_byod(world: Any) -> None:
    client = world.client("elem_admin")
    url = reverse("devices:byod_create")
    school = str(world.schools["A-elem"].public_id)
    r = client.post(
        url, {"school": school, "student": "b_student", "kind": "tablet", "asset_tag": "BY-1"}
    )
    assert "student" in r.context["form"].errors and not Device.objects.exists()
    r = client.post(
        url,
        {
            "school": str(world.schools["B-elem"].public_id),
            "student": "b_student",
            "kind": "tablet",
            "asset_tag": "BY-1",
        },
    )
    assert "school" in r.context["form"].errors and not Device.objects.exists()
    r = client.post(
        url, {"school": school, "student": "elem_student", "kind": "tablet", "asset_tag": "BY-1"}
    )
    assert r.status_code == 302
    d = Device.objects.get(asset_tag="BY-1")
    assert d.byod and d.owner == world.people["elem_student"]
    assert d.holder == world.people["elem_student"] and d.status == "assigned"
    assert AuditEntry.objects.filter(action="device.byod").exists()
    make_device(world, asset_tag="SCHOOL-1")
    assert _tags(client.get(LIST, {"byod": "yes"})) == ["BY-1"]
    assert _tags(client.get(LIST, {"byod": "no"})) == ["SCHOOL-1"]
    # the student and parent see it
    assert _tags(world.client("elem_parent").get(LIST)) == ["BY-1"]
    # a teacher may not register one
    assert world.client("elem_teacher").post(url, {"school": school}).status_code == 403
