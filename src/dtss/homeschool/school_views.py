"""Pages of a school's contact-book settings (`/homeschool/school/`).

Who: the school's staff and its county's office read them; the school's administrators and
the county's administrators (`access.may_configure_school`) change them; students, parents
and accounts without a role get 403; another county's or school's is a 404.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dtss.core.tenancy import get_visible_or_404
from dtss.framework.reports import csv_safe
from dtss.homeschool import access, services
from dtss.homeschool import school_forms as forms
from dtss.homeschool import school_selectors as sel
from dtss.homeschool import school_services as svc
from dtss.homeschool.models import LeaveType, Period

CSV = "text/csv; charset=utf-8"


def _school(request: HttpRequest, public_id: uuid.UUID) -> tuple[Any, bool]:
    from dtss.orgs.models import School

    school = get_visible_or_404(School, request.user, public_id)
    if not sel.may_read_school(request.user, school):
        raise PermissionDenied
    return school, access.may_configure_school(request.user, school)


def _class(request: HttpRequest, public_id: uuid.UUID) -> tuple[Any, bool]:
    from dtss.orgs.models import SchoolClass

    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not sel.may_read_school(request.user, school_class.school):
        raise PermissionDenied
    return school_class, access.may_configure_school(request.user, school_class.school)


def errors_to_form(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for m in exc.messages:
            form.add_error(None, m)
        return
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _download(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CSV)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _find(model: Any, school: Any, value: str) -> Any:
    try:
        return model.objects.get(school=school, public_id=uuid.UUID(value))
    except (ValueError, model.DoesNotExist) as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- settings


@login_required
@require_http_methods(["GET", "POST"])
def school_settings(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    school, may_edit = _school(request, public_id)
    services.school_setup_ensure(school=school)
    teachers = svc.school_teachers(school)
    current = services.settings_get(school)
    initial = {
        "students_may_request_leave": current.students_may_request_leave,
        "second_approval_days": current.second_approval_days,
        "second_approver": str(current.second_approver.public_id)
        if current.second_approver_id
        else "",
        "count_in_days": current.count_in_days,
        "quiet_start": current.quiet_start,
        "quiet_end": current.quiet_end,
    }
    form = forms.SettingsForm(initial=initial, teachers=teachers)
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = forms.SettingsForm(request.POST, teachers=teachers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.settings_save(
                    user=request.user,
                    school=school,
                    students_may_request_leave=data["students_may_request_leave"],
                    second_approval_days=data["second_approval_days"],
                    second_approver=form.approver(),
                    count_in_days=data["count_in_days"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("homeschool:school_settings", school.public_id)
        status = 400
    if not may_edit:
        for f in form.fields.values():
            f.disabled = True
    return render(
        request,
        "homeschool/school/settings.html",
        {
            "school": school,
            "may_edit": may_edit,
            "form": form,
            "current": current,
            "senior": school.stage in access.SENIOR_STAGES,
            "classes": sel.school_classes(school=school),
            "n_leave_types": LeaveType.objects.filter(school=school, active=True).count(),
            "n_periods": Period.objects.filter(school=school, active=True).count(),
        },
        status=status,
    )


# --------------------------------------------------------------------------- leave types


def _leave_type_initial(t: LeaveType) -> dict[str, Any]:
    return {
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "code": t.code,
        "needs_attachment": t.needs_attachment,
        "needs_reason": t.needs_reason,
        "active": t.active,
        "order": t.order,
    }


@login_required
@require_http_methods(["GET", "POST"])
def leave_types(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    school, may_edit = _school(request, public_id)
    services.school_setup_ensure(school=school)
    url = reverse("homeschool:leave_types", args=[school.public_id])
    add_form = forms.LeaveTypeForm(prefix="add")
    editing = None
    edit_form = None
    if request.GET.get("edit") and may_edit:
        editing = _find(LeaveType, school, request.GET["edit"])
        edit_form = forms.LeaveTypeForm(initial=_leave_type_initial(editing), prefix="edit")
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "delete":
            row = _find(LeaveType, school, request.POST.get("id", ""))
            try:
                svc.leave_type_delete(user=request.user, leave_type=row)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The leave type was deleted."))
            return redirect(url)
        if action not in ("add", "edit"):
            raise Http404
        if action == "edit":
            editing = _find(LeaveType, school, request.POST.get("id", ""))
            form = edit_form = forms.LeaveTypeForm(request.POST, prefix="edit")
        else:
            form = add_form = forms.LeaveTypeForm(request.POST, prefix="add")
        if form.is_valid():
            data = form.cleaned_data
            try:
                svc.leave_type_save(
                    user=request.user,
                    school=school,
                    leave_type=editing if action == "edit" else None,
                    **data,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The leave type was saved."))
                return redirect(url)
        status = 400
    return render(
        request,
        "homeschool/school/leave_types.html",
        {
            "school": school,
            "may_edit": may_edit,
            "rows": sel.leave_types(school=school),
            "add_form": add_form,
            "edit_form": edit_form,
            "editing": editing,
        },
        status=status,
    )


# --------------------------------------------------------------------------- periods


@login_required
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    school, may_edit = _school(request, public_id)
    services.school_setup_ensure(school=school)
    url = reverse("homeschool:periods", args=[school.public_id])
    add_form = forms.PeriodForm(prefix="add")
    editing = None
    edit_form = None
    if request.GET.get("edit") and may_edit:
        editing = _find(Period, school, request.GET["edit"])
        edit_form = forms.PeriodForm(
            initial={
                "name_zh": editing.name_zh,
                "name_en": editing.name_en,
                "code": editing.code,
                "starts": editing.starts,
                "ends": editing.ends,
                "active": editing.active,
            },
            prefix="edit",
        )
    status = 200
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action in ("up", "down"):
            row = _find(Period, school, request.POST.get("id", ""))
            svc.period_move(user=request.user, period=row, direction=1 if action == "down" else -1)
            return redirect(url)
        if action == "delete":
            row = _find(Period, school, request.POST.get("id", ""))
            try:
                svc.period_delete(user=request.user, period=row)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The period was deleted."))
            return redirect(url)
        if action not in ("add", "edit"):
            raise Http404
        if action == "edit":
            editing = _find(Period, school, request.POST.get("id", ""))
            form = edit_form = forms.PeriodForm(request.POST, prefix="edit")
        else:
            form = add_form = forms.PeriodForm(request.POST, prefix="add")
        if form.is_valid():
            try:
                svc.period_save(
                    user=request.user,
                    school=school,
                    period=editing if action == "edit" else None,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The period was saved."))
                return redirect(url)
        status = 400
    return render(
        request,
        "homeschool/school/periods.html",
        {
            "school": school,
            "may_edit": may_edit,
            "rows": sel.periods(school=school),
            "add_form": add_form,
            "edit_form": edit_form,
            "editing": editing,
        },
        status=status,
    )


# --------------------------------------------------------------------------- timetable


def _grid_cells(
    request: HttpRequest, school_class: Any, teachers: dict[str, Any]
) -> tuple[list[svc.Cell], dict[str, str]]:
    """The grid's POST as cells: `cell-<d>-<code>-subject` and `-teacher`. An unknown teacher
    is an error of the cell."""
    cells, errors = [], {}
    for p in Period.objects.filter(school_id=school_class.school_id, active=True):
        for d in svc.WEEKDAYS:
            key = f"cell-{d}-{p.code}"
            subject = request.POST.get(f"{key}-subject", "").strip()
            who = request.POST.get(f"{key}-teacher", "").strip()
            if not subject and not who:
                continue
            teacher = teachers.get(who) if who else None
            if who and teacher is None:
                errors[key] = _("The teacher must be a teacher of this school.")
                continue
            cells.append(svc.Cell(d, p, subject, teacher))
    return cells, errors


@login_required
@require_http_methods(["GET", "POST"])
def timetable(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    school_class, may_edit = _class(request, public_id)
    school = school_class.school
    services.school_setup_ensure(school=school)
    url = reverse("homeschool:timetable", args=[school_class.public_id])
    teacher_list = svc.school_teachers(school)
    teachers = {str(p.public_id): p for p in teacher_list}
    others = [c for c in sel.school_classes(school=school) if c.pk != school_class.pk]
    import_form = forms.ImportForm(prefix="import")
    copy_form = forms.CopyForm(prefix="copy", classes=others)
    grid = sel.timetable_grid(school_class=school_class)
    grid_errors: dict[str, str] = {}
    import_errors: list[dict[str, Any]] = []
    status = 200
    if request.GET.get("format") == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(svc.TIMETABLE_COLUMNS)
        for s in sel.timetable_slots(school_class=school_class):
            who = ""
            if s.teacher:
                who = s.teacher.external_id or s.teacher.name
            writer.writerow(
                [s.weekday, csv_safe(s.period.code), csv_safe(s.subject), csv_safe(who)]
            )
        body = ("\ufeff" + buf.getvalue()).encode("utf-8")
        return _download(body, f"timetable-{school.code}-{school_class}.csv")
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "save":
            cells, grid_errors = _grid_cells(request, school_class, teachers)
            grid_errors = {**svc.timetable_check(school_class, cells), **grid_errors}
            if not grid_errors:
                try:
                    n = svc.timetable_save(
                        user=request.user, school_class=school_class, cells=cells
                    )
                except ValidationError as exc:
                    grid_errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
                else:
                    messages.success(
                        request, _("The timetable was saved (%(n)d periods).") % {"n": n}
                    )
                    return redirect(url)
            # show what was typed, with the errors
            for row in grid:
                for c in row.cells:
                    c["subject"] = request.POST.get(f"{c['key']}-subject", "")
                    c["teacher_id"] = request.POST.get(f"{c['key']}-teacher", "")
                    c["error"] = grid_errors.get(c["key"], "")
        elif action == "import":
            import_form = forms.ImportForm(request.POST, request.FILES, prefix="import")
            if import_form.is_valid():
                try:
                    result = svc.timetable_import_csv(
                        user=request.user,
                        school_class=school_class,
                        data=import_form.cleaned_data["file"].read(),
                    )
                except ValidationError as exc:
                    errors_to_form(import_form, exc)
                else:
                    if result.ok:
                        messages.success(
                            request,
                            _("The timetable was imported (%(n)d periods).") % {"n": result.saved},
                        )
                        return redirect(url)
                    import_errors = result.errors
        elif action == "copy":
            copy_form = forms.CopyForm(request.POST, prefix="copy", classes=others)
            if copy_form.is_valid():
                try:
                    n = svc.timetable_copy(
                        user=request.user,
                        school_class=school_class,
                        source=copy_form.source_class(),
                    )
                except ValidationError as exc:
                    errors_to_form(copy_form, exc)
                else:
                    messages.success(
                        request, _("The timetable was copied (%(n)d periods).") % {"n": n}
                    )
                    return redirect(url)
        else:
            raise Http404
        status = 400
    return render(
        request,
        "homeschool/school/timetable.html",
        {
            "school": school,
            "school_class": school_class,
            "may_edit": may_edit,
            "grid": grid,
            "weekdays": [(d, label) for d, label in weekday_labels() if d in svc.WEEKDAYS],
            "teachers": teacher_list,
            "grid_errors": grid_errors,
            "import_form": import_form,
            "import_errors": import_errors,
            "copy_form": copy_form,
            "others": others,
        },
        status=status,
    )


def weekday_labels() -> list[tuple[int, str]]:
    return [
        (1, _("Monday")),
        (2, _("Tuesday")),
        (3, _("Wednesday")),
        (4, _("Thursday")),
        (5, _("Friday")),
    ]


@login_required
@require_GET
def timetable_template(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _class(request, public_id)  # the same people as the page
    return _download(svc.timetable_template(), "timetable-template.csv")
