"""Writes of teacher–parent messages. A message is a record: there is no edit and no delete
(no service, page, API endpoint or admin action does either).

- `conversation_start`: a parent with the homeroom teacher or a subject teacher of the child's
  current class; a teacher who teaches the student (or the school's administrators) with the
  student's parent. Get or create: one conversation per teacher, parent and child.
- `message_send`: only the two people in it write; the other one is notified, held by their
  quiet hours (their own, else the school's) unless a teacher marks the message urgent.
- `conversation_read`: the reader marks the other party's messages read.
The school's administrators read every conversation of the school (audited) but do not write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.homeschool import access, services
from dtss.homeschool.models import Conversation, Message, NotificationPreference

BODY_MAX = 4000


def _check_pair(*, user: Any, teacher: Any, parent: Any, student: Any) -> Any:
    """The student's current class, after checking the three belong together and the user may
    write: ValidationError naming the field, or PermissionDenied."""
    from dtss.orgs.models import Guardianship, Membership, Role

    enrolment = services.current_enrolment(student)
    if enrolment is None:
        raise ValidationError({"student": _("The student is not in any class.")})
    school_class = enrolment.school_class
    if not Guardianship.objects.filter(parent=parent, child=student).exists():
        raise ValidationError({"parent": _("Choose a parent of the student.")})
    is_teacher = Membership.objects.filter(
        person=teacher,
        school_id=school_class.school_id,
        role__in=[Role.TEACHER, Role.SCHOOL_ADMIN],
    ).exists()
    if not is_teacher:
        raise ValidationError({"teacher": _("Choose a teacher of the student's school.")})
    scope = scope_for(user)
    if scope.person_id == parent.pk and not teaches(teacher, school_class):
        raise ValidationError(
            {"teacher": _("Choose the homeroom teacher or a subject teacher of the class.")}
        )
    if not access.may_message(
        user, teacher=teacher, parent=parent, student=student, school_class=school_class
    ):
        raise PermissionDenied(_("You may not write in this conversation."))
    return school_class


def teaches(teacher: Any, school_class: Any) -> bool:
    """The teacher is the class's homeroom teacher or has a period of it in the timetable."""
    from dtss.homeschool.models import TimetableSlot

    if school_class.homeroom_teacher_id == teacher.pk:
        return True
    return TimetableSlot.objects.filter(school_class=school_class, teacher=teacher).exists()


@transaction.atomic
def conversation_start(*, user: Any, teacher: Any, parent: Any, student: Any) -> Conversation:
    """Get or create the conversation between the teacher and the parent about the student.
    The user is the parent or the teacher."""
    school_class = _check_pair(user=user, teacher=teacher, parent=parent, student=student)
    existing = Conversation.objects.filter(teacher=teacher, parent=parent, student=student).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conv = Conversation.objects.create(
                county_id=school_class.county_id,
                school_id=school_class.school_id,
                teacher=teacher,
                parent=parent,
                student=student,
            )
    except IntegrityError:  # started by both at the same moment
        return Conversation.objects.get(teacher=teacher, parent=parent, student=student)
    audit_record(actor=user, action="homeschool.conversation_start", obj=conv)
    return conv


def _participant(user: Any, conv: Conversation) -> str | None:
    pid = scope_for(user).person_id
    if pid is not None and pid == conv.teacher_id:
        return "teacher"
    if pid is not None and pid == conv.parent_id:
        return "parent"
    return None


def quiet_hold(*, person: Any, school_id: int | None, now: dt.datetime) -> dt.datetime | None:
    """When a notification to this person sent now would be delivered, if their quiet hours
    (their own, else the school's default) hold it back; None: at once."""
    pref = NotificationPreference.objects.filter(person=person).first()
    if pref is not None:
        window = services.quiet_window(pref)
    else:
        window = services._default_window(school_id)  # the school's default
    return services.quiet_until(window, now)


@dataclass
class Sent:
    message: Message
    held_until: dt.datetime | None  # the recipient's notification waits until then


@transaction.atomic
def message_send(
    *,
    user: Any,
    conversation: Conversation,
    body: str,
    urgent: bool = False,
    now: dt.datetime | None = None,
) -> Sent:
    """One message from one of the two people in the conversation; the other is notified."""
    role = _participant(user, conversation)
    if role is None:
        raise PermissionDenied(_("Only the two people in the conversation write in it."))
    body = (body or "").strip()
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Write a message.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("At most %(n)d characters.") % {"n": BODY_MAX}
    if urgent and role != "teacher":
        errors["urgent"] = _("Only a teacher marks a message urgent.")
    if errors:
        raise ValidationError(errors)
    school_class = services.current_enrolment(conversation.student)
    if school_class is None or not access.may_message(
        user,
        teacher=conversation.teacher,
        parent=conversation.parent,
        student=conversation.student,
        school_class=school_class.school_class,
    ):
        raise PermissionDenied(_("You may no longer write in this conversation."))
    now = now or timezone.now()
    sender = conversation.teacher if role == "teacher" else conversation.parent
    other = conversation.parent if role == "teacher" else conversation.teacher
    msg = Message.objects.create(
        county_id=conversation.county_id,
        school_id=conversation.school_id,
        conversation=conversation,
        sender=sender,
        body=body,
        urgent=urgent,
        sent_at=now,
    )
    conversation.last_message_at = now
    conversation.save(update_fields=["last_message_at", "updated_at"])
    title = _("Message from %(name)s about %(student)s") % {
        "name": sender.name,
        "student": conversation.student.name,
    }
    if urgent:
        title = _("Urgent: %(title)s") % {"title": title}
    rows = services.notify(
        recipients=[other],
        kind="message",
        title=title,
        body=body[:300],
        url=services.link("homeschool:conversation_detail", conversation.public_id),
        county_id=conversation.county_id,
        school_id=conversation.school_id,
        quiet=True,
        urgent=urgent,
        now=now,
    )
    held = rows[0].deliver_at if rows and rows[0].deliver_at > now else None
    audit_record(actor=user, action="homeschool.message_send", obj=conversation)
    return Sent(message=msg, held_until=held)


def conversation_read(
    *, user: Any, conversation: Conversation, now: dt.datetime | None = None
) -> int:
    """Mark the other party's messages read (only one of the two people does this; the
    school's administrators reading leave no read marks). Returns how many were marked."""
    role = _participant(user, conversation)
    if role is None:
        return 0
    pid = scope_for(user).person_id
    return (
        Message.objects.filter(conversation=conversation, read_at__isnull=True)
        .exclude(sender_id=pid)
        .update(read_at=now or timezone.now())
    )


def conversation_audit_read(*, user: Any, conversation: Conversation, request: Any = None) -> None:
    """A school administrator (not one of the two) opened the conversation: audited."""
    if _participant(user, conversation) is None:
        audit_record(
            actor=user, action="homeschool.conversation_read", obj=conversation, request=request
        )
