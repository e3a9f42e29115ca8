"""Writes of announcements: save a draft, publish it (and notify its audience), read receipts.

Who may write (`access.may_announce`): a county's office for the county (to its schools), a
school's administrators for the school, a class's homeroom teacher (or the school's
administrators) for the class. Only a draft is edited; a published announcement stays as it was
sent (what people read is what was published).

Notifications on publishing:
- a class's or a school's announcement notifies its audience (students, parents of the
  enrolled students, staff, by the flags), held by quiet hours unless it is urgent;
- a county's announcement notifies only when it is urgent (then everyone in the audience, at
  once). A county reaches every school — up to hundreds of thousands of people — and most of
  what it announces (a training, a deadline) is read in the announcement list when people open
  the app; a notification to each of them for every county item would bury the class and school
  notices families need. Urgent ones (a typhoon day, a safety notice) are worth the noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.homeschool import access, services
from dtss.homeschool.models import Announcement, AnnouncementRead, TimetableSlot

TITLE_MAX = 200
BODY_MAX = 20000
NOTIFY_CHUNK = 2000


# --- the audience -----------------------------------------------------------------------------


def _latest_term_id(classes: QuerySet[Any]) -> int | None:
    return (
        classes.order_by("-term__roc_year", "-term__semester")
        .values_list("term_id", flat=True)
        .first()
    )


def audience_classes(announcement: Announcement) -> QuerySet[Any]:
    """The classes an announcement reaches: its class, or the school's classes of the school's
    latest term, or (county) the county's classes of the latest term."""
    from dtss.orgs.models import SchoolClass

    if announcement.school_class_id:
        return SchoolClass.objects.filter(pk=announcement.school_class_id)
    if announcement.school_id:
        qs = SchoolClass.objects.filter(school_id=announcement.school_id)
    else:
        qs = SchoolClass.objects.filter(county_id=announcement.county_id)
    term_id = _latest_term_id(qs)
    return qs.filter(term_id=term_id) if term_id else SchoolClass.objects.none()


def audience_parts(announcement: Announcement) -> dict[str, QuerySet[Any]]:
    """Person-id subqueries of the audience by part: "students", "parents", "staff" (only the
    parts the flags choose)."""
    from dtss.orgs.models import Enrollment, Guardianship, Membership, Role

    parts: dict[str, QuerySet[Any]] = {}
    classes = audience_classes(announcement)
    students = Enrollment.objects.filter(school_class__in=classes).values_list(
        "student_id", flat=True
    )
    if announcement.to_students:
        parts["students"] = students
    if announcement.to_parents:
        parts["parents"] = Guardianship.objects.filter(child_id__in=students).values_list(
            "parent_id", flat=True
        )
    if announcement.to_staff:
        if announcement.school_class_id:
            klass = announcement.school_class
            ids = {
                t
                for t in TimetableSlot.objects.filter(
                    school_class_id=announcement.school_class_id, teacher__isnull=False
                ).values_list("teacher_id", flat=True)
            }
            if klass is not None and klass.homeroom_teacher_id:
                ids.add(klass.homeroom_teacher_id)
            parts["staff"] = Membership.objects.filter(
                person_id__in=ids,
                school_id=announcement.school_id,
                role__in=[Role.TEACHER, Role.SCHOOL_ADMIN],
            ).values_list("person_id", flat=True)
        elif announcement.school_id:
            parts["staff"] = Membership.objects.filter(
                school_id=announcement.school_id, role__in=[Role.TEACHER, Role.SCHOOL_ADMIN]
            ).values_list("person_id", flat=True)
        else:
            parts["staff"] = Membership.objects.filter(
                school__county_id=announcement.county_id,
                role__in=[Role.TEACHER, Role.SCHOOL_ADMIN],
            ).values_list("person_id", flat=True)
    return parts


def audience(announcement: Announcement) -> QuerySet[Any]:
    """The people the announcement is addressed to (distinct)."""
    from dtss.orgs.models import Person

    q = Q(pk__in=[])
    for sub in audience_parts(announcement).values():
        q |= Q(pk__in=sub)
    return Person.objects.filter(q)


# --- writes -----------------------------------------------------------------------------------


def _validate(
    *,
    title: str,
    body: str,
    to_staff: bool,
    to_students: bool,
    to_parents: bool,
    expires_on: dt.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the announcement a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(n)d characters.") % {"n": TITLE_MAX}
    if not body:
        errors["body"] = _("Write the announcement's text.")
    elif len(body) > BODY_MAX:
        errors["body"] = _("At most %(n)d characters.") % {"n": BODY_MAX}
    if not (to_staff or to_students or to_parents):
        errors["audience"] = _("Choose at least one audience: staff, students or parents.")
    if expires_on is not None and expires_on < timezone.localdate():
        errors["expires_on"] = _("The last day shown cannot be in the past.")
    return errors


@transaction.atomic
def announcement_save(
    *,
    user: Any,
    announcement: Announcement | None = None,
    county: Any = None,
    school: Any = None,
    school_class: Any = None,
    title: str,
    body: str,
    to_staff: bool = False,
    to_students: bool = False,
    to_parents: bool = False,
    urgent: bool = False,
    pinned: bool = False,
    expires_on: dt.date | None = None,
) -> Announcement:
    """Create a draft (owner: a county, a school or a class), or update one while it is a
    draft. The owner of an existing announcement does not change."""
    title, body = (title or "").strip(), (body or "").strip()
    if announcement is not None:
        announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
        if not may_edit(user, announcement):
            raise PermissionDenied(_("You may not change this announcement."))
        if announcement.published_at is not None:
            raise ValidationError(
                {"published_at": _("A published announcement is not changed any more.")}
            )
    else:
        if school_class is not None:
            school = school_class.school
        if school is not None:
            county = school.county
        if county is None:
            raise ValidationError({"owner": _("Choose who the announcement is from.")})
        if not access.may_announce(
            user, county_id=county.pk, school=school, school_class=school_class
        ):
            raise PermissionDenied(_("You may not announce to them."))
    errors = _validate(
        title=title,
        body=body,
        to_staff=to_staff,
        to_students=to_students,
        to_parents=to_parents,
        expires_on=expires_on,
    )
    if errors:
        raise ValidationError(errors)
    fields = {
        "title": title,
        "body": body,
        "to_staff": to_staff,
        "to_students": to_students,
        "to_parents": to_parents,
        "urgent": urgent,
        "pinned": pinned,
        "expires_on": expires_on,
    }
    if announcement is None:
        announcement = Announcement.objects.create(
            county=county,
            school=school,
            school_class=school_class,
            author=getattr(user, "person", None),
            **fields,
        )
        audit_record(actor=user, action="homeschool.announcement_create", obj=announcement)
        return announcement
    for k, v in fields.items():
        setattr(announcement, k, v)
    announcement.save()
    audit_record(actor=user, action="homeschool.announcement_update", obj=announcement)
    return announcement


def may_edit(user: Any, announcement: Announcement) -> bool:
    return access.may_announce(
        user,
        county_id=announcement.county_id,
        school=announcement.school,
        school_class=announcement.school_class,
    )


def _chunks(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for person in qs.only("id", "email").order_by("pk").iterator(chunk_size=NOTIFY_CHUNK):
        batch.append(person)
        if len(batch) >= NOTIFY_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def announcement_publish(
    *, user: Any, announcement: Announcement, now: dt.datetime | None = None
) -> int:
    """Publish a draft and notify its audience (see the module's notes); returns how many
    people were notified."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if not may_edit(user, announcement):
        raise PermissionDenied(_("You may not publish this announcement."))
    if announcement.published_at is not None:
        raise ValidationError({"published_at": _("This announcement is already published.")})
    now = now or timezone.now()
    announcement.published_at = now
    announcement.save(update_fields=["published_at", "updated_at"])
    notified = 0
    if announcement.school_id or announcement.urgent:
        people = audience(announcement).exclude(pk=getattr(user, "person_id", None))
        title = announcement.title
        if announcement.urgent:
            title = _("Urgent: %(title)s") % {"title": title}
        for batch in _chunks(people):
            notified += len(
                services.notify(
                    recipients=batch,
                    kind="announcement",
                    title=title,
                    body=announcement.body[:500],
                    url=services.link("homeschool:announcement_detail", announcement.public_id),
                    county_id=announcement.county_id,
                    school_id=announcement.school_id,
                    quiet=True,
                    urgent=announcement.urgent,
                    now=now,
                )
            )
    audit_record(
        actor=user,
        action="homeschool.announcement_publish",
        obj=announcement,
        detail={"notified": notified},
    )
    return notified


def announcement_read(
    *, user: Any, announcement: Announcement, now: dt.datetime | None = None
) -> AnnouncementRead | None:
    """The reader's receipt, once per person (the first read counts); only for a published
    announcement the user can see. None for an account without a person or a draft."""
    scope = scope_for(user)
    if scope.person_id is None or announcement.published_at is None:
        return None
    if not Announcement.objects.visible_to(user).filter(pk=announcement.pk).exists():
        raise PermissionDenied
    existing = AnnouncementRead.objects.filter(
        announcement=announcement, person_id=scope.person_id
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AnnouncementRead.objects.create(
                county_id=announcement.county_id,
                school_id=announcement.school_id,
                announcement=announcement,
                person_id=scope.person_id,
                read_at=now or timezone.now(),
            )
    except IntegrityError:  # read twice at the same moment
        return AnnouncementRead.objects.get(announcement=announcement, person_id=scope.person_id)
