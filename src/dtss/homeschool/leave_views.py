"""Pages of online leave (線上請假): the list, the request form (phone first), one request with
its history and the decision, cancelling, the documents and the staff's CSV export.

Who sees what: `LeaveRequest.tenant_q` (a parent their children's requests at any school, a
student their own, the homeroom teacher their classes', the school's administrators the
school's); another family's or school's request is a 404. Who may act: `access.py` (403 for a
role that sees the request but may not act). Every write goes through `services.py`.
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import access, services
from dtss.homeschool import leave_forms as forms
from dtss.homeschool import leave_selectors as sel
from dtss.homeschool import selectors as common
from dtss.homeschool.models import LeaveAttachment, LeaveRequest

# --------------------------------------------------------------------------- helpers


def errors_to_form(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's errors on the fields they name (others on the whole form)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        for m in exc.messages:
            form.add_error(None, m)
        return
    for name, msgs in exc.message_dict.items():
        name = aliases.get(name, name)
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def file_response(att: Any) -> FileResponse:
    """A document as a download (an image inline), never sniffed or cached."""
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    ctype = att.content_type or "application/octet-stream"
    inline = ctype.startswith("image/") and ctype != "image/svg+xml"
    name = att.name or os.path.basename(att.file.name)
    out = FileResponse(handle, as_attachment=not inline, filename=name, content_type=ctype)
    out["X-Content-Type-Options"] = "nosniff"
    out["Content-Security-Policy"] = "sandbox"
    out["Cache-Control"] = "private, no-store"
    return out


def may_decide_now(user: Any, leave: LeaveRequest) -> bool:
    if leave.status == LeaveRequest.Status.PENDING:
        return access.may_decide_first(user, leave)
    if leave.status == LeaveRequest.Status.SECOND:
        return access.may_decide_second(user, leave, services.settings_get(leave.school))
    return False


def may_cancel(user: Any, leave: LeaveRequest) -> bool:
    """The family while it is open; the school's administrators also once approved (the
    attendance records then go)."""
    scope = scope_for(user)
    family = scope.person_id == leave.requested_by_id or access.is_parent_of(
        scope, leave.student_id
    )
    admin = access.is_school_admin(scope, leave.school_id)
    if leave.is_open:
        return family or admin
    return leave.status == LeaveRequest.Status.APPROVED and admin


def requestable_students(user: Any) -> list[tuple[Any, Any]]:
    """(student, enrolment) the user requests leave for online: a parent's children (at any
    school), a student themselves where the school allows it."""
    out = [(c, e) for c, e in common.my_children(user=user) if e is not None]
    own = common.my_enrolment(user=user)
    if own is not None:
        cfg = services.settings_get(own.school)
        how = access.may_request_leave(user, student=own.student, school=own.school, settings=cfg)
        if how == "online":
            out.append((own.student, own))
    return out


def _admin_student_search(user: Any, query: str) -> list[Any]:
    """A school administrator's students matching a name (for the paper form)."""
    from dtss.orgs.models import Enrollment

    scope = scope_for(user)
    if not scope.admin_school_ids or not query:
        return []
    rows = (
        Enrollment.objects.filter(school_id__in=scope.admin_school_ids)
        .filter(Q(student__name__icontains=query) | Q(student__external_id=query))
        .select_related("student", "school_class", "school")
        .order_by("student__name", "-school_class__term__roc_year")
    )
    seen: dict[int, Any] = {}
    for e in rows[:100]:
        seen.setdefault(e.student_id, e)
    return list(seen.values())[:30]


# --------------------------------------------------------------------------- the list


@login_required
@require_GET
def leave_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    classes = sel.filter_classes(user=user)
    f = sel.filters_from(request.GET, classes={str(c.public_id): c for c in classes})
    rows = sel.leave_list(user=user, filters=f)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    scope = scope_for(user)
    staff = bool(scope.staff_school_ids or scope.superuser)
    items = list(page.object_list)
    for r in items:
        r.periods_label = sel.leave_periods_label(r)
    return render(
        request,
        "homeschool/leave/list.html",
        {
            "page": page,
            "rows": items,
            "f": f,
            "statuses": sel.status_labels(),
            "sorts": sel.sort_labels(),
            "classes": classes,
            "leave_types": sel.filter_leave_types(user=user),
            "querystring": urlencode(sel.filter_params(f)),
            "staff": staff,
            "children": requestable_students(user),
            "may_paper": bool(scope.admin_school_ids),
            "may_export": staff and sel.may_export(user=user),
            "waiting": sel.waiting_count(user=user) if staff else 0,
        },
    )


# --------------------------------------------------------------------------- a new request


def _choose_student(request: HttpRequest) -> tuple[Any, Any] | HttpResponse:
    """The student the request is for and their enrolment, or the page to pick one."""
    from dtss.orgs.models import Person

    user = request.user
    scope = scope_for(user)
    candidates = requestable_students(user)
    wanted = request.GET.get("student") or request.POST.get("student") or ""
    if wanted:
        for person, enrolment in candidates:
            if str(person.public_id) == wanted:
                return person, enrolment
        if scope.admin_school_ids:
            try:
                person = Person.objects.visible_to(user).get(public_id=wanted)
            except (Person.DoesNotExist, ValueError, ValidationError) as exc:
                raise Http404 from exc
            enrolment = services.current_enrolment(person)
            if enrolment is None or enrolment.school_id not in scope.admin_school_ids:
                raise Http404
            return person, enrolment
        get_visible_or_404(Person, user, wanted)  # someone else's child: 404
        raise PermissionDenied
    if len(candidates) == 1 and not scope.admin_school_ids:
        return candidates[0]
    if not candidates and not scope.admin_school_ids:
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "homeschool/leave/choose.html",
        {
            "candidates": candidates,
            "may_paper": bool(scope.admin_school_ids),
            "query": query,
            "found": _admin_student_search(user, query),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave_create(request: HttpRequest) -> HttpResponse:
    chosen = _choose_student(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    student, enrolment = chosen
    school = enrolment.school
    cfg = services.settings_get(school)
    how = access.may_request_leave(request.user, student=student, school=school, settings=cfg)
    if how is None:
        raise PermissionDenied
    services.school_setup_ensure(school=school)
    leave_types = list(common.leave_types(school=school))
    periods = list(common.periods(school=school))
    today = timezone.localdate()
    form = forms.LeaveForm(
        request.POST or None,
        request.FILES or None,
        leave_types=leave_types,
        periods=periods,
        initial={"start_date": today, "end_date": today, "whole_day": "1"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            leave = services.leave_request_create(
                user=request.user,
                student=student,
                leave_type=form.chosen_type(),
                start_date=d["start_date"],
                end_date=d["end_date"],
                periods=form.chosen_periods(),
                reason=d.get("reason") or "",
                files=d.get("files") or [],
            )
        except ValidationError as exc:
            errors_to_form(form, exc, {"student": "__all__"})
        else:
            if leave.status == LeaveRequest.Status.APPROVED:
                messages.success(request, _("The leave was entered and approved."))
            else:
                messages.success(
                    request,
                    _("The leave request was sent. You will be told when it is decided."),
                )
            return redirect("homeschool:leave_detail", leave.public_id)
    return render(
        request,
        "homeschool/leave/form.html",
        {
            "form": form,
            "student": student,
            "enrolment": enrolment,
            "staff_entry": how == "staff",
            "several": len(requestable_students(request.user)) > 1,
            "leave_types": leave_types,
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


# --------------------------------------------------------------------------- one request


def _detail_context(
    request: HttpRequest, leave: LeaveRequest, decide_form: Any = None
) -> dict[str, Any]:
    user = request.user
    decide = may_decide_now(user, leave)
    return {
        "leave": leave,
        "periods_label": sel.leave_periods_label(leave),
        "files": sel.leave_files(user=user, leave=leave),
        "history": sel.leave_history(leave=leave),
        "may_decide": decide,
        "second_step": leave.status == LeaveRequest.Status.SECOND,
        "decide_form": (decide_form or forms.DecideForm()) if decide else None,
        "may_cancel": may_cancel(user, leave),
        "records": leave.records.count() if leave.status == "approved" else 0,
    }


def _audit_staff_read(request: HttpRequest, leave: LeaveRequest) -> None:
    scope = scope_for(request.user)
    own = scope.person_id in (leave.student_id, leave.requested_by_id) or access.is_parent_of(
        scope, leave.student_id
    )
    if not own:
        audit_record(actor=request.user, action="homeschool.leave_read", obj=leave, request=request)


@login_required
@require_GET
def leave_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    leave = sel.leave_for_page(leave=get_visible_or_404(LeaveRequest, request.user, public_id))
    _audit_staff_read(request, leave)
    return render(request, "homeschool/leave/detail.html", _detail_context(request, leave))


@login_required
@require_POST
def leave_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    leave = sel.leave_for_page(leave=get_visible_or_404(LeaveRequest, request.user, public_id))
    if not leave.is_open:
        messages.error(request, _("This leave request has already been decided."))
        return redirect("homeschool:leave_detail", leave.public_id)
    if not may_decide_now(request.user, leave):
        raise PermissionDenied
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.leave_decide(
                user=request.user,
                leave=leave,
                approve=approve,
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            leave.refresh_from_db()
            if not approve:
                messages.success(request, _("The leave was declined; the family is told why."))
            elif leave.status == LeaveRequest.Status.SECOND:
                messages.success(request, _("Approved; the second approver decides next."))
            else:
                messages.success(
                    request, _("The leave was approved and written into the attendance.")
                )
            return redirect("homeschool:leave_detail", leave.public_id)
    return render(
        request,
        "homeschool/leave/detail.html",
        _detail_context(request, leave, form),
        status=400,
    )


@login_required
@require_POST
def leave_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    leave = get_visible_or_404(LeaveRequest, request.user, public_id)
    if not may_cancel(request.user, leave) and leave.status not in ("declined", "cancelled"):
        raise PermissionDenied
    try:
        services.leave_cancel(user=request.user, leave=leave)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The leave request was cancelled."))
    return redirect("homeschool:leave_detail", leave.public_id)


@login_required
@require_GET
def leave_attachment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    att = get_visible_or_404(LeaveAttachment, request.user, public_id)
    return file_response(att)


# --------------------------------------------------------------------------- export


def export_headers() -> list[str]:
    return [
        _("School"),
        _("Class"),
        _("Student"),
        _("Leave type"),
        _("First day"),
        _("Last day"),
        _("School days"),
        _("Periods"),
        _("Reason"),
        _("Status"),
        _("Requested by"),
        _("Source"),
        _("Requested"),
        _("Decided by"),
        _("Decided"),
        _("Second approver"),
        _("Second decision"),
        _("Reason for the decision"),
    ]


def export_values(r: LeaveRequest) -> list[Any]:
    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        r.school.name,
        str(r.school_class),
        r.student.name,
        r.leave_type.name,
        r.start_date,
        r.end_date,
        r.days,
        sel.leave_periods_label(r),
        r.reason,
        r.get_status_display(),
        r.requested_by.name,
        r.get_source_display(),
        when(r.created_at),
        r.decided_by.name if r.decided_by else "",
        when(r.decided_at),
        r.second_decided_by.name if r.second_decided_by else "",
        when(r.second_decided_at),
        r.decision_note,
    ]


@never_cache
@login_required
@require_GET
def leave_export(request: HttpRequest) -> HttpResponse:
    if not sel.may_export(user=request.user):
        raise PermissionDenied
    classes = sel.filter_classes(user=request.user)
    f = sel.filters_from(request.GET, classes={str(c.public_id): c for c in classes})
    rows = [export_values(r) for r in sel.export_rows(user=request.user, filters=f)]
    audit_record(
        actor=request.user,
        action="homeschool.leave_export",
        request=request,
        detail={"rows": len(rows), **sel.filter_params(f)},
    )
    name = filename(_("leave requests"), timezone.localdate().isoformat())
    return download(render_csv(export_headers(), rows), CSV, f"{name}.csv")
