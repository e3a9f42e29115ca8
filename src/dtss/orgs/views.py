"""Pages of the organisation tree. Every query starts from `visible_to(request.user)`."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.orgs import selectors, services
from dtss.orgs.forms import (
    OfficeGroupForm,
    OfficeMemberForm,
    OfficeTaskForm,
    SchoolForm,
    TaskStatusForm,
)
from dtss.orgs.models import (
    District,
    Guardianship,
    Membership,
    OfficeGroup,
    OfficeTask,
    Person,
    PromotionOffice,
    Role,
    School,
    SchoolClass,
    WorkPlan,
)


def _staff_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    params = {
        k: request.GET.get(k, "").strip() for k in ("q", "district", "stage", "area", "order")
    }
    qs = selectors.school_list(
        user=request.user,
        query=params["q"],
        district=params["district"],
        stage=params["stage"],
        area=params["area"],
        order=params["order"] or "code",
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="schools.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(
            [
                "code",
                "name_zh",
                "name_en",
                "county",
                "district",
                "stage",
                "ownership",
                "area",
                "student_count",
            ]
        )
        for s in qs:
            writer.writerow(
                [
                    s.code,
                    s.name_zh,
                    s.name_en,
                    s.county.name_zh,
                    s.district.name_zh,
                    s.stage,
                    s.ownership,
                    s.area,
                    s.student_count,
                ]
            )
        return response
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    districts = District.objects.visible_to(request.user).order_by("county", "code")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/school_list.html",
        {
            "page": page,
            "params": params,
            "districts": districts,
            "stages": School.Stage.choices,
            "areas": School.Area.choices,
            "querystring": query.urlencode(),
        },
    )


@login_required
def school_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    _staff_only(request)
    school = get_visible_or_404(School, request.user, public_id)
    scope = scope_for(request.user)
    staff = (
        Membership.objects.filter(school=school, role__in=[Role.SCHOOL_ADMIN, Role.TEACHER])
        .select_related("person")
        .order_by("role", "person__name")
    )
    classes = selectors.class_list(user=request.user, school=school)
    return render(
        request,
        "orgs/school_detail.html",
        {
            "school": school,
            "staff": staff,
            "classes": classes,
            "can_edit": scope.may_administer_school(school),
        },
    )


@login_required
def school_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    school = get_visible_or_404(School, request.user, public_id, write=True)
    form = SchoolForm(request.POST or None, instance=School.objects.get(pk=school.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update(
                school=school,
                actor=request.user,
                request=request,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:school_detail", public_id=school.public_id)
    return render(request, "orgs/school_edit.html", {"school": school, "form": form})


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    qs = selectors.class_list(user=request.user)
    school_id = request.GET.get("school", "")
    if school_id:
        try:
            qs = qs.filter(school__public_id=school_id)
        except ValidationError:
            qs = qs.none()
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/class_list.html", {"page": page, "school": school_id})


@login_required
def class_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    scope = scope_for(request.user)
    is_staff = (
        scope.superuser
        or scope.everything
        or school_class.school_id in scope.staff_school_ids
        or school_class.county_id in scope.county_ids
    )
    roster = selectors.class_roster(school_class=school_class) if is_staff else []
    return render(
        request,
        "orgs/class_detail.html",
        {
            "school_class": school_class,
            "roster": roster,
            "is_staff": is_staff,
        },
    )


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    qs = selectors.person_list(user=request.user, query=q, role=role)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orgs/person_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "querystring": query.urlencode(),
        },
    )


@login_required
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    person = get_visible_or_404(Person, request.user, public_id)
    scope = scope_for(request.user)
    # Only the roles, classes and family links inside the viewer's own scope are shown.
    memberships = list(selectors.person_memberships(user=request.user, person=person))
    all_roles = set(person.memberships.values_list("role", flat=True))
    if Role.STUDENT in all_roles and scope.person_id != person.pk and scope.is_staff_level:
        # DESIGN rule 6: every read of a student's record by staff is in the audit log.
        school = (
            person.memberships.filter(role=Role.STUDENT).select_related("school").first().school
        )
        audit_record(
            actor=request.user, action="student.read", obj=person, request=request, school=school
        )
    enrollments = selectors.person_enrollments(user=request.user, person=person)
    links = Guardianship.objects.visible_to(request.user).select_related("parent", "child")
    guardians = links.filter(child=person)
    children = links.filter(parent=person)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "memberships": memberships,
            "enrollments": enrollments,
            "guardians": guardians,
            "children": children,
            "can_manage": Person.objects.visible_to(request.user, write=True)
            .filter(pk=person.pk)
            .exists(),
            "show_contacts": scope.is_staff_level or scope.person_id == person.pk,
        },
    )


@login_required
def office(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    county = selectors.county_for_user(user=request.user)
    if county is None:
        raise Http404
    office = PromotionOffice.objects.visible_to(request.user).filter(county=county).first()
    can_edit = scope.may_administer_county(county.pk)
    groups = (
        OfficeGroup.objects.visible_to(request.user)
        .filter(county=county)
        .prefetch_related("members")
        .select_related("lead")
    )
    plans = (
        WorkPlan.objects.visible_to(request.user)
        .filter(county=county)
        .prefetch_related("tasks__group", "tasks__owner")
    )
    county_people = selectors.county_staff_list(user=request.user, county=county)
    ctx = {
        "county": county,
        "office": office,
        "groups": groups,
        "plans": plans,
        "can_edit": can_edit,
        "group_form": OfficeGroupForm(),
        "member_form": OfficeMemberForm(groups=groups, people=county_people),
        "task_form": OfficeTaskForm(groups=groups),
        "statuses": OfficeTask.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "orgs/office.html", ctx)


def _office_for_admin(request: HttpRequest) -> PromotionOffice:
    county = selectors.county_for_user(user=request.user)
    office = (
        PromotionOffice.objects.visible_to(request.user, write=True).filter(county=county).first()
        if county
        else None
    )
    if office is None:
        raise Http404
    return office


@login_required
@require_POST
def office_group_add(request: HttpRequest) -> HttpResponse:
    office = _office_for_admin(request)
    form = OfficeGroupForm(request.POST)
    if form.is_valid():
        try:
            services.office_group_create(office=office, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Group added."))
    else:
        messages.error(
            request,
            _("Check the group's fields: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())},
        )
    return redirect("orgs:office")


@login_required
@require_POST
def office_member_add(request: HttpRequest) -> HttpResponse:
    office = _office_for_admin(request)
    groups = OfficeGroup.objects.filter(office=office)
    people = selectors.county_staff_list(user=request.user, county=office.county)
    form = OfficeMemberForm(request.POST, groups=groups, people=people)
    if form.is_valid():
        try:
            services.office_group_add_member(
                group=form.cleaned_data["group"],
                person=form.cleaned_data["person"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Member added."))
    else:
        messages.error(request, _("Choose a group and a person of your county."))
    return redirect("orgs:office")


@login_required
@require_POST
def office_task_add(request: HttpRequest, public_id: str) -> HttpResponse:
    _office_for_admin(request)
    plan = get_visible_or_404(WorkPlan, request.user, public_id, write=True)
    form = OfficeTaskForm(request.POST, groups=OfficeGroup.objects.filter(county=plan.county))
    if form.is_valid():
        services.office_task_create(plan=plan, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Task added."))
    else:
        messages.error(request, _("A task needs a title; the due date must be a date."))
    return redirect("orgs:office")


@login_required
@require_POST
def office_task_status(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_visible_or_404(OfficeTask, request.user, public_id, write=True)
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        services.office_task_set_status(
            task=task, status=form.cleaned_data["status"], actor=request.user, request=request
        )
    return redirect("orgs:office")


@login_required
def person_add(request: HttpRequest, public_id: str) -> HttpResponse:
    """Add one teacher, administrator, student or parent to a school."""
    from dtss.orgs.forms import PersonAddForm

    school = get_visible_or_404(School, request.user, public_id, write=True)
    classes = SchoolClass.objects.filter(school=school).select_related("term")
    form = PersonAddForm(request.POST or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.school_person_add(
                school=school,
                actor=request.user,
                name=data["name"],
                role=data["role"],
                title=data["title"] if data["role"] == Role.SCHOOL_ADMIN else "",
                external_id=data["external_id"],
                gender=data["gender"],
                email=data["email"],
                phone=data["phone"],
                school_class=data["school_class"],
                seat_number=data["seat_number"],
                child_external_id=data["child_external_id"],
                relation=data["relation"] or "guardian",
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.name})
            return redirect("orgs:person_detail", public_id=person.public_id)
    return render(request, "orgs/person_add.html", {"school": school, "form": form})


@login_required
def person_invite(request: HttpRequest, public_id: str) -> HttpResponse:
    """Give a person a login; they receive an email with a link to set their password."""
    from dtss.accounts.services import user_invite
    from dtss.orgs.forms import AccountInviteForm

    person = get_visible_or_404(Person, request.user, public_id, write=True)
    form = AccountInviteForm(
        request.POST or None,
        initial={"username": person.external_id or "", "email": person.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_invite(
                person=person,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The account was created and an email was sent."))
            return redirect("orgs:person_detail", public_id=person.public_id)
    return render(request, "orgs/person_invite.html", {"person": person, "form": form})


@login_required
def office_create(request: HttpRequest) -> HttpResponse:
    """Record the county's Digital Learning Promotion Office (strategy L2.D1)."""
    from dtss.orgs.forms import OfficeForm

    county = selectors.county_for_user(user=request.user)
    if county is None or not scope_for(request.user).may_administer_county(county.pk):
        raise Http404
    if PromotionOffice.objects.filter(county=county).exists():
        return redirect("orgs:office")
    people = selectors.county_staff_list(user=request.user, county=county)
    form = OfficeForm(
        request.POST or None, people=people, initial={"name": f"{county.name_zh}數位學習推動辦公室"}
    )
    if request.method == "POST" and form.is_valid():
        services.office_create(county=county, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The office was recorded."))
        return redirect("orgs:office")
    return render(request, "orgs/office_create.html", {"county": county, "form": form})


@login_required
@require_POST
def office_plan_add(request: HttpRequest) -> HttpResponse:
    from dtss.orgs.forms import WorkPlanForm

    office = _office_for_admin(request)
    form = WorkPlanForm(request.POST)
    if form.is_valid():
        services.work_plan_create(office=office, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Work plan added."))
    else:
        messages.error(request, _("A work plan needs an academic year (e.g. 115) and a title."))
    return redirect("orgs:office")
