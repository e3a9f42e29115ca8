"""One student's learning page, and /analytics/me/ for students and parents (S2.M2).

Who sees a student is `access.student_access`: the student ("self"), their parents ("parent"),
their school's administrators and their homeroom teacher ("staff", by name), the county's staff
("county": a pseudonymous page, no name, school or class). Everyone else gets a 404, the same as
for a missing student. Every staff or county view of the page, and every export, is written to
the audit log (`analytics.student_view`). The CSV export is for staff.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.analytics import access
from dtss.analytics import student_selectors as sel
from dtss.analytics.class_selectors import week_of
from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.tenancy import scope_for
from dtss.orgs.models import Enrollment, Person


def _today() -> dt.date:
    return timezone.localdate()


def _language() -> str:
    return get_language() or "zh-hant"


def _student(request: HttpRequest, public_id: UUID) -> tuple[Person, str]:
    """The student and how the user may see them; a 404 when they may not."""
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise Http404
    how = access.student_access(request.user, person)
    if how is None:
        raise Http404
    if how in ("staff", "county") and not sel.is_student(person):
        raise Http404  # staff pages are about students only
    return person, how


def _week(request: HttpRequest, today: dt.date) -> tuple[dt.date, str]:
    """The Monday of the week asked for (?week=YYYY-MM-DD), never after this week."""
    raw = request.GET.get("week", "").strip()
    this_week = week_of(today)
    if not raw:
        return this_week, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return this_week, _("Week: enter a date as YYYY-MM-DD; showing this week instead.")
    return min(week_of(day), this_week), ""


@never_cache
@login_required
@require_GET
def student_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person, how = _student(request, public_id)
    today = _today()
    week, week_error = _week(request, today)
    report = sel.student_report(person=person, week=week, today=today, language=_language())
    if how in ("staff", "county"):
        access.audit_student_view(request, person, how, week=week.isoformat())
    scope = scope_for(request.user)
    return render(
        request,
        "analytics/student_detail.html",
        {
            "r": report,
            "how": how,
            "display_name": access.pseudonym(person.pk) if how == "county" else person.name,
            "enrollment": report.enrollment if how != "county" else None,
            "grade": report.enrollment.school_class.grade if report.enrollment else None,
            "week_error": week_error,
            "several_children": how == "parent" and len(scope.child_ids) > 1,
            "changes": [
                ("minutes", _("Minutes"), report.this_week.minutes, report.changes["minutes"], ""),
                (
                    "active_days",
                    _("Active days"),
                    report.this_week.active_days,
                    report.changes["active_days"],
                    "",
                ),
                ("events", _("Records"), report.this_week.events, report.changes["events"], ""),
                (
                    "completions",
                    _("Completions"),
                    report.this_week.completions,
                    report.changes["completions"],
                    "",
                ),
                (
                    "correct_rate",
                    _("Correct rate"),
                    report.this_week.correct_rate,
                    report.changes["correct_rate"],
                    "%",
                ),
            ],
        },
    )


@never_cache
@login_required
@require_GET
def student_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    person, how = _student(request, public_id)
    if how != "staff":
        raise PermissionDenied
    today = _today()
    week, _error = _week(request, today)
    report = sel.student_report(person=person, week=week, today=today, language=_language())
    headers = [
        _("Date"),
        _("Platform"),
        _("Subject"),
        _("Minutes"),
        _("Records"),
        _("Completions"),
        _("Attempts"),
        _("Answered"),
        _("Correct"),
        _("Correct rate (%)"),
        _("Mean score (%)"),
    ]
    rows = sel.student_days_export(
        person=person, start=report.span_start, end=report.span_end, language=_language()
    )
    access.audit_student_view(
        request,
        person,
        how,
        format="csv",
        rows=len(rows),
        start=report.span_start.isoformat(),
        end=report.span_end.isoformat(),
    )
    name = filename(person.name, report.span_start.isoformat(), report.span_end.isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")


@login_required
@require_GET
def student_me(request: HttpRequest) -> HttpResponse:
    """A student's own page; a parent's chooser of their children (or the only child)."""
    scope = scope_for(request.user)
    children = list(Person.objects.filter(pk__in=scope.child_ids).order_by("name"))
    own = (
        Person.objects.filter(pk=scope.person_id).first()
        if scope.person_id and Enrollment.objects.filter(student_id=scope.person_id).exists()
        else None
    )
    if own is not None and not children:
        return redirect("analytics:student_detail", public_id=own.public_id)
    if own is None and len(children) == 1:
        return redirect("analytics:student_detail", public_id=children[0].public_id)
    people = ([own] if own is not None else []) + children
    return render(
        request,
        "analytics/student_me.html",
        {
            "lines": sel.child_lines(people=people, today=_today()),
            "own_id": own.pk if own is not None else None,
            "staff": scope.is_staff_level,
        },
    )
