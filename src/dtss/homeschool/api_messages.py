"""API of the homeschool: announcements (with read receipts), teacher–parent conversations and
messages, notifications and notification settings.

The same rules as the pages: anyone signed in reads the announcements addressed to them; the
county's office, a school's administrators and a class's homeroom teacher write theirs (403
for others). The two people in a conversation read and write it; the school's administrators
read it (audited) but do not write (403); anyone else 404. Messages have no PATCH and no
DELETE: they are kept as a record. A ValidationError is a 422 naming the field; nothing is
changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import announce_selectors as asel
from dtss.homeschool import announce_services as asvc
from dtss.homeschool import message_selectors as msel
from dtss.homeschool import message_services as msvc
from dtss.homeschool import selectors, services
from dtss.homeschool.announce_views import owner_label, visible_announcement
from dtss.homeschool.models import Announcement, Conversation, Notification, NotificationPreference
from dtss.homeschool.notification_views import ordered, school_default

router = Router(tags=["homeschool"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


# --------------------------------------------------------------------------- schemas


class AnnouncementOut(Schema):
    public_id: UUID = Field(description="The announcement's id.")
    owner: str = Field(description="county, school or class: who it is from.")
    owner_name: str = Field(description="The county's, school's or class's name.")
    school: UUID | None = Field(description="The school's id (null: the county's).")
    school_class: UUID | None = Field(description="The class's id (null: not a class's).")
    title: str = Field(description="The title.")
    body: str = Field(description="The text.")
    to_staff: bool = Field(description="Addressed to school staff.")
    to_students: bool = Field(description="Addressed to students.")
    to_parents: bool = Field(description="Addressed to parents.")
    urgent: bool = Field(description="Urgent: notified at once, even in quiet hours.")
    pinned: bool = Field(description="Shown at the top of the list.")
    expires_on: dt.date | None = Field(description="Shown until this day (null: no end).")
    published_at: dt.datetime | None = Field(description="When it was published (null: draft).")
    is_read: bool = Field(description="Whether you have read it.")
    editable: bool = Field(description="Whether you may edit (a draft) and publish it.")
    url: str = Field(description="The announcement's page.")


class AnnouncementFilters(Schema):
    show: Literal["all", "unread", "urgent", "drafts"] = Field(
        "all", description="all, unread, urgent, or drafts (your own drafts)."
    )
    owner: Literal["county", "school", "class"] | None = Field(
        None, description="Only announcements from a county, a school or a class."
    )
    q: str = Field("", max_length=100, description="Words in the title or text.")


class AnnouncementIn(Schema):
    county: str | None = Field(
        None, description="From a county: its code (the county's office only)."
    )
    school: UUID | None = Field(None, description="From a school: its id (its administrators).")
    school_class: UUID | None = Field(
        None, description="From a class: its id (its homeroom teacher or the school's admins)."
    )
    title: str = Field(description="The title (at most 200 characters).")
    body: str = Field(description="The text.")
    to_staff: bool = Field(False, description="To school staff.")
    to_students: bool = Field(False, description="To students.")
    to_parents: bool = Field(False, description="To parents (of the enrolled students).")
    urgent: bool = Field(False, description="Urgent: notified at once, even in quiet hours.")
    pinned: bool = Field(False, description="Pinned to the top.")
    expires_on: dt.date | None = Field(None, description="Shown until this day (optional).")


class AnnouncementPatch(Schema):
    title: str | None = Field(None, description="The title.")
    body: str | None = Field(None, description="The text.")
    to_staff: bool | None = Field(None, description="To school staff.")
    to_students: bool | None = Field(None, description="To students.")
    to_parents: bool | None = Field(None, description="To parents.")
    urgent: bool | None = Field(None, description="Urgent.")
    pinned: bool | None = Field(None, description="Pinned to the top.")
    expires_on: dt.date | None = Field(None, description="Shown until this day.")


class PublishOut(Schema):
    announcement: AnnouncementOut = Field(description="The published announcement.")
    notified: int = Field(description="How many people were notified.")


class ReadOut(Schema):
    read_at: dt.datetime | None = Field(description="When you first read it (null: a draft).")


class ReceiptRowOut(Schema):
    label: str = Field(description="The class (or school; 'staff' for the school's staff).")
    expected: int = Field(description="How many people of it the announcement is addressed to.")
    read: int = Field(description="How many of them have read it.")


class UnreadOut(Schema):
    name: str = Field(description="The person's name.")
    part: str = Field(description="students, parents or staff.")


class ReceiptsOut(Schema):
    expected: int = Field(description="Expected readers: the audience's size.")
    read: int = Field(description="How many of them have read it.")
    by: str = Field(description="class (a school's or class's) or school (a county's).")
    rows: list[ReceiptRowOut] = Field(description="Per class (or per school).")
    unread: list[UnreadOut] = Field(description="A class's announcement: who has not read it.")


class MessageOut(Schema):
    public_id: UUID = Field(description="The message's id.")
    sender_name: str = Field(description="Who wrote it.")
    mine: bool = Field(description="Whether you wrote it.")
    body: str = Field(description="The message.")
    urgent: bool = Field(description="Marked urgent by the teacher.")
    sent_at: dt.datetime = Field(description="When it was sent.")
    read_at: dt.datetime | None = Field(description="When the other one read it.")


class ConversationOut(Schema):
    public_id: UUID = Field(description="The conversation's id.")
    school: UUID = Field(description="The school's id.")
    school_name: str = Field(description="The school's name.")
    teacher: UUID = Field(description="The teacher's id.")
    teacher_name: str = Field(description="The teacher's name.")
    parent: UUID = Field(description="The parent's id.")
    parent_name: str = Field(description="The parent's name.")
    student: UUID = Field(description="The child's id.")
    student_name: str = Field(description="The child's name.")
    last_message_at: dt.datetime | None = Field(description="The latest message.")
    unread: int = Field(description="Messages of the other one you have not read.")
    url: str = Field(description="The conversation's page.")


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut] = Field(description="The messages, oldest first.")
    writable: bool = Field(description="Whether you write in it (one of the two people).")


class ConversationFilters(Schema):
    q: str = Field("", max_length=100, description="Name of the student, parent or teacher.")


class ConversationIn(Schema):
    student: UUID = Field(description="The child's id.")
    teacher: UUID | None = Field(
        None, description="A parent starting: the homeroom or a subject teacher of the class."
    )
    parent: UUID | None = Field(
        None, description="A teacher starting: a parent of a student you teach."
    )


class MessageIn(Schema):
    body: str = Field(description="The message (1–4000 characters).")
    urgent: bool = Field(False, description="Teachers only: notify at once, even in quiet hours.")


class SentOut(Schema):
    message: MessageOut = Field(description="The message sent.")
    held_until: dt.datetime | None = Field(
        description="The other one has quiet hours now: they are notified then (null: now)."
    )


class CountOut(Schema):
    count: int = Field(description="How many were marked read.")


class NotificationOut(Schema):
    public_id: UUID = Field(description="The notification's id.")
    kind: str = Field(description="contact, leave, attendance, announcement, message or form.")
    title: str = Field(description="What it is about.")
    body: str = Field(description="More detail.")
    url: str = Field(description="The page it is about.")
    deliver_at: dt.datetime = Field(description="When it was delivered.")
    read_at: dt.datetime | None = Field(description="When you marked it read (null: unread).")


class NotificationReadIn(Schema):
    ids: list[UUID] | None = Field(
        None, description="The notifications to mark read; empty or null: all of them."
    )


class PreferenceOut(Schema):
    own: bool = Field(description="Whether you set your own (false: the school's defaults).")
    email: bool = Field(description="Also by email.")
    quiet_enabled: bool = Field(description="Quiet hours on.")
    quiet_start: dt.time | None = Field(description="Quiet hours start.")
    quiet_end: dt.time | None = Field(description="Quiet hours end.")
    school_quiet_start: dt.time | None = Field(description="Your school's default start.")
    school_quiet_end: dt.time | None = Field(description="Your school's default end.")


class PreferenceIn(Schema):
    email: bool = Field(description="Also by email.")
    quiet_enabled: bool = Field(description="Quiet hours on.")
    quiet_start: dt.time | None = Field(None, description="Quiet hours start (HH:MM).")
    quiet_end: dt.time | None = Field(None, description="Quiet hours end (HH:MM).")


# --------------------------------------------------------------------------- helpers


def _announcement(a: Announcement, user: Any, is_read: bool | None = None) -> dict[str, Any]:
    if is_read is None:
        is_read = getattr(a, "is_read", None)
    if is_read is None:
        pid = scope_for(user).person_id
        is_read = bool(pid) and a.reads.filter(person_id=pid).exists()
    return {
        "public_id": a.public_id,
        "owner": "class" if a.school_class_id else "school" if a.school_id else "county",
        "owner_name": owner_label(a),
        "school": a.school.public_id if a.school else None,
        "school_class": a.school_class.public_id if a.school_class else None,
        "title": a.title,
        "body": a.body,
        "to_staff": a.to_staff,
        "to_students": a.to_students,
        "to_parents": a.to_parents,
        "urgent": a.urgent,
        "pinned": a.pinned,
        "expires_on": a.expires_on,
        "published_at": a.published_at,
        "is_read": bool(is_read),
        "editable": asvc.may_edit(user, a),
        "url": services.link("homeschool:announcement_detail", a.public_id),
    }


def _owned(request: HttpRequest, public_id: UUID) -> Announcement:
    a = visible_announcement(request, public_id)
    if not asvc.may_edit(request.user, a):
        raise PermissionDenied(_("Only who announced it does this."))
    return a


def _message(m: Any, pid: int | None) -> dict[str, Any]:
    return {
        "public_id": m.public_id,
        "sender_name": m.sender.name,
        "mine": m.sender_id == pid,
        "body": m.body,
        "urgent": m.urgent,
        "sent_at": m.sent_at,
        "read_at": m.read_at,
    }


def _conversation(c: Conversation) -> dict[str, Any]:
    return {
        "public_id": c.public_id,
        "school": c.school.public_id,
        "school_name": str(c.school.name),
        "teacher": c.teacher.public_id,
        "teacher_name": c.teacher.name,
        "parent": c.parent.public_id,
        "parent_name": c.parent.name,
        "student": c.student.public_id,
        "student_name": c.student.name,
        "last_message_at": c.last_message_at,
        "unread": getattr(c, "unread", 0) or 0,
        "url": services.link("homeschool:conversation_detail", c.public_id),
    }


def _notification(n: Notification) -> dict[str, Any]:
    return {
        "public_id": n.public_id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "deliver_at": n.deliver_at,
        "read_at": n.read_at,
    }


# --------------------------------------------------------------------------- announcements


@router.get(
    "/homeschool/announcements",
    response=responses({200: list[AnnouncementOut]}, 422),
    summary="Announcements addressed to you",
    description=(
        "Published and not expired announcements addressed to you (your county's, school's "
        "and classes', by audience), and your own drafts; pinned first, then newest. Filters: "
        "show (unread, urgent, drafts), owner (county, school, class), q."
    ),
)
@paged
def announcement_list(request: HttpRequest, filters: Query[AnnouncementFilters]) -> Any:
    rows = asel.announcements(
        user=request.user, show=filters.show, owner=filters.owner or "", query=filters.q.strip()
    )
    return [_announcement(a, request.user) for a in rows]


def _owner_from(request: HttpRequest, data: AnnouncementIn) -> tuple[Any, Any, Any]:
    """The owner among what the user may announce to (`announce_selectors.owners`)."""
    given = [
        (kind, value)
        for kind, value in (
            ("county", data.county),
            ("school", data.school),
            ("class", data.school_class),
        )
        if value
    ]
    if len(given) != 1:
        raise ValidationError({"owner": _("Give exactly one of county, school or school_class.")})
    key = f"{given[0][0]}:{given[0][1]}"
    owners = asel.owners(user=request.user)
    for k, _label, county, school, klass in owners:
        if k == key:
            return county, school, klass
    if not owners:  # who may announce for nobody
        raise PermissionDenied(_("You may not write announcements."))
    field = {"county": "county", "school": "school", "class": "school_class"}[given[0][0]]
    raise ValidationError({field: _("Choose a county, school or class you announce for.")})


@router.post(
    "/homeschool/announcements",
    response=responses({201: AnnouncementOut}, 403, 422),
    summary="Write an announcement (a draft)",
    description=(
        "A draft from a county (its office), a school (its administrators) or a class (its "
        "homeroom teacher or the school's administrators): exactly one of county, school, "
        "school_class. At least one audience. 403 for who may announce for nobody; a county, "
        "school or class you do not announce for is a 422 naming it."
    ),
)
def announcement_create(request: HttpRequest, data: AnnouncementIn) -> Any:
    county, school, klass = _owner_from(request, data)
    a = asvc.announcement_save(
        user=request.user,
        county=county,
        school=school,
        school_class=klass,
        title=data.title,
        body=data.body,
        to_staff=data.to_staff,
        to_students=data.to_students,
        to_parents=data.to_parents,
        urgent=data.urgent,
        pinned=data.pinned,
        expires_on=data.expires_on,
    )
    return Status(201, _announcement(a, request.user, is_read=False))


@router.get(
    "/homeschool/announcements/{public_id}",
    response=responses({200: AnnouncementOut}, 404, 422),
    summary="One announcement",
    description="An announcement addressed to you (or your own draft); 404 otherwise. Reading "
    "it here does not leave a receipt: POST …/read does.",
)
def announcement_get(request: HttpRequest, public_id: PublicId) -> Any:
    return _announcement(visible_announcement(request, public_id), request.user)


@router.patch(
    "/homeschool/announcements/{public_id}",
    response=responses({200: AnnouncementOut}, 403, 404, 422),
    summary="Change a draft announcement",
    description="Only a draft (422 once published), by who may announce it (403).",
)
def announcement_update(request: HttpRequest, public_id: PublicId, data: AnnouncementPatch) -> Any:
    a = _owned(request, public_id)
    values = {
        "title": a.title,
        "body": a.body,
        "to_staff": a.to_staff,
        "to_students": a.to_students,
        "to_parents": a.to_parents,
        "urgent": a.urgent,
        "pinned": a.pinned,
        "expires_on": a.expires_on,
    }
    values.update(data.dict(exclude_unset=True))
    a = asvc.announcement_save(user=request.user, announcement=a, **values)
    return _announcement(a, request.user)


@router.post(
    "/homeschool/announcements/{public_id}/publish",
    response=responses({200: PublishOut}, 403, 404, 422),
    summary="Publish an announcement",
    description=(
        "Publish a draft and notify its audience: a class's or school's always (held by quiet "
        "hours unless urgent); a county's only when urgent. 422 if already published."
    ),
)
def announcement_publish(request: HttpRequest, public_id: PublicId) -> Any:
    a = _owned(request, public_id)
    n = asvc.announcement_publish(user=request.user, announcement=a)
    a.refresh_from_db()
    return {"announcement": _announcement(a, request.user), "notified": n}


@router.post(
    "/homeschool/announcements/{public_id}/read",
    response=responses({200: ReadOut}, 404, 422),
    summary="Mark an announcement read",
    description="Your read receipt (once; the first read counts). 404 if it is not for you.",
)
def announcement_mark_read(request: HttpRequest, public_id: PublicId) -> Any:
    a = visible_announcement(request, public_id)
    r = asvc.announcement_read(user=request.user, announcement=a)
    return {"read_at": r.read_at if r else None}


@router.get(
    "/homeschool/announcements/{public_id}/receipts",
    response=responses({200: ReceiptsOut}, 403, 404, 422),
    summary="Read receipts of an announcement",
    description=(
        "Expected readers (the audience from enrolments, guardianships and memberships) and "
        "how many read it: per class for a school's or class's, per school for a county's; "
        "for a class's, who has not read yet. For who announced it (403 for others)."
    ),
)
def announcement_receipts(request: HttpRequest, public_id: PublicId) -> Any:
    a = _owned(request, public_id)
    r = asel.receipts(announcement=a)
    return {
        "expected": r.expected,
        "read": r.read,
        "by": r.by,
        "rows": [{"label": x.label, "expected": x.expected, "read": x.read} for x in r.rows],
        "unread": [{"name": n, "part": p} for n, p in r.unread_names],
    }


# --------------------------------------------------------------------------- conversations


@router.get(
    "/homeschool/conversations",
    response=responses({200: list[ConversationOut]}, 422),
    summary="My conversations",
    description=(
        "Your conversations with teachers or parents (a school administrator also sees the "
        "school's), latest message first, with unread counts."
    ),
)
@paged
def conversation_list(request: HttpRequest, filters: Query[ConversationFilters]) -> Any:
    rows = msel.conversations(user=request.user, query=filters.q.strip())
    return [_conversation(c) for c in rows]


@router.post(
    "/homeschool/conversations",
    response=responses({200: ConversationOut}, 403, 422),
    summary="Start (or open) a conversation",
    description=(
        "A parent with the homeroom teacher or a subject teacher of the child's class "
        "(student, teacher); a teacher with a parent of a student they teach (student, "
        "parent). Returns the existing conversation if there is one. 403 for who may start "
        "none (not a school's teacher nor a parent); a student or person not offered is a 422."
    ),
)
def conversation_start(request: HttpRequest, data: ConversationIn) -> Any:
    me = getattr(request.user, "person", None)
    if me is None:
        raise PermissionDenied(_("This account has no person behind it."))
    scope = scope_for(request.user)
    if not (scope.child_ids or scope.staff_school_ids):  # who may start none
        raise PermissionDenied(_("Conversations are between a school's teachers and parents."))
    if bool(data.teacher) == bool(data.parent):
        raise ValidationError({"teacher": _("Give the teacher (as a parent) or the parent.")})
    role, other_id = ("parent", data.teacher) if data.teacher else ("teacher", data.parent)
    field = "teacher" if role == "parent" else "parent"
    items = [
        i
        for i in msel.start_choices(user=request.user)
        if i["role"] == role and i["student"].public_id == data.student
    ]
    if not items:
        raise ValidationError({"student": _("Choose one of your children or your students.")})
    people = {p.public_id: p for i in items for p, _label in i["options"]}
    other = people.get(other_id)
    if other is None:
        raise ValidationError({field: _("Choose one of the people offered for this student.")})
    student = items[0]["student"]
    teacher, parent = (other, me) if role == "parent" else (me, other)
    c = msvc.conversation_start(user=request.user, teacher=teacher, parent=parent, student=student)
    c = msel.conversations(user=request.user).get(pk=c.pk)
    return _conversation(c)


@router.get(
    "/homeschool/conversations/{public_id}",
    response=responses({200: ConversationDetailOut}, 404, 422),
    summary="One conversation with its messages",
    description=(
        "For the two people in it (reading it marks the other one's messages read) and the "
        "school's administrators (read only, audited); 404 for anyone else."
    ),
)
def conversation_get(request: HttpRequest, public_id: PublicId) -> Any:
    c = get_visible_or_404(Conversation, request.user, public_id)
    pid = scope_for(request.user).person_id
    writable = pid in (c.teacher_id, c.parent_id)
    if writable:
        msvc.conversation_read(user=request.user, conversation=c)
    else:
        msvc.conversation_audit_read(user=request.user, conversation=c, request=request)
    c = msel.conversations(user=request.user).get(pk=c.pk)
    out = _conversation(c)
    out["messages"] = [_message(m, pid) for m in msel.thread(conversation=c)]
    out["writable"] = writable
    return out


@router.post(
    "/homeschool/conversations/{public_id}/messages",
    response=responses({201: SentOut}, 403, 404, 422),
    summary="Send a message",
    description=(
        "One of the two people writes (the school's administrators 403). The other is "
        "notified, after their quiet hours unless a teacher marks it urgent; held_until says "
        "when. Messages cannot be changed or deleted."
    ),
)
def message_send(request: HttpRequest, public_id: PublicId, data: MessageIn) -> Any:
    c = get_visible_or_404(Conversation, request.user, public_id)
    sent = msvc.message_send(user=request.user, conversation=c, body=data.body, urgent=data.urgent)
    pid = scope_for(request.user).person_id
    return Status(201, {"message": _message(sent.message, pid), "held_until": sent.held_until})


@router.post(
    "/homeschool/conversations/{public_id}/read",
    response=responses({200: CountOut}, 404, 422),
    summary="Mark a conversation read",
    description="Marks the other one's messages read (the two people only; 0 for others).",
)
def conversation_mark_read(request: HttpRequest, public_id: PublicId) -> Any:
    c = get_visible_or_404(Conversation, request.user, public_id)
    return {"count": msvc.conversation_read(user=request.user, conversation=c)}


# --------------------------------------------------------------------------- notifications


@router.get(
    "/homeschool/notifications",
    response=responses({200: list[NotificationOut]}, 422),
    summary="My notifications",
    description="Delivered notifications (held ones appear after quiet hours), unread first.",
)
@paged
def notification_list(request: HttpRequest) -> Any:
    return [_notification(n) for n in ordered(selectors.notifications(user=request.user))]


@router.post(
    "/homeschool/notifications/read",
    response=responses({200: CountOut}, 404, 422),
    summary="Mark notifications read",
    description="The notifications named in ids, or all delivered ones when none; 404 for an "
    "id that is not yours.",
)
def notification_mark_read(request: HttpRequest, data: NotificationReadIn) -> Any:
    if data.ids:
        rows = [get_visible_or_404(Notification, request.user, i) for i in data.ids]
        n = services.notification_mark_read(user=request.user, notifications=rows)
    else:
        n = services.notification_mark_read(user=request.user)
    return {"count": n}


def _preference(request: HttpRequest) -> dict[str, Any]:
    pid = scope_for(request.user).person_id
    if pid is None:
        raise PermissionDenied(_("This account has no person behind it."))
    pref = NotificationPreference.objects.filter(person_id=pid).first()
    default = school_default(request.user)
    out = {
        "own": pref is not None,
        "school_quiet_start": default[0] if default else None,
        "school_quiet_end": default[1] if default else None,
    }
    if pref is not None:
        out |= {
            "email": pref.email,
            "quiet_enabled": pref.quiet_enabled,
            "quiet_start": pref.quiet_start,
            "quiet_end": pref.quiet_end,
        }
    else:
        out |= {
            "email": True,
            "quiet_enabled": default is not None,
            "quiet_start": default[0] if default else None,
            "quiet_end": default[1] if default else None,
        }
    return out


@router.get(
    "/homeschool/preferences",
    response=responses({200: PreferenceOut}, 403),
    summary="My notification settings",
    description="Email on or off and quiet hours; the school's defaults when you set none.",
)
def preference_get(request: HttpRequest) -> Any:
    return _preference(request)


@router.put(
    "/homeschool/preferences",
    response=responses({200: PreferenceOut}, 403, 422),
    summary="Change my notification settings",
    description="Email on or off; quiet hours on or off with start and end (they may run "
    "over midnight; start and end must differ).",
)
def preference_put(request: HttpRequest, data: PreferenceIn) -> Any:
    if scope_for(request.user).person_id is None:
        raise PermissionDenied(_("This account has no person behind it."))
    services.preference_save(
        user=request.user,
        email=data.email,
        quiet_enabled=data.quiet_enabled,
        quiet_start=data.quiet_start,
        quiet_end=data.quiet_end,
    )
    return _preference(request)
