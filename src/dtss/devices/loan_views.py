"""Pages of assignments, take-home loans, loan requests, the priority queue and equity.

Who sees what (`access.py`):
- staff pages (lists, create, recall, return, loaners, the PDF): the school's administrators
  and the county's office (`may_manage_school`); teachers and others 403; another school's or
  county's loan 404;
- family pages (`my_devices`, `loan_sign`, `loan_request_create`): a student sees their own,
  a parent their children's; only a parent or guardian signs;
- equity pages and the queue: `may_see_equity` only; everyone else 403 (another school 404).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.devices import access
from dtss.devices import equity_selectors as eq_sel
from dtss.devices import equity_services as eq_svc
from dtss.devices import loan_forms as forms
from dtss.devices import loan_selectors as sel
from dtss.devices import loan_services as svc
from dtss.devices.models import Assignment, Device, LoanRequest, StudentSupport
from dtss.orgs.models import Person, School, SchoolClass

# --------------------------------------------------------------------------- helpers


def _may_manage(user: Any, obj: Any) -> bool:
    return access.may_manage_school(
        scope_for(user), school_id=obj.school_id or 0, county_id=obj.county_id
    )


def _managed(request: HttpRequest, public_id: UUID, model: Any = Assignment) -> Any:
    obj = get_visible_or_404(model, request.user, public_id)
    if not _may_manage(request.user, obj):
        raise PermissionDenied
    return obj


def _pick_school(request: HttpRequest, schools: Any) -> tuple[School | None, list[School]]:
    """The school a staff page is about: `?school=<id>` among the user's, else their only one."""
    options = list(schools.select_related("county"))
    if not options:
        raise PermissionDenied
    wanted = request.GET.get("school") or request.POST.get("school") or ""
    if wanted:
        chosen = next((s for s in options if str(s.public_id) == wanted), None)
        if chosen is None:
            raise Http404
        return chosen, options
    return (options[0] if len(options) == 1 else None), options


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _done(request: HttpRequest, assignment: Assignment, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("devices:loan_detail", assignment.public_id)


def state_labels() -> dict[str, str]:
    return {
        "": _("All"),
        "awaiting": _("Awaiting signature"),
        "active": _("Active"),
        "recalled": _("Recalled"),
        "overdue": _("Overdue"),
        "returned": _("Returned or cancelled"),
    }


def _helpdesk_url() -> str:
    try:
        return reverse("helpdesk:request_create")
    except NoReverseMatch:
        return ""


# --------------------------------------------------------------------------- staff: loans


@login_required
@require_GET
def loan_list(request: HttpRequest) -> HttpResponse:
    school, schools = _pick_school(request, sel.managed_schools(user=request.user))
    state = request.GET.get("state", "")
    state = state if state in sel.STATES else ""
    query = request.GET.get("q", "").strip()[:100]
    rows = (
        sel.assignment_list(user=request.user, school=school, state=state, query=query)
        if school
        else Assignment.objects.none()
    )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        k: v
        for k, v in (("school", request.GET.get("school", "")), ("state", state), ("q", query))
        if v
    }
    today = timezone.localdate()
    return render(
        request,
        "devices/loans/loan_list.html",
        {
            "school": school,
            "schools": schools,
            "page": page,
            "rows": [(a, sel.is_overdue(a, today)) for a in page.object_list],
            "state": state,
            "states": state_labels(),
            "query": query,
            "querystring": urlencode(params),
            "may_see_equity": bool(school and eq_sel.may_see(request.user, school)),
        },
    )


@never_cache
@login_required
@require_GET
def loan_export(request: HttpRequest) -> HttpResponse:
    school, _schools = _pick_school(request, sel.managed_schools(user=request.user))
    if school is None:
        raise Http404
    state = request.GET.get("state", "")
    state = state if state in sel.STATES else ""
    rows = sel.assignment_list(
        user=request.user, school=school, state=state, query=request.GET.get("q", "")[:100]
    )
    headers = [
        _("Kind"),
        _("Status"),
        _("Asset tag"),
        _("Device"),
        _("Student or holder"),
        _("Student ID"),
        _("From"),
        _("Expected return"),
        _("Signed by"),
        _("Signed at"),
        _("On paper"),
        _("Recall: return by"),
        _("Ended"),
        _("Overdue"),
    ]
    today = timezone.localdate()
    out = []
    for a in rows:
        out.append(
            [
                a.get_kind_display(),
                a.get_status_display(),
                a.device.asset_tag,
                a.device.model_name,
                a.person.name if a.person else str(a.school_class or ""),
                a.person.external_id if a.person else "",
                a.starts_on,
                a.due_on,
                a.signed_name,
                timezone.localtime(a.signed_at).strftime("%Y-%m-%d %H:%M") if a.signed_at else "",
                _("yes") if svc.is_paper_signed(a) else "",
                a.recall_due_on,
                timezone.localtime(a.ended_at).strftime("%Y-%m-%d") if a.ended_at else "",
                _("yes") if sel.is_overdue(a, today) else "",
            ]
        )
    audit_record(
        actor=request.user,
        action="loan.export",
        obj=school,
        request=request,
        detail={"rows": len(out), "state": state},
    )
    name = filename(school.name, _("loans"), today.isoformat())
    return download(render_csv(headers, out), CSV, f"{name}.csv")


@login_required
@require_http_methods(["GET", "POST"])
def loan_create(request: HttpRequest) -> HttpResponse:
    school, schools = _pick_school(request, sel.managed_schools(user=request.user))
    device = loan_request = student = None
    if request.GET.get("device"):
        device = get_visible_or_404(Device, request.user, request.GET["device"])
        school = next((s for s in schools if s.pk == device.school_id), None)
        if school is None:
            raise PermissionDenied
    if request.GET.get("request"):
        loan_request = get_visible_or_404(LoanRequest, request.user, request.GET["request"])
        school = next((s for s in schools if s.pk == loan_request.school_id), None)
        if school is None:
            raise PermissionDenied
        student = loan_request.student
    if request.GET.get("student"):
        student = get_visible_or_404(Person, request.user, request.GET["student"])
    if school is None:
        return render(
            request,
            "devices/loans/choose_school.html",
            {"schools": schools, "title": _("Lend a device")},
        )
    devices = list(sel.lendable_devices(school=school))
    if device is not None and device not in devices:
        devices.insert(0, device)
    students = sel.school_students(school=school)
    initial = {
        "device": str(device.public_id) if device else "",
        "student": str(student.public_id) if student else "",
        "accessories": _("charger"),
    }
    form = forms.LoanForm(request.POST or None, initial=initial, devices=devices, students=students)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            loan = svc.loan_create(
                device=d["device"],
                student=d["student"],
                due_on=d["due_on"],
                accessories=d["accessories"],
                condition_out=d["condition_out"],
                note=d["note"],
                loan_request=loan_request,
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return _done(
                request, loan, _("The loan is ready; a parent can now sign the agreement online.")
            )
    return render(
        request,
        "devices/loans/loan_form.html",
        {"form": form, "school": school, "loan_request": loan_request},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest) -> HttpResponse:
    school, schools = _pick_school(request, sel.managed_schools(user=request.user))
    device = None
    if request.GET.get("device"):
        device = get_visible_or_404(Device, request.user, request.GET["device"])
        school = next((s for s in schools if s.pk == device.school_id), None)
        if school is None:
            raise PermissionDenied
    if school is None:
        return render(
            request,
            "devices/loans/choose_school.html",
            {"schools": schools, "title": _("Assign a device")},
        )
    devices = list(
        sel.lendable_devices(
            school=school, kinds=tuple(k for k, _l in Device._meta.get_field("kind").choices)
        )
    )
    if device is not None and device not in devices:
        devices.insert(0, device)
    classes = (
        SchoolClass.objects.filter(school=school)
        .select_related("term")
        .order_by("-term__roc_year", "-term__semester", "grade", "number")
    )
    form = forms.AssignmentForm(
        request.POST or None,
        initial={"device": str(device.public_id) if device else ""},
        devices=devices,
        people=sel.school_people(school=school),
        classes=classes,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = svc.assignment_create(
                device=d["device"],
                person=d["person"],
                school_class=d["school_class"],
                due_on=d["due_on"],
                accessories=d["accessories"],
                condition_out=d["condition_out"],
                note=d["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return _done(request, a, _("The device is assigned."))
    return render(request, "devices/loans/assignment_form.html", {"form": form, "school": school})


@login_required
@require_GET
def loan_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = _managed(request, public_id)
    a = Assignment.objects.select_related(
        "device", "person", "school_class", "school", "signed_by", "replaces", "request"
    ).get(pk=a.pk)
    return render(
        request,
        "devices/loans/loan_detail.html",
        {
            "a": a,
            "overdue": sel.is_overdue(a),
            "on_paper": svc.is_paper_signed(a),
            "paper_form": forms.PaperSignForm(),
            "events": a.device.events.select_related("actor", "person")[:20],
        },
    )


def _action(
    request: HttpRequest,
    public_id: UUID,
    form_class: Any,
    template: str,
    run: Any,
    done: str,
    model: Any = Assignment,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    obj = _managed(request, public_id, model)
    kwargs = form_kwargs(obj) if callable(form_kwargs) else (form_kwargs or {})
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            result = run(obj, form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return _done(request, result, done)
    return render(request, template, {"form": form, "obj": obj, "a": obj})


@login_required
@require_http_methods(["GET", "POST"])
def loan_recall(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        forms.RecallForm,
        "devices/loans/recall_form.html",
        lambda a, d: svc.loan_recall(
            assignment=a,
            reason=d["reason"],
            return_by=d["return_by"],
            actor=request.user,
            request=request,
        ),
        _("The loan is recalled; the family sees the date on their page."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        forms.ReturnForm,
        "devices/loans/return_form.html",
        lambda a, d: svc.assignment_return(
            assignment=a,
            condition_in=d["condition_in"],
            send_for_repair=d["send_for_repair"],
            actor=request.user,
            request=request,
        ),
        _("The device is back."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        forms.CancelForm,
        "devices/loans/cancel_form.html",
        lambda a, d: svc.loan_cancel(
            assignment=a, reason=d["reason"], actor=request.user, request=request
        ),
        _("The loan is cancelled; the device is free again."),
    )


@login_required
@require_http_methods(["POST"])
def loan_sign_paper(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        forms.PaperSignForm,
        "devices/loans/paper_form.html",
        lambda a, d: svc.loan_sign_on_paper(
            assignment=a,
            signed_name=d["signed_name"],
            signed_on=d["signed_on"],
            actor=request.user,
            request=request,
        ),
        _("The paper agreement is recorded; the device is on loan."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def loaner_issue(request: HttpRequest, public_id: UUID) -> HttpResponse:
    device = _managed(request, public_id, Device)
    own = sel.open_assignment(device)
    if own is None or own.person_id is None:
        messages.error(
            request, _("A loaner stands in for a device a person holds; this one is not held.")
        )
        return redirect("devices:loan_list")
    school = School.objects.get(pk=device.school_id)
    form = forms.LoanerForm(request.POST or None, devices=sel.lendable_devices(school=school))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = svc.loaner_issue(
                own_device=device,
                loaner=d["loaner"],
                due_on=d["due_on"],
                accessories=d["accessories"],
                note=d["note"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return _done(request, a, _("The own device is in repair and the loaner is lent."))
    return render(
        request, "devices/loans/loaner_form.html", {"form": form, "device": device, "own": own}
    )


@login_required
@require_http_methods(["GET", "POST"])
def loaner_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _action(
        request,
        public_id,
        forms.CancelForm,
        "devices/loans/loaner_return_form.html",
        lambda a, d: svc.loaner_return(
            assignment=a, condition_in=d["reason"], actor=request.user, request=request
        ),
        _("The own device is back with its holder; the loaner is in stock."),
    )


@never_cache
@login_required
@require_GET
def loan_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The agreement with its signature details as a PDF, for the school's paper file."""
    from weasyprint import HTML

    from dtss.framework.reports import pdf_fetcher

    a = _managed(request, public_id)
    if a.kind == Assignment.Kind.ASSIGN:
        raise Http404
    html = render_to_string(
        "devices/loans/print.html",
        {"a": a, "on_paper": svc.is_paper_signed(a), "printed_at": timezone.localtime()},
        request=request,
    )
    pdf = HTML(string=html, url_fetcher=pdf_fetcher(), media_type="print").write_pdf()
    audit_record(actor=request.user, action="loan.print", obj=a, request=request)
    name = filename(_("agreement"), a.device.asset_tag, a.person.name if a.person else "")
    return download(pdf, "application/pdf", f"{name}.pdf")


# --------------------------------------------------------------------------- family


@login_required
@require_GET
def my_devices(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    loans = sel.family_loans(user=request.user)
    person = getattr(request.user, "person", None)
    supports = {
        s.student_id: s for s in StudentSupport.objects.filter(student_id__in=scope.child_ids)
    }
    people = []
    for p, rows in loans.items():
        is_child = p.pk in scope.child_ids
        if not is_child and (person is None or p.pk != person.pk or not scope.student_school_ids):
            continue
        support = supports.get(p.pk)
        people.append(
            {
                "person": p,
                "is_child": is_child,
                "loans": rows,
                "held": Device.objects.filter(holder=p).exclude(
                    pk__in=[a.device_id for a in rows if a.ended_at is None]
                ),
                "requests": LoanRequest.objects.filter(student=p).order_by("-created_at")[:5],
                "home_form": forms.HomeAccessForm(
                    initial={
                        "device_at_home": support.device_at_home if support else "",
                        "internet_at_home": support.internet_at_home if support else "",
                    },
                    prefix=str(p.public_id),
                )
                if is_child
                else None,
            }
        )
    return render(
        request,
        "devices/loans/my_devices.html",
        {"people": people, "helpdesk_url": _helpdesk_url(), "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["POST"])
def home_access_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    student = get_visible_or_404(Person, request.user, public_id)
    if student.pk not in scope_for(request.user).child_ids:
        raise Http404
    form = forms.HomeAccessForm(request.POST, prefix=str(student.public_id))
    if form.is_valid():
        try:
            eq_svc.home_access_set(
                student=student,
                device_at_home=form.cleaned_data["device_at_home"],
                internet_at_home=form.cleaned_data["internet_at_home"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Thank you; the school sees the update."))
    else:
        messages.error(request, _("Choose one of the options."))
    return redirect("devices:my_devices")


@login_required
@require_http_methods(["GET", "POST"])
def loan_sign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = get_visible_or_404(Assignment, request.user, public_id)
    person = getattr(request.user, "person", None)
    if not svc.is_guardian(person, a.person):
        raise PermissionDenied(_("Only a parent or guardian of the student may sign."))
    form = forms.SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.loan_sign(
                assignment=a,
                user=request.user,
                signed_name=form.cleaned_data["signed_name"],
                agree=form.cleaned_data["agree"],
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request, _("Thank you. The agreement is signed; the school lends the device.")
            )
            return redirect("devices:my_devices")
    return render(request, "devices/loans/sign.html", {"a": a, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def loan_request_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    person = getattr(request.user, "person", None)
    own = set(scope.child_ids) | ({person.pk} if person and scope.student_school_ids else set())
    candidates = Person.objects.filter(pk__in=own)
    if request.GET.get("student") or request.POST.get("student"):
        wanted = get_visible_or_404(
            Person, request.user, request.GET.get("student") or request.POST.get("student")
        )
        if not svc.may_request_for(request.user, wanted):
            raise PermissionDenied
        candidates = Person.objects.filter(pk__in=[*own, wanted.pk])
    elif not own:
        # staff: choose among the students of the schools they work at
        from dtss.orgs.models import Membership, Role

        schools = set(scope.staff_school_ids) | set(
            sel.managed_schools(user=request.user).values_list("pk", flat=True)
        )
        if not schools:
            raise PermissionDenied
        ids = Membership.objects.filter(school_id__in=schools, role=Role.STUDENT).values(
            "person_id"
        )
        candidates = Person.objects.filter(pk__in=ids)
    form = forms.LoanRequestForm(request.POST or None, students=candidates.order_by("name"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.loan_request_create(
                student=d["student"],
                need=d["need"],
                reason=d["reason"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The request is sent to the school."))
            return redirect("devices:my_devices" if own else "devices:loan_list")
    return render(request, "devices/loans/request_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def loan_request_decline(request: HttpRequest, public_id: UUID) -> HttpResponse:
    lr = _managed(request, public_id, LoanRequest)
    form = forms.DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.loan_request_decline(
                loan_request=lr, note=form.cleaned_data["note"], actor=request.user, request=request
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The request is declined."))
            return redirect(reverse("devices:loan_queue") + f"?school={lr.school.public_id}")
    return render(request, "devices/loans/decline_form.html", {"form": form, "lr": lr})


# --------------------------------------------------------------------------- queue, equity


def _equity_school(request: HttpRequest) -> tuple[School | None, list[School]]:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied
    return _pick_school(request, sel.equity_schools(user=request.user))


@login_required
@require_GET
def loan_queue(request: HttpRequest) -> HttpResponse:
    school, schools = _equity_school(request)
    rows = sel.loan_queue(user=request.user, school=school) if school else []
    if school:
        audit_record(actor=request.user, action="loan_queue.view", obj=school, request=request)
    return render(
        request,
        "devices/loans/queue.html",
        {"school": school, "schools": schools, "rows": rows},
    )


@login_required
@require_GET
def equity_list(request: HttpRequest) -> HttpResponse:
    school, schools = _equity_school(request)
    flt = request.GET.get("filter", "")
    flt = flt if flt in eq_sel.FILTERS else ""
    query = request.GET.get("q", "").strip()[:100]
    lines = (
        eq_sel.student_lines(user=request.user, school=school, flt=flt, query=query)
        if school
        else []
    )
    page = Paginator(lines, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        k: v
        for k, v in (("school", request.GET.get("school", "")), ("filter", flt), ("q", query))
        if v
    }
    if school:
        audit_record(actor=request.user, action="student_support.list", obj=school, request=request)
    return render(
        request,
        "devices/loans/equity_list.html",
        {
            "school": school,
            "schools": schools,
            "page": page,
            "flt": flt,
            "query": query,
            "querystring": urlencode(params),
            "summary": eq_sel.summary(user=request.user, school=school) if school else {},
            "filters": [
                ("", _("Everyone")),
                ("needs", _("Needs support")),
                ("no_device", _("No or shared device at home")),
                ("no_internet", _("No or shared internet at home")),
            ],
            "categories": StudentSupport.CATEGORY_FIELDS,
        },
    )


def _equity_student(request: HttpRequest, public_id: UUID) -> tuple[Person, School]:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied
    student = get_visible_or_404(Person, request.user, public_id)
    school = svc.student_school(student)
    if school is None:
        raise Http404
    if not eq_sel.may_see(request.user, school):
        if (
            scope_for(request.user).may_administer_school(school)
            or school.pk in scope_for(request.user).staff_school_ids
        ):
            raise PermissionDenied
        raise Http404
    return student, school


@login_required
@require_http_methods(["GET", "POST"])
def equity_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    student, school = _equity_student(request, public_id)
    support = eq_sel.support_for_student(user=request.user, student=student)
    initial = {f: getattr(support, f) for f in eq_svc.FIELDS} if support else {}
    form = forms.SupportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            eq_svc.support_set(
                student=student, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("devices:equity_list") + f"?school={school.public_id}")
    else:
        audit_record(
            actor=request.user,
            action="student_support.view",
            obj=student,
            request=request,
            school=school,
        )
    return render(
        request,
        "devices/loans/equity_edit.html",
        {"form": form, "student": student, "school": school, "support": support},
    )


@login_required
@require_http_methods(["GET", "POST"])
def equity_import(request: HttpRequest) -> HttpResponse:
    school, schools = _equity_school(request)
    if school is None:
        return render(
            request,
            "devices/loans/choose_school.html",
            {"schools": schools, "title": _("Import support records")},
        )
    form = forms.SupportImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                result = eq_svc.support_import(
                    school=school,
                    filename=upload.name,
                    data=upload.read(),
                    actor=request.user,
                    request=request,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                if result.errors:
                    errors = result.errors
                else:
                    messages.success(
                        request,
                        _("Imported: %(c)s new, %(u)s updated.")
                        % {"c": result.created, "u": result.updated},
                    )
                    return redirect(reverse("devices:equity_list") + f"?school={school.public_id}")
    return render(
        request,
        "devices/loans/equity_import.html",
        {"form": form, "school": school, "errors": errors},
    )


@never_cache
@login_required
@require_GET
def equity_export(request: HttpRequest) -> HttpResponse:
    school, _schools = _equity_school(request)
    if school is None:
        raise Http404
    lines = eq_sel.student_lines(user=request.user, school=school)
    headers = [
        "external_id",
        "class",
        "seat",
        "name",
        *StudentSupport.CATEGORY_FIELDS,
        "other_note",
        "device_at_home",
        "internet_at_home",
    ]
    rows = []
    for line in lines:
        s = line.support
        rows.append(
            [
                line.student.external_id,
                f"{line.school_class.grade}{line.school_class.number:02d}"
                if line.school_class
                else "",
                line.seat or "",
                line.student.name,
                *[("Y" if s and getattr(s, f) else "N") for f in StudentSupport.CATEGORY_FIELDS],
                s.other_note if s else "",
                s.device_at_home if s else "",
                s.internet_at_home if s else "",
            ]
        )
    audit_record(
        actor=request.user,
        action="student_support.export",
        obj=school,
        request=request,
        detail={"rows": len(rows)},
    )
    name = filename(school.name, "support", timezone.localdate().isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")
