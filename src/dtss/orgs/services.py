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


# --- Added for the JSON API (dtss.api) -----------------------------------------------------


@transaction.atomic
def person_create_with_membership(
    *,
    name: str,
    role: str,
    county: County | None = None,
    school: School | None = None,
    title: str = "",
    gender: str = "",
    email: str = "",
    phone: str = "",
    external_id: str = "",
    actor: Any = None,
) -> Person:
    """Create a person with their first role in one step: both rows or neither.

    School roles need `school` (the person's county is the school's); county roles need
    `county`.
    """
    if role in {Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT}:
        if school is None:
            raise ValidationError({"school": _("A school role needs a school.")})
        county = school.county
    elif role in {Role.COUNTY_ADMIN, Role.COUNTY_STAFF}:
        if county is None:
            raise ValidationError({"county": _("A county role needs a county.")})
        if school is not None:
            raise ValidationError({"school": _("A county role is not held at a school.")})
    elif role == Role.MOE_VIEWER:
        if county is None:
            raise ValidationError({"county": _("Give the person's home county.")})
    else:
        raise ValidationError({"role": _("Unknown role.")})
    external_id = external_id.strip()
    if external_id and Person.objects.filter(county=county, external_id=external_id).exists():
        raise ValidationError({"external_id": _("This external ID is already used in the county.")})
    person = person_create(
        county=county,
        name=name,
        gender=gender,
        email=email,
        phone=phone,
        external_id=external_id,
        actor=actor,
    )
    membership_create(
        person=person,
        role=role,
        county=None if role == Role.MOE_VIEWER else county,
        school=school,
        title=title,
        actor=actor,
    )
    return person


# --- Update-or-create, added for the imports (dtss.imports) --------------------------------
# Each returns (object, created). A `None` keyword means "keep the current value".


@transaction.atomic
def district_get_or_create(
    *, county: County, code: str, name_zh: str = "", name_en: str = ""
) -> tuple[District, bool]:
    """The county's district with this code; created (with its name) when new."""
    district = District.objects.filter(county=county, code=code).first()
    if district is not None:
        return district, False
    if not name_zh:
        raise ValidationError({"name_zh": _("A new district needs a name.")})
    return district_create(county=county, code=code, name_zh=name_zh, name_en=name_en), True


@transaction.atomic
def school_upsert(
    *,
    district: District,
    code: str,
    name_zh: str | None = None,
    stage: str | None = None,
    name_en: str | None = None,
    ownership: str | None = None,
    area: str | None = None,
    student_count: int | None = None,
    address: str | None = None,
    phone: str | None = None,
    actor: Any = None,
) -> tuple[School, bool]:
    """Create the school with this MOE code in the district's county, or update it."""
    given = {
        "name_zh": name_zh, "name_en": name_en, "stage": stage, "ownership": ownership,
        "area": area, "student_count": student_count, "address": address, "phone": phone,
    }
    given = {k: v for k, v in given.items() if v is not None}
    school = School.objects.filter(code=code).first()
    if school is None:
        if not name_zh or not stage:
            raise ValidationError(_("A new school needs its name and stage."))
        return school_create(district=district, code=code, actor=actor, **given), True
    if school.county_id != district.county_id:
        raise ValidationError(
            {"code": _("This school code belongs to a school of another county.")}
        )
    changed: dict[str, list[str]] = {}
    if school.district_id != district.pk:
        changed["district"] = [str(school.district_id), str(district.pk)]
        school.district = district
    for name, value in given.items():
        if getattr(school, name) != value:
            changed[name] = [str(getattr(school, name)), str(value)]
            setattr(school, name, value)
    if changed:
        _save(school)
        if actor is not None:
            audit_record(actor=actor, action="school.update", obj=school, detail=changed)
    return school, False


@transaction.atomic
def class_upsert(
    *,
    school: School,
    term: AcademicTerm,
    grade: int,
    number: int,
    name: str | None = None,
    homeroom_teacher: Person | None = None,
) -> tuple[SchoolClass, bool]:
    """The class of this school, term, grade and number: created, or its name and homeroom
    teacher updated when given."""
    school_class = SchoolClass.objects.filter(
        school=school, term=term, grade=grade, number=number
    ).first()
    if school_class is None:
        return class_create(school=school, term=term, grade=grade, number=number,
                            name=name or "", homeroom_teacher=homeroom_teacher), True
    changed = False
    if name is not None and school_class.name != name:
        school_class.name = name
        changed = True
    if homeroom_teacher is not None and school_class.homeroom_teacher_id != homeroom_teacher.pk:
        if not Membership.objects.filter(
            person=homeroom_teacher, school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
        ).exists():
            raise ValidationError(
                {"homeroom_teacher": _("The homeroom teacher must teach at this school.")}
            )
        school_class.homeroom_teacher = homeroom_teacher
        changed = True
    if changed:
        _save(school_class)
    return school_class, False


@transaction.atomic
def person_upsert(
    *,
    county: County,
    external_id: str,
    name: str | None = None,
    gender: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> tuple[Person, bool]:
    """The county's person with this external ID: created, or updated with the values given."""
    external_id = external_id.strip()
    if not external_id:
        raise ValidationError({"external_id": _("An external ID is needed.")})
    person = Person.objects.filter(county=county, external_id=external_id).first()
    if person is None:
        if not name:
            raise ValidationError({"name": _("A new person needs a name.")})
        return person_create(county=county, name=name, gender=gender or "", email=email or "",
                             phone=phone or "", external_id=external_id), True
    changed = False
    for field_name, value in (("name", name.strip() if name else name), ("gender", gender),
                              ("email", email), ("phone", phone)):
        if value is not None and getattr(person, field_name) != value:
            setattr(person, field_name, value)
            changed = True
    if changed:
        _save(person)
    return person, False


@transaction.atomic
def membership_ensure(
    *, person: Person, role: str, school: School, title: str | None = None
) -> tuple[Membership, bool]:
    """The person's role at the school: created when missing; its title updated when given."""
    membership = Membership.objects.filter(person=person, role=role, school=school).first()
    if membership is None:
        return membership_create(person=person, role=role, school=school, title=title or ""), True
    if title is not None and membership.title != title:
        membership.title = title
        membership.full_clean(validate_constraints=True)
        membership.save()
    return membership, False


@transaction.atomic
def enrollments_release_seats(*, enrollments: list[Enrollment]) -> None:
    """Give these enrolments temporary seat numbers, so that a following `enrollment_place`
    for each can swap seats between them. Call both in the same transaction."""
    per_class: dict[int, int] = {}
    for enrollment in enrollments:
        n = per_class.get(enrollment.school_class_id, 0)
        per_class[enrollment.school_class_id] = n + 1
        temporary = 32767 - n  # above any real seat; unique within the class
        Enrollment.objects.filter(pk=enrollment.pk).update(seat_number=temporary)
        enrollment.seat_number = temporary


@transaction.atomic
def enrollment_place(
    *, student: Person, school_class: SchoolClass, seat_number: int
) -> tuple[Enrollment, bool]:
    """Seat the student in the class. A student seated in another class of the same school and
    term is moved (one class per term); created is True when they had no seat that term."""
    enrollment = Enrollment.objects.filter(
        student=student,
        school_id=school_class.school_id,
        school_class__term_id=school_class.term_id,
    ).first()
    if enrollment is None:
        return enrollment_create(student=student, school_class=school_class,
                                 seat_number=seat_number), True
    if enrollment.school_class_id != school_class.pk or enrollment.seat_number != seat_number:
        enrollment.school_class = school_class
        enrollment.seat_number = seat_number
        _save(enrollment)
    return enrollment, False


@transaction.atomic
def guardianship_ensure(
    *, parent: Person, child: Person, relation: str
) -> tuple[Guardianship, bool]:
    """The parent–child link: created when missing, its relation updated otherwise."""
    link = Guardianship.objects.filter(parent=parent, child=child).first()
    if link is None:
        return guardianship_create(parent=parent, child=child, relation=relation), True
    if link.relation != relation:
        link.relation = relation
        _save(link)
    return link, False


# --- Adding one person to a school from the UI ---------------------------------------------


@transaction.atomic
def school_person_add(
    *,
    school: School,
    name: str,
    role: str,
    actor: Any,
    title: str = "",
    external_id: str = "",
    gender: str = "",
    email: str = "",
    phone: str = "",
    school_class: SchoolClass | None = None,
    seat_number: int | None = None,
    child_external_id: str = "",
    relation: str = Guardianship.Relation.GUARDIAN,
) -> Person:
    """A person with a school role; a student in a class and seat; a parent linked to a child.

    All or nothing: a bad class, seat or child leaves no half-created person behind.
    """
    if role not in {Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT}:
        raise ValidationError({"role": _("Choose a school role.")})
    child = None
    if role == Role.PARENT:
        child = Person.objects.filter(
            county=school.county, external_id=child_external_id.strip(),
            memberships__school=school, memberships__role=Role.STUDENT,
        ).first()
        if child is None:
            raise ValidationError(
                {"child_external_id": _("No student with this external ID at this school.")}
            )
    if role == Role.STUDENT:
        if school_class is None or school_class.school_id != school.pk:
            raise ValidationError({"school_class": _("Choose a class of this school.")})
        if seat_number is None:
            raise ValidationError({"seat_number": _("A student needs a seat number.")})
        if Enrollment.objects.filter(school_class=school_class, seat_number=seat_number).exists():
            raise ValidationError({"seat_number": _("This seat is taken in that class.")})
    if role == Role.STUDENT:
        assert school_class is not None and seat_number is not None
        person = person_create(
            county=school.county, name=name, gender=gender, email=email, phone=phone,
            external_id=external_id, actor=actor,
        )
        enrollment_create(student=person, school_class=school_class, seat_number=seat_number)
    else:
        person = person_create_with_membership(
            name=name, role=role, school=school, title=title, gender=gender, email=email,
            phone=phone, external_id=external_id, actor=actor,
        )
    if child is not None:
        guardianship_create(parent=person, child=child, relation=relation)
    return person
