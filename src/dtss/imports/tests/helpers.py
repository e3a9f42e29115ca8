"""Builders of import files and a snapshot of every org table, shared by the import tests."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from dtss.core.models import AuditEntry
from dtss.imports.models import ImportJob
from dtss.imports.services import import_job_create, import_job_run
from dtss.orgs.models import (
    AcademicTerm,
    District,
    Enrollment,
    Guardianship,
    Membership,
    Person,
    School,
    SchoolClass,
)

ORG_MODELS = (
    District,
    School,
    AcademicTerm,
    SchoolClass,
    Person,
    Membership,
    Enrollment,
    Guardianship,
)

SCHOOL_HEADER = [
    "code",
    "name_zh",
    "name_en",
    "district_code",
    "district_name",
    "stage",
    "ownership",
    "area",
    "student_count",
    "address",
    "phone",
]
CLASS_HEADER = ["roc_year", "semester", "grade", "number", "name", "homeroom_teacher_id"]
PEOPLE_HEADER = [
    "external_id",
    "name",
    "role",
    "title",
    "gender",
    "email",
    "phone",
    "roc_year",
    "semester",
    "grade",
    "class_number",
    "seat_number",
    "child_external_id",
    "relation",
]


def counts() -> dict[str, int]:
    """Row counts of every table an import may write (the audit log excepted)."""
    return {m.__name__: m.objects.count() for m in ORG_MODELS}


def csv_bytes(header: list[str], rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run(
    kind: str, name: str, content: bytes, *, county: Any, school: Any = None, user: Any = None
) -> ImportJob:
    job = import_job_create(
        user=user,
        kind=kind,
        uploaded_file=upload(name, content),
        county=county,
        school=school,
        enqueue=False,
    )
    return import_job_run(job=job)


def fields(job: ImportJob) -> set[tuple[int, str]]:
    return {(p["row"], p["field"]) for p in job.errors}


__all__ = ["AuditEntry", "counts", "csv_bytes", "fields", "run", "upload", "xlsx_bytes"]
