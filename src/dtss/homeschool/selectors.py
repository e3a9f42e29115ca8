"""Reads shared by every part of the platform: the people a user acts for, the classes they
write for, and their notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.homeschool.models import LeaveType, Notification, Period


def my_children(*, user: Any) -> list[tuple[Any, Any]]:
    """A parent's children with their current enrolment (school, class), in one list even when
    they are at different schools: [(child, enrolment or None)]."""
    from dtss.orgs import selectors as org_selectors

    scope = scope_for(user)
    if not scope.child_ids:
        return []
    children = list(org_selectors.children_of(user=user))
    enrol = org_selectors.current_enrollments(people=children)
    return [(c, enrol.get(c.id)) for c in children]


def my_enrolment(*, user: Any) -> Any:
    """A student's own current enrolment, or None."""
    from dtss.orgs import selectors as org_selectors
    from dtss.orgs.models import Person

    scope = scope_for(user)
    if not (scope.student_school_ids and scope.person_id):
        return None
    me = Person.objects.filter(pk=scope.person_id)
    return org_selectors.current_enrollments(people=me).get(scope.person_id)


def writable_classes(*, user: Any) -> QuerySet[Any]:
    """Classes whose contact book, forms and announcements the user writes: a teacher's
    homeroom classes of the latest term; a school administrator's school's classes of it."""
    from dtss.orgs.models import SchoolClass

    scope = scope_for(user)
    qs = SchoolClass.objects.none()
    if scope.person_id and scope.teacher_school_ids:
        qs = SchoolClass.objects.filter(
            homeroom_teacher_id=scope.person_id, school_id__in=scope.teacher_school_ids
        )
    if scope.admin_school_ids:
        qs = qs | SchoolClass.objects.filter(school_id__in=scope.admin_school_ids)
    if scope.superuser:
        qs = SchoolClass.objects.all()
    latest = qs.order_by("-term__roc_year", "-term__semester").values_list("term_id", flat=True)
    term_id = latest.first()
    if term_id is None:
        return SchoolClass.objects.none()
    return (
        qs.filter(term_id=term_id)
        .select_related("school", "term", "homeroom_teacher")
        .order_by("school__code", "grade", "number")
    )


def leave_types(*, school: Any, active_only: bool = True) -> QuerySet[LeaveType]:
    qs = LeaveType.objects.filter(school=school)
    return qs.filter(active=True) if active_only else qs


def periods(*, school: Any, active_only: bool = True) -> QuerySet[Period]:
    qs = Period.objects.filter(school=school)
    return qs.filter(active=True) if active_only else qs


def notifications(*, user: Any) -> QuerySet[Notification]:
    """The user's delivered notifications, newest first (held ones appear when due)."""
    return Notification.objects.visible_to(user).filter(deliver_at__lte=timezone.now())


def unread_count(*, user: Any) -> int:
    person_id = scope_for(user).person_id
    if person_id is None:
        return 0
    return Notification.objects.filter(
        recipient_id=person_id, read_at__isnull=True, deliver_at__lte=timezone.now()
    ).count()


def home_summary(*, user: Any) -> dict[str, Any]:
    """The home page's few figures: notifications unread; for a parent the contact-book
    entries of the last week not signed yet (per child) and open leave; for a homeroom teacher
    or a school's administrators the leave waiting for them and today's entries not posted."""
    import datetime as dt

    from dtss.homeschool import access
    from dtss.homeschool.models import ContactEntry, ContactSignature, LeaveRequest
    from dtss.homeschool.services import school_days

    scope = scope_for(user)
    out: dict[str, Any] = {"unread": unread_count(user=user)}
    today = timezone.localdate()
    if scope.child_ids:
        unsigned = 0
        for child, enrolment in my_children(user=user):
            if enrolment is None:
                continue
            entries = ContactEntry.objects.filter(
                school_class_id=enrolment.school_class_id,
                published_at__isnull=False,
                date__gte=today - dt.timedelta(days=7),
                date__lte=today,
            ).exclude(pk__in=ContactSignature.objects.filter(student=child).values("entry_id"))
            unsigned += entries.count()
        out["unsigned"] = unsigned
        out["leave_open"] = (
            LeaveRequest.objects.visible_to(user)
            .filter(student_id__in=scope.child_ids, status__in=LeaveRequest.OPEN_STATUSES)
            .count()
        )
    if scope.staff_school_ids:
        classes = list(writable_classes(user=user))
        homeroom = [c for c in classes if access.is_homeroom(scope, c)]
        waiting = LeaveRequest.objects.filter(status=LeaveRequest.Status.PENDING)
        mine = waiting.filter(school_class__in=homeroom).count() if homeroom else 0
        second = 0
        if scope.admin_school_ids:
            second = LeaveRequest.objects.filter(
                status=LeaveRequest.Status.SECOND, school_id__in=scope.admin_school_ids
            ).count()
        out["leave_to_decide"] = mine + second
        posted = set(
            ContactEntry.objects.filter(
                school_class__in=homeroom, date=today, published_at__isnull=False
            ).values_list("school_class_id", flat=True)
        )
        schools = {c.school_id: c.school for c in homeroom}
        open_today = {
            pk
            for pk, school in schools.items()
            if school_days(school=school, start=today, end=today)
        }  # not on a weekend or a day off
        out["entries_missing"] = [
            c for c in homeroom if c.pk not in posted and c.school_id in open_today
        ]
    return out
