"""Reads of equity data. Only for staff who pass `access.may_see_equity` for the school; the
MOE viewer's read-everything scope does not reach these rows (they are checked here, not only
through `visible_to`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dtss.core.tenancy import scope_for
from dtss.devices import access
from dtss.devices.models import StudentSupport
from dtss.orgs.models import Person, School

LACKING = ("no", "shared")
FILTERS = ("needs", "no_device", "no_internet")


def may_see(user: Any, school: School) -> bool:
    return access.may_see_equity(scope_for(user), school_id=school.pk, county_id=school.county_id)


def support_queryset(*, user: Any) -> QuerySet[StudentSupport]:
    """Support records of the schools whose equity data the user may see."""
    scope = scope_for(user)
    if scope.superuser:
        return StudentSupport.objects.all()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return StudentSupport.objects.visible_to(user).filter(q)


def equity_schools_any(user: Any) -> bool:
    """Whether the user may see some school's equity data."""
    scope = scope_for(user)
    return scope.superuser or bool(scope.county_ids or scope.admin_school_ids)


def needs_q() -> Q:
    q = Q(pk__in=[])
    for name in StudentSupport.CATEGORY_FIELDS:
        q |= Q(**{name: True})
    return q


@dataclass
class StudentLine:
    student: Person
    support: StudentSupport | None
    school_class: Any = None
    seat: int | None = None


def student_lines(
    *, user: Any, school: School, flt: str = "", query: str = ""
) -> list[StudentLine]:
    """The school's students with their support record (or none yet), by class and seat."""
    from dtss.devices.loan_selectors import school_students
    from dtss.orgs.selectors import current_enrollments

    if not may_see(user, school):
        return []
    students = school_students(school=school)
    if query:
        students = students.filter(Q(name__icontains=query) | Q(external_id=query))
    supports = {s.student_id: s for s in support_queryset(user=user).filter(school=school)}
    if flt == "needs":
        ids = [pk for pk, s in supports.items() if s.needs_support]
        students = students.filter(pk__in=ids)
    elif flt == "no_device":
        students = students.filter(
            pk__in=[pk for pk, s in supports.items() if s.device_at_home in LACKING]
        )
    elif flt == "no_internet":
        students = students.filter(
            pk__in=[pk for pk, s in supports.items() if s.internet_at_home in LACKING]
        )
    people = list(students)
    enrolments = current_enrollments(people=people)
    lines = []
    for p in people:
        e = enrolments.get(p.pk)
        lines.append(
            StudentLine(
                student=p,
                support=supports.get(p.pk),
                school_class=e.school_class if e and e.school_id == school.pk else None,
                seat=e.seat_number if e and e.school_id == school.pk else None,
            )
        )
    lines.sort(
        key=lambda line: (
            line.school_class is None,
            line.school_class.grade if line.school_class else 0,
            line.school_class.number if line.school_class else 0,
            line.seat or 0,
            line.student.name,
        )
    )
    return lines


def summary(*, user: Any, school: School) -> dict[str, int]:
    """Students needing support, and of those how many lack a device / internet at home."""
    if not may_see(user, school):
        return {}
    qs = support_queryset(user=user).filter(school=school)
    needs = qs.filter(needs_q())
    return {
        "recorded": qs.count(),
        "needs": needs.count(),
        "needs_no_device": needs.filter(device_at_home__in=LACKING).count(),
        "needs_no_internet": needs.filter(internet_at_home__in=LACKING).count(),
        "no_device": qs.filter(device_at_home__in=LACKING).count(),
        "no_internet": qs.filter(internet_at_home__in=LACKING).count(),
    }


def support_for_student(*, user: Any, student: Person) -> StudentSupport | None:
    return support_queryset(user=user).filter(student=student).first()
