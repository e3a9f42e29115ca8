from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dtss.core.models import AuditEntry
from dtss.core.tenancy import scope_for
from dtss.devices import loan_selectors
from dtss.helpdesk import selectors as helpdesk_selectors
from dtss.homeschool import selectors as homeschool_selectors
from dtss.orgs import selectors as org_selectors
from dtss.orgs.models import County, Person, School
from dtss.surveys import selectors as survey_selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One home page; a section for every role the user holds (a teacher may also be a parent)."""
    user = request.user
    scope = scope_for(user)
    ctx: dict[str, object] = {"scope": scope}
    if scope.everything or scope.superuser:
        ctx["counties"] = County.objects.annotate(
            school_total=Count("schools", distinct=True),
            student_total=Sum("schools__student_count"),
        ).filter(school_total__gt=0)
    if scope.county_ids:
        county = org_selectors.county_for_user(user=user)
        schools = School.objects.filter(county=county)
        ctx["county"] = county
        ctx["county_stats"] = {
            "districts": county.districts.count() if county else 0,
            "schools": schools.count(),
            "students": schools.aggregate(n=Sum("student_count"))["n"] or 0,
            "by_stage": schools.values("stage").annotate(n=Count("id")).order_by("stage"),
        }
        ctx["office"] = getattr(county, "office", None) if county else None
    if scope.staff_school_ids:
        ctx["staff_schools"] = School.objects.filter(pk__in=scope.staff_school_ids)
    if scope.teacher_school_ids and scope.person_id:
        ctx["homeroom_classes"] = org_selectors.class_list(user=user).filter(
            homeroom_teacher_id=scope.person_id
        )
    if scope.child_ids:
        children = list(org_selectors.children_of(user=user))
        enrol = org_selectors.current_enrollments(people=children)
        ctx["children"] = [(c, enrol.get(c.id)) for c in children]
    if scope.student_school_ids and scope.person_id:
        me = Person.objects.filter(pk=scope.person_id)
        ctx["my_enrollment"] = org_selectors.current_enrollments(people=me).get(scope.person_id)
    if scope.child_ids:
        ctx["agreements_waiting"] = loan_selectors.agreements_waiting(user=user)
    if scope.person_id:
        ctx["helpdesk"] = helpdesk_selectors.home_summary(user=user)
        ctx["homeschool"] = homeschool_selectors.home_summary(user=user)
        ctx["surveys_waiting"] = [
            i for i in survey_selectors.my_invitations(user=user) if i.answered_at is None
        ]
    return render(request, "core/home.html", ctx)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.can_administer:
        raise PermissionDenied
    qs = AuditEntry.objects.visible_to(request.user, write=True).select_related("school")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "action": action, "actor": actor})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
