"""API schemas of the organisation tree and its people (request bodies and responses).

Objects are named by their ``public_id`` (a UUID); counties by their MOI ``code``. Every field
carries a description, so the OpenAPI document at /api/v1/openapi.json explains itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dtss.core.tenancy import scope_for
from dtss.orgs import selectors
from dtss.orgs.models import (
    Guardianship,
    Membership,
    OfficeGroup,
    OfficeTask,
    Person,
    Role,
    School,
)


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


# --- references (small embedded objects) ---------------------------------------------------


class CountyRef(Schema):
    code: str = Field(description="The Ministry of the Interior's county/city code, e.g. 10008.")
    name_zh: str = Field(description="Name in Chinese.")
    name_en: str = Field(description="Name in English (may be empty).")


class DistrictRef(Schema):
    public_id: UUID = Field(description="The district's id.")
    code: str = Field(description="The district's code inside its county.")
    name_zh: str = Field(description="Name in Chinese.")
    name_en: str = Field(description="Name in English (may be empty).")


class SchoolRef(Schema):
    public_id: UUID = Field(description="The school's id.")
    code: str = Field(description="The six-digit MOE school code.")
    name_zh: str = Field(description="Name in Chinese.")
    name_en: str = Field(description="Name in English (may be empty).")


class PersonRef(Schema):
    public_id: UUID = Field(description="The person's id.")
    name: str = Field(description="The person's name.")


class TermRef(Schema):
    roc_year: int = Field(description="Academic year (ROC calendar, e.g. 114 for 2025-26).")
    semester: int = Field(description="Semester: 1 (Aug-Jan) or 2 (Feb-Jul).")


class ClassRef(Schema):
    public_id: UUID = Field(description="The class's id.")
    label: str = Field(description="The class's display name, e.g. 5年01班.")
    grade: int = Field(description="Grade (1-12).")
    number: int = Field(description="Class number within the grade.")
    term: TermRef = Field(description="The term the class runs in.")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj)


# --- counties and districts ---------------------------------------------------------------


class CountyOut(CountyRef):
    public_id: UUID = Field(description="The county's id.")
    school_count: int = Field(description="How many of the county's schools you can see.")


class DistrictOut(DistrictRef):
    county: CountyRef = Field(description="The county the district belongs to.")


class DistrictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str = Field(description="The county's code; you must administer that county.")
    code: str = Field(max_length=16, description="The district's code, unique in its county.")
    name_zh: str = Field(description="Name in Chinese.")
    name_en: str = Field("", description="Name in English.")


# --- schools ------------------------------------------------------------------------------


class SchoolOut(SchoolRef):
    county: CountyRef = Field(description="The school's county.")
    district: DistrictRef = Field(description="The school's district.")
    stage: School.Stage = Field(description="School stage.")
    ownership: School.Ownership = Field(description="Public or private.")
    area: School.Area = Field(description="Area category (remote, very remote …).")
    student_count: int = Field(description="Number of students as last reported.")
    address: str = Field(description="Postal address.")
    phone: str = Field(description="Main phone number.")
    active: bool = Field(description="False for closed or merged schools.")
    can_edit: bool = Field(description="Whether you may change this school (PATCH).")

    @staticmethod
    def resolve_can_edit(obj: School, context: Any) -> bool:
        user = _user(context)
        return user is not None and scope_for(user).may_administer_school(obj)


class StaffOut(Schema):
    person: PersonRef = Field(description="The staff member.")
    role: Role = Field(description="school_admin or teacher.")
    title: Membership.Title = Field(description="Title (principal, director, IT head …).")


class SchoolDetailOut(SchoolOut):
    staff: list[StaffOut] = Field(description="Administrators and teachers of the school.")
    class_count: int = Field(description="How many classes of the school you can see.")

    @staticmethod
    def resolve_staff(obj: School) -> list[Any]:
        return list(selectors.school_staff(school=obj))

    @staticmethod
    def resolve_class_count(obj: School, context: Any) -> int:
        return selectors.class_list(user=_user(context), school=obj).count()


class SchoolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    district: UUID = Field(description="The district's id; you must administer its county.")
    code: str = Field(description="The six-digit MOE school code (unique).")
    name_zh: str = Field(description="Name in Chinese.")
    name_en: str = Field("", description="Name in English.")
    stage: School.Stage = Field(description="School stage.")
    ownership: School.Ownership = Field(School.Ownership.PUBLIC, description="Public or private.")
    area: School.Area = Field(School.Area.GENERAL, description="Area category.")
    student_count: int = Field(0, ge=0, description="Number of students.")
    address: str = Field("", description="Postal address.")
    phone: str = Field("", description="Main phone number.")


class SchoolPatch(Schema):
    """Only the fields sent are changed; the code, county and district cannot be changed."""

    model_config = ConfigDict(extra="forbid")

    name_zh: str | None = Field(None, description="Name in Chinese.")
    name_en: str | None = Field(None, description="Name in English.")
    stage: School.Stage | None = Field(None, description="School stage.")
    ownership: School.Ownership | None = Field(None, description="Public or private.")
    area: School.Area | None = Field(None, description="Area category.")
    student_count: int | None = Field(None, ge=0, description="Number of students.")
    address: str | None = Field(None, description="Postal address.")
    phone: str | None = Field(None, description="Main phone number.")
    active: bool | None = Field(None, description="False for closed or merged schools.")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


# --- terms and classes --------------------------------------------------------------------


class TermOut(TermRef):
    public_id: UUID = Field(description="The term's id.")
    label: str = Field(description="Display name, e.g. 114學年度第1學期.")
    start_date: date = Field(description="First day of the term.")
    end_date: date = Field(description="Last day of the term.")

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj)


class ClassOut(ClassRef):
    name: str = Field(description="The class's own name, if it has one (else empty).")
    school: SchoolRef = Field(description="The class's school.")
    homeroom_teacher: PersonRef | None = Field(description="The homeroom teacher (導師).")
    student_total: int = Field(description="Number of students enrolled.")

    @staticmethod
    def resolve_student_total(obj: Any) -> int:
        total = getattr(obj, "student_total", None)
        return total if total is not None else obj.enrollments.count()


class ClassIn(Schema):
    model_config = ConfigDict(extra="forbid")

    school: UUID = Field(description="The school's id; you must administer it or its county.")
    roc_year: int = Field(ge=50, le=300, description="Academic year (ROC), e.g. 114.")
    semester: Literal[1, 2] = Field(description="Semester: 1 or 2.")
    grade: int = Field(ge=1, le=12, description="Grade (1-12).")
    number: int = Field(ge=1, le=99, description="Class number within the grade.")
    name: str = Field("", max_length=50, description="Optional own name of the class.")
    homeroom_teacher: UUID | None = Field(
        None, description="Id of the homeroom teacher; must teach at the school."
    )


class RosterEntryOut(Schema):
    seat_number: int = Field(description="Seat number (座號).")
    student: PersonRef = Field(description="The student.")


# --- people -------------------------------------------------------------------------------


def _may_see_contacts(obj: Person, context: Any) -> bool:
    user = _user(context)
    if user is None:
        return False
    scope = scope_for(user)
    return scope.is_staff_level or scope.person_id == obj.pk


class PersonOut(PersonRef):
    county: str = Field(description="Code of the person's home county.")
    gender: Person.Gender | Literal[""] = Field(description="F, M, X or empty.")
    external_id: str = Field(description="Identifier used by imports (student/staff number).")
    email: str | None = Field(description="Email; null unless you are staff or it is you.")
    phone: str | None = Field(description="Phone; null unless you are staff or it is you.")
    active: bool = Field(description="False for people who have left.")

    @staticmethod
    def resolve_county(obj: Person) -> str:
        return obj.county.code

    @staticmethod
    def resolve_email(obj: Person, context: Any) -> str | None:
        return obj.email if _may_see_contacts(obj, context) else None

    @staticmethod
    def resolve_phone(obj: Person, context: Any) -> str | None:
        return obj.phone if _may_see_contacts(obj, context) else None


class MembershipOut(Schema):
    public_id: UUID = Field(description="The membership's id.")
    person: PersonRef = Field(description="Who holds the role.")
    role: Role = Field(description="The role.")
    title: Membership.Title = Field(description="Title, if any.")
    county: CountyRef | None = Field(description="Where the role is held (county).")
    school: SchoolRef | None = Field(description="Where the role is held (school roles).")


class EnrollmentOut(Schema):
    public_id: UUID = Field(description="The enrolment's id.")
    seat_number: int = Field(description="Seat number (座號).")
    school: SchoolRef = Field(description="The school.")
    school_class: ClassRef = Field(description="The class.")


class GuardianshipOut(Schema):
    public_id: UUID = Field(description="The link's id.")
    parent: PersonRef = Field(description="The parent or guardian.")
    child: PersonRef = Field(description="The child.")
    relation: Guardianship.Relation = Field(description="mother, father, guardian or other.")


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut] = Field(description="Roles you can see.")
    enrollments: list[EnrollmentOut] = Field(description="Classes you can see.")
    guardians: list[GuardianshipOut] = Field(description="Parent links you can see.")
    children: list[GuardianshipOut] = Field(description="Child links you can see.")

    # Each list is filtered by the viewer's scope (roles elsewhere are left out).
    @staticmethod
    def resolve_memberships(obj: Person, context: Any) -> list[Any]:
        return list(selectors.person_memberships(user=_user(context), person=obj))

    @staticmethod
    def resolve_enrollments(obj: Person, context: Any) -> list[Any]:
        return list(selectors.person_enrollments(user=_user(context), person=obj))

    @staticmethod
    def resolve_guardians(obj: Person, context: Any) -> list[Any]:
        return list(selectors.guardianship_list(user=_user(context), child=obj))

    @staticmethod
    def resolve_children(obj: Person, context: Any) -> list[Any]:
        return list(selectors.guardianship_list(user=_user(context), parent=obj))


class PersonIn(Schema):
    """A person and their first role, created together (both or neither)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="The person's name.")
    role: Role = Field(description="The role to give (moe_viewer cannot be given here).")
    school: UUID | None = Field(
        None, description="For school roles: the school's id; you must administer it."
    )
    county: str | None = Field(
        None, description="For county roles: the county's code; you must administer it."
    )
    title: Membership.Title = Field(Membership.Title.NONE, description="Title, if any.")
    gender: Person.Gender | Literal[""] = Field("", description="F, M, X or empty.")
    email: str = Field("", description="Email.")
    phone: str = Field("", description="Phone.")
    external_id: str = Field(
        "", description="Identifier used by imports (student/staff number), unique per county."
    )


class GuardianshipIn(Schema):
    model_config = ConfigDict(extra="forbid")

    parent: UUID = Field(description="The parent's id; you must administer them.")
    child: UUID = Field(description="The child's id; you must administer them.")
    relation: Guardianship.Relation = Field(
        Guardianship.Relation.GUARDIAN, description="mother, father, guardian or other."
    )


# --- the promotion office -----------------------------------------------------------------


class GroupRef(Schema):
    public_id: UUID = Field(description="The group's id.")
    name: str = Field(description="The group's name.")


class OfficeTaskOut(Schema):
    public_id: UUID = Field(description="The task's id.")
    title: str = Field(description="What is to be done.")
    group: GroupRef | None = Field(description="The group responsible.")
    owner: PersonRef | None = Field(description="The person responsible.")
    due_date: date | None = Field(description="When it is due.")
    status: OfficeTask.Status = Field(description="planned, in_progress or done.")


class WorkPlanOut(Schema):
    public_id: UUID = Field(description="The plan's id.")
    roc_year: int = Field(description="Academic year (ROC) of the plan.")
    title: str = Field(description="Title.")
    summary: str = Field(description="Summary.")
    tasks: list[OfficeTaskOut] = Field(description="The plan's tasks.")


class OfficeGroupOut(GroupRef):
    kind: OfficeGroup.Kind = Field(description="administration, equipment, teaching …")
    duties: str = Field(description="The group's duties.")
    lead: PersonRef | None = Field(description="The group lead.")
    members: list[PersonRef] = Field(description="The group's members.")


class OfficeInfo(Schema):
    public_id: UUID = Field(description="The office's id.")
    name: str = Field(description="The office's name.")
    convener: PersonRef | None = Field(description="The convener (召集人).")
    established_on: date | None = Field(description="When the office was set up.")
    mission: str = Field(description="Mission and tasks.")


class OfficeOut(Schema):
    county: CountyRef = Field(description="The county whose office this is.")
    office: OfficeInfo | None = Field(description="The office; null if not set up yet.")
    groups: list[OfficeGroupOut] = Field(description="The office's groups.")
    plans: list[WorkPlanOut] = Field(description="Work plans with their tasks.")
    can_edit: bool = Field(description="Whether you may change the office (county admin).")


class OfficeGroupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None, description="County code; may be left out if you administer one county only."
    )
    kind: OfficeGroup.Kind = Field(description="The kind of group.")
    name: str = Field(min_length=1, max_length=100, description="Name, unique in the office.")
    duties: str = Field("", description="The group's duties.")
    lead: UUID | None = Field(None, description="Id of the lead, a person of the county.")


class OfficeMemberIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: UUID = Field(
        description="Id of a person of the county; given a county staff role if needed."
    )


class WorkPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None, description="County code; may be left out if you administer one county only."
    )
    roc_year: int = Field(ge=50, le=300, description="Academic year (ROC).")
    title: str = Field(min_length=1, max_length=200, description="Title.")
    summary: str = Field("", description="Summary.")


class OfficeTaskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, description="What is to be done.")
    group: UUID | None = Field(None, description="Id of a group of the same office.")
    owner: UUID | None = Field(None, description="Id of the person responsible.")
    due_date: date | None = Field(None, description="When it is due (YYYY-MM-DD).")
    status: OfficeTask.Status = Field(OfficeTask.Status.PLANNED, description="Initial status.")


class OfficeTaskPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    status: OfficeTask.Status = Field(description="The new status.")


# --- list filters (query parameters) ------------------------------------------------------


class DistrictFilters(Schema):
    county: str = Field("", description="Only districts of this county (code).")


class SchoolFilters(Schema):
    county: str = Field("", description="Only schools of this county (code).")
    district: UUID | None = Field(None, description="Only schools of this district (id).")
    stage: School.Stage | None = Field(None, description="Only schools of this stage.")
    area: School.Area | None = Field(None, description="Only schools of this area category.")
    q: str = Field("", description="Search: part of the name, or the exact school code.")
    order: Literal["code", "-code", "name_zh", "-name_zh", "student_count", "-student_count"] = (
        Field("code", description="Sort order; a leading - sorts descending.")
    )


class ClassFilters(Schema):
    school: UUID | None = Field(None, description="Only classes of this school (id).")
    roc_year: int | None = Field(None, description="Only classes of this academic year (ROC).")
    semester: int | None = Field(None, ge=1, le=2, description="Only classes of this semester.")
    grade: int | None = Field(None, description="Only classes of this grade.")


class PersonFilters(Schema):
    role: Role | None = Field(None, description="Only people holding this role.")
    school: UUID | None = Field(None, description="Only people with a role at this school.")
    q: str = Field("", description="Search: part of the name, or the exact external ID or email.")


class GuardianshipFilters(Schema):
    child: UUID | None = Field(None, description="Only links of this child (id).")
    parent: UUID | None = Field(None, description="Only links of this parent (id).")


class OfficeQuery(Schema):
    county: str = Field(
        "", description="County code; defaults to your own county (required for MOE viewers)."
    )


# --- page parity: add a person to a school, give a login, record the office ---------------


class SchoolPersonIn(Schema):
    """One teacher, administrator, student (with class and seat) or parent (linked to a
    student of the school by the student's external ID) — like the school's "add" page."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="The person's name.")
    role: Literal["teacher", "school_admin", "student", "parent"] = Field(
        description="The school role."
    )
    title: Membership.Title = Field(
        Membership.Title.NONE, description="Title, for school administrators."
    )
    external_id: str = Field("", max_length=64, description="Student or staff number.")
    gender: Person.Gender | Literal[""] = Field("", description="F, M, X or empty.")
    email: str = Field("", description="Email.")
    phone: str = Field("", description="Phone.")
    school_class: UUID | None = Field(
        None, description="For students: id of a class of this school."
    )
    seat_number: int | None = Field(None, ge=1, le=99, description="For students: seat number.")
    child_external_id: str = Field(
        "", description="For parents: the external ID of their child, a student of the school."
    )
    relation: Guardianship.Relation = Field(
        Guardianship.Relation.GUARDIAN, description="For parents: relation to the child."
    )


class AccountIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150, description="The login name.")
    email: str = Field(
        min_length=3, description="A link to set the password is sent to this address."
    )


class AccountOut(Schema):
    username: str = Field(description="The login name created.")
    email: str = Field(description="Where the invitation was sent.")
    person: PersonRef = Field(description="The person the login belongs to.")


class OfficeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None, description="County code; may be left out if you administer one county only."
    )
    name: str = Field(min_length=1, max_length=100, description="The office's name.")
    convener: UUID | None = Field(
        None, description="Id of the convener, a person with a county role in the county."
    )
    established_on: date | None = Field(None, description="When the office was set up.")
    mission: str = Field("", description="Mission and tasks.")
