"""Writes of the organisation tree. Keyword-only, atomic, validating before saving.

Imports, the demo generator, the API and the views all create rows through these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.orgs.models import (
    AcademicTerm,
    County,
    District,
    Enrollment,
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


def _save(obj: Any) -> Any:
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def district_create(*, county: County, code: str, name_zh: str, name_en: str = "") -> District:
    return _save(District(county=county, code=code, name_zh=name_zh, name_en=name_en))


@transaction.atomic
def school_create(
    *,
    district: District,
    code: str,
    name_zh: str,
    stage: str,
    name_en: str = "",
    ownership: str = School.Ownership.PUBLIC,
    area: str = School.Area.GENERAL,
    student_count: int = 0,
    address: str = "",
    phone: str = "",
    actor: Any = None,
) -> School:
    if not (len(code) == 6 and code.isdigit()):
        raise ValidationError({"code": _("The MOE school code has six digits.")})
    school = _save(
        School(
            county_id=district.county_id,
            district=district,
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            stage=stage,
            ownership=ownership,
            area=area,
            student_count=student_count,
            address=address,
            phone=phone,
        )
    )
    if actor is not None:
        audit_record(actor=actor, action="school.create", obj=school)
    return school


SCHOOL_EDITABLE = (
    "name_zh", "name_en", "stage", "ownership", "area", "student_count", "address", "phone",
    "active",
)


@transaction.atomic
def school_update(*, school: School, actor: Any, request: Any = None, **fields: Any) -> School:
    changed = {}
    for name, value in fields.items():
        if name not in SCHOOL_EDITABLE:
            raise ValidationError({name: _("This field cannot be changed here.")})
        if getattr(school, name) != value:
            changed[name] = [str(getattr(school, name)), str(value)]
            setattr(school, name, value)
    if changed:
        _save(school)
        audit_record(actor=actor, action="school.update", obj=school, request=request,
                     detail=changed)
    return school


@transaction.atomic
def term_get_or_create(*, roc_year: int, semester: int) -> AcademicTerm:
    """Terms follow the national calendar: semester 1 Aug–Jan, semester 2 Feb–Jul."""
    year = roc_year + 1911
    if semester == 1:
        start, end = date(year, 8, 1), date(year + 1, 1, 31)
    else:
        start, end = date(year + 1, 2, 1), date(year + 1, 7, 31)
    term, _created = AcademicTerm.objects.get_or_create(
        roc_year=roc_year, semester=semester, defaults={"start_date": start, "end_date": end}
    )
    return term


@transaction.atomic
def class_create(
    *,
    school: School,
    term: AcademicTerm,
    grade: int,
    number: int,
    name: str = "",
    homeroom_teacher: Person | None = None,
) -> SchoolClass:
    if homeroom_teacher is not None and not Membership.objects.filter(
        person=homeroom_teacher, school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
    ).exists():
        raise ValidationError({"homeroom_teacher": _("The homeroom teacher must teach at this school.")})
    return _save(
        SchoolClass(
            county_id=school.county_id,
            school=school,
            term=term,
            grade=grade,
            number=number,
            name=name,
            homeroom_teacher=homeroom_teacher,
        )
    )


@transaction.atomic
def person_create(
    *,
    county: County,
    name: str,
    gender: str = "",
    email: str = "",
    phone: str = "",
    external_id: str = "",
    actor: Any = None,
) -> Person:
    person = _save(
        Person(
            county=county,
            name=name.strip(),
            gender=gender,
            email=email,
            phone=phone,
            external_id=external_id,
        )
    )
    if actor is not None:
        audit_record(actor=actor, action="person.create", obj=person)
    return person


@transaction.atomic
def membership_create(
    *,
    person: Person,
    role: str,
    county: County | None = None,
    school: School | None = None,
    title: str = "",
    actor: Any = None,
) -> Membership:
    if school is not None:
        county = school.county
    membership = Membership(person=person, role=role, county=county, school=school, title=title)
    membership.full_clean(validate_constraints=True)
    membership.save()
    if actor is not None:
        audit_record(actor=actor, action="membership.create", obj=membership)
    return membership


@transaction.atomic
def enrollment_create(*, student: Person, school_class: SchoolClass, seat_number: int) -> Enrollment:
    if not Membership.objects.filter(
        person=student, school_id=school_class.school_id, role=Role.STUDENT
    ).exists():
        membership_create(person=student, role=Role.STUDENT, school=school_class.school)
    return _save(
        Enrollment(
            county_id=school_class.county_id,
            school_id=school_class.school_id,
            school_class=school_class,
            student=student,
            seat_number=seat_number,
        )
    )


@transaction.atomic
def guardianship_create(*, parent: Person, child: Person, relation: str) -> Guardianship:
    """Link a parent to a child; the parent gets a parent membership at each child's school."""
    if parent.pk == child.pk:
        raise ValidationError({"parent": _("A person cannot be their own parent.")})
    link = _save(Guardianship(county=child.county, parent=parent, child=child, relation=relation))
    for school_id in (
        Membership.objects.filter(person=child, role=Role.STUDENT).values_list("school_id", flat=True)
    ):
        school = School.objects.get(pk=school_id)
        Membership.objects.get_or_create(
            person=parent, role=Role.PARENT, school=school, defaults={"county": school.county}
        )
    return link


# --- The promotion office ----------------------------------------------------------------


@transaction.atomic
def office_create(
    *,
    county: County,
    name: str,
    convener: Person | None = None,
    established_on: date | None = None,
    mission: str = "",
    actor: Any = None,
) -> PromotionOffice:
    office = _save(
        PromotionOffice(
            county=county, name=name, convener=convener, established_on=established_on,
            mission=mission,
        )
    )
    audit_record(actor=actor, action="office.create", obj=office)
    return office


@transaction.atomic
def office_group_create(
    *,
    office: PromotionOffice,
    kind: str,
    name: str,
    duties: str = "",
    lead: Person | None = None,
    actor: Any = None,
) -> OfficeGroup:
    group = _save(
        OfficeGroup(county_id=office.county_id, office=office, kind=kind, name=name,
                    duties=duties, lead=lead)
    )
    if lead is not None:
        group.members.add(lead)
    audit_record(actor=actor, action="office_group.create", obj=group)
    return group


@transaction.atomic
def office_group_add_member(*, group: OfficeGroup, person: Person, actor: Any = None) -> None:
    """Add a member; they must hold a county role in the office's county."""
    if not Membership.objects.filter(
        person=person, county_id=group.county_id, role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF]
    ).exists():
        membership_create(person=person, role=Role.COUNTY_STAFF, county=group.county, actor=actor)
    group.members.add(person)
    audit_record(actor=actor, action="office_group.add_member", obj=group,
                 detail={"person": str(person.public_id)})


@transaction.atomic
def work_plan_create(
    *, office: PromotionOffice, roc_year: int, title: str, summary: str = "", actor: Any = None
) -> WorkPlan:
    plan = _save(WorkPlan(county_id=office.county_id, office=office, roc_year=roc_year,
                          title=title, summary=summary))
    audit_record(actor=actor, action="work_plan.create", obj=plan)
    return plan


@transaction.atomic
def office_task_create(
    *,
    plan: WorkPlan,
    title: str,
    group: OfficeGroup | None = None,
    owner: Person | None = None,
    due_date: date | None = None,
    status: str = OfficeTask.Status.PLANNED,
    actor: Any = None,
) -> OfficeTask:
    if group is not None and group.county_id != plan.county_id:
        raise ValidationError({"group": _("The group belongs to another county.")})
    task = _save(OfficeTask(county_id=plan.county_id, plan=plan, title=title, group=group,
                            owner=owner, due_date=due_date, status=status))
    audit_record(actor=actor, action="office_task.create", obj=task)
    return task


@transaction.atomic
def office_task_set_status(*, task: OfficeTask, status: str, actor: Any, request: Any = None) -> OfficeTask:
    if status not in OfficeTask.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    old = task.status
    task.status = status
    task.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="office_task.status", obj=task, request=request,
                 detail={"from": old, "to": status})
    return task
