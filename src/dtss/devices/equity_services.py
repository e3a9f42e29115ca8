"""Writes of equity data: a student's support categories and home access (`StudentSupport`).

The categories are sensitive (minors, DESIGN.md rule 6): only the school's administrators and
the county's office change or read them (`access.may_see_equity`). The audit log names the
fields that changed, never their values. A parent may update their own child's home access
(device and internet at home), never the categories.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.devices import access
from dtss.devices.models import StudentSupport
from dtss.orgs.models import Enrollment, Membership, Person, Role, School

CATEGORIES = StudentSupport.CATEGORY_FIELDS
ACCESS_FIELDS = ("device_at_home", "internet_at_home")
FIELDS = (*CATEGORIES, "other_note", *ACCESS_FIELDS)


def _school_of(student: Person) -> School | None:
    from dtss.devices.loan_services import student_school

    return student_school(student)


def _check_access_value(name: str, value: Any) -> str:
    value = "" if value is None else str(value).strip().lower()
    if value not in StudentSupport.Access.values:
        raise ValidationError({name: _("Choose yes, shared, no or unknown.")})
    return value


@transaction.atomic
def support_set(
    *,
    student: Person,
    actor: Any = None,
    request: Any = None,
    **values: Any,
) -> StudentSupport:
    """Create or update a student's support record. Only the given fields change."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be changed here.") for n in unknown})
    school = _school_of(student)
    if school is None:
        raise ValidationError({"student": _("The student is not enrolled in a school.")})
    if actor is not None and not access.may_see_equity(
        scope_for(actor), school_id=school.pk, county_id=school.county_id
    ):
        raise PermissionDenied(_("Only the school's administrators may change support records."))
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in CATEGORIES:
            clean[name] = bool(value)
        elif name in ACCESS_FIELDS:
            clean[name] = _check_access_value(name, value)
        else:
            clean[name] = str(value or "").strip()
            if len(clean[name]) > 200:
                raise ValidationError({name: _("Keep it under 200 characters.")})
    return _write(student=student, school=school, values=clean, actor=actor, request=request)


def _write(
    *, student: Person, school: School, values: dict[str, Any], actor: Any, request: Any
) -> StudentSupport:
    support = StudentSupport.objects.select_for_update().filter(student=student).first()
    created = support is None
    if support is None:
        support = StudentSupport(student=student, school=school, county_id=school.county_id)
    changed = []
    if support.school_id != school.pk:
        support.school = school
        support.county_id = school.county_id
        changed.append("school")
    for name, value in values.items():
        if getattr(support, name) != value:
            setattr(support, name, value)
            changed.append(name)
    if not support.other:
        if support.other_note:
            changed.append("other_note")
        support.other_note = ""
    if not changed and not created:
        return support
    support.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    support.save()
    audit_record(
        actor=actor,
        action="student_support.create" if created else "student_support.update",
        obj=support,
        request=request,
        detail={"fields": sorted(set(changed))},
    )
    return support


@transaction.atomic
def home_access_set(
    *,
    student: Person,
    device_at_home: str,
    internet_at_home: str,
    actor: Any,
    request: Any = None,
) -> StudentSupport:
    """A parent (or the school) updates a child's access at home; categories stay as they are."""
    scope = scope_for(actor)
    school = _school_of(student)
    if school is None:
        raise ValidationError({"student": _("The student is not enrolled in a school.")})
    if student.pk not in scope.child_ids and not access.may_see_equity(
        scope, school_id=school.pk, county_id=school.county_id
    ):
        raise PermissionDenied(_("Only the student's parents or the school may change this."))
    values = {
        "device_at_home": _check_access_value("device_at_home", device_at_home),
        "internet_at_home": _check_access_value("internet_at_home", internet_at_home),
    }
    return _write(student=student, school=school, values=values, actor=actor, request=request)


# --------------------------------------------------------------------------- import


HEADER_ALIASES = {
    "external_id": "external_id",
    "student_id": "external_id",
    "學號": "external_id",
    "class": "class",
    "班級": "class",
    "seat": "seat",
    "座號": "seat",
    "low_income": "low_income",
    "低收入戶": "low_income",
    "middle_low_income": "middle_low_income",
    "中低收入戶": "middle_low_income",
    "disability": "disability",
    "身心障礙": "disability",
    "indigenous": "indigenous",
    "原住民": "indigenous",
    "remote": "remote",
    "偏遠地區": "remote",
    "other": "other",
    "其他": "other",
    "other_note": "other_note",
    "其他說明": "other_note",
    "device_at_home": "device_at_home",
    "家中設備": "device_at_home",
    "internet_at_home": "internet_at_home",
    "家中網路": "internet_at_home",
}
YES = {"y", "yes", "1", "true", "是", "v", "✓"}
NO = {"n", "no", "0", "false", "否", ""}
ACCESS_ALIASES = {
    "yes": "yes",
    "y": "yes",
    "有": "yes",
    "shared": "shared",
    "共用": "shared",
    "limited": "shared",
    "no": "no",
    "n": "no",
    "無": "no",
    "": "",
    "unknown": "",
    "不明": "",
}


@dataclass
class ImportResult:
    created: int
    updated: int
    errors: list[dict[str, Any]]


def _rows_from_file(name: str, data: bytes) -> list[list[str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationError({"file": _("This is not a readable XLSX file.")}) from exc
        ws = wb.worksheets[0]
        return [
            ["" if v is None else str(v).strip() for v in row]
            for row in ws.iter_rows(values_only=True)
        ]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp950")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": _("Save the file as UTF-8 CSV or XLSX.")}) from exc
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


_CLASS_RE = re.compile(r"^\s*(\d{1,2})\s*(?:[-年./]\s*)?(\d{1,2})\s*班?\s*$")


def _parse_class(value: str) -> tuple[int, int] | None:
    v = value.strip()
    if v.isdigit() and len(v) in (3, 4):  # 501, 1203
        return int(v[:-2]), int(v[-2:])
    m = _CLASS_RE.match(v)
    return (int(m.group(1)), int(m.group(2))) if m else None


@transaction.atomic
def support_import(
    *, school: School, filename: str, data: bytes, actor: Any = None, request: Any = None
) -> ImportResult:
    """Support records from CSV/XLSX, all or nothing: every bad row is listed and nothing is
    saved unless every row is good. A student is found by external_id, or class and seat."""
    if actor is not None and not access.may_see_equity(
        scope_for(actor), school_id=school.pk, county_id=school.county_id
    ):
        raise PermissionDenied(_("Only the school's administrators may import support records."))
    rows = [r for r in _rows_from_file(filename, data) if any(c for c in r)]
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    header = [
        HEADER_ALIASES.get(h.strip().lower(), HEADER_ALIASES.get(h.strip(), "")) for h in rows[0]
    ]
    errors: list[dict[str, Any]] = []
    unknown = [h for h, k in zip(rows[0], header, strict=True) if h.strip() and not k]
    for h in unknown:
        errors.append({"row": 1, "field": h, "message": _("Unknown column.")})
    if "external_id" not in header and not {"class", "seat"} <= set(header):
        errors.append(
            {
                "row": 1,
                "field": "external_id",
                "message": _("Give an external_id column, or class and seat columns."),
            }
        )
    if errors:
        return ImportResult(0, 0, errors)
    students = {
        p.external_id: p
        for p in Person.objects.filter(
            pk__in=Membership.objects.filter(school=school, role=Role.STUDENT).values("person_id")
        ).exclude(external_id="")
    }
    seats: dict[tuple[int, int, int], Person] = {}
    for e in (
        Enrollment.objects.filter(school=school)
        .select_related("student", "school_class__term")
        .order_by("-school_class__term__roc_year", "-school_class__term__semester")
    ):
        key = (e.school_class.grade, e.school_class.number, e.seat_number)
        seats.setdefault(key, e.student)
    planned: list[tuple[Person, dict[str, Any]]] = []
    seen: dict[int, int] = {}
    for n, raw in enumerate(rows[1:], start=2):
        cells = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        student = None
        ext = cells.get("external_id", "").strip()
        if ext:
            student = students.get(ext)
            if student is None:
                errors.append(
                    {
                        "row": n,
                        "field": "external_id",
                        "message": _("No student of the school has this ID."),
                    }
                )
                continue
        else:
            cls = _parse_class(cells.get("class", ""))
            seat = cells.get("seat", "").strip()
            if cls is None or not seat.isdigit():
                errors.append(
                    {
                        "row": n,
                        "field": "class",
                        "message": _("Give the class (e.g. 501) and seat number."),
                    }
                )
                continue
            student = seats.get((cls[0], cls[1], int(seat)))
            if student is None:
                errors.append(
                    {
                        "row": n,
                        "field": "seat",
                        "message": _("No student sits in this class and seat."),
                    }
                )
                continue
        if student.pk in seen:
            errors.append(
                {
                    "row": n,
                    "field": "external_id",
                    "message": _("The same student is also in row %(row)s.")
                    % {"row": seen[student.pk]},
                }
            )
            continue
        seen[student.pk] = n
        values: dict[str, Any] = {}
        for name in CATEGORIES:
            if name not in cells:
                continue
            v = cells[name].strip().lower()
            if v in YES:
                values[name] = True
            elif v in NO:
                values[name] = False
            else:
                errors.append({"row": n, "field": name, "message": _("Write Y or N.")})
        for name in ACCESS_FIELDS:
            if name not in cells:
                continue
            v = cells[name].strip().lower()
            if v in ACCESS_ALIASES:
                values[name] = ACCESS_ALIASES[v]
            else:
                errors.append({"row": n, "field": name, "message": _("Write yes, shared or no.")})
        if "other_note" in cells:
            note = cells["other_note"].strip()
            if len(note) > 200:
                errors.append(
                    {"row": n, "field": "other_note", "message": _("Keep it under 200 characters.")}
                )
            values["other_note"] = note
        planned.append((student, values))
    if errors:
        return ImportResult(0, 0, errors)
    existing = set(
        StudentSupport.objects.filter(student__in=[s for s, _v in planned]).values_list(
            "student_id", flat=True
        )
    )
    for student, values in planned:
        _write(student=student, school=school, values=values, actor=actor, request=None)
    created = sum(1 for s, _v in planned if s.pk not in existing)
    audit_record(
        actor=actor,
        action="student_support.import",
        obj=school,
        request=request,
        detail={"rows": len(planned), "created": created},
    )
    return ImportResult(created, len(planned) - created, [])
