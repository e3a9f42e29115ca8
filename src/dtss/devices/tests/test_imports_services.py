"""The import service: MDM exports matched on serial, register files, all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dtss.devices.import_services import device_import_create
from dtss.devices.models import Device, DeviceEvent, DeviceImport
from dtss.devices.tests.factories import make_device
from dtss.devices.tests.imports_helpers import (
    REGISTER_HEADER,
    csv_bytes,
    errors,
    run_import,
    sample,
    upload,
    xlsx_bytes,
)

TPE = ZoneInfo("Asia/Taipei")
UTC = dt.UTC


def snapshot() -> list[tuple]:
    devices = Device.objects.order_by("pk").values_list(
        "pk", "asset_tag", "serial", "mdm_source", "mdm_id", "mdm_last_contact", "mdm_user"
    )
    return [*devices, ("events", DeviceEvent.objects.count())]


# --- Jamf School ------------------------------------------------------------------------------


def test_jamf_matches_on_serial_updates_and_creates(world: Any) -> None:
    known = make_device(world, serial=" dmpxk1aaaa01 ", model_name="", os="")
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert job.status == DeviceImport.Status.DONE, job.report["errors"]
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (2, 1, 0)
    known.refresh_from_db()
    assert known.mdm_source == "jamf"
    assert known.mdm_id == "00008101-000A1B2C3D4E001E"
    assert known.mdm_user == "王小明"
    assert known.mdm_last_contact == dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)
    assert known.model_name == "iPad (10th generation)" and known.os == "iPadOS 17.5.1"
    assert known.events.filter(kind=DeviceEvent.Kind.MDM).count() == 1
    # unknown serials became devices of the school: an iPad is a tablet, a MacBook a laptop
    ipad = Device.objects.get(serial="DMPXK1AAAA02")
    assert ipad.school == world.schools["A-elem"] and ipad.kind == "tablet"
    assert ipad.asset_tag == "083601-AAAA02" and ipad.mdm_source == "jamf"
    mac = Device.objects.get(serial="C02ZK1BBBB03")
    assert mac.kind == "laptop" and mac.asset_tag == "083601-BBBB03"
    created_rows = sorted(item["row"] for item in job.report["rows"]["created"])
    assert created_rows == [3, 4] and job.report["rows"]["updated"][0]["row"] == 2


def test_rerunning_the_same_file_changes_nothing(world: Any) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    first = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert first.status == "done"
    before = snapshot()
    second = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert second.status == "done", second.report["errors"]
    assert (second.report["created"], second.report["updated"]) == (0, 0)
    assert second.report["unchanged"] == 3
    assert snapshot() == before


def test_generated_tags_are_unique(world: Any) -> None:
    make_device(world, asset_tag="083601-AAAA02", serial="OTHER1")
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert job.status == "done", job.report["errors"]
    assert Device.objects.get(serial="DMPXK1AAAA02").asset_tag == "083601-AAAA02-2"


def test_update_only_lists_unknown_devices(world: Any) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    count = Device.objects.count()
    job = run_import(world, source="jamf", content=sample("jamf.csv"), update_only=True)
    assert job.status == "done"
    assert Device.objects.count() == count
    assert (job.report["created"], job.report["updated"], job.report["not_in_register"]) == (
        0,
        1,
        2,
    )
    listed = {item["serial"] for item in job.report["rows"]["not_in_register"]}
    assert listed == {"DMPXK1AAAA02", "C02ZK1BBBB03"}


# --- Google Admin -----------------------------------------------------------------------------


def test_google_keeps_the_newest_last_contact(world: Any) -> None:
    newer = dt.datetime(2025, 12, 1, 9, 0, tzinfo=TPE)
    old = make_device(world, serial="5CD1234X01", kind="chromebook")
    old.mdm_last_contact = newer
    old.mdm_user = "current@ntes.tw"
    old.mdm_source = "google"
    old.save()
    older = make_device(world, serial="5cd1234x02", kind="chromebook")
    older.mdm_last_contact = dt.datetime(2025, 10, 1, tzinfo=TPE)
    older.save()
    job = run_import(world, source="google", content=sample("google_chromebooks.csv"))
    assert job.status == "done", job.report["errors"]
    old.refresh_from_db()
    older.refresh_from_db()
    # the file's 2025-11-03 contact is older than the stored one: kept, user not overwritten
    assert old.mdm_last_contact == newer and old.mdm_user == "current@ntes.tw"
    assert older.mdm_last_contact == dt.datetime(2025, 11, 1, 7, 5, 33, tzinfo=UTC)
    assert older.mdm_id.endswith("0002") and older.os == "ChromeOS 120.0.6099.235"
    assert job.report["created"] == 0


def test_google_creates_chromebooks_with_the_annotated_asset_id(world: Any) -> None:
    job = run_import(
        world, source="google", content=sample("google_chromebooks.csv"), default_kind="laptop"
    )
    assert job.status == "done", job.report["errors"]
    cb = Device.objects.get(serial="5CD1234X02")
    assert cb.kind == "chromebook" and cb.asset_tag == "CB-0002" and cb.location == "電腦教室"
    assert cb.mdm_last_contact == dt.datetime(2025, 11, 1, 7, 5, 33, tzinfo=UTC)


# --- Intune -----------------------------------------------------------------------------------


def test_intune_matches_and_creates_windows_laptops(world: Any) -> None:
    known = make_device(world, serial="pf3abc01", kind="laptop", model_name="")
    job = run_import(world, source="intune", content=sample("intune.csv"))
    assert job.status == "done", job.report["errors"]
    known.refresh_from_db()
    assert known.mdm_source == "intune" and known.mdm_user == "t002@ntes.tw"
    assert known.mdm_last_contact == dt.datetime(2025, 11, 3, 8, 15, tzinfo=TPE)
    assert known.model_name == "ThinkPad L13 Gen 4" and known.os == "Windows 10.0.22631.4460"
    new = Device.objects.get(serial="PF3ABC02")
    assert new.kind == "laptop" and new.manufacturer == "LENOVO"
    assert new.mdm_last_contact == dt.datetime(2025, 11, 2, 15, 30, tzinfo=TPE)


# --- bad files change nothing -----------------------------------------------------------------


def test_duplicate_serials_name_both_rows(world: Any) -> None:
    content = (
        sample("intune.csv")
        + b"NTES-LAB-03,Intune,Corporate,Compliant,Windows,10,,,"
        + (b"x, pf3abc01 ,M,LENOVO\r\n")
    )
    before = snapshot()
    job = run_import(world, source="intune", content=content)
    assert job.status == "failed"
    assert errors(job) == [(4, "Serial number")]
    message = job.report["errors"][0]["message"]
    assert "rows 2 and 4" in message
    assert snapshot() == before


def test_a_file_of_another_format_is_named(world: Any) -> None:
    job = run_import(world, source="jamf", content=sample("google_chromebooks.csv"))
    assert job.status == "failed"
    assert "Google Admin export, not a Jamf School export" in job.report["errors"][0]["message"]
    job = run_import(world, source="intune", content=sample("jamf.csv"))
    assert "Jamf School export" in job.report["errors"][0]["message"]
    assert Device.objects.count() == 0


def test_bad_dates_and_missing_serials_are_listed_and_nothing_changes(world: Any) -> None:
    make_device(world, serial="DMPXK1AAAA01")
    content = (
        sample("jamf.csv").decode("utf-8-sig").replace("2025-11-02 16:40:12", "yesterday")
        + ",,,iPad,17,,,,,2025-11-03 08:15:00,\n"
    ).encode()
    before = snapshot()
    job = run_import(world, source="jamf", content=content)
    assert job.status == "failed"
    assert errors(job) == [(3, "Last Check-in"), (5, "Serial Number")]
    assert snapshot() == before


def test_empty_and_unreadable_files(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        run_import(world, source="jamf", content=b"")
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError):
        run_import(world, source="jamf", content=b"%PDF-1.4", filename="export.pdf")
    job = run_import(world, source="jamf", content=b"Serial Number,Model\r\n")
    assert job.status == "failed" and "no rows" in job.report["errors"][0]["message"]
    job = run_import(world, source="jamf", content=b"not a zip", filename="export.xlsx")
    assert job.status == "failed" and "Excel" in job.report["errors"][0]["message"]
    assert Device.objects.count() == 0


def test_a_device_of_a_school_the_user_does_not_manage_is_an_error(world: Any) -> None:
    other = make_device(world, "A-junior", serial="DMPXK1AAAA01")
    before = snapshot()
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert job.status == "failed"
    assert errors(job) == [(2, "Serial Number")]
    assert "083501" in job.report["errors"][0]["message"]
    assert snapshot() == before
    # the county's office manages both schools: the same file goes through
    job = run_import(world, source="jamf", content=sample("jamf.csv"), user="a_admin")
    assert job.status == "done"
    other.refresh_from_db()
    assert other.school == world.schools["A-junior"] and other.mdm_source == "jamf"


def test_importing_into_a_school_one_does_not_manage_is_refused(world: Any) -> None:
    for user, school in (
        ("elem_admin", "A-junior"),
        ("b_admin", "A-elem"),
        ("elem_teacher", "A-elem"),
    ):
        with pytest.raises(PermissionDenied):
            device_import_create(
                user=world.users[user],
                source="jamf",
                uploaded_file=upload("jamf.csv", sample("jamf.csv")),
                county=world.schools[school].county,
                school=world.schools[school],
                enqueue=False,
            )
    assert DeviceImport.objects.count() == 0


def test_a_school_of_another_county_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        device_import_create(
            user=None,
            source="jamf",
            uploaded_file=upload("jamf.csv", sample("jamf.csv")),
            county=world.counties["A"],
            school=world.schools["B-elem"],
            enqueue=False,
        )
    assert "school" in exc.value.message_dict


def test_the_same_serial_in_another_county_is_another_device(world: Any) -> None:
    make_device(world, "B-elem", serial="DMPXK1AAAA01")
    job = run_import(world, source="jamf", content=sample("jamf.csv"))
    assert job.status == "done" and job.report["created"] == 3


# --- register files ---------------------------------------------------------------------------


def register_row(**values: str) -> list[str]:
    row = dict.fromkeys(REGISTER_HEADER, "")
    row.update(values)
    return [row[k] for k in REGISTER_HEADER]


def test_register_xlsx_creates_and_updates(world: Any) -> None:
    existing = make_device(world, asset_tag="083601-T-0001", serial="SER-1", location="")
    content = xlsx_bytes(
        REGISTER_HEADER,
        [
            register_row(
                asset_tag="083601-T-0001", serial="SER-1", kind="tablet", location="平板車 A"
            ),
            register_row(
                asset_tag="083601-T-0002",
                serial="SER-2",
                kind="平板",
                school_code="083601",
                funding_source="central",
                programme="生生用平板",
                purchase_date="113/08/01",
                cost="12,000",
                warranty_end="2027-07-31",
                status="in_repair",
            ),
        ],
    )
    job = run_import(world, source="register", content=content, filename="register.xlsx")
    assert job.status == "done", job.report["errors"]
    assert (job.report["created"], job.report["updated"]) == (1, 1)
    existing.refresh_from_db()
    assert existing.location == "平板車 A"
    new = Device.objects.get(asset_tag="083601-T-0002")
    assert new.purchase_date == dt.date(2024, 8, 1) and int(new.cost) == 12000
    assert new.status == "in_repair" and new.programme == "生生用平板"
    again = run_import(world, source="register", content=content, filename="register.xlsx")
    assert (again.report["created"], again.report["updated"], again.report["unchanged"]) == (
        0,
        0,
        2,
    )


def test_register_chinese_headers(world: Any) -> None:
    header = ["資產編號", "序號", "類別", "型號", "學校代碼", "購置日期", "備註"]
    content = csv_bytes(
        header, [["083601-L-01", "ABC", "筆電", "X1", "083601", "2024-09-01", "教師用"]], bom=True
    )
    job = run_import(world, source="register", content=content, school=None, user="a_admin")
    assert job.status == "done", job.report["errors"]
    device = Device.objects.get(asset_tag="083601-L-01")
    assert device.kind == "laptop" and device.notes == "教師用"


def test_register_errors_name_rows_and_fields(world: Any) -> None:
    content = csv_bytes(
        REGISTER_HEADER,
        [
            register_row(asset_tag="T1", kind="toaster", purchase_date="2024-13-40"),
            register_row(asset_tag="T2", kind="tablet", school_code="024601"),
            register_row(asset_tag="T3", kind="tablet", school_code="083501"),
            register_row(asset_tag="T1", kind="tablet", cost="-5", status="on_loan"),
        ],
    )
    job = run_import(world, source="register", content=content)
    assert job.status == "failed"
    assert errors(job) == [
        (2, "kind"),
        (2, "purchase_date"),
        (3, "school_code"),  # a school of another county
        (4, "school_code"),  # a school elem_admin does not manage
        (5, "asset_tag"),  # T1 twice
        (5, "cost"),
    ]
    assert Device.objects.count() == 0


def test_register_status_that_follows_loans_is_an_error_while_saving(world: Any) -> None:
    content = csv_bytes(
        REGISTER_HEADER, [register_row(asset_tag="T1", kind="tablet", status="on_loan")]
    )
    job = run_import(world, source="register", content=content)
    assert job.status == "failed" and errors(job) == [(2, "status")]
    assert Device.objects.count() == 0


def test_command_line_jobs_of_a_deleted_uploader_do_not_run(world: Any) -> None:
    job = device_import_create(
        user=world.users["elem_admin"],
        source="jamf",
        uploaded_file=upload("jamf.csv", sample("jamf.csv")),
        county=world.counties["A"],
        school=world.schools["A-elem"],
        enqueue=False,
    )
    world.users["elem_admin"].delete()
    from dtss.devices.import_services import device_import_run

    job.refresh_from_db()
    assert device_import_run(job=job).status == "failed"
    assert Device.objects.count() == 0
