"""Helpers of the import tests: sample files and a one-call import."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dtss.devices.import_services import device_import_create, device_import_run
from dtss.devices.models import DeviceImport

DATA = Path(__file__).parent / "data"

REGISTER_HEADER = [
    "asset_tag",
    "serial",
    "kind",
    "manufacturer",
    "model",
    "os",
    "school_code",
    "funding_source",
    "programme",
    "purchase_date",
    "cost",
    "warranty_end",
    "location",
    "status",
    "notes",
]


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def csv_bytes(header: list[str], rows: list[list[str]], bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run_import(
    world: Any,
    *,
    source: str,
    content: bytes,
    filename: str = "",
    user: str | None = "elem_admin",
    school: str | None = "A-elem",
    county: str = "A",
    update_only: bool = False,
    default_kind: str = "tablet",
) -> DeviceImport:
    job = device_import_create(
        user=world.users[user] if user else None,
        source=source,
        uploaded_file=upload(filename or f"{source}.csv", content),
        county=world.counties[county],
        school=world.schools[school] if school else None,
        update_only=update_only,
        default_kind=default_kind,
        enqueue=False,
    )
    return device_import_run(job=job)


def errors(job: DeviceImport) -> list[tuple[int, str]]:
    return [(e["row"], e["field"]) for e in job.report.get("errors", [])]
