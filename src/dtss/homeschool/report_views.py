"""The platform's reports page (`/homeschool/reports/`, `?format=csv` for the CSV export).

The county's office sees its county per school (and may narrow to one school, per class); a
school's administrators see their school per class; everyone else 403; another county's or
school's `?county=` / `?school=` is a 404 (`report_selectors.report_scope`). Counts only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from dtss.framework.reports import csv_safe
from dtss.homeschool import report_selectors as rsel

CSV = "text/csv; charset=utf-8"


def _csv(headers: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(
            [
                "" if v is None else v.isoformat() if isinstance(v, dt.date) else csv_safe(v)
                for v in row
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    scope = rsel.report_scope(
        user=request.user,
        county_code=request.GET.get("county", ""),
        school_id=request.GET.get("school", ""),
    )
    period, errors = rsel.parse_period(request.GET.get("from", ""), request.GET.get("to", ""))
    report = None
    if period is not None:
        report = rsel.report_build(
            county=scope.county, school=scope.school, start=period[0], end=period[1]
        )
    if request.GET.get("format") == "csv":
        if report is None:
            return HttpResponse(
                "\n".join(f"{k}: {v}" for k, v in errors.items()),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        where = scope.school.code if scope.school else scope.county.code
        headers, rows = rsel.report_table(report)
        response = HttpResponse(_csv(headers, rows), content_type=CSV)
        name = f"homeschool-report-{where}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response
    params = {
        "county": scope.county.code if len(scope.counties) > 1 else "",
        "school": str(scope.school.public_id) if scope.school and not scope.school_fixed else "",
        "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
    }
    if scope.school_fixed and len(scope.schools) > 1:
        params["school"] = str(scope.school.public_id)
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "homeschool/reports/reports.html",
        {
            "report_scope": scope,
            "report": report,
            "errors": errors,
            "start": request.GET.get("from", "") or (report.start.isoformat() if report else ""),
            "end": request.GET.get("to", "") or (report.end.isoformat() if report else ""),
            "csv_query": (query + "&" if query else "") + "format=csv",
        },
        status=200 if report is not None else 400,
    )
