"""JSON API of the organisation tree and its people, mounted at /api/v1/.

Every query starts from `visible_to(request.user)` (reads) or `visible_to(user, write=True)`
(writes); every write goes through `dtss.orgs.services`. See `dtss.api.access` for the rules
on 403, 404 and 422.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from dtss.api.access import (
    get_for_write,
    ref_or_422,
    require_admin,
    require_county_admin,
    require_county_level,
    require_staff,
    scope_of,
)
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.services import audit_record
from dtss.core.tenancy import Scope, get_visible_or_404
from dtss.orgs import selectors, services
from dtss.orgs.models import (
    County,
    District,
    OfficeGroup,
    OfficeTask,
    Person,
    PromotionOffice,
    Role,
    School,
    SchoolClass,
    WorkPlan,
)
from dtss.orgs.schemas import (
    AccountIn,
    AccountOut,
    ClassFilters,
    ClassIn,
    ClassOut,
    CountyOut,
    DistrictFilters,
    DistrictIn,
    DistrictOut,
    GuardianshipFilters,
    GuardianshipIn,
    GuardianshipOut,
    MembershipOut,
    OfficeGroupIn,
    OfficeGroupOut,
    OfficeIn,
    OfficeInfo,
    OfficeMemberIn,
    OfficeOut,
    OfficeQuery,
    OfficeTaskIn,
    OfficeTaskOut,
    OfficeTaskPatch,
    PersonDetailOut,
    PersonFilters,
    PersonIn,
    PersonOut,
    RosterEntryOut,
    SchoolDetailOut,
    SchoolFilters,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
    SchoolPersonIn,
    TermOut,
    WorkPlanIn,
    WorkPlanOut,
)

router = Router()

CountyCode = Annotated[str, Path(description="The county's MOI code, e.g. 10008.")]
ClassId = Annotated[UUID, Path(description="The class's id (its public_id).")]
GroupId = Annotated[UUID, Path(description="The group's id (its public_id).")]
PersonId = Annotated[UUID, Path(description="The person's id (its public_id).")]
PlanId = Annotated[UUID, Path(description="The plan's id (its public_id).")]
SchoolId = Annotated[UUID, Path(description="The school's id (its public_id).")]
TaskId = Annotated[UUID, Path(description="The task's id (its public_id).")]

STAFF_ONLY = "Only school staff, county staff and MOE viewers may use this (403 for others)."
ADMIN_ONLY = "Only school or county administrators may use this (403 for others)."
COUNTY_ADMIN_ONLY = "Only county administrators may use this (403 for others)."
SCOPED = "Lists only what you can see under the tenancy rule."
NOT_FOUND = "Missing and out-of-scope objects are both 404."


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Enum members from request schemas to the plain values the services expect."""
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in data.items()}


# --- counties and districts ---------------------------------------------------------------


@router.get(
    "/counties",
    response=responses({200: list[CountyOut]}, 422),
    tags=["counties and districts"],
    summary="List counties",
    description=f"Counties and cities you can see, with the number of their schools. {SCOPED}",
)
@paged
def county_list(request: HttpRequest) -> Any:
    return selectors.county_list(user=request.user)


@router.get(
    "/counties/{code}",
    response=responses({200: CountyOut}, 404),
    tags=["counties and districts"],
    summary="Get a county",
    description=f"One county by its MOI code. {NOT_FOUND}",
)
def county_detail(request: HttpRequest, code: CountyCode) -> Any:
    county = selectors.county_list(user=request.user).filter(code=code).first()
    if county is None:
        raise Http404
    return county


@router.get(
    "/districts",
    response=responses({200: list[DistrictOut]}, 422),
    tags=["counties and districts"],
    summary="List districts",
    description=f"Districts (區/鄉鎮市) you can see. {SCOPED}",
)
@paged
def district_list(request: HttpRequest, filters: Query[DistrictFilters]) -> Any:
    return selectors.district_list(user=request.user, county=filters.county)


@router.post(
    "/districts",
    response=responses({201: DistrictOut}, 403, 422),
    tags=["counties and districts"],
    summary="Create a district",
    description=f"{COUNTY_ADMIN_ONLY} The county must be one you administer (else 422).",
)
def district_create(request: HttpRequest, payload: DistrictIn) -> Any:
    require_county_admin(request)
    county = ref_or_422(
        County.objects.visible_to(request.user, write=True), "county", code=payload.county
    )
    with transaction.atomic():
        district = services.district_create(
            county=county, code=payload.code, name_zh=payload.name_zh, name_en=payload.name_en
        )
        audit_record(actor=request.user, action="district.create", obj=district, request=request)
    return Status(201, district)


# --- schools ------------------------------------------------------------------------------


@router.get(
    "/schools",
    response=responses({200: list[SchoolOut]}, 403, 422),
    tags=["schools"],
    summary="List schools",
    description=f"Schools you can see, filtered and sorted. {STAFF_ONLY} {SCOPED}",
)
@paged
def school_list(request: HttpRequest, filters: Query[SchoolFilters]) -> Any:
    require_staff(request)
    return selectors.school_list(
        user=request.user,
        query=filters.q.strip(),
        county=filters.county,
        district=str(filters.district) if filters.district else "",
        stage=filters.stage.value if filters.stage else "",
        area=filters.area.value if filters.area else "",
        order=filters.order,
    )


@router.get(
    "/schools/{public_id}",
    response=responses({200: SchoolDetailOut}, 403, 404, 422),
    tags=["schools"],
    summary="Get a school",
    description=f"One school with its administrators and teachers. {STAFF_ONLY} {NOT_FOUND}",
)
def school_detail(request: HttpRequest, public_id: SchoolId) -> Any:
    require_staff(request)
    school = get_visible_or_404(School, request.user, public_id)
    return school


@router.post(
    "/schools",
    response=responses({201: SchoolOut}, 403, 422),
    tags=["schools"],
    summary="Create a school",
    description=(
        f"{COUNTY_ADMIN_ONLY} The district must be in a county you administer; an unknown "
        "district and another county's district are both 422 on `district`."
    ),
)
def school_create(request: HttpRequest, payload: SchoolIn) -> Any:
    require_county_admin(request)
    data = _plain(payload.dict())
    district = ref_or_422(
        District.objects.visible_to(request.user, write=True),
        "district",
        public_id=data.pop("district"),
    )
    school = services.school_create(district=district, actor=request.user, **data)
    return Status(201, school)


@router.patch(
    "/schools/{public_id}",
    response=responses({200: SchoolOut}, 403, 404, 422),
    tags=["schools"],
    summary="Change a school",
    description=(
        f"Change the fields sent. {ADMIN_ONLY} A school you can see but not administer is "
        f"403. {NOT_FOUND}"
    ),
)
def school_update(
    request: HttpRequest,
    payload: SchoolPatch,
    public_id: SchoolId,
) -> Any:
    require_admin(request)
    school = get_for_write(School, request, public_id)
    fields = _plain(payload.dict(exclude_unset=True))
    return services.school_update(school=school, actor=request.user, request=request, **fields)


@router.post(
    "/schools/{public_id}/people",
    response=responses({201: PersonDetailOut}, 403, 404, 422),
    tags=["schools"],
    summary="Add a person to a school",
    description=(
        "Add one teacher, administrator, student (in a class and seat) or parent (linked to a "
        f"student of the school by external ID), all or nothing. {ADMIN_ONLY} A school you can "
        f"see but not administer is 403. {NOT_FOUND}"
    ),
)
def school_person_add(request: HttpRequest, payload: SchoolPersonIn, public_id: SchoolId) -> Any:
    require_admin(request)
    school = get_for_write(School, request, public_id)
    school_class = None
    if payload.school_class is not None:
        school_class = ref_or_422(
            SchoolClass.objects.filter(school=school),
            "school_class",
            public_id=payload.school_class,
        )
    data = _plain(payload.dict())
    data["school_class"] = school_class
    if data["role"] != Role.SCHOOL_ADMIN:
        data["title"] = ""
    person = services.school_person_add(school=school, actor=request.user, **data)
    return Status(201, person)


# --- terms and classes --------------------------------------------------------------------


@router.get(
    "/terms",
    response=responses({200: list[TermOut]}, 422),
    tags=["classes"],
    summary="List academic terms",
    description="The national school calendar's terms (shared by every school), newest first.",
)
@paged
def term_list(request: HttpRequest) -> Any:
    return selectors.term_list()


@router.get(
    "/classes",
    response=responses({200: list[ClassOut]}, 403, 422),
    tags=["classes"],
    summary="List classes",
    description=f"Classes you can see. {STAFF_ONLY} {SCOPED}",
)
@paged
def class_list(request: HttpRequest, filters: Query[ClassFilters]) -> Any:
    require_staff(request)
    qs = selectors.class_list(user=request.user)
    if filters.school:
        qs = qs.filter(school__public_id=filters.school)
    if filters.roc_year is not None:
        qs = qs.filter(term__roc_year=filters.roc_year)
    if filters.semester is not None:
        qs = qs.filter(term__semester=filters.semester)
    if filters.grade is not None:
        qs = qs.filter(grade=filters.grade)
    return qs


@router.get(
    "/classes/{public_id}",
    response=responses({200: ClassOut}, 404, 422),
    tags=["classes"],
    summary="Get a class",
    description=(
        "One class. Staff see their schools' classes, students their own, parents their "
        f"children's. {NOT_FOUND}"
    ),
)
def class_detail(request: HttpRequest, public_id: ClassId) -> Any:
    return get_visible_or_404(SchoolClass, request.user, public_id)


def _is_staff_of(scope: Scope, school_class: SchoolClass) -> bool:
    return (
        scope.superuser
        or scope.everything
        or school_class.school_id in scope.staff_school_ids
        or school_class.county_id in scope.county_ids
    )


@router.get(
    "/classes/{public_id}/students",
    response=responses({200: list[RosterEntryOut]}, 403, 404, 422),
    tags=["classes"],
    summary="List a class's students",
    description=(
        f"The roster: seat numbers and students. {STAFF_ONLY} Staff of the class's school or "
        f"county only: a class you see only as a parent is 403. {NOT_FOUND}"
    ),
)
@paged
def class_roster(request: HttpRequest, public_id: ClassId) -> Any:
    scope = require_staff(request)
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not _is_staff_of(scope, school_class):
        raise PermissionDenied(_("Only the school's staff may see the roster."))
    return selectors.class_roster(school_class=school_class)


@router.post(
    "/classes",
    response=responses({201: ClassOut}, 403, 422),
    tags=["classes"],
    summary="Create a class",
    description=(
        f"{ADMIN_ONLY} The school must be one you administer (or in a county you administer); "
        "the term is created if it does not exist yet."
    ),
)
def class_create(request: HttpRequest, payload: ClassIn) -> Any:
    require_admin(request)
    school = ref_or_422(
        School.objects.visible_to(request.user, write=True), "school", public_id=payload.school
    )
    teacher = None
    if payload.homeroom_teacher is not None:
        teacher = ref_or_422(
            Person.objects.visible_to(request.user),
            "homeroom_teacher",
            public_id=payload.homeroom_teacher,
        )
    with transaction.atomic():
        term = services.term_get_or_create(roc_year=payload.roc_year, semester=payload.semester)
        school_class = services.class_create(
            school=school,
            term=term,
            grade=payload.grade,
            number=payload.number,
            name=payload.name,
            homeroom_teacher=teacher,
        )
        audit_record(actor=request.user, action="class.create", obj=school_class, request=request)
    return Status(201, school_class)


# --- people -------------------------------------------------------------------------------


def _audit_student_read(request: HttpRequest, person: Person, part: str) -> None:
    """DESIGN rule 6: every read of a student's record by staff is in the audit log (the same
    rule as the person page)."""
    scope = scope_of(request)
    if scope.person_id == person.pk or not scope.is_staff_level:
        return
    student = person.memberships.filter(role=Role.STUDENT).select_related("school").first()
    if student is not None:
        audit_record(
            actor=request.user,
            action="student.read",
            obj=person,
            request=request,
            school=student.school,
            detail={"via": "api", "part": part},
        )


@router.get(
    "/people",
    response=responses({200: list[PersonOut]}, 403, 422),
    tags=["people"],
    summary="List people",
    description=f"People you can see. {STAFF_ONLY} {SCOPED}",
)
@paged
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    require_staff(request)
    school = None
    if filters.school:
        school = School.objects.visible_to(request.user).filter(public_id=filters.school).first()
        if school is None:
            return Person.objects.none()
    return selectors.person_list(
        user=request.user,
        query=filters.q.strip(),
        role=filters.role.value if filters.role else "",
        school=school,
    ).select_related("county")


@router.get(
    "/people/{public_id}",
    response=responses({200: PersonDetailOut}, 404, 422),
    tags=["people"],
    summary="Get a person",
    description=(
        "One person with the roles, classes and family links you can see. Students see "
        "themselves, parents themselves and their children. A staff member reading a "
        f"student's record is written to the audit log (`student.read`). {NOT_FOUND}"
    ),
)
def person_detail(request: HttpRequest, public_id: PersonId) -> Any:
    person = get_visible_or_404(Person, request.user, public_id)
    _audit_student_read(request, person, "record")
    return person


@router.get(
    "/people/{public_id}/memberships",
    response=responses({200: list[MembershipOut]}, 404, 422),
    tags=["people"],
    summary="List a person's roles",
    description=(
        "The person's memberships inside your scope (roles elsewhere are left out). Staff "
        f"reading a student's roles is audited as `student.read`. {NOT_FOUND}"
    ),
)
@paged
def person_membership_list(request: HttpRequest, public_id: PersonId) -> Any:
    person = get_visible_or_404(Person, request.user, public_id)
    _audit_student_read(request, person, "memberships")
    return selectors.person_memberships(user=request.user, person=person)


@router.post(
    "/people",
    response=responses({201: PersonDetailOut}, 403, 422),
    tags=["people"],
    summary="Create a person with a role",
    description=(
        f"Create a person and their first membership in one call (both or neither). "
        f"{ADMIN_ONLY} School roles need a `school` you administer, county roles a `county` "
        "you administer; otherwise 422 on that field."
    ),
)
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    scope = require_admin(request)
    role = payload.role.value
    if role == Role.MOE_VIEWER and not scope.superuser:
        raise ValidationError({"role": _("This role cannot be given here.")})
    school = county = None
    if payload.school is not None:
        school = ref_or_422(
            School.objects.visible_to(request.user, write=True), "school", public_id=payload.school
        )
    if payload.county:
        county = ref_or_422(
            County.objects.visible_to(request.user, write=True), "county", code=payload.county
        )
    person = services.person_create_with_membership(
        name=payload.name,
        role=role,
        county=county,
        school=school,
        title=payload.title.value,
        gender=payload.gender.value if isinstance(payload.gender, Enum) else payload.gender,
        email=payload.email,
        phone=payload.phone,
        external_id=payload.external_id,
        actor=request.user,
    )
    return Status(201, person)


@router.post(
    "/people/{public_id}/account",
    response=responses({201: AccountOut}, 403, 404, 422),
    tags=["people"],
    summary="Give a person a login",
    description=(
        "Create a login for the person; an email with a link to set the password is sent. "
        f"{ADMIN_ONLY} You must administer every role the person holds (else 403), since the "
        f"login carries all of them. {NOT_FOUND}"
    ),
)
def person_account_create(request: HttpRequest, payload: AccountIn, public_id: PersonId) -> Any:
    from dtss.accounts.services import user_invite

    require_admin(request)
    person = get_for_write(Person, request, public_id)
    if not selectors.person_roles_all_within(user=request.user, person=person):
        raise PermissionDenied(_("The person holds roles you do not administer."))
    user = user_invite(
        person=person,
        username=payload.username.strip(),
        email=payload.email.strip(),
        actor=request.user,
        request=request,
    )
    return Status(201, {"username": user.get_username(), "email": user.email, "person": person})


@router.get(
    "/guardianships",
    response=responses({200: list[GuardianshipOut]}, 422),
    tags=["people"],
    summary="List parent-child links",
    description=(
        "Parent/guardian links you can see: parents their own, school staff those of their "
        f"students, county staff their county's. {SCOPED}"
    ),
)
@paged
def guardianship_list(request: HttpRequest, filters: Query[GuardianshipFilters]) -> Any:
    people = Person.objects.visible_to(request.user)
    parent = child = None
    if filters.parent:
        parent = people.filter(public_id=filters.parent).first()
        if parent is None:
            return Person.objects.none()
    if filters.child:
        child = people.filter(public_id=filters.child).first()
        if child is None:
            return Person.objects.none()
    return selectors.guardianship_list(user=request.user, parent=parent, child=child)


@router.post(
    "/guardianships",
    response=responses({201: GuardianshipOut}, 403, 422),
    tags=["people"],
    summary="Link a parent to a child",
    description=(
        f"{ADMIN_ONLY} Both people must be inside your administrative scope (else 422). The "
        "parent gets a parent role at each of the child's schools."
    ),
)
def guardianship_create(request: HttpRequest, payload: GuardianshipIn) -> Any:
    require_admin(request)
    writable = Person.objects.visible_to(request.user, write=True)
    parent = ref_or_422(writable, "parent", public_id=payload.parent)
    child = ref_or_422(writable, "child", public_id=payload.child)
    with transaction.atomic():
        link = services.guardianship_create(
            parent=parent, child=child, relation=payload.relation.value
        )
        audit_record(
            actor=request.user,
            action="guardianship.create",
            obj=link,
            request=request,
            detail={"parent": str(parent.public_id), "child": str(child.public_id)},
        )
    return Status(201, link)


# --- the county's promotion office --------------------------------------------------------


def _office_county(request: HttpRequest, scope: Scope, code: str) -> County:
    """The county whose office is read: the one asked for, or the user's own."""
    if code:
        county = County.objects.filter(code=code).first()
        if county is None or not (
            scope.superuser or scope.everything or county.pk in scope.county_ids
        ):
            raise Http404
        return county
    county = selectors.county_for_user(user=request.user)
    if county is None:
        raise ValidationError({"county": _("Say which county's office to show.")})
    return county


def _admin_county(request: HttpRequest, scope: Scope, code: str | None) -> County:
    """A county the user administers: the one named, or their only one."""
    writable = County.objects.visible_to(request.user, write=True)
    if code:
        return ref_or_422(writable, "county", code=code)
    if len(scope.admin_county_ids) == 1:
        return writable.get(pk=next(iter(scope.admin_county_ids)))
    raise ValidationError({"county": _("Say which county's office to change.")})


def _admin_office(request: HttpRequest, scope: Scope, code: str | None) -> PromotionOffice:
    """The office of a county the user administers."""
    county = _admin_county(request, scope, code)
    office = PromotionOffice.objects.visible_to(request.user, write=True).filter(county=county)
    found = office.first()
    if found is None:
        raise ValidationError({"county": _("The county has no promotion office yet.")})
    return found


@router.get(
    "/office",
    response=responses({200: OfficeOut}, 403, 404, 422),
    tags=["promotion office"],
    summary="Get the promotion office",
    description=(
        "The county's Digital Learning Promotion Office (數位學習推動辦公室) with its groups, "
        "members, work plans and tasks. County staff and MOE viewers only (403 for others); "
        "another county is 404."
    ),
)
def office_detail(request: HttpRequest, params: Query[OfficeQuery]) -> Any:
    scope = require_county_level(request)
    county = _office_county(request, scope, params.county)
    data = selectors.office_overview(user=request.user, county=county)
    data["can_edit"] = scope.may_administer_county(county.pk)
    return data


@router.post(
    "/office",
    response=responses({201: OfficeInfo}, 403, 422),
    tags=["promotion office"],
    summary="Record the promotion office",
    description=(
        f"Record the county's Digital Learning Promotion Office (L2.D1). {COUNTY_ADMIN_ONLY} "
        "The convener must hold a county role in the county (else 422)."
    ),
)
def office_create(request: HttpRequest, payload: OfficeIn) -> Any:
    scope = require_county_admin(request)
    county = _admin_county(request, scope, payload.county)
    if PromotionOffice.objects.filter(county=county).exists():
        raise ValidationError({"county": _("The county already has a promotion office.")})
    convener = None
    if payload.convener is not None:
        county_people = Person.objects.visible_to(request.user, write=True).filter(
            memberships__county=county, memberships__school__isnull=True
        )
        convener = ref_or_422(county_people.distinct(), "convener", public_id=payload.convener)
    office = services.office_create(
        county=county,
        name=payload.name,
        convener=convener,
        established_on=payload.established_on,
        mission=payload.mission,
        actor=request.user,
    )
    return Status(201, office)


@router.post(
    "/office/groups",
    response=responses({201: OfficeGroupOut}, 403, 422),
    tags=["promotion office"],
    summary="Add an office group",
    description=f"{COUNTY_ADMIN_ONLY} The lead must be a person you administer (else 422).",
)
def office_group_create(request: HttpRequest, payload: OfficeGroupIn) -> Any:
    scope = require_county_admin(request)
    office = _admin_office(request, scope, payload.county)
    lead = None
    if payload.lead is not None:
        lead = ref_or_422(
            Person.objects.visible_to(request.user, write=True).filter(county=office.county_id),
            "lead",
            public_id=payload.lead,
        )
    group = services.office_group_create(
        office=office,
        kind=payload.kind.value,
        name=payload.name,
        duties=payload.duties,
        lead=lead,
        actor=request.user,
    )
    return Status(201, group)


@router.post(
    "/office/groups/{public_id}/members",
    response=responses({200: OfficeGroupOut}, 403, 404, 422),
    tags=["promotion office"],
    summary="Add a member to an office group",
    description=(
        f"{COUNTY_ADMIN_ONLY} The person must be one you administer (else 422); they are "
        f"given a county staff role if they hold no county role yet. {NOT_FOUND}"
    ),
)
def office_group_member_add(
    request: HttpRequest,
    payload: OfficeMemberIn,
    public_id: GroupId,
) -> Any:
    require_county_admin(request)
    group = get_for_write(OfficeGroup, request, public_id)
    person = ref_or_422(
        Person.objects.visible_to(request.user, write=True), "person", public_id=payload.person
    )
    services.office_group_add_member(group=group, person=person, actor=request.user)
    return OfficeGroup.objects.select_related("lead").prefetch_related("members").get(pk=group.pk)


@router.post(
    "/office/plans",
    response=responses({201: WorkPlanOut}, 403, 422),
    tags=["promotion office"],
    summary="Add a work plan",
    description=f"A work plan of the office for one academic year. {COUNTY_ADMIN_ONLY}",
)
def work_plan_create(request: HttpRequest, payload: WorkPlanIn) -> Any:
    scope = require_county_admin(request)
    office = _admin_office(request, scope, payload.county)
    plan = services.work_plan_create(
        office=office,
        roc_year=payload.roc_year,
        title=payload.title,
        summary=payload.summary,
        actor=request.user,
    )
    return Status(201, plan)


@router.post(
    "/office/plans/{public_id}/tasks",
    response=responses({201: OfficeTaskOut}, 403, 404, 422),
    tags=["promotion office"],
    summary="Add a task to a work plan",
    description=(
        f"{COUNTY_ADMIN_ONLY} The group must belong to the same office and the owner must be "
        f"a person you administer (else 422). {NOT_FOUND}"
    ),
)
def office_task_create(
    request: HttpRequest,
    payload: OfficeTaskIn,
    public_id: PlanId,
) -> Any:
    require_county_admin(request)
    plan = get_for_write(WorkPlan, request, public_id)
    group = owner = None
    if payload.group is not None:
        group = ref_or_422(
            OfficeGroup.objects.visible_to(request.user, write=True).filter(
                office_id=plan.office_id
            ),
            "group",
            public_id=payload.group,
        )
    if payload.owner is not None:
        owner = ref_or_422(
            Person.objects.visible_to(request.user, write=True),
            "owner",
            public_id=payload.owner,
        )
    task = services.office_task_create(
        plan=plan,
        title=payload.title,
        group=group,
        owner=owner,
        due_date=payload.due_date,
        status=payload.status.value,
        actor=request.user,
    )
    return Status(201, task)


@router.patch(
    "/office/tasks/{public_id}",
    response=responses({200: OfficeTaskOut}, 403, 404, 422),
    tags=["promotion office"],
    summary="Change a task's status",
    description=(f"{COUNTY_ADMIN_ONLY} A task you can see but not change is 403. {NOT_FOUND}"),
)
def office_task_update(
    request: HttpRequest,
    payload: OfficeTaskPatch,
    public_id: TaskId,
) -> Any:
    require_county_admin(request)
    task = get_for_write(OfficeTask, request, public_id)
    return services.office_task_set_status(
        task=task, status=payload.status.value, actor=request.user, request=request
    )
