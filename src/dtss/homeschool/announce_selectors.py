"""Reads of announcements: what a user sees (pinned first, unread marked), what they may
announce to, and read receipts (expected readers from the audience vs those who read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from dtss.core.tenancy import scope_for
from dtss.homeschool import announce_services as asvc
from dtss.homeschool import selectors as hs_selectors
from dtss.homeschool.models import Announcement, AnnouncementRead

FILTERS = ("all", "unread", "urgent", "drafts")
OWNERS = ("", "county", "school", "class")


def owned_q(user: Any) -> Q:
    """Announcements the user may edit and publish (their office's, school's, classes')."""
    scope = scope_for(user)
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids, school__isnull=True)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    if scope.person_id and scope.teacher_school_ids:
        q |= Q(
            school_class__homeroom_teacher_id=scope.person_id,
            school_id__in=scope.teacher_school_ids,
        )
    return q


def announcements(
    *, user: Any, show: str = "all", owner: str = "", query: str = ""
) -> QuerySet[Announcement]:
    """What the user sees: published and not expired (their own drafts too), pinned first,
    newest first, each with `is_read`."""
    scope = scope_for(user)
    today = timezone.localdate()
    qs = Announcement.objects.visible_to(user)
    mine = owned_q(user)
    live = Q(published_at__isnull=False) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if show == "drafts":
        qs = qs.filter(mine, published_at__isnull=True)
    else:
        qs = qs.filter(live | (mine & Q(published_at__isnull=True)))
    reads = AnnouncementRead.objects.filter(
        announcement=OuterRef("pk"), person_id=scope.person_id or 0
    )
    qs = qs.annotate(is_read=Exists(reads))
    if show == "unread":
        qs = qs.filter(is_read=False, published_at__isnull=False)
    elif show == "urgent":
        qs = qs.filter(urgent=True)
    if owner == "county":
        qs = qs.filter(school__isnull=True)
    elif owner == "school":
        qs = qs.filter(school__isnull=False, school_class__isnull=True)
    elif owner == "class":
        qs = qs.filter(school_class__isnull=False)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return qs.select_related("county", "school", "school_class", "author").order_by(
        "-pinned", F("published_at").desc(nulls_first=True), "-id"
    )


def unread_count(*, user: Any) -> int:
    return announcements(user=user, show="unread").count()


def owners(*, user: Any) -> list[tuple[str, str, Any, Any, Any]]:
    """What the user may announce to: [(key, label, county, school, class)] — the county's
    office its county, a school's administrators their school, homeroom teachers (and the
    administrators) the classes of the latest term."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    out: list[tuple[str, str, Any, Any, Any]] = []
    counties = (
        County.objects.all() if scope.superuser else County.objects.filter(pk__in=scope.county_ids)
    )
    for c in counties.order_by("code"):
        out.append((f"county:{c.code}", str(c.name), c, None, None))
    schools = School.objects.filter(pk__in=scope.admin_school_ids).order_by("code")
    for s in schools:
        out.append((f"school:{s.public_id}", str(s.name), s.county, s, None))
    for k in hs_selectors.writable_classes(user=user):
        label = f"{k.school.name} {k}"
        out.append((f"class:{k.public_id}", label, k.county, k.school, k))
    return out


@dataclass
class ReceiptRow:
    label: str
    expected: int
    read: int
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> int:
        return round(100 * self.read / self.expected) if self.expected else 0


@dataclass
class Receipts:
    expected: int
    read: int
    rows: list[ReceiptRow]
    unread_names: list[tuple[str, str]]  # (name, part) — a class announcement only
    by: str  # "class" or "school"
    others_read: int = 0  # read by people outside the audience (e.g. other staff)

    @property
    def share(self) -> int:
        return round(100 * self.read / self.expected) if self.expected else 0


def receipts(*, announcement: Announcement) -> Receipts:
    """Expected readers (the audience from enrolments, guardianships and memberships) vs those
    who read: in total; per class for a school's or class's announcement (students and parents
    of the class; staff as one row), per school for a county's; and for a class's announcement
    the names of who has not read yet."""
    from dtss.orgs.models import Enrollment, Guardianship, Person

    parts = {k: set(v) for k, v in asvc.audience_parts(announcement).items()}
    everyone: set[int] = set().union(*parts.values()) if parts else set()
    read_ids = set(
        AnnouncementRead.objects.filter(announcement=announcement).values_list(
            "person_id", flat=True
        )
    )
    rows: list[ReceiptRow] = []
    unread_names: list[tuple[str, str]] = []
    classes = asvc.audience_classes(announcement)
    if announcement.school_id:
        by = "class"
        enrol = list(
            Enrollment.objects.filter(school_class__in=classes).values_list(
                "school_class_id", "student_id"
            )
        )
        guardians: dict[int, set[int]] = {}
        for child, parent in Guardianship.objects.filter(
            child_id__in=[s for _c, s in enrol]
        ).values_list("child_id", "parent_id"):
            guardians.setdefault(child, set()).add(parent)
        per_class: dict[int, set[int]] = {}
        for cid, sid in enrol:
            bucket = per_class.setdefault(cid, set())
            if "students" in parts:
                bucket.add(sid)
            if "parents" in parts:
                bucket |= guardians.get(sid, set())
        for klass in classes.select_related("school").order_by("grade", "number"):
            ids = per_class.get(klass.pk, set())
            if not ids:
                continue
            rows.append(ReceiptRow(str(klass), len(ids), len(ids & read_ids)))
        if "staff" in parts:
            rows.append(ReceiptRow("staff", len(parts["staff"]), len(parts["staff"] & read_ids)))
        if announcement.school_class_id:
            missing = everyone - read_ids
            names = dict(Person.objects.filter(pk__in=missing).values_list("pk", "name"))
            for part in ("students", "parents", "staff"):
                for pid in sorted(parts.get(part, set()) & missing, key=lambda p: names[p]):
                    unread_names.append((names[pid], part))
                    missing.discard(pid)
    else:
        by = "school"
        from dtss.orgs.models import Membership

        school_of: dict[int, set[int]] = {}
        for pid, sid in Membership.objects.filter(
            person_id__in=everyone, school__county_id=announcement.county_id
        ).values_list("person_id", "school_id"):
            school_of.setdefault(sid, set()).add(pid)
        from dtss.orgs.models import School

        for school in School.objects.filter(pk__in=school_of).order_by("code"):
            ids = school_of[school.pk]
            rows.append(ReceiptRow(str(school.name), len(ids), len(ids & read_ids)))
    return Receipts(
        expected=len(everyone),
        read=len(everyone & read_ids),
        rows=rows,
        unread_names=unread_names,
        by=by,
        others_read=len(read_ids - everyone),
    )
