"""Results of a run: the page, its CSV/XLSX/PDF files and, for named runs (forms), the answers
by person.

Who: only `selectors.may_read_results` (the owner's administrators; of a school's run also the
county's staff). Students, parents and accounts without a role get 403 before anything is
looked up; a run of another county or school is a 404 like a missing one; a teacher of the
owning school sees that the run exists but gets 403. The answers by person of a named run are
for the owner's administrators only (`services.may_manage`), never for an anonymous run.

Every figure comes from `exports.results_report` (through `selectors.run_results`), so the page
and the files publish the same suppressed figures. Filters: `?school=<public id>` for a county
run, `?class=<public id>` for a school run; an unknown value is a 404. Every download is written
to the audit log ("report.export").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.surveys import exports, selectors, services
from dtss.surveys.models import Run, Submission

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@dataclass
class Filters:
    schools: list[Any] = field(default_factory=list)  # choices (county runs)
    classes: list[Any] = field(default_factory=list)  # choices (school runs)
    school: Any = None
    school_class: Any = None

    @property
    def query(self) -> str:
        if self.school is not None:
            return f"?school={self.school.public_id}"
        if self.school_class is not None:
            return f"?class={self.school_class.public_id}"
        return ""


def _run(request: HttpRequest, public_id: UUID) -> Run:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied
    run = get_visible_or_404(Run, request.user, public_id)
    if not selectors.may_read_results(request.user, run):
        raise PermissionDenied
    return run


def _may_manage(user: Any, run: Run) -> bool:
    return services.may_manage(user, county_id=run.county_id, school_id=run.school_id)


def _filters(request: HttpRequest, run: Run) -> Filters:
    from dtss.orgs.models import School, SchoolClass

    f = Filters()
    if run.school_id is None:
        ids = set(run.schools.values_list("pk", flat=True)) | set(
            Submission.objects.filter(run=run, school__isnull=False).values_list(
                "school_id", flat=True
            )
        )
        f.schools = list(School.objects.filter(pk__in=ids).order_by("code"))
    else:
        ids = {c.pk for c in services.run_current_classes(run, run.school)} | set(
            Submission.objects.filter(run=run, school_class__isnull=False).values_list(
                "school_class_id", flat=True
            )
        )
        f.classes = list(
            SchoolClass.objects.filter(pk__in=ids, school_id=run.school_id).order_by(
                "-term__roc_year", "-term__semester", "grade", "number"
            )
        )
    school = request.GET.get("school", "").strip()
    klass = request.GET.get("class", "").strip()
    if school:
        f.school = next((s for s in f.schools if str(s.public_id) == school), None)
        if f.school is None:
            raise Http404
    elif klass:
        f.school_class = next((c for c in f.classes if str(c.public_id) == klass), None)
        if f.school_class is None:
            raise Http404
    return f


def _report(request: HttpRequest, run: Run, f: Filters) -> exports.ResultsReport:
    return exports.results_report(
        run=run, user=request.user, school=f.school, school_class=f.school_class
    )


@never_cache
@require_GET
@login_required
def run_results(request: HttpRequest, public_id: UUID) -> HttpResponse:
    run = _run(request, public_id)
    f = _filters(request, run)
    report = _report(request, run, f)
    manager = _may_manage(request.user, run)
    named = exports.named_table(run=run) if manager and run.mode == Run.Mode.NAMED else None
    return render(
        request,
        "surveys/results/page.html",
        {"run": run, "r": report, "filters": f, "named": named, "is_manager": manager},
    )


# --- downloads -------------------------------------------------------------------------------


def _filename(*parts: str) -> str:
    name = "-".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "results"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    run = _run(request, public_id)
    f = _filters(request, run)
    report = _report(request, run, f)
    if fmt == "csv":
        body, content_type = exports.render_csv(report), CSV
    elif fmt == "xlsx":
        body, content_type = exports.render_xlsx(report), XLSX
    else:
        body, content_type = exports.render_pdf(report), PDF
    audit_record(
        actor=request.user,
        action="report.export",
        obj=run,
        request=request,
        detail={
            "format": fmt,
            "what": "survey_results",
            "filter": report.filter_label,
            "blocked": report.blocked,
            "bytes": len(body),
        },
    )
    return _download(body, content_type, _filename(run.title, report.filter_label) + f".{fmt}")


@never_cache
@require_GET
@login_required
def run_results_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "csv")


@never_cache
@require_GET
@login_required
def run_results_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "xlsx")


@never_cache
@require_GET
@login_required
def run_results_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _export(request, public_id, "pdf")


def _named(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    run = _run(request, public_id)
    if not _may_manage(request.user, run):
        raise PermissionDenied
    if run.mode != Run.Mode.NAMED:
        raise Http404
    parts = exports.named_table(run=run)
    language = get_language() or ""
    if fmt == "csv":
        body, content_type = exports.render_named_csv(parts, language), CSV
    else:
        body, content_type = exports.render_named_xlsx(parts, run.title, language), XLSX
    audit_record(
        actor=request.user,
        action="report.export",
        obj=run,
        request=request,
        detail={
            "format": fmt,
            "what": "survey_named_answers",
            "rows": sum(len(p.rows) for p in parts),
        },
    )
    return _download(body, content_type, _filename(run.title, "answers") + f".{fmt}")


@never_cache
@require_GET
@login_required
def run_answers_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _named(request, public_id, "csv")


@never_cache
@require_GET
@login_required
def run_answers_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _named(request, public_id, "xlsx")
