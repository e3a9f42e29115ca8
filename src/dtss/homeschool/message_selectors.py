"""Reads of teacher–parent messages: my conversations (unread counts; a parent's grouped by
child), one thread, and whom a user may start a conversation with."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.db.models import Count, Q, QuerySet

from dtss.core.tenancy import scope_for
from dtss.homeschool import selectors as hs_selectors
from dtss.homeschool.models import Conversation, Message, TimetableSlot


def conversations(*, user: Any, query: str = "", mine_only: bool = False) -> QuerySet[Conversation]:
    """The conversations the user sees (their own; a school administrator also the school's),
    latest message first, each with `unread` (the other party's unread messages for one of
    the two people)."""
    pid = scope_for(user).person_id or 0
    qs = Conversation.objects.visible_to(user)
    if mine_only:
        qs = qs.filter(Q(teacher_id=pid) | Q(parent_id=pid))
    if query:
        qs = qs.filter(
            Q(student__name__icontains=query)
            | Q(parent__name__icontains=query)
            | Q(teacher__name__icontains=query)
        )
    unread = Count(
        "messages",
        filter=Q(messages__read_at__isnull=True)
        & ~Q(messages__sender_id=pid)
        & (Q(teacher_id=pid) | Q(parent_id=pid)),
    )
    return (
        qs.annotate(unread=unread, total=Count("messages"))
        .select_related("teacher", "parent", "student", "school")
        .order_by("-last_message_at", "-id")
    )


def by_child(rows: list[Conversation]) -> list[tuple[Any, list[Conversation]]]:
    """A parent's conversations grouped by child (in the order they come)."""
    groups: OrderedDict[int, tuple[Any, list[Conversation]]] = OrderedDict()
    for c in rows:
        groups.setdefault(c.student_id, (c.student, []))[1].append(c)
    return list(groups.values())


def unread_total(*, user: Any) -> int:
    pid = scope_for(user).person_id
    if pid is None:
        return 0
    return (
        Message.objects.filter(read_at__isnull=True)
        .filter(Q(conversation__teacher_id=pid) | Q(conversation__parent_id=pid))
        .exclude(sender_id=pid)
        .count()
    )


def thread(*, conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("sender")
        .order_by("sent_at", "id")
    )


def teachers_of_class(school_class: Any) -> list[tuple[Any, str]]:
    """The homeroom teacher and the subject teachers (timetable) of a class, with what they
    teach: [(person, label)]."""
    out: OrderedDict[int, tuple[Any, list[str]]] = OrderedDict()
    if school_class.homeroom_teacher is not None:
        out[school_class.homeroom_teacher_id] = (school_class.homeroom_teacher, ["homeroom"])
    for slot in (
        TimetableSlot.objects.filter(school_class=school_class, teacher__isnull=False)
        .select_related("teacher")
        .order_by("subject")
    ):
        entry = out.setdefault(slot.teacher_id, (slot.teacher, []))
        if slot.subject not in entry[1]:
            entry[1].append(slot.subject)
    return [(p, ", ".join(labels)) for p, labels in out.values()]


def start_choices(*, user: Any) -> list[dict[str, Any]]:
    """Whom the user may start a conversation with, per student:
    [{"student", "school_class", "teacher_options": [(person, label)] (a parent), or
      "parent_options": [person] (a teacher)}]."""
    from dtss.orgs.models import Enrollment, Guardianship, Person

    scope = scope_for(user)
    out: list[dict[str, Any]] = []
    if scope.child_ids:
        for child, enrolment in hs_selectors.my_children(user=user):
            if enrolment is None:
                continue
            out.append(
                {
                    "student": child,
                    "school_class": enrolment.school_class,
                    "role": "parent",
                    "options": teachers_of_class(enrolment.school_class),
                }
            )
    if scope.person_id and scope.staff_school_ids:
        classes = taught_classes(user=user)
        enrol = (
            Enrollment.objects.filter(school_class__in=classes)
            .select_related("student", "school_class")
            .order_by("school_class__grade", "school_class__number", "seat_number")
        )
        students = [e.student_id for e in enrol]
        parents: dict[int, list[Any]] = {}
        people = Person.objects.in_bulk(
            list(
                Guardianship.objects.filter(child_id__in=students).values_list(
                    "parent_id", flat=True
                )
            )
        )
        for child_id, parent_id in Guardianship.objects.filter(child_id__in=students).values_list(
            "child_id", "parent_id"
        ):
            parents.setdefault(child_id, []).append(people[parent_id])
        from dtss.orgs.selectors import current_enrollments

        enrol = list(enrol)
        current_of = current_enrollments(people=[e.student for e in enrol])
        for e in enrol:
            current = current_of.get(e.student_id)
            if current is None or current.school_class_id != e.school_class_id:
                continue
            out.append(
                {
                    "student": e.student,
                    "school_class": e.school_class,
                    "role": "teacher",
                    "options": [(p, p.name) for p in parents.get(e.student_id, [])],
                }
            )
    return out


def taught_classes(*, user: Any) -> QuerySet[Any]:
    """Classes of the latest term a teacher teaches (homeroom or timetable); a school
    administrator's school's classes."""
    from dtss.orgs.models import SchoolClass

    scope = scope_for(user)
    pid = scope.person_id or 0
    qs = SchoolClass.objects.filter(
        Q(homeroom_teacher_id=pid, school_id__in=scope.teacher_school_ids)
        | Q(
            pk__in=TimetableSlot.objects.filter(
                teacher_id=pid, school_id__in=scope.teacher_school_ids
            ).values("school_class_id")
        )
        | Q(school_id__in=scope.admin_school_ids)
    )
    term_id = (
        qs.order_by("-term__roc_year", "-term__semester").values_list("term_id", flat=True).first()
    )
    if term_id is None:
        return SchoolClass.objects.none()
    return qs.filter(term_id=term_id).select_related("school")
