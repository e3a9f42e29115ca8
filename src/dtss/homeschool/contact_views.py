"""Pages of the electronic contact book (電子聯絡簿).

- contact_home: teachers and administrators see their classes with today's entry and signed
  x/y; a parent each child (even at different schools) with the latest entries and a sign
  button; a student their class's entries.
- contact_class: a class's history by date with sign rates; the homeroom teacher writes.
- contact_entry_edit: write a day's entry (draft or publish), files.
- contact_entry: the entry; the school's staff see who signed (not signed first) and answer
  replies; a parent signs for each of their children in the class; a student reads.
- contact_sign, contact_answer (POST), contact_attachment (download),
  contact_signatures_csv (the school's staff; audited).

Another school's, county's or family's class, entry, signature or file is a 404; a role that
may see it but not act is a 403. Writes go through `contact_services.py`.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import access
from dtss.homeschool import contact_forms as forms
from dtss.homeschool import contact_selectors as sel
from dtss.homeschool import contact_services as svc
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature
from dtss.orgs.models import Enrollment, Person, SchoolClass

MAX_EXPORT_DAYS = 400


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _class(request: HttpRequest, public_id: UUID) -> SchoolClass:
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not sel.may_read_class_book(request.user, school_class):
        raise PermissionDenied
    return school_class


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Http404 from exc


# --------------------------------------------------------------------------- home


@login_required
@require_GET
def contact_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    today = timezone.localdate()
    classes = sel.writable_today(user=user, day=today) if scope.staff_school_ids else []
    if scope.superuser:
        classes = sel.writable_today(user=user, day=today)
    books = sel.family_books(user=user) if scope.child_ids else []
    enrolment, student_entries = (
        sel.student_entries(user=user) if scope.student_school_ids else (None, [])
    )
    return render(
        request,
        "homeschool/contact/home.html",
        {
            "today": today,
            "classes": classes,
            "books": books,
            "enrolment": enrolment,
            "student_entries": student_entries,
            "nothing": not (classes or books or enrolment),
        },
    )


# --------------------------------------------------------------------------- a class


def _filters(request: HttpRequest) -> forms.HistoryFilterForm:
    data = {
        "q": request.GET.get("q", ""),
        "start": request.GET.get("from", ""),
        "end": request.GET.get("to", ""),
    }
    return forms.HistoryFilterForm(data)


@login_required
@require_GET
def contact_class(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = _class(request, public_id)
    user = request.user
    form = _filters(request)
    form.is_valid()
    d = form.cleaned_data if not form.errors else {}
    query, start, end = d.get("q", ""), d.get("start"), d.get("end")
    sort = request.GET.get("sort", "new")
    sort = sort if sort in ("new", "old") else "new"
    rows = sel.class_entries(
        user=user, school_class=school_class, query=query or "", start=start, end=end
    )
    if sort == "old":
        rows = rows.order_by("date")
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    staff = sel.may_read_signatures(user, school_class) or scope_for(user).is_county_level
    today = timezone.localdate()
    rate_start = start or today - dt.timedelta(days=30)
    rate_end = end or today
    params = {
        k: v
        for k, v in (
            ("q", query),
            ("from", start.isoformat() if start else ""),
            ("to", end.isoformat() if end else ""),
            ("sort", "old" if sort == "old" else ""),
        )
        if v
    }
    return render(
        request,
        "homeschool/contact/class.html",
        {
            "school_class": school_class,
            "page": page,
            "rows": list(page.object_list),
            "form": form,
            "sort": sort,
            "staff": staff,
            "enrolled": sel.enrolled_count(school_class),
            "rate": sel.sign_rate(school_class=school_class, start=rate_start, end=rate_end)
            if staff
            else None,
            "rate_start": rate_start,
            "rate_end": rate_end,
            "writer": access.may_write_class(user, school_class),
            "csv": sel.may_read_signatures(user, school_class),
            "today": today,
            "querystring": urlencode(params),
            "export_qs": urlencode({"from": rate_start.isoformat(), "to": rate_end.isoformat()}),
        },
    )


# --------------------------------------------------------------------------- write


@login_required
@require_http_methods(["GET", "POST"])
def contact_entry_edit(request: HttpRequest, public_id: UUID, day: str) -> HttpResponse:
    school_class = _class(request, public_id)
    date = _day(day)
    if not access.may_write_class(request.user, school_class):
        raise PermissionDenied
    entry = ContactEntry.objects.filter(school_class=school_class, date=date).first()
    if request.method == "POST" and request.POST.get("remove"):
        if entry is None:
            raise Http404
        att = get_visible_or_404(ContactAttachment, request.user, request.POST["remove"])
        if att.entry_id != entry.pk:
            raise Http404
        svc.attachment_remove(user=request.user, attachment=att, http_request=request)
        messages.success(request, _("File %(name)s removed.") % {"name": att.name})
        return redirect("homeschool:contact_entry_edit", school_class.public_id, date.isoformat())
    initial = (
        {"homework": entry.homework, "notices": entry.notices, "bring": entry.bring}
        if entry is not None
        else {}
    )
    form = forms.EntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        publish = "publish" in request.POST
        try:
            entry = svc.entry_save(
                user=request.user,
                school_class=school_class,
                day=date,
                homework=d["homework"],
                notices=d["notices"],
                bring=d["bring"],
                files=d.get("files") or [],
                publish=publish,
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if entry.published_at is not None:
                messages.success(request, _("The entry is published: the families can read it."))
            else:
                messages.success(request, _("Draft saved. Families do not see it yet."))
            return redirect("homeschool:contact_entry", entry.public_id)
    return render(
        request,
        "homeschool/contact/edit.html",
        {
            "school_class": school_class,
            "date": date,
            "entry": entry,
            "form": form,
            "files": list(entry.attachments.all()) if entry is not None else [],
            "too_far": date > timezone.localdate() + dt.timedelta(days=svc.MAX_DAYS_AHEAD),
        },
    )


# --------------------------------------------------------------------------- one entry


def _entry_context(
    request: HttpRequest,
    entry: ContactEntry,
    sign_forms: dict[int, Any] | None = None,
    answer_forms: dict[int, Any] | None = None,
) -> dict[str, Any]:
    user = request.user
    school_class = entry.school_class
    staff = sel.may_read_signatures(user, school_class)
    writer = access.may_write_class(user, school_class)
    sign_forms = sign_forms or {}
    answer_forms = answer_forms or {}
    ctx: dict[str, Any] = {
        "entry": entry,
        "school_class": school_class,
        "files": list(sel.entry_files(user=user, entry=entry)),
        "staff": staff,
        "writer": writer,
        "title": svc.entry_title(entry),
    }
    if staff:
        unsigned_only = request.GET.get("show") == "unsigned"
        rows = sel.entry_status(entry=entry, unsigned_only=unsigned_only)
        all_rows = rows if not unsigned_only else sel.entry_status(entry=entry)
        ctx["rows"] = [
            (
                r,
                answer_forms.get(r.signature.pk) or forms.AnswerForm(prefix=str(r.signature.pk))
                if writer and r.signature is not None and r.signature.reply
                else None,
            )
            for r in rows
        ]
        ctx["unsigned_only"] = unsigned_only
        ctx["signed_n"] = sum(1 for r in all_rows if r.signed)
        ctx["enrolled_n"] = len(all_rows)
    children = sel.my_children_in_class(user=user, entry=entry)
    ctx["children"] = [
        (
            child,
            sig,
            sign_forms.get(child.pk)
            or forms.SignForm(
                initial={"student": child.public_id, "reply": sig.reply if sig else ""},
                prefix=f"c{child.pk}",
            ),
        )
        for child, sig in children
    ]
    return ctx


@login_required
@require_GET
def contact_entry(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    ctx = _entry_context(request, entry)
    if ctx["staff"]:
        # Who signed and who has not is a read of students' records by staff (rule 6).
        audit_record(
            actor=request.user, action="homeschool.contact_status_read", obj=entry, request=request
        )
    return render(request, "homeschool/contact/entry.html", ctx)


@login_required
@require_POST
def contact_sign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    scope = scope_for(request.user)
    if not scope.child_ids:
        raise PermissionDenied
    prefix = request.POST.get("prefix", "")
    form = forms.SignForm(request.POST, prefix=prefix or None)
    if not form.is_valid():
        return _sign_error(request, entry, form)
    student = Person.objects.filter(
        public_id=form.cleaned_data["student"],
        pk__in=Enrollment.objects.filter(school_class_id=entry.school_class_id).values(
            "student_id"
        ),
    ).first()
    if student is None:
        raise Http404
    try:
        svc.signature_sign(
            user=request.user,
            entry=entry,
            student=student,
            reply=form.cleaned_data["reply"],
            http_request=request,
        )
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return _sign_error(request, entry, form, student)
    messages.success(request, _("Signed for %(name)s.") % {"name": student.name})
    return redirect("homeschool:contact_entry", entry.public_id)


def _sign_error(
    request: HttpRequest, entry: ContactEntry, form: Any, student: Any = None
) -> HttpResponse:
    forms_by_child = {student.pk: form} if student is not None else {}
    ctx = _entry_context(request, entry, sign_forms=forms_by_child)
    ctx["form_errors"] = form.errors
    return render(request, "homeschool/contact/entry.html", ctx, status=422)


@login_required
@require_POST
def contact_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    signature = get_visible_or_404(ContactSignature, request.user, public_id)
    if not access.may_write_class(request.user, signature.school_class):
        raise PermissionDenied
    form = forms.AnswerForm(request.POST, prefix=str(signature.pk))
    if form.is_valid():
        try:
            svc.signature_answer(
                user=request.user,
                signature=signature,
                answer=form.cleaned_data["answer"],
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Your answer was sent."))
            return redirect("homeschool:contact_entry", signature.entry.public_id)
    ctx = _entry_context(request, signature.entry, answer_forms={signature.pk: form})
    ctx["form_errors"] = form.errors
    return render(request, "homeschool/contact/entry.html", ctx, status=422)


# --------------------------------------------------------------------------- files, export


@login_required
@require_GET
def contact_attachment(request: HttpRequest, public_id: UUID) -> HttpResponse:
    att = get_visible_or_404(ContactAttachment, request.user, public_id)
    return attachment_response(att)


def attachment_response(att: ContactAttachment) -> FileResponse:
    """A contact-book file as a download, never sniffed or cached (pages and API alike)."""
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    name = att.name or os.path.basename(att.file.name)
    out = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=att.content_type or "application/octet-stream",
    )
    out["X-Content-Type-Options"] = "nosniff"
    out["Content-Security-Policy"] = "sandbox"
    out["Cache-Control"] = "private, no-store"
    return out


@never_cache
@login_required
@require_GET
def contact_signatures_csv(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = _class(request, public_id)
    if not sel.may_read_signatures(request.user, school_class):
        raise PermissionDenied
    today = timezone.localdate()
    form = _filters(request)
    if not form.is_valid():
        names = {"start": "from", "end": "to"}
        problems = "; ".join(f"{names.get(k, k)}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    start = form.cleaned_data.get("start") or today - dt.timedelta(days=30)
    end = form.cleaned_data.get("end") or today
    if start > end:
        return HttpResponseBadRequest(
            "to: " + _("The end cannot be before the start."),
            content_type="text/plain; charset=utf-8",
        )
    if (end - start).days > MAX_EXPORT_DAYS:
        return HttpResponseBadRequest(
            "from: " + _("At most %(n)d days at once.") % {"n": MAX_EXPORT_DAYS},
            content_type="text/plain; charset=utf-8",
        )
    rows = sel.signature_rows(user=request.user, school_class=school_class, start=start, end=end)

    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    headers = [
        _("Date"),
        _("Seat"),
        _("Student"),
        _("Signed"),
        _("Signed by"),
        _("Signed at"),
        _("Reply"),
        _("Answer"),
    ]
    out = [
        [
            entry.date,
            r.seat,
            r.student.name,
            _("yes") if r.signed else _("no"),
            r.signature.signed_by.name if r.signature else "",
            when(r.signature.signed_at) if r.signature else "",
            r.signature.reply if r.signature else "",
            r.signature.answer if r.signature else "",
        ]
        for entry, r in rows
    ]
    audit_record(
        actor=request.user,
        action="homeschool.contact_export",
        obj=school_class,
        request=request,
        detail={"rows": len(out), "from": start.isoformat(), "to": end.isoformat()},
    )
    name = filename(_("contact book"), str(school_class), start.isoformat(), end.isoformat())
    return download(render_csv(headers, out), CSV, f"{name}.csv")
