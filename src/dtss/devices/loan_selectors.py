"""Reads of assignments, loans, loan requests and the loan priority queue.

Every read starts from `visible_to(user)`; the queue (which ranks students by their support
categories) is only computed for staff who pass `access.may_see_equity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.tenancy import scope_for
from dtss.devices import access
from dtss.devices.loan_services import LENDABLE_KINDS
from dtss.devices.models import (
    CONNECTIVITY_KINDS,
    STUDENT_DEVICE_KINDS,
    Assignment,
    Device,
    LoanRequest,
    StudentSupport,
)
from dtss.orgs.models import Membership, Person, Role, School

STATES = ("awaiting", "active", "recalled", "overdue", "returned")


def _today() -> dt.date:
    return timezone.localdate()


def overdue_q(today: dt.date | None = None) -> Q:
    """Active loans past their expected return, and recalled loans past the recall date."""
    today = today or _today()
    return Q(ended_at__isnull=True) & (
        Q(status=Assignment.Status.ACTIVE, due_on__lt=today, kind__in=["loan", "loaner"])
        | Q(status=Assignment.Status.RECALLED, recall_due_on__lt=today)
    )


def is_overdue(assignment: Assignment, today: dt.date | None = None) -> bool:
    today = today or _today()
    if assignment.ended_at is not None:
        return False
    if assignment.status == Assignment.Status.RECALLED:
        return bool(assignment.recall_due_on and assignment.recall_due_on < today)
    return bool(
        assignment.status == Assignment.Status.ACTIVE
        and assignment.kind != Assignment.Kind.ASSIGN
        and assignment.due_on
        and assignment.due_on < today
    )


def overdue_loans(*, user: Any, school: School | None = None) -> QuerySet[Assignment]:
    qs = Assignment.objects.visible_to(user).filter(overdue_q())
    if school is not None:
        qs = qs.filter(school=school)
    return qs.select_related("device", "person").order_by("due_on", "id")


def managed_schools(*, user: Any) -> QuerySet[School]:
    """The schools whose loans the user may change."""
    scope = scope_for(user)
    qs = School.objects.filter(active=True)
    if scope.superuser:
        return qs.order_by("code")
    return qs.filter(Q(pk__in=scope.admin_school_ids) | Q(county_id__in=scope.county_ids)).order_by(
        "code"
    )


def equity_schools(*, user: Any) -> QuerySet[School]:
    """The schools whose equity data (and loan queue) the user may see."""
    scope = scope_for(user)
    return School.objects.filter(
        pk__in=[
            s.pk
            for s in managed_schools(user=user)
            if access.may_see_equity(scope, school_id=s.pk, county_id=s.county_id)
        ]
    ).order_by("code")


def assignment_list(
    *,
    user: Any,
    school: School | None = None,
    state: str = "",
    query: str = "",
    kind: str = "",
) -> QuerySet[Assignment]:
    qs = Assignment.objects.visible_to(user).select_related(
        "device", "person", "school_class", "school", "signed_by", "replaces"
    )
    if school is not None:
        qs = qs.filter(school=school)
    if kind:
        qs = qs.filter(kind=kind)
    if state == "overdue":
        qs = qs.filter(overdue_q())
    elif state == "returned":
        qs = qs.filter(status__in=[Assignment.Status.RETURNED, Assignment.Status.CANCELLED])
    elif state in ("awaiting", "active", "recalled"):
        qs = qs.filter(status=state)
    if query:
        qs = qs.filter(
            Q(person__name__icontains=query)
            | Q(person__external_id=query)
            | Q(device__asset_tag__iexact=query)
            | Q(device__serial__iexact=query)
        )
    return qs.order_by("-starts_on", "-id")


def open_assignment(device: Device) -> Assignment | None:
    return (
        Assignment.objects.filter(device=device, ended_at__isnull=True)
        .select_related("person", "school_class", "signed_by", "replaces")
        .first()
    )


def open_loaner_for(device: Device) -> Assignment | None:
    """The loaner standing in for this device while it is in repair."""
    return (
        Assignment.objects.filter(replaces=device, ended_at__isnull=True, kind="loaner")
        .select_related("device")
        .first()
    )


def lendable_devices(*, school: School, kinds: tuple[str, ...] = LENDABLE_KINDS) -> Any:
    busy = Assignment.objects.filter(device=OuterRef("pk"), ended_at__isnull=True)
    return (
        Device.objects.filter(school=school, status=Device.Status.IN_STOCK, kind__in=kinds)
        .exclude(Exists(busy))
        .order_by("kind", "asset_tag")
    )


def school_students(*, school: School) -> QuerySet[Person]:
    ids = Membership.objects.filter(school=school, role=Role.STUDENT).values("person_id")
    return Person.objects.filter(pk__in=ids, active=True).order_by("name", "id")


def school_people(*, school: School) -> QuerySet[Person]:
    ids = Membership.objects.filter(
        school=school, role__in=(Role.STUDENT, Role.TEACHER, Role.SCHOOL_ADMIN)
    ).values("person_id")
    return Person.objects.filter(pk__in=ids, active=True).order_by("name", "id")


def family_loans(*, user: Any) -> dict[Person, list[Assignment]]:
    """For a student their own, for a parent each child's, open loans first."""
    scope = scope_for(user)
    own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
    people = Person.objects.filter(pk__in=own).order_by("name")
    rows = (
        Assignment.objects.filter(person_id__in=own)
        .exclude(status=Assignment.Status.CANCELLED)
        .select_related("device", "school", "signed_by", "replaces")
        .order_by("ended_at", "-starts_on", "-id")
    )
    out: dict[Person, list[Assignment]] = {p: [] for p in people}
    by_id = {p.pk: p for p in people}
    for row in rows:
        out[by_id[row.person_id]].append(row)
    return out


def request_list(*, user: Any, school: School | None = None, status: str = "") -> Any:
    qs = LoanRequest.objects.visible_to(user).select_related("student", "school", "requested_by")
    if school is not None:
        qs = qs.filter(school=school)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


# --------------------------------------------------------------------------- the queue

CATEGORY_ORDER = ("low_income", "middle_low_income", "disability", "indigenous", "remote", "other")
ACCESS_ORDER = {"no": 0, "shared": 1, "": 2, "yes": 3}


def category_phrases() -> dict[str, str]:
    return {
        "low_income": _("low-income household"),
        "middle_low_income": _("middle-low-income household"),
        "disability": _("disability"),
        "indigenous": _("indigenous student"),
        "remote": _("lives in a remote area"),
        "other": _("other need"),
    }


@dataclass
class QueueRow:
    student: Person
    support: StudentSupport | None
    request: LoanRequest | None
    needs_device: bool
    needs_connection: bool
    reasons: list[str] = field(default_factory=list)
    key: tuple[Any, ...] = ()
    rank: int = 0

    @property
    def need(self) -> str:
        if self.needs_device and self.needs_connection:
            return LoanRequest.Need.BOTH
        return LoanRequest.Need.DEVICE if self.needs_device else LoanRequest.Need.CONNECTION


def loan_queue(*, user: Any, school: School) -> list[QueueRow]:
    """The school's students in need, or with an open request, who still lack a device at
    home or a connection, most urgent first: low-income, middle-low-income, disability,
    indigenous, remote, other; no internet at home before shared; an open request before
    none; the oldest request first."""
    scope = scope_for(user)
    if not access.may_see_equity(scope, school_id=school.pk, county_id=school.county_id):
        return []
    students = {p.pk: p for p in school_students(school=school)}
    supports = {
        s.student_id: s
        for s in StudentSupport.objects.filter(school=school, student_id__in=students)
    }
    requests: dict[int, LoanRequest] = {}
    for r in LoanRequest.objects.filter(
        school=school, status=LoanRequest.Status.OPEN, student_id__in=students
    ).order_by("created_at", "id"):
        requests.setdefault(r.student_id, r)
    candidates = {pk for pk, s in supports.items() if s.needs_support} | set(requests)
    open_loans = Assignment.objects.filter(
        person_id__in=candidates,
        ended_at__isnull=True,
        kind__in=[Assignment.Kind.LOAN, Assignment.Kind.LOANER],
    ).values_list("person_id", "device__kind")
    has_device = {pk for pk, kind in open_loans if kind in STUDENT_DEVICE_KINDS}
    has_connection = {pk for pk, kind in open_loans if kind in CONNECTIVITY_KINDS}
    phrases = category_phrases()
    rows: list[QueueRow] = []
    for pk in candidates:
        support = supports.get(pk)
        req = requests.get(pk)
        device_home = support.device_at_home if support else ""
        internet_home = support.internet_at_home if support else ""
        wants_device = (req is not None and req.need in ("device", "both")) or (
            support is not None and support.needs_support and device_home != "yes"
        )
        wants_connection = (req is not None and req.need in ("connection", "both")) or (
            support is not None and support.needs_support and internet_home != "yes"
        )
        needs_device = wants_device and pk not in has_device
        needs_connection = wants_connection and pk not in has_connection
        if not (needs_device or needs_connection):
            continue
        cats = [c for c in CATEGORY_ORDER if support is not None and getattr(support, c)]
        reasons = [phrases[c] for c in cats]
        if needs_device:
            reasons.append(
                {
                    "no": _("no device at home"),
                    "shared": _("only a shared device at home"),
                }.get(device_home, _("needs a device for learning at home"))
            )
        if needs_connection:
            reasons.append(
                {
                    "no": _("no internet at home"),
                    "shared": _("only shared or limited internet at home"),
                }.get(internet_home, _("needs a connection at home"))
            )
        if req is not None:
            reasons.append(
                _("request waiting since %(day)s")
                % {"day": timezone.localdate(req.created_at).isoformat()}
            )
        first_cat = CATEGORY_ORDER.index(cats[0]) if cats else len(CATEGORY_ORDER)
        key = (
            first_cat,
            ACCESS_ORDER.get(internet_home, 2),
            0 if req is not None else 1,
            req.created_at if req is not None else timezone.now(),
            students[pk].name,
            pk,
        )
        rows.append(
            QueueRow(
                student=students[pk],
                support=support,
                request=req,
                needs_device=needs_device,
                needs_connection=needs_connection,
                reasons=reasons,
                key=key,
            )
        )
    rows.sort(key=lambda r: r.key)
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def agreements_waiting(*, user: Any) -> QuerySet[Assignment]:
    """The loans of a parent's children whose borrowing agreement waits for a signature."""
    scope = scope_for(user)
    if not scope.child_ids:
        return Assignment.objects.none()
    return (
        Assignment.objects.visible_to(user)
        .filter(person_id__in=scope.child_ids, status=Assignment.Status.AWAITING_SIGNATURE)
        .select_related("device", "person", "school")
    )
