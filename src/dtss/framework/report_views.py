"""Report downloads: an assessment's report as PDF or XLSX, a cycle's assessments as CSV or XLSX.

Every view starts from `get_visible_or_404`: another school's or county's assessment or cycle
is a 404, and the county's own assessment (Table 6) is visible to the county's staff only.
Reports are for staff: students, parents and accounts without a role get 403. The cycle
table holds the assessments the user can see: every school of the cycle for the county's
staff, the own school only for a school's staff. Every download is written to the audit log
("report.export"). The files are made synchronously (one organisation, well under a second).
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.framework import reports
from dtss.framework.models import Assessment, Cycle

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _staff_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied


def _filename(*parts: str) -> str:
    """A file name from its parts, without characters that file systems refuse."""
    name = "-".join(p for p in parts if p)
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("._") or "report"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit(request: HttpRequest, obj: Any, fmt: str, **detail: Any) -> None:
    audit_record(
        actor=request.user,
        action="report.export",
        obj=obj,
        request=request,
        detail={"format": fmt, **detail},
    )


def _assessment(request: HttpRequest, public_id: UUID) -> Assessment:
    _staff_only(request)
    return get_visible_or_404(Assessment, request.user, public_id)


def _report_name(report: reports.ReportData, ext: str) -> str:
    return _filename(report.org_code, report.org_name, report.cycle_name) + f".{ext}"


@never_cache
@require_GET
@login_required
def assessment_report_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assessment = _assessment(request, public_id)
    report = reports.assessment_report(assessment=assessment, user=request.user)
    body = reports.render_assessment_pdf(report)
    _audit(request, assessment, "pdf", bytes=len(body))
    return _download(body, PDF, _report_name(report, "pdf"))


@never_cache
@require_GET
@login_required
def assessment_report_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    assessment = _assessment(request, public_id)
    report = reports.assessment_report(assessment=assessment, user=request.user)
    body = reports.render_assessment_xlsx(report)
    _audit(request, assessment, "xlsx", bytes=len(body))
    return _download(body, XLSX, _report_name(report, "xlsx"))


def _cycle_table(request: HttpRequest, public_id: UUID) -> reports.CycleTable:
    _staff_only(request)
    cycle = get_visible_or_404(Cycle, request.user, public_id)
    return reports.cycle_table(cycle=cycle, user=request.user)


def _cycle_name(table: reports.CycleTable, ext: str) -> str:
    return _filename(table.cycle.county.name, table.cycle.name) + f".{ext}"


@never_cache
@require_GET
@login_required
def cycle_export_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    table = _cycle_table(request, public_id)
    body = reports.render_cycle_csv(table)
    _audit(request, table.cycle, "csv", rows=len(table.rows))
    return _download(body, CSV, _cycle_name(table, "csv"))


@never_cache
@require_GET
@login_required
def cycle_export_xlsx(request: HttpRequest, public_id: UUID) -> HttpResponse:
    table = _cycle_table(request, public_id)
    body = reports.render_cycle_xlsx(table)
    _audit(request, table.cycle, "xlsx", rows=len(table.rows))
    return _download(body, XLSX, _cycle_name(table, "xlsx"))
