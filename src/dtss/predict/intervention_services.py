"""Writes of the teachers' intervention log (issue 7, item 3): what was done for a student, when
and by whom, drawn beside the student's trend so the teacher can see whether it worked.

Who writes: the student's homeroom teacher and the school's administrators add entries (the
"staff" of `analytics.access.student_access`); the author, or an administrator of the entry's
school, edits or deletes one. County staff read risk data only under a pseudonym and keep no log.
Bad input raises ValidationError naming the field and changes nothing; every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.analytics import access
from dtss.analytics.student_selectors import current_enrollment
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.orgs.models import Person
from dtss.predict.models import Intervention

NOTE_MAX = 2000
EARLIEST_DAYS = 366 * 2  # an entry may be back-dated at most two years


def may_log(user: Any, person: Person) -> bool:
    """Whether the user may add entries to this student's log (teacher, school admin)."""
    return access.student_access(user, person) == "staff"


def may_change(user: Any, intervention: Intervention) -> bool:
    """Whether the user may edit or delete this entry: its author (while they still see the
    student as staff) or an administrator of its school."""
    scope = scope_for(user)
    if scope.superuser or intervention.school_id in scope.admin_school_ids:
        return True
    return (
        intervention.created_by_id is not None
        and intervention.created_by_id == getattr(user, "pk", None)
        and may_log(user, intervention.person)
    )


def _clean(
    *, date: Any, kind: Any, note: Any, today: dt.date | None = None
) -> tuple[dt.date, str, str]:
    """The validated fields; a ValidationError naming each bad one."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    day: dt.date | None = None
    if isinstance(date, dt.datetime):
        day = date.date()
    elif isinstance(date, dt.date):
        day = date
    elif isinstance(date, str) and date.strip():
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            errors["date"] = [_("Enter a date as YYYY-MM-DD.")]
    else:
        errors["date"] = [_("Enter the date it was done.")]
    if day is not None:
        if day > today:
            errors["date"] = [_("The date cannot be in the future.")]
        elif day < today - dt.timedelta(days=EARLIEST_DAYS):
            errors["date"] = [_("The date is more than two years ago.")]
    kind = (kind or "").strip() if isinstance(kind, str) else ""
    if kind not in Intervention.Kind.values:
        errors["kind"] = [_("Choose what was done from the list.")]
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = [_("The note must be text.")]
        note = ""
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [
            _("Keep the note to %(n)d characters (it has %(len)d).")
            % {"n": NOTE_MAX, "len": len(note)}
        ]
    if errors:
        raise ValidationError(errors)
    assert day is not None
    return day, kind, note


@transaction.atomic
def intervention_add(
    *,
    person: Person,
    actor: Any,
    date: Any,
    kind: Any,
    note: Any = "",
    request: Any = None,
    today: dt.date | None = None,
) -> Intervention:
    """Record what was done for a student. The entry belongs to the student's current school
    and class."""
    if not may_log(actor, person):
        raise PermissionDenied(_("You may not keep this student's intervention log."))
    day, kind, note = _clean(date=date, kind=kind, note=note, today=today)
    enrollment = current_enrollment(person)
    if enrollment is None:
        raise ValidationError({"person": [_("This person is not enrolled in a class.")]})
    intervention = Intervention.objects.create(
        county_id=enrollment.school.county_id,
        school_id=enrollment.school_id,
        school_class_id=enrollment.school_class_id,
        person=person,
        date=day,
        kind=kind,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="predict.intervention_add",
        obj=intervention,
        request=request,
        detail={"person": str(person.public_id), "date": day.isoformat(), "kind": kind},
    )
    return intervention


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    actor: Any,
    request: Any = None,
    today: dt.date | None = None,
    **changes: Any,
) -> Intervention:
    """Change an entry's date, kind or note (only the fields given)."""
    if not may_change(actor, intervention):
        raise PermissionDenied(_("Only the author or a school administrator may change this."))
    unknown = set(changes) - {"date", "kind", "note"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    day, kind, note = _clean(
        date=changes.get("date", intervention.date),
        kind=changes.get("kind", intervention.kind),
        note=changes.get("note", intervention.note),
        today=today,
    )
    before = {
        "date": intervention.date.isoformat(),
        "kind": intervention.kind,
        "note": intervention.note,
    }
    intervention.date, intervention.kind, intervention.note = day, kind, note
    intervention.save(update_fields=["date", "kind", "note", "updated_at"])
    after = {"date": day.isoformat(), "kind": kind, "note": note}
    audit_record(
        actor=actor,
        action="predict.intervention_update",
        obj=intervention,
        request=request,
        detail={
            "changed": sorted(k for k in after if after[k] != before[k]),
            "person": str(intervention.person.public_id),
        },
    )
    return intervention


@transaction.atomic
def intervention_delete(*, intervention: Intervention, actor: Any, request: Any = None) -> None:
    if not may_change(actor, intervention):
        raise PermissionDenied(_("Only the author or a school administrator may change this."))
    audit_record(
        actor=actor,
        action="predict.intervention_delete",
        obj=intervention,
        request=request,
        detail={
            "person": str(intervention.person.public_id),
            "date": intervention.date.isoformat(),
            "kind": intervention.kind,
        },
    )
    intervention.delete()
