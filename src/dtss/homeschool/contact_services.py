"""Writes of the electronic contact book (電子聯絡簿).

- `entry_save`: the homeroom teacher (or the school's administrators) writes one class's entry
  for one day — homework, notices, things to bring, files — as a draft or published. One
  entry per class and day; publishing (once) tells the class's students and their parents.
- `attachment_remove`: a file taken off an entry.
- `signature_sign`: a parent signs (家長簽名) for their own child in the entry's class, with an
  optional reply to the teacher; signing again keeps the first signature and its time.
- `signature_answer`: the homeroom teacher (or the school's administrators) answers a reply.

Every function validates before it writes, raises `ValidationError` naming the field or
`PermissionDenied`, and writes the audit log.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.homeschool import access, services
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature

MAX_DAYS_AHEAD = 14
MAX_TEXT = 4000
MAX_REPLY = 1000


def day_label(day: dt.date) -> str:
    return f"{day.month}/{day.day}"


def entry_title(entry: ContactEntry) -> str:
    """「5年01班 11/30 聯絡簿」."""
    return _("%(cls)s %(day)s contact book") % {
        "cls": str(entry.school_class),
        "day": day_label(entry.date),
    }


def _enrolled_ids(school_class: Any) -> set[int]:
    from dtss.orgs.models import Enrollment

    return set(
        Enrollment.objects.filter(school_class=school_class).values_list("student_id", flat=True)
    )


@transaction.atomic
def entry_save(
    *,
    user: Any,
    school_class: Any,
    day: dt.date,
    homework: str,
    notices: str,
    bring: str,
    files: Iterable[Any] = (),
    publish: bool = False,
    http_request: Any = None,
) -> ContactEntry:
    """Create or update the class's entry for the day. Only the homeroom teacher and the
    school's administrators (`access.may_write_class`)."""
    if not access.may_write_class(user, school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school write this."))
    files = list(files)
    homework, notices, bring = homework.strip(), notices.strip(), bring.strip()
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["date"] = _("An entry can be written at most %(n)d days ahead.") % {
            "n": MAX_DAYS_AHEAD
        }
    for name, value in (("homework", homework), ("notices", notices), ("bring", bring)):
        if len(value) > MAX_TEXT:
            errors[name] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    entry = (
        ContactEntry.objects.select_for_update().filter(school_class=school_class, date=day).first()
    )
    existing = entry.attachments.count() if entry is not None else 0
    if not (homework or notices or bring) and "homework" not in errors:
        errors["homework"] = _("Write the homework, a notice or the things to bring.")
    try:
        services.check_files(files)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if "files" not in errors and existing + len(files) > services.MAX_FILES:
        errors["files"] = _("At most %(n)d files per entry.") % {"n": services.MAX_FILES}
    if errors:
        raise ValidationError(errors)
    person = getattr(user, "person", None)
    created = entry is None
    if entry is None:
        entry = ContactEntry(
            county_id=school_class.county_id,
            school_id=school_class.school_id,
            school_class=school_class,
            date=day,
        )
    entry.homework, entry.notices, entry.bring = homework, notices, bring
    entry.author = person
    first_publish = publish and entry.published_at is None
    if first_publish:
        entry.published_at = timezone.now()
    entry.save()
    added = [_attach(entry, f) for f in files]
    audit_record(
        actor=user,
        action="homeschool.contact_create" if created else "homeschool.contact_update",
        obj=entry,
        request=http_request,
        detail={"date": day.isoformat(), "files": len(added), "published": bool(first_publish)},
    )
    if first_publish:
        audit_record(
            actor=user, action="homeschool.contact_publish", obj=entry, request=http_request
        )
        _notify_class(entry)
    return entry


def entry_publish(*, user: Any, entry: ContactEntry, http_request: Any = None) -> ContactEntry:
    """Publish a draft as it is (the same rules as saving it with publish)."""
    return entry_save(
        user=user,
        school_class=entry.school_class,
        day=entry.date,
        homework=entry.homework,
        notices=entry.notices,
        bring=entry.bring,
        publish=True,
        http_request=http_request,
    )


def _attach(entry: ContactEntry, upload: Any) -> ContactAttachment:
    ext = os.path.splitext(upload.name or "")[1].lower()
    ctype = services.FILE_TYPES.get(ext) or mimetypes.guess_type(upload.name)[0] or ""
    return ContactAttachment.objects.create(
        county_id=entry.county_id,
        school_id=entry.school_id,
        school_class_id=entry.school_class_id,
        entry=entry,
        file=upload,
        name=os.path.basename(upload.name)[:200],
        size=upload.size or 0,
        content_type=ctype,
    )


@transaction.atomic
def attachment_add(
    *, user: Any, entry: ContactEntry, files: Iterable[Any], http_request: Any = None
) -> list[ContactAttachment]:
    """Add files to an entry (drafts and published ones)."""
    if not access.may_write_class(user, entry.school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school write this."))
    files = list(files)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    services.check_files(files)
    entry = ContactEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.attachments.count() + len(files) > services.MAX_FILES:
        raise ValidationError(
            {"files": _("At most %(n)d files per entry.") % {"n": services.MAX_FILES}}
        )
    added = [_attach(entry, f) for f in files]
    audit_record(
        actor=user,
        action="homeschool.contact_attach",
        obj=entry,
        request=http_request,
        detail={"files": [a.name for a in added]},
    )
    return added


@transaction.atomic
def attachment_remove(
    *, user: Any, attachment: ContactAttachment, http_request: Any = None
) -> None:
    if not access.may_write_class(user, attachment.school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school write this."))
    entry = attachment.entry
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=user,
        action="homeschool.contact_detach",
        obj=entry,
        request=http_request,
        detail={"file": name},
    )


def _notify_class(entry: ContactEntry) -> None:
    """The class's students and their parents hear of a published entry."""
    from dtss.orgs.models import Guardianship, Person

    students = _enrolled_ids(entry.school_class)
    parents = set(
        Guardianship.objects.filter(child_id__in=students).values_list("parent_id", flat=True)
    )
    summary = entry.homework or entry.notices or entry.bring
    services.notify(
        recipients=Person.objects.filter(pk__in=students | parents),
        kind="contact",
        title=entry_title(entry),
        body=summary[:300],
        url=services.link("homeschool:contact_entry", entry.public_id),
        county_id=entry.county_id,
        school_id=entry.school_id,
    )


def may_sign(user: Any, entry: ContactEntry, student: Any) -> bool:
    """A parent of the student, the student enrolled in the entry's class, entry published."""
    scope = scope_for(user)
    return (
        entry.published_at is not None
        and access.is_parent_of(scope, student.pk)
        and student.pk in _enrolled_ids(entry.school_class)
    )


@transaction.atomic
def signature_sign(
    *,
    user: Any,
    entry: ContactEntry,
    student: Any,
    reply: str = "",
    http_request: Any = None,
) -> ContactSignature:
    """A parent signs the entry for their child. Signing again keeps the first signature and
    its time; a reply given then is added (or replaces the earlier one). A new reply tells the
    homeroom teacher (held in their quiet hours)."""
    scope = scope_for(user)
    if not access.is_parent_of(scope, student.pk):
        if scope.child_ids:  # a parent naming another family's child: a bad field
            raise ValidationError({"student": _("Choose one of your own children.")})
        raise PermissionDenied(_("Only the student's parents sign the contact book."))
    if student.pk not in _enrolled_ids(entry.school_class):
        raise ValidationError({"student": _("The student is not in this class.")})
    if entry.published_at is None:
        raise ValidationError({"entry": _("This entry is not published yet.")})
    reply = reply.strip()
    if len(reply) > MAX_REPLY:
        raise ValidationError({"reply": _("At most %(n)d characters.") % {"n": MAX_REPLY}})
    now = timezone.now()
    sig = ContactSignature.objects.select_for_update().filter(entry=entry, student=student).first()
    created = sig is None
    old_reply = "" if sig is None else sig.reply
    if sig is None:
        sig = ContactSignature.objects.create(
            county_id=entry.county_id,
            school_id=entry.school_id,
            school_class_id=entry.school_class_id,
            entry=entry,
            student=student,
            signed_by=user.person,
            signed_at=now,
            reply=reply,
        )
    elif reply and reply != sig.reply:
        sig.reply = reply
        sig.save(update_fields=["reply", "updated_at"])
    audit_record(
        actor=user,
        action="homeschool.contact_sign" if created else "homeschool.contact_reply",
        obj=sig,
        request=http_request,
        detail={"reply": bool(reply)},
    )
    if reply and reply != old_reply:
        teacher = entry.school_class.homeroom_teacher
        if teacher is not None:
            services.notify(
                recipients=[teacher],
                kind="contact",
                title=_("Reply on %(title)s from %(name)s's parent")
                % {"title": entry_title(entry), "name": student.name},
                body=reply[:300],
                url=services.link("homeschool:contact_entry", entry.public_id),
                county_id=entry.county_id,
                school_id=entry.school_id,
                quiet=True,
            )
    return sig


@transaction.atomic
def signature_answer(
    *, user: Any, signature: ContactSignature, answer: str, http_request: Any = None
) -> ContactSignature:
    """The homeroom teacher (or the school's administrators) answers a parent's reply."""
    if not access.may_write_class(user, signature.school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school answer."))
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    if len(answer) > MAX_REPLY:
        raise ValidationError({"answer": _("At most %(n)d characters.") % {"n": MAX_REPLY}})
    signature.answer = answer
    signature.answered_at = timezone.now()
    signature.save(update_fields=["answer", "answered_at", "updated_at"])
    audit_record(
        actor=user, action="homeschool.contact_answer", obj=signature, request=http_request
    )
    entry = signature.entry
    services.notify(
        recipients=[signature.signed_by],
        kind="contact",
        title=_("The teacher answered on %(title)s") % {"title": entry_title(entry)},
        body=answer[:300],
        url=services.link("homeschool:contact_entry", entry.public_id),
        county_id=signature.county_id,
        school_id=signature.school_id,
        quiet=True,
    )
    return signature
