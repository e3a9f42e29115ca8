"""Reads of the family page and the teachers' landing page (`/homeschool/`).

- `family_cards(user)`: one card per child of a parent (children at different schools in one
  list), or the student's own card: the latest published contact-book entry with its sign
  state, open leave requests and the latest decisions, this week's attendance, forms waiting
  for an answer about the child, unread announcements and messages. Everything starts from
  `scope.child_ids` (or the student's own person) and `Model.objects.visible_to(user)`: another
  family's child never appears.
- `class_cards(user)`: per class the user writes for (`selectors.writable_classes`): today's
  entry (posted? signed x of y), leave waiting for the user's decision, today's absences, open
  forms — a few aggregated queries whatever the number of classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.homeschool import access, selectors, services
from dtss.homeschool.models import (
    Announcement,
    AnnouncementRead,
    AttendanceRecord,
    ContactEntry,
    ContactSignature,
    LeaveRequest,
    Message,
)

RECENT_DECISION_DAYS = 14
RECENT_DECISIONS = 3


def is_family(user: Any) -> bool:
    """Parents and students: the people the family page is for."""
    scope = scope_for(user)
    return bool(scope.child_ids or scope.student_school_ids or scope.parent_school_ids)


@dataclass
class DayMarks:
    date: dt.date
    leave: int = 0
    unexcused: int = 0
    late: int = 0

    @property
    def total(self) -> int:
        return self.leave + self.unexcused + self.late


@dataclass
class ChildCard:
    child: Any
    enrolment: Any | None
    is_self: bool = False
    entry: Any | None = None
    signature: Any | None = None
    open_leave: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    week: list[DayMarks] = field(default_factory=list)
    forms: list[Any] = field(default_factory=list)
    unread_announcements: int = 0
    unread_messages: int = 0

    @property
    def school(self) -> Any:
        return self.enrolment.school if self.enrolment else None

    @property
    def school_class(self) -> Any:
        return self.enrolment.school_class if self.enrolment else None

    @property
    def entry_is_today(self) -> bool:
        return self.entry is not None and self.entry.date == timezone.localdate()

    @property
    def week_absences(self) -> int:
        return sum(d.total for d in self.week)


def week_days(today: dt.date) -> list[dt.date]:
    """Monday to Friday of today's week."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday + dt.timedelta(days=i) for i in range(5)]


def _people(user: Any) -> list[tuple[Any, Any, bool]]:
    """[(person, current enrolment or None, is the user themselves)]: a parent's children,
    and a student's own record."""
    out = [(c, e, False) for c, e in selectors.my_children(user=user)]
    scope = scope_for(user)
    mine = selectors.my_enrolment(user=user)
    if mine is not None and scope.person_id not in {c.pk for c, _e, _s in out}:
        out.insert(0, (mine.student, mine, True))
    return out


def _announcements_unread(user: Any, enrolment: Any, person_id: int | None) -> int:
    """Published, current announcements the user can see that concern the child's school or
    class (or the county's), not yet read by the user."""
    if enrolment is None or person_id is None:
        return 0
    today = timezone.localdate()
    read = AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"), person_id=person_id)
    return (
        Announcement.objects.visible_to(user)
        .filter(published_at__isnull=False, published_at__lte=timezone.now())
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(
            Q(school__isnull=True, county_id=enrolment.school.county_id)
            | Q(school_id=enrolment.school_id, school_class__isnull=True)
            | Q(school_class_id=enrolment.school_class_id)
        )
        .exclude(Exists(read))
        .count()
    )


def family_cards(user: Any) -> list[ChildCard]:
    """The family page's cards (see the module's docstring). [] for anyone else."""
    from dtss.surveys import selectors as survey_selectors

    scope = scope_for(user)
    people = _people(user)
    if not people:
        return []
    today = timezone.localdate()
    days = week_days(today)
    ids = [p.pk for p, _e, _s in people]
    invitations = [
        i
        for i in survey_selectors.my_invitations(user=user)
        if i.answered_at is None and i.about_id in ids
    ]
    own_invitations = [
        i for i in survey_selectors.my_invitations(user=user) if i.answered_at is None
    ]
    cards = []
    since = timezone.now() - dt.timedelta(days=RECENT_DECISION_DAYS)
    leave_qs = LeaveRequest.objects.visible_to(user).select_related(
        "leave_type", "decided_by", "second_decided_by"
    )
    marks_qs = AttendanceRecord.objects.visible_to(user).filter(
        date__gte=days[0], date__lte=days[-1]
    )
    marks: dict[tuple[int, dt.date], dict[str, int]] = {}
    for sid, day, status, n in (
        marks_qs.filter(student_id__in=ids)
        .values("student_id", "date", "status")
        .annotate(n=Count("id"))
        .values_list("student_id", "date", "status", "n")
    ):
        marks.setdefault((sid, day), {})[status] = n
    for person, enrolment, is_self in people:
        card = ChildCard(child=person, enrolment=enrolment, is_self=is_self)
        if enrolment is not None:
            card.entry = (
                ContactEntry.objects.visible_to(user)
                .filter(
                    school_class_id=enrolment.school_class_id,
                    published_at__isnull=False,
                    date__lte=today,
                )
                .order_by("-date")
                .first()
            )
        if card.entry is not None:
            card.signature = (
                ContactSignature.objects.visible_to(user)
                .filter(entry=card.entry, student=person)
                .select_related("signed_by")
                .first()
            )
        mine = leave_qs.filter(student=person)
        card.open_leave = list(mine.filter(status__in=LeaveRequest.OPEN_STATUSES))
        card.decisions = list(
            mine.filter(
                status__in=[LeaveRequest.Status.APPROVED, LeaveRequest.Status.DECLINED],
                updated_at__gte=since,
            ).order_by("-updated_at")[:RECENT_DECISIONS]
        )
        for day in days:
            m = marks.get((person.pk, day), {})
            card.week.append(
                DayMarks(
                    date=day,
                    leave=m.get(AttendanceRecord.Status.LEAVE, 0),
                    unexcused=m.get(AttendanceRecord.Status.UNEXCUSED, 0),
                    late=m.get(AttendanceRecord.Status.LATE, 0),
                )
            )
        if is_self:
            card.forms = [i for i in own_invitations if i.about_id in (None, person.pk)]
        else:
            card.forms = [i for i in invitations if i.about_id == person.pk]
        card.unread_announcements = _announcements_unread(user, enrolment, scope.person_id)
        if not is_self and scope.person_id:
            card.unread_messages = (
                Message.objects.visible_to(user)
                .filter(
                    conversation__parent_id=scope.person_id,
                    conversation__student=person,
                    read_at__isnull=True,
                )
                .exclude(sender_id=scope.person_id)
                .count()
            )
        cards.append(card)
    return cards


# --------------------------------------------------------------------------- my classes


@dataclass
class ClassCard:
    school_class: Any
    enrolled: int = 0
    entry: Any | None = None  # today's entry (draft or published)
    signed: int = 0
    leave_waiting: int = 0
    absences_today: int = 0
    forms_open: int = 0
    forms_answered: int = 0
    forms_invited: int = 0

    @property
    def posted(self) -> bool:
        return self.entry is not None and self.entry.published_at is not None


def class_cards(user: Any, classes: list[Any] | None = None) -> list[ClassCard]:
    """Today's state of each class the user writes for (or of `classes`, a page of them)."""
    from dtss.orgs.models import Enrollment
    from dtss.surveys.models import Invitation, Run

    if classes is None:
        classes = list(selectors.writable_classes(user=user))
    if not classes:
        return []
    today = timezone.localdate()
    now = timezone.now()
    ids = [c.pk for c in classes]
    enrolled = dict(
        Enrollment.objects.filter(school_class_id__in=ids)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    entries = {
        e.school_class_id: e
        for e in ContactEntry.objects.visible_to(user)
        .filter(school_class_id__in=ids, date=today)
        .annotate(n_signed=Count("signatures"))
    }
    # Leave waiting for this user's decision: the first decision in the classes they write
    # for (homeroom teacher or the school's administrators), the second where they are the
    # second approver.
    pending = dict(
        LeaveRequest.objects.visible_to(user)
        .filter(school_class_id__in=ids, status=LeaveRequest.Status.PENDING)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    second_schools = set()
    for school in {c.school for c in classes}:
        cfg = services.settings_get(school)
        if access.may_decide_second(user, SimpleNamespace(school_id=school.pk), cfg):
            second_schools.add(school.pk)
    second: dict[int, int] = {}
    if second_schools:
        second = dict(
            LeaveRequest.objects.visible_to(user)
            .filter(
                school_class_id__in=ids,
                school_id__in=second_schools,
                status=LeaveRequest.Status.SECOND,
            )
            .values("school_class_id")
            .annotate(n=Count("id"))
            .values_list("school_class_id", "n")
        )
    absences = dict(
        AttendanceRecord.objects.visible_to(user)
        .filter(school_class_id__in=ids, date=today)
        .values("school_class_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("school_class_id", "n")
    )
    forms: dict[int, tuple[int, int, int]] = {}
    for class_id, runs, invited, answered in (
        Invitation.objects.filter(
            school_class_id__in=ids,
            run__status=Run.Status.OPEN,
            run__opens_at__lte=now,
            run__closes_at__gt=now,
        )
        .values("school_class_id")
        .annotate(
            runs=Count("run_id", distinct=True),
            invited=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
        )
        .values_list("school_class_id", "runs", "invited", "answered")
    ):
        forms[class_id] = (runs, invited, answered)
    cards = []
    for c in classes:
        entry = entries.get(c.pk)
        runs, invited, answered = forms.get(c.pk, (0, 0, 0))
        cards.append(
            ClassCard(
                school_class=c,
                enrolled=enrolled.get(c.pk, 0),
                entry=entry,
                signed=entry.n_signed if entry is not None else 0,
                leave_waiting=pending.get(c.pk, 0) + second.get(c.pk, 0),
                absences_today=absences.get(c.pk, 0),
                forms_open=runs,
                forms_invited=invited,
                forms_answered=answered,
            )
        )
    return cards
