"""Reads of the electronic contact book. Every read starts from `visible_to(user)`:

- a class's entries by date (drafts for the school's staff only), with sign counts;
- one entry's status per enrolled student (seat, name, who signed and when, reply, answer);
- a class's sign rate over a period; per student per day for the CSV export;
- for a parent, per child the latest entries of the child's class (children at several
  schools in one list); for a student, their class's entries.

Who sees the per-student table: the school's staff (`may_read_signatures`). The county's
office reads the entries and counts, never a student's row; a parent sees only their own
children's signatures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from dtss.core.tenancy import scope_for
from dtss.homeschool import selectors as hs_selectors
from dtss.homeschool.models import ContactAttachment, ContactEntry, ContactSignature


def may_read_class_book(user: Any, school_class: Any) -> bool:
    """The school's staff, the county's office, the class's students and their parents."""
    scope = scope_for(user)
    if scope.superuser:
        return True
    if school_class.school_id in scope.staff_school_ids:
        return True
    if school_class.county_id in scope.county_ids:
        return True
    from dtss.orgs.models import Enrollment

    own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
    return (
        bool(own)
        and Enrollment.objects.filter(school_class=school_class, student_id__in=own).exists()
    )


def may_read_signatures(user: Any, school_class: Any) -> bool:
    """Who signed and who has not, per student: the school's staff."""
    scope = scope_for(user)
    return scope.superuser or school_class.school_id in scope.staff_school_ids


def enrolled_count(school_class: Any) -> int:
    from dtss.orgs.models import Enrollment

    return Enrollment.objects.filter(school_class=school_class).count()


def class_entries(
    *,
    user: Any,
    school_class: Any,
    query: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[ContactEntry]:
    """The class's entries the user may see, newest day first, each with `signed` (how many
    students are signed for)."""
    qs = ContactEntry.objects.visible_to(user).filter(school_class=school_class)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(homework__icontains=query) | Q(notices__icontains=query) | Q(bring__icontains=query)
        )
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return (
        qs.annotate(signed=Count("signatures", distinct=True), files=Count("attachments"))
        .select_related("author")
        .order_by("-date")
    )


@dataclass
class StatusRow:
    seat: int
    student: Any
    signature: ContactSignature | None

    @property
    def signed(self) -> bool:
        return self.signature is not None


def entry_status(*, entry: ContactEntry, unsigned_only: bool = False) -> list[StatusRow]:
    """One row per student enrolled in the entry's class: not signed first, then by seat."""
    from dtss.orgs.models import Enrollment

    sigs = {
        s.student_id: s
        for s in ContactSignature.objects.filter(entry=entry).select_related("signed_by")
    }
    rows = [
        StatusRow(seat=e.seat_number, student=e.student, signature=sigs.get(e.student_id))
        for e in Enrollment.objects.filter(school_class_id=entry.school_class_id)
        .select_related("student")
        .order_by("seat_number")
    ]
    if unsigned_only:
        rows = [r for r in rows if not r.signed]
    return sorted(rows, key=lambda r: (r.signed, r.seat))


def sign_rate(
    *, school_class: Any, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """Published entries of the class in the period, signatures on them, and the share
    signed of (entries × enrolled students)."""
    entries = ContactEntry.objects.filter(school_class=school_class, published_at__isnull=False)
    if start is not None:
        entries = entries.filter(date__gte=start)
    if end is not None:
        entries = entries.filter(date__lte=end)
    n_entries = entries.count()
    signed = ContactSignature.objects.filter(entry__in=entries).count()
    expected = n_entries * enrolled_count(school_class)
    return {
        "entries": n_entries,
        "signed": signed,
        "expected": expected,
        "rate": round(100 * signed / expected) if expected else None,
    }


def entry_files(*, user: Any, entry: ContactEntry) -> QuerySet[ContactAttachment]:
    return ContactAttachment.objects.visible_to(user).filter(entry=entry).order_by("id")


def my_children_in_class(*, user: Any, entry: ContactEntry) -> list[tuple[Any, Any]]:
    """A parent's children enrolled in the entry's class, each with their signature or None."""
    from dtss.orgs.models import Enrollment, Person

    scope = scope_for(user)
    if not scope.child_ids:
        return []
    ids = set(
        Enrollment.objects.filter(
            school_class_id=entry.school_class_id, student_id__in=scope.child_ids
        ).values_list("student_id", flat=True)
    )
    sigs = {
        s.student_id: s
        for s in ContactSignature.objects.filter(entry=entry, student_id__in=ids).select_related(
            "signed_by"
        )
    }
    return [(c, sigs.get(c.pk)) for c in Person.objects.filter(pk__in=ids).order_by("name")]


@dataclass
class ChildBook:
    child: Any
    enrolment: Any
    entries: list[tuple[ContactEntry, ContactSignature | None]] = field(default_factory=list)

    @property
    def unsigned(self) -> int:
        return sum(1 for _e, s in self.entries if s is None)


def family_books(*, user: Any, limit: int = 5) -> list[ChildBook]:
    """For a parent: each child (even at different schools) with the latest published
    entries of the child's current class and the child's signature on each."""
    out = []
    for child, enrolment in hs_selectors.my_children(user=user):
        book = ChildBook(child=child, enrolment=enrolment)
        if enrolment is not None:
            entries = list(
                ContactEntry.objects.visible_to(user)
                .filter(school_class_id=enrolment.school_class_id, published_at__isnull=False)
                .order_by("-date")[:limit]
            )
            sigs = {
                s.entry_id: s
                for s in ContactSignature.objects.filter(
                    entry__in=entries, student=child
                ).select_related("signed_by")
            }
            book.entries = [(e, sigs.get(e.pk)) for e in entries]
        out.append(book)
    return out


def student_entries(*, user: Any, limit: int = 10) -> tuple[Any, list[ContactEntry]]:
    """A student's current class and its latest published entries."""
    enrolment = hs_selectors.my_enrolment(user=user)
    if enrolment is None:
        return None, []
    entries = list(
        ContactEntry.objects.visible_to(user)
        .filter(school_class_id=enrolment.school_class_id, published_at__isnull=False)
        .order_by("-date")[:limit]
    )
    return enrolment, entries


@dataclass
class ClassToday:
    school_class: Any
    entry: ContactEntry | None
    signed: int
    enrolled: int


def writable_today(*, user: Any, day: dt.date) -> list[ClassToday]:
    """The classes the user writes for, each with the day's entry and signed x/y."""
    classes = list(hs_selectors.writable_classes(user=user))
    entries = {
        e.school_class_id: e
        for e in ContactEntry.objects.filter(school_class__in=classes, date=day).annotate(
            signed=Count("signatures")
        )
    }
    from dtss.orgs.models import Enrollment

    counts = dict(
        Enrollment.objects.filter(school_class__in=classes)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    out = []
    for c in classes:
        e = entries.get(c.pk)
        out.append(
            ClassToday(
                school_class=c,
                entry=e,
                signed=getattr(e, "signed", 0) if e else 0,
                enrolled=counts.get(c.pk, 0),
            )
        )
    return out


def signature_rows(
    *, user: Any, school_class: Any, start: dt.date, end: dt.date
) -> list[tuple[ContactEntry, StatusRow]]:
    """Per published entry (day) in the period, per enrolled student: the status rows, for the
    CSV export. Only for those who `may_read_signatures`."""
    entries = (
        ContactEntry.objects.visible_to(user)
        .filter(
            school_class=school_class,
            published_at__isnull=False,
            date__gte=start,
            date__lte=end,
        )
        .order_by("date")
    )
    out = []
    for entry in entries:
        rows = sorted(entry_status(entry=entry), key=lambda r: r.seat)
        out.extend((entry, r) for r in rows)
    return out
