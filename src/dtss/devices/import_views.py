"""Pages of the register imports: upload a file, follow its progress, read its report, list
past imports, download the templates.

For the people who change a register: a school's administrators (their school) and the
county's office (every school of the county). Others get 403; another tenant's import is a 404.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dtss.core.tenancy import scope_for
from dtss.devices import access
from dtss.devices import import_formats as fmt
from dtss.devices import import_services as svc
from dtss.devices.models import DeviceImport, DeviceKind
from dtss.orgs.models import County, School


def _managers_only(request: HttpRequest) -> None:
    if not access.manages_any(request.user):
        raise PermissionDenied(_("Only the people who manage a register may import devices."))


def managed_schools(user: Any) -> Any:
    scope = scope_for(user)
    schools = School.objects.visible_to(user).select_related("county").order_by("code")
    ids = access.managed_school_ids(scope)
    if ids is not None:
        return schools.filter(pk__in=ids)
    if scope.superuser:
        return schools
    return schools.filter(county_id__in=scope.county_ids)


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: School) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.name}"


class DeviceImportForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=DeviceImport.Source.choices,
        help_text=gettext_lazy("The system the file comes from."),
    )
    school = SchoolChoiceField(
        label=gettext_lazy("School"),
        queryset=School.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=gettext_lazy(
            "New devices are registered here. A register file may instead name each row's "
            "school in its school_code column."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or Big5) or XLSX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    update_only = forms.BooleanField(
        label=gettext_lazy("Update only"),
        required=False,
        help_text=gettext_lazy(
            "Only update devices already in the register; list the others as “not in the "
            "register” instead of creating them."
        ),
    )
    default_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of new devices"),
        choices=DeviceKind.choices,
        initial=DeviceKind.TABLET,
        help_text=gettext_lazy(
            "When the export does not tell: Google devices are Chromebooks, Jamf iPads tablets, "
            "Intune Windows devices laptops."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = managed_schools(user)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        if len(schools[:2]) == 1 and not self.initial.get("school"):
            self.initial["school"] = schools[0].public_id
        self.user = user

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith(svc.EXTENSIONS):
            raise forms.ValidationError(_("Only .csv and .xlsx files can be imported."))
        if uploaded.size > svc.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB; split it into smaller files.")
            )
        return uploaded

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        school = data.get("school")
        if school is not None:
            data["county"] = school.county
        else:
            counties = list(
                County.objects.filter(pk__in=scope_for(self.user).county_ids).order_by("code")[:2]
            )
            if len(counties) == 1:
                data["county"] = counties[0]
            elif "school" not in self.errors:
                self.add_error("school", _("Choose the school."))
        return data


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    imports = svc.imports_visible(request.user)
    status = request.GET.get("status", "")
    if status in DeviceImport.Status.values:
        imports = imports.filter(status=status)
    source = request.GET.get("source", "")
    if source in DeviceImport.Source.values:
        imports = imports.filter(source=source)
    page = Paginator(imports, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("source", source)) if v)
    return render(
        request,
        "devices/imports/list.html",
        {
            "page": page,
            "querystring": query,
            "status": status,
            "source": source,
            "statuses": DeviceImport.Status.choices,
            "sources": DeviceImport.Source.choices,
        },
    )


@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    if request.method == "POST":
        form = DeviceImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = svc.device_import_create(
                    user=request.user,
                    source=data["source"],
                    uploaded_file=data["file"],
                    county=data["county"],
                    school=data.get("school"),
                    update_only=data.get("update_only", False),
                    default_kind=data.get("default_kind") or DeviceKind.TABLET,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The file was received and is being checked."))
                return redirect("devices:import_detail", public_id=job.public_id)
    else:
        initial: dict[str, Any] = {}
        if request.GET.get("source") in DeviceImport.Source.values:
            initial["source"] = request.GET["source"]
        form = DeviceImportForm(initial=initial, user=request.user)
    return render(
        request,
        "devices/imports/create.html",
        {"form": form, "sources": DeviceImport.Source.choices, "formats": fmt.FORMATS},
    )


def _import_or_404(request: HttpRequest, public_id: Any) -> DeviceImport:
    try:
        return svc.imports_visible(request.user).get(public_id=public_id)
    except (DeviceImport.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def progress_of(job: DeviceImport) -> dict[str, Any]:
    """The progress bar of an import: the phase, rows done of total, percent and a text."""
    total = job.total_rows
    phase = job.report.get("phase", "")
    if job.status == DeviceImport.Status.QUEUED:
        return {
            "phase": "queued",
            "done": 0,
            "total": total,
            "percent": 0,
            "text": _("Waiting for the background worker…"),
        }
    if job.status == DeviceImport.Status.RUNNING and phase == "saving":
        saving = svc.saving_progress(job)
        done, total = saving if saving else (0, total)
        percent = min(100, int(done * 100 / total)) if total else 0
        text = _("Saved %(done)s of %(total)s rows") % {"done": done, "total": total}
        return {"phase": "saving", "done": done, "total": total, "percent": percent, "text": text}
    done = job.done_rows
    percent = min(100, int(done * 100 / total)) if total else 0
    if job.status == DeviceImport.Status.DONE:
        percent = 100
    text = _("Checked %(done)s of %(total)s rows") % {"done": done, "total": total}
    phase = "checking" if job.status == DeviceImport.Status.RUNNING else "finished"
    return {"phase": phase, "done": done, "total": total, "percent": percent, "text": text}


def problems_of(job: DeviceImport) -> list[dict[str, Any]]:
    return [
        {
            "row": p.get("row") or 0,
            "field": p.get("field") or "",
            "message": fmt.problem_text(p),
        }
        for p in job.report.get("errors", [])
    ]


@login_required
def import_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    _managers_only(request)
    job = _import_or_404(request, public_id)
    report = job.report
    rows = report.get("rows", {})
    return render(
        request,
        "devices/imports/detail.html",
        {
            "job": job,
            "active": job.status in (DeviceImport.Status.QUEUED, DeviceImport.Status.RUNNING),
            "progress": progress_of(job),
            "problems": problems_of(job),
            "options": report.get("options", {}),
            "created": rows.get("created", []),
            "updated": rows.get("updated", []),
            "unchanged": rows.get("unchanged", []),
            "not_in_register": rows.get("not_in_register", []),
        },
    )


@login_required
@require_GET
def import_status(request: HttpRequest, public_id: Any) -> JsonResponse:
    _managers_only(request)
    job = _import_or_404(request, public_id)
    progress = progress_of(job)
    return JsonResponse(
        {
            "id": str(job.public_id),
            "status": job.status,
            "status_label": job.get_status_display(),
            "active": job.status in (DeviceImport.Status.QUEUED, DeviceImport.Status.RUNNING),
            "total_rows": job.total_rows,
            "done_rows": job.done_rows,
            **{f"progress_{k}": v for k, v in progress.items()},
        }
    )


@login_required
@require_GET
def import_template(request: HttpRequest, source: str, fmt_name: str = "") -> HttpResponse:
    """The template of a source: a header and one example row, as CSV or XLSX."""
    _managers_only(request)
    if source not in fmt.FORMATS:
        raise Http404
    kind = fmt_name or request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404
    header, example = fmt.template_rows(source)
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow(example)
        body = "\ufeff".encode() + buffer.getvalue().encode("utf-8")  # BOM: Excel reads UTF-8
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = source
        sheet.append(header)
        sheet.append(example)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = max(12, len(str(column[0].value)) + 4)
            sheet.column_dimensions[letter].number_format = "@"
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="dtss-devices-{source}.{kind}"'
    return response
