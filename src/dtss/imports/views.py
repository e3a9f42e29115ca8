"""Pages of the imports: upload and list, one job with its progress and problems, templates.

Only administrators use them: a county administrator for the county's schools, a school
administrator for their own school. Another tenant's job is a 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.imports import services
from dtss.imports.downloads import template_csv, template_xlsx
from dtss.imports.forms import ImportForm
from dtss.imports.importers import IMPORTERS, problem_text
from dtss.imports.models import ImportJob
from dtss.imports.selectors import import_job_progress


def _admin_only(request: HttpRequest) -> None:
    if not scope_for(request.user).can_administer:
        raise PermissionDenied


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.import_job_create(
                    user=request.user,
                    kind=data["kind"],
                    uploaded_file=data["file"],
                    county=data["target_county"],
                    school=data.get("school"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The file was received and is being checked."))
                return redirect("imports:detail", public_id=job.public_id)
    else:
        initial: dict[str, Any] = {}
        school_id = request.GET.get("school", "")
        if school_id:
            initial["school"] = school_id
        form = ImportForm(initial=initial, user=request.user)
    jobs = ImportJob.objects.visible_to(request.user, write=True).select_related(
        "county", "school", "created_by"
    )
    page = Paginator(jobs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = [(kind, label, IMPORTERS[kind]) for kind, label in ImportJob.Kind.choices]
    return render(request, "imports/job_list.html", {"form": form, "page": page, "kinds": kinds})


def _problems(job: ImportJob) -> list[dict[str, Any]]:
    return [
        {"row": p.get("row") or "", "field": p.get("field") or "", "message": problem_text(p)}
        for p in job.errors
    ]


def _summary_details(job: ImportJob) -> list[tuple[str, int]]:
    return [(_(label), count) for label, count in job.summary.get("details", [])]


@login_required
def job_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    job = get_visible_or_404(ImportJob, request.user, public_id, write=True)
    importer = IMPORTERS[job.kind]
    labels = {c.key: c.label for c in importer.columns}
    problems = _problems(job)
    for item in problems:
        item["label"] = labels.get(item["field"], "")
    return render(
        request,
        "imports/job_detail.html",
        {
            "job": job,
            "progress": import_job_progress(job=job),
            "problems": problems,
            "details": _summary_details(job),
        },
    )


@login_required
@require_GET
def job_status(request: HttpRequest, public_id: str) -> JsonResponse:
    job = get_visible_or_404(ImportJob, request.user, public_id, write=True)
    progress = import_job_progress(job=job)
    return JsonResponse(
        {
            "id": str(job.public_id),
            "status": job.status,
            "status_label": job.get_status_display(),
            "active": job.is_active,
            "phase": progress.phase,
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "saved_rows": progress.done if progress.phase == "saving" else None,
            "percent": progress.percent,
            "progress_text": progress.text,
            "errors": _problems(job),
            "summary": {
                "rows": job.summary.get("rows", 0),
                "created": job.summary.get("created", 0),
                "updated": job.summary.get("updated", 0),
                "details": [[label, count] for label, count in _summary_details(job)],
            },
        }
    )


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    _admin_only(request)
    if fmt == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="dtss-{kind}-template.{fmt}"'
    return response
