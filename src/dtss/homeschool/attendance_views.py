"""Pages of attendance (出缺席/缺曠): a class's sheet for one day, the class report, the school
report (with the 缺曠高風險 list) and its CSV, and one student's record.

Who: the school's staff read a class's sheet and report; its homeroom teacher, the teachers
who teach the class and the school's administrators record it (`access.may_record_attendance`,
others read only); the school report is for the school's administrators; a student's record is
for the student, their parents, their homeroom teacher and the school's administrators —
anyone else gets a 404 as if the student did not exist. Another school's or county's class or
school is a 404; a role that sees it but may not use the page a 403. Staff reads of students'
records are in the audit log (`homeschool.attendance_read`). Writes: `services.attendance_set`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404
from dtss.homeschool import access, services
from dtss.homeschool import attendance_forms as forms
from dtss.homeschool import attendance_selectors as sel
from dtss.homeschool import selectors as common


def _class(request: HttpRequest, public_id: UUID) -> Any:
    from dtss.orgs.models import SchoolClass

    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not access.may_read_class_attendance(request.user, school_class):
        raise PermissionDenied
    return SchoolClass.objects.select_related("school", "term", "homeroom_teacher").get(
        pk=school_class.pk
    )


def _school(request: HttpRequest, public_id: UUID) -> Any:
    from dtss.orgs.models import School

    school = get_visible_or_404(School, request.user, public_id)
    if not access.may_read_school_reports(request.user, school):
        raise PermissionDenied
    return school


def _audit_read(request: HttpRequest, obj: Any, **detail: Any) -> None:
    audit_record(
        actor=request.user,
        action="homeschool.attendance_read",
        obj=obj,
        request=request,
        detail={k: str(v) for k, v in detail.items()},
    )


# --------------------------------------------------------------------------- the day's sheet


def _grid(rows: list[sel.SheetRow], values: dict[str, str], errors: dict[str, str]) -> list[Any]:
    out = []
    for row in rows:
        cells = []
        for period, record, _current in row.cells:
            name = forms.field_name(row.student.pk, period.pk)
            cells.append(
                {
                    "name": name,
                    "period": period,
                    "record": record,
                    "value": values.get(name, ""),
                    "locked": record is not None and record.leave_id is not None,
                    "error": errors.get(name, ""),
                }
            )
        out.append({"student": row.student, "seat": row.seat, "cells": cells})
    return out


@login_required
@require_http_methods(["GET", "POST"])
def attendance_class(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = _class(request, public_id)
    today = timezone.localdate()
    raw = request.POST.get("date") if request.method == "POST" else request.GET.get("date")
    day = sel.parse_day(raw) or today
    errors: dict[str, str] = {}
    if raw and sel.parse_day(raw) is None:
        errors["date"] = _("Not a date (YYYY-MM-DD).")
    elif day > today:
        errors["date"] = _("Attendance cannot be recorded for a future day.")
    if errors:
        day = today
    may_write = access.may_record_attendance(request.user, school_class)
    leave_types = list(common.leave_types(school=school_class.school))
    periods, rows = sel.class_sheet(school_class=school_class, date=day)
    data = None
    status = 200
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if errors:
            status = 400
        else:
            data = request.POST
            marks, errors = forms.parse_marks(data, rows=rows, leave_types=leave_types)
            if not errors:
                try:
                    counts = services.attendance_set(
                        user=request.user, school_class=school_class, date=day, marks=marks
                    )
                except ValidationError as exc:
                    errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
                else:
                    messages.success(
                        request,
                        _("Attendance saved: %(set)d recorded, %(cleared)d cleared.")
                        % {"set": counts["set"], "cleared": counts["cleared"]},
                    )
                    url = reverse("homeschool:attendance_class", args=[school_class.public_id])
                    return redirect(f"{url}?date={day.isoformat()}")
            status = 400
    else:
        _audit_read(request, school_class, date=day)
    school_day = bool(services.school_days(school=school_class.school, start=day, end=day))
    return render(
        request,
        "homeschool/attendance/class.html",
        {
            "school_class": school_class,
            "day": day,
            "today": today,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < today else None,
            "school_day": school_day,
            "periods": periods,
            "grid": _grid(rows, forms.sheet_values(rows, data), errors),
            "choices": forms.cell_choices(leave_types),
            "errors": errors,
            "cell_errors": {k: v for k, v in errors.items() if k.startswith("mark-")},
            "may_write": may_write,
        },
        status=status,
    )


# --------------------------------------------------------------------------- reports


def _range(request: HttpRequest) -> tuple[dt.date, dt.date, dict[str, str]]:
    return sel.range_from(request.GET)


@login_required
@require_GET
def attendance_class_report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = _class(request, public_id)
    start, end, errors = _range(request)
    report = sel.class_report(school_class=school_class, start=start, end=end)
    _audit_read(request, school_class, start=start, end=end)
    return render(
        request,
        "homeschool/attendance/class_report.html",
        {
            "school_class": school_class,
            "report": report,
            "unit": sel.unit_label(report.in_days),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def attendance_school(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _school(request, public_id)
    start, end, errors = _range(request)
    group = request.GET.get("group", "day")
    report = sel.school_report(school=school, start=start, end=end, group=group)
    _audit_read(request, school, start=start, end=end)
    params = {"from": start.isoformat(), "to": end.isoformat()}
    return render(
        request,
        "homeschool/attendance/school.html",
        {
            "school": school,
            "report": report,
            "unit": sel.unit_label(report.in_days),
            "errors": errors,
            "groups": [("day", _("Daily")), ("week", _("Weekly")), ("month", _("Monthly"))],
            "querystring": urlencode(params),
        },
        status=400 if errors else 200,
    )


def school_csv_rows(report: sel.SchoolReport) -> tuple[list[str], list[list[Any]]]:
    unit = sel.unit_label(report.in_days)
    headers = [
        _("Class"),
        _("Homeroom teacher"),
        _("Students"),
        _("Leave (%(unit)s)") % {"unit": unit},
        _("Unexcused (%(unit)s)") % {"unit": unit},
        _("Late (%(unit)s)") % {"unit": unit},
        _("From"),
        _("To"),
    ]
    rows = [
        [
            str(c.school_class),
            c.school_class.homeroom_teacher.name if c.school_class.homeroom_teacher else "",
            c.students,
            c.leave,
            c.unexcused,
            c.late,
            report.start,
            report.end,
        ]
        for c in report.classes
    ]
    return headers, rows


@never_cache
@login_required
@require_GET
def attendance_school_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _school(request, public_id)
    start, end, errors = _range(request)
    if errors:
        return HttpResponse(" ".join(f"{k}: {v}" for k, v in errors.items()), status=400)
    report = sel.school_report(school=school, start=start, end=end)
    headers, rows = school_csv_rows(report)
    audit_record(
        actor=request.user,
        action="homeschool.attendance_export",
        obj=school,
        request=request,
        detail={"from": start.isoformat(), "to": end.isoformat(), "rows": len(rows)},
    )
    name = filename(_("attendance"), school.code, start.isoformat(), end.isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")


# --------------------------------------------------------------------------- one student


def student_for(request: HttpRequest, public_id: UUID) -> tuple[Any, Any]:
    """The student and their enrolment, for those who may read their record (others 404)."""
    from dtss.orgs.models import Person

    student = get_visible_or_404(Person, request.user, public_id)
    enrolment = services.current_enrolment(student)
    if not sel.may_read_student(request.user, student, enrolment):
        raise Http404
    return student, enrolment


@login_required
@require_GET
def attendance_student(request: HttpRequest, public_id: UUID) -> HttpResponse:
    student, enrolment = student_for(request, public_id)
    start, end, errors = _range(request)
    if not sel.is_family_of(request.user, student):
        _audit_read(request, student, start=start, end=end)
    in_days = services.settings_get(enrolment.school).count_in_days if enrolment else False
    records = sel.student_records(user=request.user, student=student, start=start, end=end)
    page = Paginator(records, settings.PAGE_SIZE * 4).get_page(request.GET.get("page"))
    return render(
        request,
        "homeschool/attendance/student.html",
        {
            "student": student,
            "enrolment": enrolment,
            "start": start,
            "end": end,
            "errors": errors,
            "page": page,
            "days": sel.student_days(list(page.object_list)),
            "summary": sel.student_summary(
                user=request.user, student=student, start=start, end=end, in_days=in_days
            ),
            "unit": sel.unit_label(in_days),
            "querystring": urlencode({"from": start.isoformat(), "to": end.isoformat()}),
            "family": sel.is_family_of(request.user, student),
        },
        status=400 if errors else 200,
    )
