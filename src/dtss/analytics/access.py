"""Who may see which learning data (DESIGN.md rules 1 and 6), in one place for every view.

- a teacher: the classes they are homeroom teacher of, and those classes' students;
- school administrators: every class and student of their school;
- county staff: every school of their county in aggregate; one student's data only under a
  pseudonym (`pseudonym`), never a name;
- a student: themselves; a parent: their children (after the guardianship link);
- the MOE viewer: aggregates of every county.

Anything outside is a 404, the same as a missing object.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from dtss.core.tenancy import scope_for
from dtss.orgs.models import County, Enrollment, Person, School, SchoolClass


def classes_for(user: Any) -> QuerySet[SchoolClass]:
    """The classes whose learning data the user may see student by student, with names."""
    scope = scope_for(user)
    qs = SchoolClass.objects.select_related("school", "term", "homeroom_teacher")
    if scope.superuser:
        return qs.all()
    q = Q(pk__in=[])
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    if scope.person_id and scope.teacher_school_ids:
        q |= Q(homeroom_teacher_id=scope.person_id, school_id__in=scope.teacher_school_ids)
    return qs.filter(q)


def class_or_404(user: Any, public_id: Any) -> SchoolClass:
    try:
        return classes_for(user).get(public_id=public_id)
    except (SchoolClass.DoesNotExist, ValueError, TypeError, Exception) as exc:
        raise Http404 from exc


def schools_for(user: Any) -> QuerySet[School]:
    """The schools whose aggregate learning data the user may see."""
    scope = scope_for(user)
    qs = School.objects.select_related("county", "district")
    if scope.superuser or scope.everything:
        return qs.all()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.staff_school_ids:
        q |= Q(pk__in=scope.staff_school_ids)
    return qs.filter(q)


def counties_for(user: Any) -> QuerySet[County]:
    """The counties whose county-wide learning views the user may see."""
    scope = scope_for(user)
    if scope.superuser or scope.everything:
        return County.objects.all()
    return County.objects.filter(pk__in=scope.county_ids)


def names_visible_in_school(user: Any, school: School) -> bool:
    """Whether the user sees students of this school by name (school staff do; county staff
    see pseudonyms)."""
    scope = scope_for(user)
    return scope.superuser or school.pk in scope.admin_school_ids


def student_access(user: Any, person: Person) -> str | None:
    """How the user may see one student's learning data: "self", "parent", "staff" (by name),
    "county" (pseudonymous), or None (404)."""
    scope = scope_for(user)
    if scope.person_id and person.pk == scope.person_id:
        return "self"
    if person.pk in scope.child_ids:
        return "parent"
    if scope.superuser:
        return "staff"
    enrollments = Enrollment.objects.filter(student=person)
    if scope.admin_school_ids and enrollments.filter(school_id__in=scope.admin_school_ids).exists():
        return "staff"
    if (
        scope.person_id
        and scope.teacher_school_ids
        and enrollments.filter(
            school_class__homeroom_teacher_id=scope.person_id,
            school_id__in=scope.teacher_school_ids,
        ).exists()
    ):
        return "staff"
    if scope.county_ids and person.county_id in scope.county_ids:
        return "county"
    return None


def pseudonym(person_id: int) -> str:
    """A stable pseudonymous id for county-level views: HMAC of the person id, 10 hex digits.

    Stable across pages and exports of one installation (so a programme officer can follow one
    learner over time) but not reversible without the installation's secret key."""
    key = hashlib.sha256(("analytics-pseudonym:" + settings.SECRET_KEY).encode()).digest()
    digest = hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()
    return "S-" + digest[:10].upper()


def audit_student_view(
    request: Any, person: Person, how: str, *, action: str = "analytics.student_view", **detail: Any
) -> None:
    """Write the audit entry of a staff or county view of one student's data (DESIGN.md rule
    6), under the school of the student's current enrolment."""
    from dtss.analytics.student_selectors import current_enrollment
    from dtss.core.services import audit_record

    enrollment = current_enrollment(person)
    audit_record(
        actor=request.user,
        action=action,
        obj=person,
        request=request,
        school=enrollment.school if enrollment else None,
        detail={"access": how, **detail},
    )
