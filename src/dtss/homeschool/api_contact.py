"""API of the homeschool: contact — the electronic contact book (電子聯絡簿).

The same rules as the pages (`contact_views.py`): a class's entries for whoever may read the
class's contact book (drafts for the school's staff only); the homeroom teacher and the
school's administrators write, publish and attach (`access.may_write_class`; others 403);
the school's staff list who signed; a parent signs for their own child; the homeroom teacher
or the school's administrators answer replies. Another school's, county's or family's class,
entry, signature or file is a 404. Bad input is a 422 naming the field; nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import access
from dtss.homeschool import contact_selectors as sel
from dtss.homeschool import contact_services as svc
from dtss.homeschool.contact_views import attachment_response
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature
from dtss.orgs.models import Enrollment, Person, SchoolClass

router = Router(tags=["homeschool"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]
Day = Annotated[dt.date, Path(description="The school day, YYYY-MM-DD.")]


# --------------------------------------------------------------------------- schemas


class ContactFileOut(Schema):
    public_id: UUID = Field(description="The file's id.")
    name: str = Field(description="The file name.")
    size: int = Field(description="Size in bytes.")
    content_type: str = Field(description="The file's media type.")
    url: str = Field(description="Where to download it (the page's link; same sign-in).")


class ContactEntryOut(Schema):
    public_id: UUID = Field(description="The entry's id.")
    school_class: UUID = Field(description="The class's id.")
    class_name: str = Field(description="The class, e.g. 5年01班.")
    school_name: str = Field(description="The school's name.")
    date: dt.date = Field(description="The school day of the entry.")
    homework: str = Field(description="Homework.")
    notices: str = Field(description="Notices to the families.")
    bring: str = Field(description="Things to bring.")
    author_name: str = Field(description="Who wrote it last.")
    published_at: dt.datetime | None = Field(
        description="When it was published; null: a draft (only the school's staff see it)."
    )
    signed: int | None = Field(
        description="How many students are signed for (the school's staff; else null)."
    )
    enrolled: int | None = Field(
        description="How many students are in the class (the school's staff; else null)."
    )
    files: list[ContactFileOut] = Field(description="The attached files (in the entry only).")
    url: str = Field(description="The entry's page.")


class ContactEntryFilters(Schema):
    q: str = Field("", max_length=100, description="Text in the homework, notices or things.")
    date_from: dt.date | None = Field(
        None, alias="from", description="Only entries of this day or later."
    )
    date_to: dt.date | None = Field(None, alias="to", description="Only entries up to this day.")


class ContactEntryIn(Schema):
    homework: str = Field("", max_length=4000, description="Homework.")
    notices: str = Field("", max_length=4000, description="Notices to the families.")
    bring: str = Field("", max_length=4000, description="Things to bring.")
    publish: bool = Field(
        False,
        description="Publish it (the class's students and parents are told, once); false "
        "keeps a draft a draft (a published entry stays published).",
    )


class ContactSignatureOut(Schema):
    public_id: UUID | None = Field(description="The signature's id (null: not signed).")
    seat: int = Field(description="The student's seat number.")
    student: UUID = Field(description="The student's id.")
    student_name: str = Field(description="The student's name.")
    signed: bool = Field(description="Whether a parent has signed for the student.")
    signed_by: str = Field(description="The parent who signed (empty: not signed).")
    signed_at: dt.datetime | None = Field(description="When they first signed.")
    reply: str = Field(description="The parent's reply to the teacher.")
    answer: str = Field(description="The teacher's answer.")
    answered_at: dt.datetime | None = Field(description="When the teacher answered.")


class ContactSignatureFilters(Schema):
    unsigned: bool = Field(False, description="Only the students not signed for.")


class ContactSignIn(Schema):
    student: UUID = Field(description="Your child's id (a student of the entry's class).")
    reply: str = Field(
        "",
        max_length=1000,
        description="An optional reply to the teacher; signing again adds or replaces it.",
    )


class ContactAnswerIn(Schema):
    answer: str = Field(max_length=1000, description="The answer to the parent's reply.")


# --------------------------------------------------------------------------- helpers


def _file(a: ContactAttachment) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "url": reverse("homeschool:contact_attachment", args=[a.public_id]),
    }


def _entry(
    e: ContactEntry, *, staff: bool, enrolled: int | None = None, files: Any = ()
) -> dict[str, Any]:
    signed = getattr(e, "signed", None)
    if staff and signed is None:
        signed = e.signatures.count()
    return {
        "public_id": e.public_id,
        "school_class": e.school_class.public_id,
        "class_name": str(e.school_class),
        "school_name": e.school.name,
        "date": e.date,
        "homework": e.homework,
        "notices": e.notices,
        "bring": e.bring,
        "author_name": e.author.name if e.author else "",
        "published_at": e.published_at,
        "signed": signed if staff else None,
        "enrolled": enrolled if staff else None,
        "files": [_file(a) for a in files],
        "url": reverse("homeschool:contact_entry", args=[e.public_id]),
    }


def _class(request: HttpRequest, public_id: UUID) -> SchoolClass:
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not sel.may_read_class_book(request.user, school_class):
        raise PermissionDenied(_("You may not read this class's contact book."))
    return school_class


def _entry_out(request: HttpRequest, entry: ContactEntry) -> dict[str, Any]:
    entry = ContactEntry.objects.select_related("school_class", "school", "author").get(pk=entry.pk)
    staff = sel.may_read_signatures(request.user, entry.school_class)
    return _entry(
        entry,
        staff=staff,
        enrolled=sel.enrolled_count(entry.school_class) if staff else None,
        files=sel.entry_files(user=request.user, entry=entry),
    )


def _writable_entry(request: HttpRequest, public_id: UUID) -> ContactEntry:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    if not access.may_write_class(request.user, entry.school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school write this."))
    return entry


# --------------------------------------------------------------------------- entries


@router.get(
    "/homeschool/contact/classes/{public_id}/entries",
    response=responses({200: list[ContactEntryOut]}, 403, 404, 422),
    summary="A class's contact book",
    description=(
        "The class's entries, newest day first: for the school's staff and the county's "
        "office (drafts too for the school's staff), the class's students and their parents "
        "(published ones only). Filters: q (text), from, to. Another tenant's class 404; a "
        "role that never reads contact books (the MOE viewer) 403. Files are listed on the "
        "single entry."
    ),
)
@paged
def contact_entry_list(
    request: HttpRequest, public_id: PublicId, filters: Query[ContactEntryFilters]
) -> Any:
    school_class = _class(request, public_id)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationError({"to": _("The end cannot be before the start.")})
    rows = sel.class_entries(
        user=request.user,
        school_class=school_class,
        query=filters.q,
        start=filters.date_from,
        end=filters.date_to,
    ).select_related("school_class", "school")
    staff = sel.may_read_signatures(request.user, school_class)
    enrolled = sel.enrolled_count(school_class) if staff else None
    return [_entry(e, staff=staff, enrolled=enrolled) for e in rows]


@router.get(
    "/homeschool/contact/entries/{public_id}",
    response=responses({200: ContactEntryOut}, 404),
    summary="One day's contact book entry",
    description=(
        "The entry with its files. A draft is a 404 for students and parents, as is another "
        "school's, county's or family's entry."
    ),
)
def contact_entry_get(request: HttpRequest, public_id: PublicId) -> Any:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    return _entry_out(request, entry)


@router.put(
    "/homeschool/contact/classes/{public_id}/entries/{day}",
    response=responses({200: ContactEntryOut}, 403, 404, 422),
    summary="Write a day's contact book entry",
    description=(
        "Create or update the class's one entry of the day (homework, notices, things to "
        "bring), as a draft or published (publish=true tells the class's students and parents "
        "once). The homeroom teacher and the school's administrators only (403). A day more "
        "than 14 days ahead (date) or an entry with nothing written (homework) is a 422."
    ),
)
def contact_entry_put(
    request: HttpRequest, public_id: PublicId, day: Day, data: ContactEntryIn
) -> Any:
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not access.may_write_class(request.user, school_class):
        raise PermissionDenied(_("Only the homeroom teacher and the school write this."))
    entry = svc.entry_save(
        user=request.user,
        school_class=school_class,
        day=day,
        homework=data.homework,
        notices=data.notices,
        bring=data.bring,
        publish=data.publish,
        http_request=request,
    )
    return _entry_out(request, entry)


@router.post(
    "/homeschool/contact/entries/{public_id}/publish",
    response=responses({200: ContactEntryOut}, 403, 404, 422),
    summary="Publish a contact book entry",
    description=(
        "A draft becomes visible to the class's students and parents, who are notified. "
        "Publishing a published entry changes nothing. Writers only (403)."
    ),
)
def contact_entry_publish(request: HttpRequest, public_id: PublicId) -> Any:
    entry = _writable_entry(request, public_id)
    entry = svc.entry_publish(user=request.user, entry=entry, http_request=request)
    return _entry_out(request, entry)


@router.post(
    "/homeschool/contact/entries/{public_id}/files",
    response=responses({201: list[ContactFileOut]}, 403, 404, 422),
    summary="Attach files to a contact book entry",
    description=(
        "Multipart form: `files` (at most 5 per entry, 10 MB each; PDF, pictures, text and "
        "office documents). Writers only (403). A bad file is a 422 naming files, and nothing "
        "is kept."
    ),
)
def contact_attachment_add(
    request: HttpRequest,
    public_id: PublicId,
    files: Annotated[list[UploadedFile], File(..., description="The files to attach.")],
) -> Any:
    entry = _writable_entry(request, public_id)
    added = svc.attachment_add(user=request.user, entry=entry, files=files, http_request=request)
    return Status(201, [_file(a) for a in added])


@router.get(
    "/homeschool/contact/attachments/{public_id}",
    response=responses({200: None}, 404),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file itself, as an attachment named as uploaded.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    summary="Download a contact book file",
    description=(
        "For whoever may read the entry; a draft's file is a 404 for students and parents, as "
        "is another tenant's."
    ),
)
def contact_attachment_get(request: HttpRequest, public_id: PublicId) -> HttpResponse:
    att = get_visible_or_404(ContactAttachment, request.user, public_id)
    return attachment_response(att)


@router.delete(
    "/homeschool/contact/attachments/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Remove a contact book file",
    description="Writers only (403); another tenant's file 404.",
)
def contact_attachment_delete(request: HttpRequest, public_id: PublicId) -> Any:
    att = get_visible_or_404(ContactAttachment, request.user, public_id)
    svc.attachment_remove(user=request.user, attachment=att, http_request=request)
    return Status(204, None)


# --------------------------------------------------------------------------- signatures


@router.get(
    "/homeschool/contact/entries/{public_id}/signatures",
    response=responses({200: list[ContactSignatureOut]}, 403, 404, 422),
    summary="Who signed a contact book entry",
    description=(
        "One row per student of the class: not signed first, then by seat; with the "
        "parent's reply and the teacher's answer. The school's staff only (403); audited."
    ),
)
@paged
def contact_signature_list(
    request: HttpRequest, public_id: PublicId, filters: Query[ContactSignatureFilters]
) -> Any:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    if not sel.may_read_signatures(request.user, entry.school_class):
        raise PermissionDenied(_("Only the school's staff see who signed."))
    from dtss.core.services import audit_record

    audit_record(
        actor=request.user, action="homeschool.contact_status_read", obj=entry, request=request
    )
    return [
        {
            "public_id": r.signature.public_id if r.signature else None,
            "seat": r.seat,
            "student": r.student.public_id,
            "student_name": r.student.name,
            "signed": r.signed,
            "signed_by": r.signature.signed_by.name if r.signature else "",
            "signed_at": r.signature.signed_at if r.signature else None,
            "reply": r.signature.reply if r.signature else "",
            "answer": r.signature.answer if r.signature else "",
            "answered_at": r.signature.answered_at if r.signature else None,
        }
        for r in sel.entry_status(entry=entry, unsigned_only=filters.unsigned)
    ]


def _signature(sig: ContactSignature, seat: int) -> dict[str, Any]:
    return {
        "public_id": sig.public_id,
        "seat": seat,
        "student": sig.student.public_id,
        "student_name": sig.student.name,
        "signed": True,
        "signed_by": sig.signed_by.name,
        "signed_at": sig.signed_at,
        "reply": sig.reply,
        "answer": sig.answer,
        "answered_at": sig.answered_at,
    }


def _seat(sig: ContactSignature) -> int:
    row = Enrollment.objects.filter(
        school_class_id=sig.school_class_id, student_id=sig.student_id
    ).first()
    return row.seat_number if row else 0


@router.post(
    "/homeschool/contact/entries/{public_id}/sign",
    response=responses({200: ContactSignatureOut}, 403, 404, 422),
    summary="Sign a contact book entry (parent)",
    description=(
        "A parent signs for their own child in the entry's class, with an optional reply to "
        "the teacher (who is notified). Signing again keeps the first signature and its time "
        "and adds or replaces the reply. Anyone but a parent 403; a student who is not your "
        "child 403; a student not in the class a 422 naming student."
    ),
)
def contact_entry_sign(request: HttpRequest, public_id: PublicId, data: ContactSignIn) -> Any:
    entry = get_visible_or_404(ContactEntry, request.user, public_id)
    if not scope_for(request.user).child_ids:
        raise PermissionDenied(_("Only the student's parents sign the contact book."))
    student = ref_or_422(
        Person.objects.filter(
            pk__in=Enrollment.objects.filter(school_class_id=entry.school_class_id).values(
                "student_id"
            )
        ),
        "student",
        public_id=data.student,
    )
    sig = svc.signature_sign(
        user=request.user, entry=entry, student=student, reply=data.reply, http_request=request
    )
    sig = ContactSignature.objects.select_related("student", "signed_by").get(pk=sig.pk)
    return _signature(sig, _seat(sig))


@router.post(
    "/homeschool/contact/signatures/{public_id}/answer",
    response=responses({200: ContactSignatureOut}, 403, 404, 422),
    summary="Answer a parent's reply",
    description=(
        "The homeroom teacher or the school's administrators answer (403 for anyone else); "
        "the parent who signed is notified. An empty answer is a 422 naming answer."
    ),
)
def contact_signature_answer(
    request: HttpRequest, public_id: PublicId, data: ContactAnswerIn
) -> Any:
    sig = get_visible_or_404(ContactSignature, request.user, public_id)
    svc.signature_answer(user=request.user, signature=sig, answer=data.answer, http_request=request)
    sig = ContactSignature.objects.select_related("student", "signed_by").get(pk=sig.pk)
    return _signature(sig, _seat(sig))
