"""Pages of the platform register under /analytics/platforms/: the register, one platform (its
credential, record counts, file mappings and governance record), file mappings and imports, and
the DTSS xAPI profile.

Who may do what (platform_selectors): county administrators manage their county's platforms,
county staff read them, MOE viewers read every county's; any other role gets a 403 and another
county's platform is a 404. The profile page is documentation: every signed-in user reads it.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dtss.analytics import mapping as mp
from dtss.analytics import platform_selectors as sel
from dtss.analytics import platform_services as services
from dtss.analytics import profile
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.analytics.platform_forms import ImportForm, MappingForm, PlatformForm
from dtss.analytics.rollups import max_session_seconds
from dtss.framework.reports import csv_safe
from dtss.lrs.views import endpoint_url

RECENT_IMPORTS = 5  # on the platform page; the rest on its imports page
SORTS = ("name", "-name", "kind", "retention", "-retention", "created", "-created")


def _querystring(request: HttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def _subject_label(code: str) -> str:
    return profile.subject_name(code, request_language()) if code else "—"


def request_language() -> str:
    from django.utils.translation import get_language

    return get_language() or "zh-hant"


# --------------------------------------------------------------------------- the register


@login_required
@require_GET
def platform_list(request: HttpRequest) -> HttpResponse:
    scope = sel.may_read(request.user)
    query = request.GET.get("q", "")
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    qs = sel.platform_list(user=request.user, query=query, status=status, sort=sort)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/platform_list.html",
        {
            "page": page,
            "q": query,
            "status": status,
            "sort": sort,
            "manage": sel.may_manage(scope),
            "querystring": _querystring(request),
            "sortstring": _querystring(request, "sort"),
            "many_counties": scope.superuser or scope.everything or len(scope.county_ids) > 1,
        },
    )


def _register_rows(qs: Any) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("County/city"),
        _("Name"),
        _("Platform"),
        _("Status"),
        _("Account home page"),
        _("How accounts identify students"),
        _("Default subject"),
        _("Purpose of processing"),
        _("Data fields received"),
        _("Retention period (days)"),
        _("Legal basis"),
        _("LRS credential"),
        _("Registered"),
    ]
    rows = []
    for p in qs:
        rows.append(
            [
                p.county.name,
                p.name,
                p.get_kind_display(),
                _("active") if p.active else _("deactivated"),
                p.account_home_page,
                p.get_identity_scheme_display(),
                _subject_label(p.default_subject),
                p.purpose,
                p.data_fields,
                p.retention_days,
                p.legal_basis,
                (p.credential.key if p.credential and p.credential.active else ""),
                timezone.localtime(p.created_at).strftime("%Y-%m-%d"),
            ]
        )
    return headers, rows


@login_required
@require_GET
def platform_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The register with every governance field, as CSV (UTF-8 with BOM) or XLSX."""
    sel.may_read(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    qs = sel.platform_list(
        user=request.user,
        query=request.GET.get("q", ""),
        status=request.GET.get("status", ""),
        sort=request.GET.get("sort", "name"),
    )
    headers, rows = _register_rows(qs)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([csv_safe(h) for h in headers])
        for row in rows:
            writer.writerow(["" if v is None else csv_safe(v) for v in row])
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "platforms"
        for r, values in enumerate([headers, *rows], start=1):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, never a formula
                if r == 1:
                    cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="dtss-platforms-{stamp}.{fmt}"'
    return response


@login_required
def platform_create(request: HttpRequest) -> HttpResponse:
    sel.may_read(request.user)
    counties = list(sel.counties_managed(request.user))
    if not counties:
        raise PermissionDenied
    if request.method == "POST":
        form = PlatformForm(request.POST, counties=counties)
        if form.is_valid():
            try:
                platform = services.platform_create(
                    actor=request.user,
                    county=form.target_county(),
                    request=request,
                    **form.values(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was registered. Issue it a credential or add a file mapping.")
                    % {"name": platform.name},
                )
                return redirect("analytics:platform_detail", public_id=platform.public_id)
    else:
        form = PlatformForm(counties=counties)
    return render(request, "analytics/platform_form.html", {"form": form, "platform": None})


def _actors_url(platform: Platform) -> str:
    """The identity page's list of this platform's unresolved actors (when it is there)."""
    try:
        url = reverse("analytics:actors")
    except NoReverseMatch:
        return ""
    query = urlencode(
        {"county": platform.county.code, "platform": platform.pk, "status": "unresolved"}
    )
    return f"{url}?{query}"


def _mapping_rows(items: list[FileMapping]) -> list[dict[str, Any]]:
    """Each mapping with the columns it reads, labelled."""
    if not items:
        return []
    fields = MappingForm().fields
    rows = []
    for item in items:
        spec = mp.spec_load(item.spec)
        columns = [
            (str(fields[name].label), getattr(spec, name))
            for name in mp.COLUMN_FIELDS
            if getattr(spec, name)
        ]
        rows.append({"mapping": item, "columns": columns, "verb": spec.verb})
    return rows


def _history(entries: list[Any]) -> list[dict[str, Any]]:
    labels = {
        "analytics.platform_create": _("Registered"),
        "analytics.platform_update": _("Changed"),
        "analytics.platform_deactivate": _("Deactivated"),
        "analytics.platform_reactivate": _("Reactivated"),
        "analytics.platform_credential_issue": _("New credential issued"),
        "analytics.mapping_create": _("Mapping added"),
        "analytics.mapping_update": _("Mapping changed"),
        "analytics.mapping_delete": _("Mapping deleted"),
        "analytics.mapping_import": _("File imported"),
        "analytics.mapping_import_queue": _("File import started"),
        "analytics.mapping_import_failed": _("File import failed"),
    }
    rows = []
    for entry in entries:
        detail = entry.detail or {}
        text = ""
        if entry.action == "analytics.platform_update":
            names = []
            for name in detail.get("changed", {}):
                try:
                    names.append(str(Platform._meta.get_field(name).verbose_name))
                except Exception:
                    names.append(name)
            text = ", ".join(names)
        elif entry.action == "analytics.mapping_import":
            text = _("%(file)s: %(rows)s rows, %(new)s new records") % {
                "file": detail.get("file", ""),
                "rows": detail.get("rows", 0),
                "new": detail.get("new", 0),
            }
        elif entry.action in ("analytics.mapping_import_queue", "analytics.mapping_import_failed"):
            text = detail.get("file", "")
        elif entry.action.startswith("analytics.mapping_"):
            text = entry.object_repr
        elif entry.action == "analytics.platform_credential_issue":
            text = detail.get("key", "")
        rows.append(
            {
                "at": entry.at,
                "who": entry.actor_name,
                "label": labels.get(entry.action, entry.action),
                "text": text,
            }
        )
    return rows


@login_required
@require_GET
def platform_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id)
    recent = list(sel.imports_of(platform=platform)[: RECENT_IMPORTS + 1])
    return render(
        request,
        "analytics/platform_detail.html",
        {
            "platform": platform,
            "counts": sel.platform_counts(platform=platform),
            "mappings": _mapping_rows(list(sel.mappings_of(platform=platform))),
            "imports": recent[:RECENT_IMPORTS],
            "more_imports": len(recent) > RECENT_IMPORTS,
            "manage": sel.may_change(request.user, platform),
            "endpoint": endpoint_url(),
            "subject": _subject_label(platform.default_subject),
            "actors_url": _actors_url(platform),
            "history": _history(sel.platform_history(user=request.user, platform=platform)),
        },
    )


@login_required
def platform_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    if request.method == "POST":
        form = PlatformForm(request.POST, platform=platform)
        if form.is_valid():
            try:
                services.platform_update(
                    actor=request.user, platform=platform, request=request, **form.values()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("analytics:platform_detail", public_id=platform.public_id)
    else:
        form = PlatformForm(platform=platform)
    return render(request, "analytics/platform_form.html", {"form": form, "platform": platform})


@login_required
def platform_deactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    if request.method == "POST":
        services.platform_deactivate(actor=request.user, platform=platform, request=request)
        messages.success(
            request,
            _("%(name)s was deactivated: its credential is revoked and no file can be imported.")
            % {"name": platform.name},
        )
        return redirect("analytics:platform_detail", public_id=platform.public_id)
    return render(request, "analytics/platform_deactivate.html", {"platform": platform})


@login_required
@require_POST
def platform_reactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    services.platform_reactivate(actor=request.user, platform=platform, request=request)
    messages.success(request, _("%(name)s is active again.") % {"name": platform.name})
    return redirect("analytics:platform_detail", public_id=platform.public_id)


@login_required
def platform_credential(request: HttpRequest, public_id: str) -> HttpResponse:
    """Issue the platform a new credential; the secret is in this one response only."""
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    error = ""
    if request.method == "POST":
        try:
            issued = services.platform_credential_issue(
                actor=request.user, platform=platform, request=request
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            response = render(
                request,
                "analytics/platform_credential_created.html",
                {
                    "platform": platform,
                    "credential": issued.credential,
                    "secret": issued.secret,
                    "endpoint": endpoint_url(),
                    "curl": _curl_example(platform, issued.credential.key, issued.secret),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request, "analytics/platform_credential.html", {"platform": platform, "error": error}
    )


def _curl_example(platform: Platform, key: str, secret: str) -> str:
    """A command that sends one statement of the DTSS profile with the new credential."""
    home = platform.account_home_page or "https://example.org"
    statement = {
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": "s1"}},
        "verb": {"id": profile.ADL_VERBS + "completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": home.rstrip("/") + "/activities/lesson-1"},
        "context": {"extensions": {profile.EXT_SUBJECT: platform.default_subject or "math"}},
    }
    return " \\\n  ".join(
        [
            f"curl -u {shlex.quote(key + ':' + secret)}",
            "-H 'X-Experience-API-Version: 1.0.3'",
            "-H 'Content-Type: application/json'",
            f"-d {shlex.quote(json.dumps(statement, ensure_ascii=False))}",
            shlex.quote(endpoint_url() + "statements"),
        ]
    )


# --------------------------------------------------------------------------- mappings


def _mapping_context(platform: Platform, form: MappingForm, item: FileMapping | None) -> dict:
    return {
        "platform": platform,
        "form": form,
        "mapping": item,
        "verbs": profile.VERBS,
        "subjects": [(c, zh, en) for c, (zh, en) in profile.SUBJECTS.items()],
    }


@login_required
def mapping_create(request: HttpRequest, public_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    if request.method == "POST":
        form = MappingForm(request.POST)
        if form.is_valid():
            try:
                item = services.mapping_create(
                    actor=request.user,
                    platform=platform,
                    name=form.cleaned_data["name"],
                    spec=form.spec,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The mapping %(name)s was saved. Download its example file or import one.")
                    % {"name": item.name},
                )
                return redirect(
                    "analytics:mapping_import",
                    public_id=platform.public_id,
                    mapping_id=item.public_id,
                )
    else:
        form = MappingForm()
    return render(request, "analytics/mapping_form.html", _mapping_context(platform, form, None))


@login_required
def mapping_edit(request: HttpRequest, public_id: str, mapping_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    if request.method == "POST":
        form = MappingForm(request.POST)
        if form.is_valid():
            try:
                services.mapping_update(
                    actor=request.user,
                    mapping=item,
                    name=form.cleaned_data["name"],
                    spec=form.spec,
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("analytics:platform_detail", public_id=platform.public_id)
    else:
        form = MappingForm(spec=item.spec, extra_initial={"name": item.name})
    return render(request, "analytics/mapping_form.html", _mapping_context(platform, form, item))


@login_required
def mapping_delete(request: HttpRequest, public_id: str, mapping_id: str) -> HttpResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    if request.method == "POST":
        services.mapping_delete(actor=request.user, mapping=item, request=request)
        messages.success(request, _("The mapping %(name)s was deleted.") % {"name": item.name})
        return redirect("analytics:platform_detail", public_id=platform.public_id)
    return render(request, "analytics/mapping_delete.html", {"platform": platform, "mapping": item})


@login_required
@require_GET
def mapping_example(request: HttpRequest, public_id: str, mapping_id: str) -> HttpResponse:
    """A CSV with the mapping's columns and two rows it imports without a problem."""
    platform = sel.platform_get(user=request.user, public_id=public_id)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    columns, rows = mp.example_rows(mp.spec_load(item.spec))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(c) for c in columns])
    writer.writerows([[csv_safe(v) for v in row] for row in rows])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="dtss-mapping-example.csv"'
    return response


@login_required
@require_GET
def mapping_spec(request: HttpRequest, public_id: str, mapping_id: str) -> JsonResponse:
    """The mapping as JSON, to paste into another platform's or county's mapping form."""
    platform = sel.platform_get(user=request.user, public_id=public_id)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    response = JsonResponse(
        {"name": item.name, "platform_kind": platform.kind, "spec": item.spec},
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = 'attachment; filename="dtss-mapping.json"'
    return response


def _import_context(
    platform: Platform,
    item: FileMapping,
    form: ImportForm,
    conversion: mp.Conversion | None = None,
    job: MappingImport | None = None,
) -> dict[str, Any]:
    spec = mp.spec_load(item.spec)
    converter = mp.Converter(platform=platform, spec=spec)
    return {
        "platform": platform,
        "mapping": item,
        "form": form,
        "conversion": conversion,
        "job": job,
        "columns": [(name, column) for name, column in converter.columns()],
        "max_rows": "100,000",
    }


@login_required
def mapping_import(request: HttpRequest, public_id: str, mapping_id: str) -> HttpResponse:
    """Choose a file and see what it becomes (a preview: every row checked, the first rows as
    records, every problem). A file that can be imported is kept as a previewed import; its
    Import button queues it for the background worker (`import_start`), so the file is never
    sent twice and no request waits for a large import."""
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    fragment = request.headers.get("X-Requested-With") == "fetch"
    if request.method != "POST":
        return render(
            request,
            "analytics/mapping_import.html",
            _import_context(platform, item, ImportForm()),
        )
    form = ImportForm(request.POST, request.FILES)
    template = "analytics/mapping_preview.html" if fragment else "analytics/mapping_import.html"
    if not form.is_valid():
        return render(request, template, _import_context(platform, item, form))
    uploaded = form.cleaned_data["file"]
    try:
        job, conversion = services.mapping_import_preview(
            actor=request.user, mapping=item, filename=uploaded.name, content=uploaded.read()
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, template, _import_context(platform, item, form))
    context = _import_context(platform, item, ImportForm(), conversion, job)
    return render(request, template, context)


def _job_problems(job: MappingImport) -> list[dict[str, Any]]:
    return [
        {
            "row": p.get("row"),
            "column": p.get("column") or "",
            "message": p.get("message") or "",
        }
        for p in job.problems or []
    ]


def _job_status(job: MappingImport) -> dict[str, Any]:
    """The import's state, for its page's polling and the platform page."""
    progress = sel.import_progress(job=job)
    if progress.phase == "queued":
        text = _("Waiting for the background worker…")
    elif progress.phase == "running":
        text = _("Checked and stored %(done)s of %(total)s rows") % {
            "done": progress.done,
            "total": progress.total,
        }
    elif progress.phase == "stalled":
        text = _("The import stopped without finishing (the worker was restarted?). Retry it.")
    elif job.status == MappingImport.Status.DONE:
        text = _("%(rows)s rows imported: %(new)s new records, %(old)s already stored.") % {
            "rows": job.rows,
            "new": job.new_statements,
            "old": job.statements - job.new_statements,
        }
    elif job.status == MappingImport.Status.FAILED:
        text = _("Not imported: nothing was stored.")
    else:
        text = _("Previewed, not imported yet.")
    return {
        "id": str(job.public_id),
        "status": job.status,
        "status_label": job.get_status_display(),
        "active": job.is_active and progress.phase != "stalled",
        "phase": progress.phase,
        "rows": progress.total,
        "checked": progress.done,
        "percent": progress.percent,
        "progress_text": text,
        "statements": job.statements,
        "new_statements": job.new_statements,
        "problem_count": len(job.problems or []),
    }


@login_required
@require_GET
def import_list(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every file import of the platform, newest first, paged."""
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    page = Paginator(sel.imports_of(platform=platform), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "analytics/mapping_job_list.html",
        {"platform": platform, "page": page, "mappings": list(sel.mappings_of(platform=platform))},
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, public_id: str, job_id: str) -> HttpResponse:
    """One import: its status and progress (refreshing itself while it runs), then its counts
    or its problems, with Import (a preview) or Retry (failed or stalled)."""
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    job = sel.import_get(platform=platform, public_id=job_id)
    status = _job_status(job)
    return render(
        request,
        "analytics/mapping_job.html",
        {
            "platform": platform,
            "job": job,
            "status": status,
            "problems": _job_problems(job),
            "can_queue": platform.active and services.import_retryable(job),
            "keep_hours": int(services.PREVIEW_KEEP.total_seconds() // 3600),
        },
    )


@login_required
@require_GET
def import_status(request: HttpRequest, public_id: str, job_id: str) -> JsonResponse:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    job = sel.import_get(platform=platform, public_id=job_id)
    response = JsonResponse(_job_status(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def import_start(request: HttpRequest, public_id: str, job_id: str) -> HttpResponse:
    """Queue a previewed import, or retry a failed or stalled one."""
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    job = sel.import_get(platform=platform, public_id=job_id)
    try:
        services.mapping_import_queue(actor=request.user, job=job, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(file)s is being imported in the background; this page follows it.")
            % {"file": job.filename},
        )
    return redirect("analytics:import_detail", public_id=platform.public_id, job_id=job.public_id)


# --------------------------------------------------------------------------- the profile


@login_required
@require_GET
def profile_page(request: HttpRequest) -> HttpResponse:
    cap = max_session_seconds()
    return render(
        request,
        "analytics/profile.html",
        {
            **sel.profile_tables(),
            "cap_hours": round(cap / 3600, 2),
            "cap_seconds": cap,
            "endpoint": endpoint_url(),
            "example": json.dumps(_example_statement(), ensure_ascii=False, indent=2),
        },
    )


def _example_statement() -> dict[str, Any]:
    return {
        "id": "8d7f6c1e-2a4b-4c3d-9e8f-1a2b3c4d5e6f",
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://adl.edu.tw", "name": "<Education Cloud sub>"},
        },
        "verb": {
            "id": profile.ADL_VERBS + "answered",
            "display": {"zh-TW": "作答", "en-US": "answered"},
        },
        "object": {
            "objectType": "Activity",
            "id": "https://adl.edu.tw/activities/math/5-n-03/q-0012",
            "definition": {
                "name": {"zh-TW": "分數的加減 第 12 題"},
                "type": profile.ACTIVITY_TYPES + "exercise",
            },
        },
        "result": {"success": True, "duration": "PT45S"},
        "context": {
            "platform": "因材網",
            "language": "zh-TW",
            "extensions": {
                profile.EXT_SUBJECT: "math",
                profile.EXT_GRADE: 5,
                profile.EXT_NODE: "5-n-03-S01",
                profile.EXT_DOMAIN: "n-III-6",
            },
        },
        "timestamp": "2026-03-02T09:30:00+08:00",
    }


@login_required
@require_GET
def profile_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        sel.profile_document(), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'inline; filename="dtss-xapi-profile.json"'
    return response
