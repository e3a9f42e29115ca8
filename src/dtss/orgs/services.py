"""Writes of the organisation tree. Keyword-only, atomic, validating before saving.

Imports, the demo generator, the API and the views all create rows through these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone
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
    "name_zh",
    "name_en",
    "stage",
    "ownership",
    "area",
    "student_count",
    "address",
    "phone",
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
        audit_record(
            actor=actor, action="school.update", obj=school, request=request, detail=changed
        )
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
    if (
        homeroom_teacher is not None
        and not Membership.objects.filter(
            person=homeroom_teacher, school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
        ).exists()
    ):
        raise ValidationError(
            {"homeroom_teacher": _("The homeroom teacher must teach at this school.")}
        )
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
def enrollment_create(
    *, student: Person, school_class: SchoolClass, seat_number: int
) -> Enrollment:
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
    for school_id in Membership.objects.filter(person=child, role=Role.STUDENT).values_list(
        "school_id", flat=True
    ):
        school = School.objects.get(pk=school_id)
        Membership.objects.get_or_create(
            person=parent, role=Role.PARENT, school=school, defaults={"county": school.county}
        )
    return link


# --- The promotion office ----------------------------------------------------------------

STAFF_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.SCHOOL_ADMIN, Role.TEACHER]


def _require_county_staff(person: Person | None, county_id: int, field: str) -> None:
    """Office people (convener, leads, members, task owners) must be staff of that county:
    a county role, or a teacher or administrator of one of its schools — never a student or
    parent, and never someone of another county."""
    if person is None:
        return
    if not Membership.objects.filter(
        person=person, county_id=county_id, role__in=STAFF_ROLES
    ).exists():
        raise ValidationError({field: _("Choose a member of the county's or its schools' staff.")})


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
    _require_county_staff(convener, county.pk, "convener")
    office = _save(
        PromotionOffice(
            county=county,
            name=name,
            convener=convener,
            established_on=established_on,
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
    _require_county_staff(lead, office.county_id, "lead")
    group = _save(
        OfficeGroup(
            county_id=office.county_id,
            office=office,
            kind=kind,
            name=name,
            duties=duties,
            lead=lead,
        )
    )
    audit_record(actor=actor, action="office_group.create", obj=group)
    if lead is not None:
        office_group_add_member(group=group, person=lead, actor=actor)
    return group


@transaction.atomic
def office_group_add_member(*, group: OfficeGroup, person: Person, actor: Any = None) -> None:
    """Add a member: staff of the county or its schools, who then get a county-staff role."""
    _require_county_staff(person, group.county_id, "person")
    if not Membership.objects.filter(
        person=person, county_id=group.county_id, role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF]
    ).exists():
        membership_create(person=person, role=Role.COUNTY_STAFF, county=group.county, actor=actor)
    group.members.add(person)
    audit_record(
        actor=actor,
        action="office_group.add_member",
        obj=group,
        detail={"person": str(person.public_id)},
    )


@transaction.atomic
def work_plan_create(
    *, office: PromotionOffice, roc_year: int, title: str, summary: str = "", actor: Any = None
) -> WorkPlan:
    plan = _save(
        WorkPlan(
            county_id=office.county_id,
            office=office,
            roc_year=roc_year,
            title=title,
            summary=summary,
        )
    )
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
    _require_county_staff(owner, plan.county_id, "owner")
    task = _save(
        OfficeTask(
            county_id=plan.county_id,
            plan=plan,
            title=title,
            group=group,
            owner=owner,
            due_date=due_date,
            status=status,
        )
    )
    audit_record(actor=actor, action="office_task.create", obj=task)
    return task


@transaction.atomic
def office_task_set_status(
    *, task: OfficeTask, status: str, actor: Any, request: Any = None
) -> OfficeTask:
    if status not in OfficeTask.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    old = task.status
    task.status = status
    task.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="office_task.status",
        obj=task,
        request=request,
        detail={"from": old, "to": status},
    )
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


# --- Whole import files in a few queries (dtss.imports) ------------------------------------
# The importers check every row of a file before anything is saved; these functions then save
# the checked rows. Everything they need is loaded once, keyed by natural keys (a few queries per
# 500 rows), and written with bulk_create/bulk_update per batch. Every new or changed row is
# still validated by full_clean, without the look-ups the database makes itself: foreign keys and
# uniqueness are the database's constraints, the last line of defence (an IntegrityError aborts
# the import). Call them inside the import's transaction: on any error nothing is kept.
# `progress(done, total)` is called after each batch with the rows saved so far.

IMPORT_BATCH = 500  # rows per batch of writes (and per progress report)
IMPORT_CHUNK = 500  # values per IN (…) look-up
ImportProgress = Callable[[int, int], None]


class ImportRowError(ValidationError):
    """A checked row that still cannot be saved; `row` is the row number it came with."""

    def __init__(self, row: int, error: ValidationError | dict[str, Any] | str) -> None:
        super().__init__(error)
        self.row = row


@dataclass(frozen=True, slots=True)
class SchoolImportRow:
    """One school of a schools file. A `None` value keeps the current one."""

    row: int
    code: str
    district_code: str
    district_name: str | None = None  # needed when the district is new
    name_zh: str | None = None
    name_en: str | None = None
    stage: str | None = None
    ownership: str | None = None
    area: str | None = None
    student_count: int | None = None
    address: str | None = None
    phone: str | None = None

    def given(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in SCHOOL_IMPORT_FIELDS}
        return {name: value for name, value in values.items() if value is not None}


SCHOOL_IMPORT_FIELDS = (
    "name_zh",
    "name_en",
    "stage",
    "ownership",
    "area",
    "student_count",
    "address",
    "phone",
)


@dataclass(frozen=True, slots=True)
class ClassImportRow:
    """One class of a classes file. A `None` name or teacher keeps the current one."""

    row: int
    roc_year: int
    semester: int
    grade: int
    number: int
    name: str | None = None
    homeroom_teacher: Person | None = None


@dataclass(frozen=True, slots=True)
class PersonImportRow:
    """One row of a people file: a person and one school role; a student's class and seat; a
    parent's child. A `None` value keeps the current one."""

    row: int
    external_id: str
    role: str  # teacher, school_admin, student or parent
    name: str | None = None
    gender: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None  # teachers and administrators
    school_class: SchoolClass | None = None  # students
    seat_number: int | None = None  # students
    child_external_id: str = ""  # parents
    relation: str = Guardianship.Relation.GUARDIAN  # parents


@dataclass
class ImportCounts:
    rows: int = 0
    created: int = 0  # schools, classes or people
    updated: int = 0
    districts: int = 0  # districts created
    memberships: int = 0  # roles added
    enrollments: int = 0  # students seated in a class of a term they had none in
    guardianships: int = 0  # parent–child links added


_FOREIGN_KEYS: dict[type, list[str]] = {}


def _import_clean(obj: Any, row: int) -> None:
    """full_clean without its per-row queries (foreign keys, uniqueness, check constraints):
    the database enforces those when the batch is written."""
    model = type(obj)
    exclude = _FOREIGN_KEYS.get(model)
    if exclude is None:
        exclude = [f.name for f in model._meta.concrete_fields if f.is_relation]
        _FOREIGN_KEYS[model] = exclude
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ImportRowError(row, exc) from exc


def _import_write(
    model: type[Any], created: list[Any], changed: dict[int, Any], fields: list[str]
) -> None:
    """Insert the new rows (bulk_create, which sets their keys) and update the changed ones.

    Updates are one `UPDATE … SET … WHERE id = %s` sent once with executemany (a prepared
    statement run per row, in one round trip): bulk_update's `CASE WHEN id = … THEN …` costs
    far more to build in Python than the database needs to run it, and the rows stay updated
    one after the other, in order, which seat swaps rely on.
    """
    if created:
        model.objects.bulk_create(created, batch_size=IMPORT_BATCH)
    if not changed:
        return
    now = timezone.now()
    opts = model._meta
    columns = [opts.get_field(name) for name in [*fields, "updated_at"]]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = (
        f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608 - names from the model
        f"WHERE {quote(opts.pk.column)} = %s"
    )
    params = []
    for obj in changed.values():
        obj.updated_at = now
        values = [
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns
        ]
        params.append([*values, obj.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _import_changes(obj: Any, values: dict[str, Any]) -> bool:
    """Set the given values on `obj`; True when any differed."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _import_batches[T](items: Sequence[T], size: int = 0) -> Iterator[Sequence[T]]:
    size = size or IMPORT_BATCH
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def schools_import_apply(
    *,
    county: County,
    rows: Sequence[SchoolImportRow],
    progress: ImportProgress | None = None,
) -> ImportCounts:
    """Create or update the county's schools by MOE code; new districts are created with the
    name given on their first row."""
    counts = ImportCounts(rows=len(rows))
    districts = {d.code: d for d in District.objects.filter(county=county)}
    new_districts: list[District] = []
    for item in rows:
        if item.district_code in districts:
            continue
        if not item.district_name:
            raise ImportRowError(item.row, {"district_name": _("A new district needs a name.")})
        district = District(county=county, code=item.district_code, name_zh=item.district_name)
        _import_clean(district, item.row)
        districts[district.code] = district
        new_districts.append(district)
    District.objects.bulk_create(new_districts)
    counts.districts = len(new_districts)
    schools: dict[str, School] = {}
    for codes in _import_batches(sorted({item.code for item in rows}), IMPORT_CHUNK):
        schools.update({s.code: s for s in School.objects.filter(code__in=codes).order_by()})
    done = 0
    for batch in _import_batches(rows):
        created: list[School] = []
        changed: dict[int, School] = {}
        for item in batch:
            district = districts[item.district_code]
            school = schools.get(item.code)
            if school is None:
                if not (len(item.code) == 6 and item.code.isdigit()):
                    raise ImportRowError(
                        item.row, {"code": _("The MOE school code has six digits.")}
                    )
                if not item.name_zh or not item.stage:
                    raise ImportRowError(item.row, _("A new school needs its name and stage."))
                school = School(
                    county_id=county.pk, district=district, code=item.code, **item.given()
                )
                _import_clean(school, item.row)
                schools[item.code] = school
                created.append(school)
                counts.created += 1
                continue
            if school.county_id != county.pk:
                raise ImportRowError(
                    item.row,
                    {"code": _("This school code belongs to a school of another county.")},
                )
            counts.updated += 1
            differs = _import_changes(school, item.given())
            if school.district_id != district.pk:
                school.district = district
                differs = True
            if differs:
                _import_clean(school, item.row)
                if school.pk is not None:  # else created in this batch: saved with its values
                    changed[school.pk] = school
        _import_write(School, created, changed, ["district", *SCHOOL_IMPORT_FIELDS])
        done += len(batch)
        if progress is not None:
            progress(done, len(rows))
    return counts


@transaction.atomic
def classes_import_apply(
    *,
    school: School,
    rows: Sequence[ClassImportRow],
    progress: ImportProgress | None = None,
) -> ImportCounts:
    """Create or update the school's classes by term, grade and number; a homeroom teacher must
    teach (or administer) at the school."""
    counts = ImportCounts(rows=len(rows))
    terms = {
        key: term_get_or_create(roc_year=key[0], semester=key[1])
        for key in sorted({(item.roc_year, item.semester) for item in rows})
    }
    classes = {
        (c.term_id, c.grade, c.number): c
        for c in SchoolClass.objects.filter(school=school, term__in=list(terms.values())).order_by()
    }
    staff = set(
        Membership.objects.filter(
            school=school, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
        ).values_list("person_id", flat=True)
    )
    done = 0
    for batch in _import_batches(rows):
        created: list[SchoolClass] = []
        changed: dict[int, SchoolClass] = {}
        for item in batch:
            teacher = item.homeroom_teacher
            term = terms[(item.roc_year, item.semester)]
            school_class = classes.get((term.pk, item.grade, item.number))
            if (
                teacher is not None
                and teacher.pk not in staff
                and (school_class is None or school_class.homeroom_teacher_id != teacher.pk)
            ):
                raise ImportRowError(
                    item.row,
                    {"homeroom_teacher": _("The homeroom teacher must teach at this school.")},
                )
            if school_class is None:
                school_class = SchoolClass(
                    county_id=school.county_id,
                    school=school,
                    term=term,
                    grade=item.grade,
                    number=item.number,
                    name=item.name or "",
                    homeroom_teacher=teacher,
                )
                _import_clean(school_class, item.row)
                classes[(term.pk, item.grade, item.number)] = school_class
                created.append(school_class)
                counts.created += 1
                continue
            counts.updated += 1
            differs = _import_changes(school_class, {"name": item.name})
            if teacher is not None and school_class.homeroom_teacher_id != teacher.pk:
                school_class.homeroom_teacher = teacher
                differs = True
            if differs:
                _import_clean(school_class, item.row)
                if school_class.pk is not None:
                    changed[school_class.pk] = school_class
        _import_write(SchoolClass, created, changed, ["name", "homeroom_teacher"])
        done += len(batch)
        if progress is not None:
            progress(done, len(rows))
    return counts


_IMPORT_ROLE_ORDER = {Role.TEACHER: 0, Role.SCHOOL_ADMIN: 0, Role.STUDENT: 1, Role.PARENT: 2}


@transaction.atomic
def people_import_apply(
    *,
    school: School,
    rows: Sequence[PersonImportRow],
    progress: ImportProgress | None = None,
) -> ImportCounts:
    """Create or update the people of a file (by external ID in the school's county) with their
    roles at the school; seat students (moving them, and swapping seats between them, within a
    term); link parents to children, who must be students of the file or of the school.

    Rows are saved staff first, then students, then parents. A parent newly linked to a child
    also becomes a parent at every school where the child is a student (as
    `guardianship_create` does).
    """
    county_id = school.county_id
    for item in rows:
        if item.role not in _IMPORT_ROLE_ORDER:
            raise ImportRowError(item.row, {"role": _("Choose a school role.")})
        if not item.external_id.strip():
            raise ImportRowError(item.row, {"external_id": _("An external ID is needed.")})
        if item.role == Role.STUDENT and item.school_class is None:
            raise ImportRowError(item.row, {"school_class": _("Choose a class of this school.")})
    items = sorted(rows, key=lambda i: (_IMPORT_ROLE_ORDER[i.role], i.row))
    total = len(items)
    counts = ImportCounts(rows=total)

    # Everything the rows refer to, loaded once.
    ids = ({i.external_id for i in items} | {i.child_external_id for i in items}) - {""}
    people: dict[str, Person] = {}
    for batch in _import_batches(sorted(ids), IMPORT_CHUNK):
        people.update(
            (p.external_id, p)
            for p in Person.objects.filter(county_id=county_id, external_id__in=batch).order_by()
        )
    known = sorted(p.pk for p in people.values())
    roles: dict[tuple[int, str, int | None], Membership] = {}
    for batch in _import_batches(known, IMPORT_CHUNK):
        roles.update(
            ((m.person_id, m.role, m.school_id), m)
            for m in Membership.objects.filter(person_id__in=batch).order_by()
        )
    student_at: dict[int, set[int]] = {}
    for person_id, role, school_id in roles:
        if role == Role.STUDENT and school_id is not None:
            student_at.setdefault(person_id, set()).add(school_id)
    school_county = {school.pk: county_id}
    elsewhere = {s for schools in student_at.values() for s in schools} - {school.pk}
    if elsewhere:
        school_county.update(
            School.objects.filter(pk__in=elsewhere).order_by().values_list("pk", "county_id")
        )
    term_ids = sorted({i.school_class.term_id for i in items if i.school_class is not None})
    seats: dict[tuple[int, int], Enrollment] = {}  # (student, term) → their seat that term
    if term_ids:
        for enrollment in (
            Enrollment.objects.filter(school=school, school_class__term_id__in=term_ids)
            .annotate(term_ref=F("school_class__term_id"))
            .order_by("school_class_id", "seat_number")
        ):
            seats.setdefault((enrollment.student_id, enrollment.term_ref), enrollment)
    links: dict[tuple[int, int], Guardianship] = {}
    for batch in _import_batches(known, IMPORT_CHUNK):
        links.update(
            ((g.parent_id, g.child_id), g)
            for g in Guardianship.objects.filter(parent_id__in=batch).order_by()
        )

    # Seats may be swapped between students of the file: first give every seat that changes a
    # temporary number (above any real seat, unique in its class), then seat everyone.
    moving: dict[int, Enrollment] = {}
    per_class: dict[int, int] = {}
    for item in items:
        person = people.get(item.external_id)
        if item.role != Role.STUDENT or person is None or item.school_class is None:
            continue
        current = seats.get((person.pk, item.school_class.term_id))
        if current is not None and (
            current.school_class_id != item.school_class.pk
            or current.seat_number != item.seat_number
        ):
            n = per_class.get(current.school_class_id, 0)
            per_class[current.school_class_id] = n + 1
            current.seat_number = 32767 - n
            moving[current.pk] = current
    _import_write(Enrollment, [], moving, ["seat_number"])

    created_ids: set[str] = set()
    touched: set[str] = set()
    done = 0
    for batch in _import_batches(items):
        # People.
        new_people: list[Person] = []
        changed_people: dict[int, Person] = {}
        for item in batch:
            person = people.get(item.external_id)
            name = item.name.strip() if item.name else item.name
            if person is None:
                if not name:
                    raise ImportRowError(item.row, {"name": _("A new person needs a name.")})
                person = Person(
                    county_id=county_id,
                    name=name,
                    gender=item.gender or "",
                    email=item.email or "",
                    phone=item.phone or "",
                    external_id=item.external_id,
                )
                _import_clean(person, item.row)
                people[item.external_id] = person
                new_people.append(person)
                created_ids.add(item.external_id)
                continue
            touched.add(item.external_id)
            values = {"name": name, "gender": item.gender, "email": item.email}
            if _import_changes(person, {**values, "phone": item.phone}):
                _import_clean(person, item.row)
                if person.pk is not None:
                    changed_people[person.pk] = person
        _import_write(Person, new_people, changed_people, ["name", "gender", "email", "phone"])

        # Their roles at the school.
        new_roles: list[Membership] = []
        changed_roles: dict[int, Membership] = {}
        for item in batch:
            person = people[item.external_id]
            membership = roles.get((person.pk, item.role, school.pk))
            if membership is None:
                membership = Membership(
                    person=person,
                    role=item.role,
                    county_id=county_id,
                    school=school,
                    title=item.title or "",
                )
                _import_clean(membership, item.row)
                roles[(person.pk, item.role, school.pk)] = membership
                new_roles.append(membership)
                if item.role == Role.STUDENT:
                    student_at.setdefault(person.pk, set()).add(school.pk)
            elif item.title is not None and membership.title != item.title:
                membership.title = item.title
                _import_clean(membership, item.row)
                if membership.pk is not None:
                    changed_roles[membership.pk] = membership

        # Seats of the students.
        new_seats: list[Enrollment] = []
        changed_seats: dict[int, Enrollment] = {}
        for item in batch:
            school_class = item.school_class
            if item.role != Role.STUDENT or school_class is None:
                continue
            if item.seat_number is None:
                raise ImportRowError(item.row, {"seat_number": _("A student needs a seat number.")})
            if school_class.school_id != school.pk:
                raise ImportRowError(
                    item.row, {"school_class": _("Choose a class of this school.")}
                )
            person = people[item.external_id]
            enrollment = seats.get((person.pk, school_class.term_id))
            if enrollment is None:
                enrollment = Enrollment(
                    county_id=school_class.county_id,
                    school_id=school_class.school_id,
                    school_class=school_class,
                    student=person,
                    seat_number=item.seat_number,
                )
                _import_clean(enrollment, item.row)
                seats[(person.pk, school_class.term_id)] = enrollment
                new_seats.append(enrollment)
                continue
            if (
                enrollment.school_class_id != school_class.pk
                or enrollment.seat_number != item.seat_number
            ):
                enrollment.school_class = school_class
                enrollment.seat_number = item.seat_number
                _import_clean(enrollment, item.row)
                changed_seats[enrollment.pk] = enrollment
        counts.enrollments += len(new_seats)

        # Parents' children.
        new_links: list[Guardianship] = []
        changed_links: dict[int, Guardianship] = {}
        for item in batch:
            if item.role != Role.PARENT:
                continue
            parent = people[item.external_id]
            child = people.get(item.child_external_id)
            if child is None or school.pk not in student_at.get(child.pk, set()):
                raise ImportRowError(
                    item.row, {"child": _("No student with this external ID at this school.")}
                )
            if parent.pk == child.pk:
                raise ImportRowError(
                    item.row, {"parent": _("A person cannot be their own parent.")}
                )
            link = links.get((parent.pk, child.pk))
            if link is not None:
                if link.relation != item.relation:
                    link.relation = item.relation
                    _import_clean(link, item.row)
                    if link.pk is not None:
                        changed_links[link.pk] = link
                continue
            link = Guardianship(
                county_id=child.county_id, parent=parent, child=child, relation=item.relation
            )
            _import_clean(link, item.row)
            links[(parent.pk, child.pk)] = link
            new_links.append(link)
            for school_id in sorted(student_at.get(child.pk, set())):
                if (parent.pk, Role.PARENT, school_id) in roles:
                    continue
                membership = Membership(
                    person=parent,
                    role=Role.PARENT,
                    county_id=school_county[school_id],
                    school_id=school_id,
                )
                _import_clean(membership, item.row)
                roles[(parent.pk, Role.PARENT, school_id)] = membership
                new_roles.append(membership)
        counts.memberships += len(new_roles)
        counts.guardianships += len(new_links)
        _import_write(Membership, new_roles, changed_roles, ["title"])
        _import_write(Enrollment, new_seats, changed_seats, ["school_class", "seat_number"])
        _import_write(Guardianship, new_links, changed_links, ["relation"])
        done += len(batch)
        if progress is not None:
            progress(done, total)
    counts.created = len(created_ids)
    counts.updated = len(touched - created_ids)
    return counts


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
            county=school.county,
            external_id=child_external_id.strip(),
            memberships__school=school,
            memberships__role=Role.STUDENT,
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
            county=school.county,
            name=name,
            gender=gender,
            email=email,
            phone=phone,
            external_id=external_id,
            actor=actor,
        )
        enrollment_create(student=person, school_class=school_class, seat_number=seat_number)
    else:
        person = person_create_with_membership(
            name=name,
            role=role,
            school=school,
            title=title,
            gender=gender,
            email=email,
            phone=phone,
            external_id=external_id,
            actor=actor,
        )
    if child is not None:
        guardianship_create(parent=person, child=child, relation=relation)
    return person
