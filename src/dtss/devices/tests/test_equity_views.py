"""Equity: support records are set and read only by the school's administrators and the
county's office; teachers, students, parents, the MOE viewer and other schools never see the
categories, in pages, the API or exports. Imports are all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dtss.core.models import AuditEntry
from dtss.devices import equity_selectors as eq_sel
from dtss.devices import equity_services as eq_svc
from dtss.devices.models import StudentSupport

pytestmark = pytest.mark.django_db

# Words that would reveal categories (English msgids and the field names / values).
SECRET_WORDS = [
    "low_income",
    "low-income",
    "Low-income",
    "middle_low_income",
    "disability",
    "Disability",
    "indigenous",
    "Indigenous",
    "CATEGORY-NOTE-XYZ",
]
FORBIDDEN = [
    ("elem_teacher", 403),
    ("elem_student", 403),
    ("elem_parent", 403),
    ("moe", 403),
    ("outsider", 403),
    ("junior_admin", 404),
    ("b_admin", 404),
]


@pytest.fixture
def supported(world: Any) -> StudentSupport:
    return eq_svc.support_set(
        student=world.people["elem_student"],
        low_income=True,
        disability=True,
        other=True,
        other_note="CATEGORY-NOTE-XYZ",
        device_at_home="no",
        internet_at_home="shared",
        actor=world.users["elem_admin"],
    )


def assert_no_secrets(text: str) -> None:
    for word in SECRET_WORDS:
        assert word not in text, word


def test_support_set_and_audit(world: Any, supported: StudentSupport) -> None:
    assert supported.school == world.schools["A-elem"] and supported.needs_support
    entry = AuditEntry.objects.get(action="student_support.create")
    assert "low_income" in entry.detail["fields"]
    assert "True" not in str(entry.detail) and "CATEGORY-NOTE-XYZ" not in str(entry.detail)
    eq_svc.support_set(
        student=world.people["elem_student"], low_income=False, actor=world.users["a_admin"]
    )
    supported.refresh_from_db()
    assert not supported.low_income and supported.disability
    for who in ("elem_teacher", "junior_admin", "b_admin", "moe", "elem_parent"):
        with pytest.raises(PermissionDenied):
            eq_svc.support_set(
                student=world.people["elem_student"], remote=True, actor=world.users[who]
            )
    with pytest.raises(ValidationError):
        eq_svc.support_set(student=world.people["elem_student"], device_at_home="maybe")
    supported.refresh_from_db()
    assert not supported.remote


def test_parent_updates_home_access_only(world: Any, supported: StudentSupport) -> None:
    eq_svc.home_access_set(
        student=world.people["elem_student"],
        device_at_home="yes",
        internet_at_home="yes",
        actor=world.users["elem_parent"],
    )
    supported.refresh_from_db()
    assert supported.device_at_home == "yes" and supported.low_income
    with pytest.raises(PermissionDenied):
        eq_svc.home_access_set(
            student=world.people["elem_student"],
            device_at_home="no",
            internet_at_home="no",
            actor=world.users["b_parent"],
        )


def test_equity_list_and_summary(world: Any, supported: StudentSupport) -> None:
    eq_svc.support_set(student=world.people["elem_student2"], internet_at_home="no")
    client = world.client("elem_admin")
    page = client.get(reverse("devices:equity_list")).content.decode()
    assert world.people["elem_student"].name in page and world.people["elem_student2"].name in page
    summary = eq_sel.summary(user=world.users["elem_admin"], school=world.schools["A-elem"])
    assert summary["needs"] == 1 and summary["needs_no_device"] == 1
    assert summary["needs_no_internet"] == 1 and summary["no_internet"] == 2
    page = client.get(reverse("devices:equity_list") + "?filter=needs").content.decode()
    assert world.people["elem_student"].name in page
    assert world.people["elem_student2"].name not in page
    school = world.schools["A-elem"].public_id
    assert (
        world.client("a_admin")
        .get(reverse("devices:equity_list") + f"?school={school}")
        .status_code
        == 200
    )


@pytest.mark.parametrize(("who", "status"), FORBIDDEN)
def test_equity_pages_forbidden(
    world: Any, supported: StudentSupport, who: str, status: int
) -> None:
    client = world.client(who)
    school = world.schools["A-elem"].public_id
    student = world.people["elem_student"].public_id
    for path in (
        reverse("devices:equity_list") + f"?school={school}",
        reverse("devices:equity_export") + f"?school={school}",
        reverse("devices:equity_import") + f"?school={school}",
        reverse("devices:loan_queue") + f"?school={school}",
    ):
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code)
        assert_no_secrets(r.content.decode())
    r = client.get(reverse("devices:equity_edit", args=[student]))
    assert r.status_code in (403, 404)
    assert_no_secrets(r.content.decode())
    r = client.post(reverse("devices:equity_edit", args=[student]), {"remote": "on"})
    assert r.status_code in (403, 404)
    supported.refresh_from_db()
    assert not supported.remote


@pytest.mark.parametrize("who", ["elem_teacher", "elem_student", "elem_parent", "moe"])
def test_categories_never_shown_elsewhere(world: Any, supported: StudentSupport, who: str) -> None:
    client = world.client(who)
    for path in (reverse("devices:my_devices"), "/api/v1/assignments", "/api/v1/loan-requests"):
        r = client.get(path)
        assert r.status_code in (200, 403), path
        assert_no_secrets(r.content.decode())
    r = client.get("/api/v1/student-support")
    assert r.status_code == 403
    assert_no_secrets(r.content.decode())
    school = world.schools["A-elem"].public_id
    r = client.get(f"/api/v1/loan-queue?school={school}")
    assert r.status_code in (403, 404)
    assert_no_secrets(r.content.decode())


def test_edit_page(world: Any) -> None:
    student = world.people["elem_student"]
    client = world.client("elem_admin")
    assert client.get(reverse("devices:equity_edit", args=[student.public_id])).status_code == 200
    r = client.post(
        reverse("devices:equity_edit", args=[student.public_id]),
        {"indigenous": "on", "device_at_home": "shared", "internet_at_home": "yes"},
    )
    assert r.status_code == 302
    s = StudentSupport.objects.get(student=student)
    assert s.indigenous and s.device_at_home == "shared" and not s.low_income


def test_export_csv(world: Any, supported: StudentSupport) -> None:
    r = world.client("elem_admin").get(reverse("devices:equity_export"))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["external_id", "class", "seat", "name"]
    by = {row[0]: row for row in rows[1:]}
    row = by["elem_student"]
    assert row[1] == "501" and row[4] == "Y" and row[6] == "Y" and row[-2:] == ["no", "shared"]
    assert AuditEntry.objects.filter(action="student_support.export").exists()


def _upload(text: str, name: str = "support.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_all_or_nothing(world: Any) -> None:
    client = world.client("elem_admin")
    bad = (
        "external_id,class,seat,low_income,indigenous,device_at_home,internet_at_home\n"
        "elem_student,,,Y,N,no,no\n"
        "nobody,,,Y,N,no,no\n"
        ",501,2,maybe,N,no,sometimes\n"
    )
    r = client.post(reverse("devices:equity_import"), {"file": _upload(bad)})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="import-errors"' in page
    assert "Row 3" in page or "3" in page
    result = eq_svc.support_import(
        school=world.schools["A-elem"], filename="x.csv", data=bad.encode(), actor=None
    )
    fields = {(e["row"], e["field"]) for e in result.errors}
    assert fields == {(3, "external_id"), (4, "low_income"), (4, "internet_at_home")}
    assert not StudentSupport.objects.exists()
    good = (
        "學號,班級,座號,低收入戶,原住民,家中設備,家中網路\n"
        "elem_student,,,Y,N,無,無\n"
        ",501,2,N,Y,共用,有\n"
    )
    r = client.post(reverse("devices:equity_import"), {"file": _upload(good)})
    assert r.status_code == 302
    s1 = StudentSupport.objects.get(student=world.people["elem_student"])
    s2 = StudentSupport.objects.get(student=world.people["elem_student2"])
    assert s1.low_income and s1.device_at_home == "no"
    assert s2.indigenous and s2.device_at_home == "shared" and s2.internet_at_home == "yes"


def test_import_xlsx(world: Any) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["external_id", "remote", "device_at_home"])
    ws.append(["elem_student2", "Y", "no"])
    buf = io.BytesIO()
    wb.save(buf)
    result = eq_svc.support_import(
        school=world.schools["A-elem"],
        filename="s.xlsx",
        data=buf.getvalue(),
        actor=world.users["elem_admin"],
    )
    assert result.errors == [] and result.created == 1
    assert StudentSupport.objects.get(student=world.people["elem_student2"]).remote
    with pytest.raises(PermissionDenied):
        eq_svc.support_import(
            school=world.schools["A-elem"],
            filename="s.xlsx",
            data=buf.getvalue(),
            actor=world.users["elem_teacher"],
        )
    # another school's students are not found
    result = eq_svc.support_import(
        school=world.schools["B-elem"], filename="s.xlsx", data=buf.getvalue()
    )
    assert result.errors and result.errors[0]["field"] == "external_id"
