"""Who may do what on the parent–teacher–student platform. Views, API endpoints, exports and
commands ask these questions; what may be *read* is the models' `tenant_q`
(`Model.objects.visible_to(user)`).

- A class's contact book, its forms and its announcements: its homeroom teacher and the
  school's administrators write them; the school's staff read; the class's students and their
  parents read the published ones; parents sign for their own children.
- Leave: a parent requests it for their child, a student for themselves where the school
  allows it (senior high schools), the school's administrators and the homeroom teacher may
  enter a paper form. The homeroom teacher (or the school's administrators) decide; long leave
  then needs the school's second approver (or any of its administrators when none is named).
- Attendance: the homeroom teacher, the school's administrators and the teachers who teach
  the class record it; the school's teachers read it; the student and parents read their own.
- Messages: a teacher who teaches the child (homeroom or a timetable slot) or the school's
  administrators, with the child's parent. Nobody edits or deletes one.
- Announcements: the county's office to its schools, a school's administrators to the school,
  a homeroom teacher to the class.
"""

from __future__ import annotations

from typing import Any

from dtss.core.tenancy import Scope, scope_for

SENIOR_STAGES = {"senior", "vocational", "complete"}


def _person_id(user: Any) -> int | None:
    return scope_for(user).person_id


def is_school_admin(scope: Scope, school_id: int) -> bool:
    return scope.superuser or school_id in scope.admin_school_ids


def is_homeroom(scope: Scope, school_class: Any) -> bool:
    return (
        scope.person_id is not None
        and school_class.homeroom_teacher_id == scope.person_id
        and school_class.school_id in scope.teacher_school_ids
    )


def may_write_class(user: Any, school_class: Any) -> bool:
    """Post the class's contact book, send it forms and announcements, see who signed."""
    scope = scope_for(user)
    return is_school_admin(scope, school_class.school_id) or is_homeroom(scope, school_class)


def teaches_class(scope: Scope, school_class: Any) -> bool:
    """Homeroom teacher, or a teacher with a period of the class in the timetable."""
    from dtss.homeschool.models import TimetableSlot

    if is_homeroom(scope, school_class):
        return True
    if scope.person_id is None or school_class.school_id not in scope.teacher_school_ids:
        return False
    return TimetableSlot.objects.filter(
        school_class=school_class, teacher_id=scope.person_id
    ).exists()


def may_record_attendance(user: Any, school_class: Any) -> bool:
    scope = scope_for(user)
    return is_school_admin(scope, school_class.school_id) or teaches_class(scope, school_class)


def may_read_class_attendance(user: Any, school_class: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or school_class.school_id in scope.staff_school_ids


def may_read_school_reports(user: Any, school: Any) -> bool:
    """The school's attendance and contact-book reports: its administrators."""
    return is_school_admin(scope_for(user), school.pk)


def may_read_county_reports(user: Any, county_id: int) -> bool:
    """The county's figures (counts only, never a student's row): its office."""
    scope = scope_for(user)
    return scope.superuser or county_id in scope.county_ids


def may_configure_school(user: Any, school: Any) -> bool:
    """Leave types, periods, the timetable, approval and quiet-hours rules."""
    scope = scope_for(user)
    return scope.may_administer_school(school)


def is_parent_of(scope: Scope, student_id: int) -> bool:
    return student_id in scope.child_ids


def may_request_leave(user: Any, *, student: Any, school: Any, settings: Any) -> str | None:
    """How this user may request leave for the student: "online" (a parent, or the student
    where the school allows it), "staff" (a paper form entered by the school), or None."""
    scope = scope_for(user)
    if is_parent_of(scope, student.pk):
        return "online"
    if (
        scope.person_id == student.pk
        and school.pk in scope.student_school_ids
        and school.stage in SENIOR_STAGES
        and settings.students_may_request_leave
    ):
        return "online"
    if is_school_admin(scope, school.pk):
        return "staff"
    return None


def may_request_some_leave(user: Any) -> bool:
    """Whether the user may request leave for anybody at all: a parent, a school's
    administrators, a student of a senior high school that lets students request their own."""
    from dtss.homeschool.models import HomeschoolSettings

    scope = scope_for(user)
    if scope.superuser or scope.child_ids or scope.admin_school_ids:
        return True
    return bool(scope.student_school_ids) and (
        HomeschoolSettings.objects.filter(
            school_id__in=scope.student_school_ids,
            school__stage__in=SENIOR_STAGES,
            students_may_request_leave=True,
        ).exists()
    )


def may_decide_first(user: Any, leave: Any) -> bool:
    scope = scope_for(user)
    return is_school_admin(scope, leave.school_id) or is_homeroom(scope, leave.school_class)


def may_decide_second(user: Any, leave: Any, settings: Any) -> bool:
    scope = scope_for(user)
    if settings.second_approver_id:
        return scope.superuser or (
            scope.person_id == settings.second_approver_id
            and leave.school_id in scope.staff_school_ids
        )
    return is_school_admin(scope, leave.school_id)


def may_announce(
    user: Any, *, county_id: int, school: Any = None, school_class: Any = None
) -> bool:
    scope = scope_for(user)
    if school_class is not None:
        return may_write_class(user, school_class)
    if school is not None:
        return is_school_admin(scope, school.pk)
    return scope.superuser or county_id in scope.county_ids


def may_message(user: Any, *, teacher: Any, parent: Any, student: Any, school_class: Any) -> bool:
    """Whether this user may write in the conversation between this teacher and parent about
    the student (in the student's current class)."""
    scope = scope_for(user)
    if scope.person_id == parent.pk:
        return is_parent_of(scope, student.pk)
    if scope.person_id == teacher.pk:
        return teaches_class(scope, school_class) or is_school_admin(scope, school_class.school_id)
    return False
