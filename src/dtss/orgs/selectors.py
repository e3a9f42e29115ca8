"""Reads of the organisation tree, and the scope every visibility check starts from."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from dtss.core.tenancy import Scope, scope_for
from dtss.orgs.models import (
    County,
    Enrollment,
    Guardianship,
    Membership,
    Person,
    Role,
    School,
    SchoolClass,
)


def scope_compute(*, user: Any) -> Scope:
    """Build a user's scope from the memberships of the person behind the account."""
    person_id = getattr(user, "person_id", None)
    if user.is_superuser:
        return Scope(authenticated=True, superuser=True, everything=True, person_id=person_id)
    if person_id is None:
        return Scope(authenticated=True)
    rows = list(
        Membership.objects.filter(person_id=person_id).values_list("role", "county_id", "school_id")
    )
    roles = {r for r, _, _ in rows}
    county_ids = {c for r, c, _ in rows if r in (Role.COUNTY_ADMIN, Role.COUNTY_STAFF)}
    admin_county_ids = {c for r, c, _ in rows if r == Role.COUNTY_ADMIN}
    admin_school_ids = {s for r, _, s in rows if r == Role.SCHOOL_ADMIN}
    teacher_school_ids = {s for r, _, s in rows if r == Role.TEACHER}
    student_school_ids = {s for r, _, s in rows if r == Role.STUDENT}
    parent_school_ids = {s for r, _, s in rows if r == Role.PARENT}
    child_ids: set[int] = set()
    if Role.PARENT in roles:
        child_ids = set(
            Guardianship.objects.filter(parent_id=person_id).values_list("child_id", flat=True)
        )
    return Scope(
        authenticated=True,
        everything=Role.MOE_VIEWER in roles,
        county_ids=frozenset(county_ids),
        admin_county_ids=frozenset(admin_county_ids),
        staff_school_ids=frozenset(admin_school_ids | teacher_school_ids),
        admin_school_ids=frozenset(admin_school_ids),
        teacher_school_ids=frozenset(teacher_school_ids),
        student_school_ids=frozenset(student_school_ids),
        parent_school_ids=frozenset(parent_school_ids),
        person_id=person_id,
        child_ids=frozenset(child_ids),
        roles=frozenset(roles),
    )


def school_list(
    *,
    user: Any,
    query: str = "",
    district: str = "",
    stage: str = "",
    area: str = "",
    county: str = "",
    order: str = "code",
) -> QuerySet[School]:
    qs = School.objects.visible_to(user).select_related("county", "district")
    if query:
        qs = qs.filter(Q(name_zh__icontains=query) | Q(name_en__icontains=query) | Q(code=query))
    if county:
        qs = qs.filter(county__code=county)
    if district:
        qs = qs.filter(district__public_id=district) if _is_uuid(district) else qs.none()
    if stage:
        qs = qs.filter(stage=stage)
    if area:
        qs = qs.filter(area=area)
    allowed = {"code", "-code", "name_zh", "-name_zh", "student_count", "-student_count"}
    return qs.order_by(order if order in allowed else "code")


def person_list(
    *, user: Any, query: str = "", role: str = "", school: School | None = None
) -> QuerySet[Person]:
    qs = Person.objects.visible_to(user)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(external_id=query) | Q(email__iexact=query))
    if role or school is not None:
        m = Membership.objects.all()
        if role:
            m = m.filter(role=role)
        if school is not None:
            m = m.filter(school=school)
        qs = qs.filter(pk__in=m.values("person_id"))
    return qs.order_by("name", "id")


def class_list(*, user: Any, school: School | None = None) -> QuerySet[SchoolClass]:
    qs = SchoolClass.objects.visible_to(user).select_related("school", "term", "homeroom_teacher")
    if school is not None:
        qs = qs.filter(school=school)
    return qs.annotate(student_total=Count("enrollments")).order_by(
        "school__code", "-term__roc_year", "-term__semester", "grade", "number"
    )


def class_roster(*, school_class: SchoolClass) -> QuerySet[Enrollment]:
    return school_class.enrollments.select_related("student").order_by("seat_number")


def county_for_user(*, user: Any) -> County | None:
    """The county a county-level user works in (the first, when several)."""
    scope = scope_for(user)
    ids = sorted(scope.county_ids)
    return County.objects.filter(pk=ids[0]).first() if ids else None


def schools_of_user(*, user: Any) -> QuerySet[School]:
    scope = scope_for(user)
    ids = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
    return School.objects.filter(pk__in=ids).select_related("county")


def children_of(*, user: Any) -> QuerySet[Person]:
    scope = scope_for(user)
    return Person.objects.filter(pk__in=scope.child_ids).order_by("name")


def current_enrollments(*, people: QuerySet[Person] | list[Person]) -> dict[int, Enrollment]:
    """The latest enrolment per student, for showing school and class beside names."""
    rows = (
        Enrollment.objects.filter(student__in=people)
        .select_related("school", "school_class", "school_class__term")
        .order_by("student_id", "-school_class__term__roc_year", "-school_class__term__semester")
    )
    out: dict[int, Enrollment] = {}
    for row in rows:
        out.setdefault(row.student_id, row)
    return out


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- Reads added for the JSON API (dtss.api) -----------------------------------------------


def county_list(*, user: Any) -> QuerySet[County]:
    """Counties the user can see, each with the number of its schools the user can see."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    schools = (
        School.objects.visible_to(user)
        .filter(county=OuterRef("pk"))
        .order_by()
        .values("county")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        County.objects.visible_to(user)
        .annotate(school_count=Coalesce(Subquery(schools, output_field=IntegerField()), 0))
        .order_by("code")
    )


def district_list(*, user: Any, county: str = "") -> QuerySet[Any]:
    from dtss.orgs.models import District

    qs = District.objects.visible_to(user).select_related("county")
    if county:
        qs = qs.filter(county__code=county)
    return qs.order_by("county__code", "code")


def term_list() -> QuerySet[Any]:
    from dtss.orgs.models import AcademicTerm

    return AcademicTerm.objects.order_by("-roc_year", "-semester")


def school_staff(*, school: School) -> QuerySet[Membership]:
    """Administrators and teachers of a school (for staff who can see the school)."""
    return (
        Membership.objects.filter(school=school, role__in=[Role.SCHOOL_ADMIN, Role.TEACHER])
        .select_related("person")
        .order_by("role", "person__name")
    )


def person_memberships(*, user: Any, person: Person) -> QuerySet[Membership]:
    """A person's roles, only those inside the viewer's scope."""
    return (
        Membership.objects.visible_to(user)
        .filter(person=person)
        .select_related("person", "county", "school")
        .order_by("role", "id")
    )


def person_enrollments(*, user: Any, person: Person) -> QuerySet[Enrollment]:
    """A person's class seats, only those inside the viewer's scope."""
    return (
        Enrollment.objects.visible_to(user)
        .filter(student=person)
        .select_related("school", "school_class", "school_class__term")
        .order_by("-school_class__term__roc_year", "-school_class__term__semester")
    )


def guardianship_list(
    *, user: Any, parent: Person | None = None, child: Person | None = None
) -> QuerySet[Guardianship]:
    qs = Guardianship.objects.visible_to(user).select_related("parent", "child")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if child is not None:
        qs = qs.filter(child=child)
    return qs.order_by("child__name", "parent__name", "id")


def office_overview(*, user: Any, county: County) -> dict[str, Any]:
    """The county's promotion office with its groups and work plans, as the user sees them."""
    from django.db.models import Prefetch

    from dtss.orgs.models import OfficeGroup, OfficeTask, PromotionOffice, WorkPlan

    office = (
        PromotionOffice.objects.visible_to(user)
        .filter(county=county)
        .select_related("convener")
        .first()
    )
    groups = (
        OfficeGroup.objects.visible_to(user)
        .filter(county=county)
        .select_related("lead")
        .prefetch_related("members")
    )
    tasks = OfficeTask.objects.visible_to(user).select_related("group", "owner")
    plans = (
        WorkPlan.objects.visible_to(user)
        .filter(county=county)
        .prefetch_related(Prefetch("tasks", queryset=tasks))
    )
    return {"county": county, "office": office, "groups": list(groups), "plans": list(plans)}


def person_roles_all_within(*, user: Any, person: Person) -> bool:
    """True when every role the person holds is inside the user's administrative scope.

    Giving someone a login hands over all of their roles, so only an administrator of every
    one of them should be able to (see dtss.api README, "account")."""
    total = Membership.objects.filter(person=person).count()
    inside = Membership.objects.visible_to(user, write=True).filter(person=person).count()
    return total == inside


def county_staff_list(*, user: Any, county: County) -> QuerySet[Person]:
    """People who may serve in the county's office: county roles first, then the teachers and
    administrators of its schools (never students or parents)."""
    staff = Membership.objects.filter(
        county=county,
        role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.SCHOOL_ADMIN, Role.TEACHER],
    )
    return (
        Person.objects.visible_to(user)
        .filter(pk__in=staff.values("person_id"))
        .order_by("name", "id")
    )
