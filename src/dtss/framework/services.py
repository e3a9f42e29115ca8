"""Writes of the framework app: cycles, responses, evidence, submission and review."""

from __future__ import annotations

import mimetypes
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.framework.models import (
    Assessment,
    AssessmentEvent,
    Cycle,
    Evidence,
    Item,
    Level,
    Response,
    Strategy,
)
from dtss.framework.selectors import compute_stages, current_version

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".heic",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
    ".txt",
    ".csv",
    ".mp4",
    ".mov",
}


def _event(assessment: Assessment, action: str, by: Any, **fields: Any) -> AssessmentEvent:
    return AssessmentEvent.objects.create(
        county_id=assessment.county_id,
        school_id=assessment.school_id,
        assessment=assessment,
        action=action,
        by=by if getattr(by, "is_authenticated", False) else None,
        **fields,
    )


def _strategies_for(*, county_id: int, level: str) -> list[Strategy]:
    from django.db.models import Q

    return list(
        Strategy.objects.filter(item__version=current_version(), item__level=level).filter(
            Q(county__isnull=True) | Q(county_id=county_id)
        )
    )


@transaction.atomic
def cycle_open(
    *,
    county: Any,
    name: str,
    opens_on: date,
    deadline: date,
    schools: list[Any],
    include_county: bool = True,
    rule_share: Decimal = Decimal("1"),
    require_evidence: bool = True,
    term: Any = None,
    actor: Any = None,
) -> Cycle:
    """Open a cycle for the county itself (Table 6) and for the chosen schools (Table 7)."""
    if any(s.county_id != county.pk for s in schools):
        raise ValidationError({"schools": _("Every school must belong to the county.")})
    if not schools and not include_county:
        raise ValidationError({"schools": _("Choose the county itself, schools, or both.")})
    cycle = Cycle(
        county=county,
        version=current_version(),
        name=name.strip(),
        opens_on=opens_on,
        deadline=deadline,
        rule_share=rule_share,
        require_evidence=require_evidence,
        term=term,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    cycle.full_clean()
    cycle.save()
    orgs: list[Any] = ([None] if include_county else []) + list(schools)
    county_strategies = _strategies_for(county_id=county.pk, level=Level.COUNTY)
    school_strategies = _strategies_for(county_id=county.pk, level=Level.SCHOOL)
    assessments = Assessment.objects.bulk_create(
        [Assessment(county=county, school=s, cycle=cycle) for s in orgs]
    )
    responses = []
    for a in assessments:
        for st in county_strategies if a.school_id is None else school_strategies:
            responses.append(
                Response(county=county, school_id=a.school_id, assessment=a, strategy=st)
            )
    Response.objects.bulk_create(responses, batch_size=2000)
    audit_record(
        actor=actor,
        action="cycle.open",
        obj=cycle,
        detail={"schools": len(schools), "county": include_county},
    )
    return cycle


def _require_editable(assessment: Assessment) -> None:
    if assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.ACCEPTED):
        raise ValidationError(
            _("This assessment has been submitted; it can be changed only if the county asks.")
        )
    if assessment.cycle.status != Cycle.Status.OPEN:
        raise ValidationError(_("The cycle is closed."))


def _refresh_stages(assessment: Assessment) -> None:
    assessment.stages = compute_stages(assessment=assessment)
    assessment.save(update_fields=["stages", "updated_at"])


@transaction.atomic
def response_update(
    *,
    response: Response,
    actor: Any,
    status: str | None = None,
    notes: str | None = None,
    owner: Any = None,
    set_owner: bool = False,
) -> Response:
    """Autosave of one strategy: status, notes, owner. Every status change is kept."""
    assessment = response.assessment
    _require_editable(assessment)
    fields = ["updated_by", "updated_at"]
    if status is not None and status != response.status:
        if status not in Response.Status.values:
            raise ValidationError({"status": _("Unknown status.")})
        _event(
            assessment,
            AssessmentEvent.Action.STATUS,
            actor,
            strategy=response.strategy,
            from_status=response.status,
            to_status=status,
        )
        response.status = status
        fields.append("status")
    if notes is not None:
        response.notes = notes[:10000]
        fields.append("notes")
    if set_owner:
        if (
            owner is not None
            and owner.county_id != response.county_id
            and not (owner.memberships.filter(county_id=response.county_id).exists())
        ):
            raise ValidationError({"owner": _("The owner must belong to this county.")})
        response.owner = owner
        fields.append("owner")
    response.updated_by = actor
    response.save(update_fields=fields)
    if "status" in fields:
        _refresh_stages(assessment)
    return response


@transaction.atomic
def evidence_add(
    *,
    response: Response,
    actor: Any,
    kind: str,
    title: str = "",
    file: Any = None,
    url: str = "",
    text: str = "",
    indicator_id: str = "",
    indicator_value: float | None = None,
) -> Evidence:
    _require_editable(response.assessment)
    evidence = Evidence(
        county_id=response.county_id,
        school_id=response.school_id,
        response=response,
        kind=kind,
        added_by=actor,
    )
    if kind == Evidence.Kind.FILE:
        if file is None:
            raise ValidationError({"file": _("Choose a file.")})
        name = file.name or ""
        ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if ext not in EVIDENCE_TYPES:
            raise ValidationError({"file": _("PDF, images, Office documents, text or video only.")})
        if file.size > MAX_EVIDENCE_BYTES:
            raise ValidationError({"file": _("The file is larger than 20 MB.")})
        evidence.file = file
        evidence.size = file.size
        evidence.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        evidence.title = title.strip() or name[:200]
    elif kind == Evidence.Kind.LINK:
        evidence.url = url.strip()
        evidence.title = title.strip() or evidence.url[:200]
    elif kind == Evidence.Kind.TEXT:
        if not text.strip():
            raise ValidationError({"text": _("Write the evidence.")})
        evidence.text = text.strip()
        evidence.title = title.strip() or text.strip()[:60]
    elif kind == Evidence.Kind.INDICATOR:
        evidence.indicator_id = indicator_id
        evidence.indicator_value = indicator_value
        evidence.title = title.strip() or indicator_id
    else:
        raise ValidationError({"kind": _("Unknown kind of evidence.")})
    evidence.full_clean()
    evidence.save()
    _refresh_stages(response.assessment)
    audit_record(actor=actor, action="evidence.add", obj=evidence)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor: Any) -> None:
    assessment = evidence.response.assessment
    _require_editable(assessment)
    audit_record(actor=actor, action="evidence.remove", obj=evidence)
    if evidence.file:
        evidence.file.delete(save=False)
    evidence.delete()
    _refresh_stages(assessment)


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor: Any, note: str = "") -> Assessment:
    if assessment.status not in (Assessment.Status.DRAFT, Assessment.Status.CHANGES):
        raise ValidationError(
            _("Only a draft or an assessment with requested changes is submitted.")
        )
    action = (
        AssessmentEvent.Action.ANSWER
        if assessment.status == Assessment.Status.CHANGES
        else AssessmentEvent.Action.SUBMIT
    )
    _event(
        assessment,
        action,
        actor,
        from_status=assessment.status,
        to_status=Assessment.Status.SUBMITTED,
        note=note,
    )
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.stages = compute_stages(assessment=assessment)
    assessment.save(update_fields=["status", "submitted_at", "stages", "updated_at"])
    audit_record(actor=actor, action="assessment.submit", obj=assessment)
    return assessment


@transaction.atomic
def assessment_comment(
    *, assessment: Assessment, actor: Any, item: Item | None, note: str
) -> AssessmentEvent:
    if not note.strip():
        raise ValidationError({"note": _("Write the comment.")})
    return _event(assessment, AssessmentEvent.Action.COMMENT, actor, item=item, note=note.strip())


@transaction.atomic
def assessment_request_changes(
    *, assessment: Assessment, actor: Any, item: Item | None, note: str
) -> Assessment:
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Changes can be asked for only on a submitted assessment."))
    if not note.strip():
        raise ValidationError({"note": _("Say what should change.")})
    _event(
        assessment,
        AssessmentEvent.Action.REQUEST_CHANGES,
        actor,
        item=item,
        from_status=assessment.status,
        to_status=Assessment.Status.CHANGES,
        note=note.strip(),
    )
    assessment.status = Assessment.Status.CHANGES
    assessment.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="assessment.request_changes", obj=assessment)
    return assessment


def _snapshot(assessment: Assessment) -> dict[str, Any]:
    from dtss.framework.selectors import assessment_items

    items = []
    for view in assessment_items(assessment=assessment):
        items.append(
            {
                "item": view.item.code,
                "stage": view.result.stage,
                "next_stage": view.result.next_stage,
                "next_met": view.result.next_met,
                "next_total": view.result.next_total,
                "strategies": [
                    {
                        "id": r.strategy.code,
                        "status": r.status,
                        "notes": r.notes,
                        "evidence": [e.title for e in r.evidence.all()],
                    }
                    for r in view.responses
                ],
            }
        )
    return {
        "accepted_at": timezone.now().isoformat(),
        "rule_share": str(assessment.cycle.rule_share),
        "items": items,
    }


@transaction.atomic
def assessment_accept(*, assessment: Assessment, actor: Any, note: str = "") -> Assessment:
    """Accept and freeze: the snapshot is what the school's trend shows from now on."""
    if assessment.status != Assessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be accepted."))
    _event(
        assessment,
        AssessmentEvent.Action.ACCEPT,
        actor,
        from_status=assessment.status,
        to_status=Assessment.Status.ACCEPTED,
        note=note,
    )
    assessment.status = Assessment.Status.ACCEPTED
    assessment.accepted_at = timezone.now()
    assessment.stages = compute_stages(assessment=assessment)
    assessment.snapshot = _snapshot(assessment)
    assessment.save(update_fields=["status", "accepted_at", "stages", "snapshot", "updated_at"])
    indicators_record(assessment=assessment)
    audit_record(actor=actor, action="assessment.accept", obj=assessment)
    return assessment


@transaction.atomic
def cycle_draw_sample(
    *, cycle: Cycle, size: int, actor: Any, seed: int | None = None
) -> list[Assessment]:
    """Draw schools at random for verification (evidence check or visit)."""
    import random

    pool = list(cycle.assessments.filter(school__isnull=False, sampled=False))
    if size < 1:
        raise ValidationError({"size": _("Draw at least one school.")})
    rng = random.Random(seed)
    drawn = rng.sample(pool, min(size, len(pool)))
    for a in drawn:
        a.sampled = True
        a.save(update_fields=["sampled", "updated_at"])
        _event(a, AssessmentEvent.Action.SAMPLE, actor)
    audit_record(actor=actor, action="cycle.sample", obj=cycle, detail={"drawn": len(drawn)})
    return drawn


@transaction.atomic
def indicators_record(*, assessment: Assessment, as_of: date | None = None) -> int:
    """Keep the indicators' values of an org for the assessment's cycle (history per cycle)."""
    from dtss.core import indicators as registry
    from dtss.framework.models import IndicatorValue

    as_of = as_of or timezone.localdate()
    level = "county" if assessment.school_id is None else "school"
    org = assessment.school if assessment.school_id is not None else assessment.county
    n = 0
    with registry.shared_work():
        for ind in registry.for_level(level):  # type: ignore[arg-type]
            IndicatorValue.objects.update_or_create(
                indicator_id=ind.id,
                cycle=assessment.cycle,
                county_id=assessment.county_id,
                school_id=assessment.school_id,
                defaults={"as_of": as_of, "value": ind.values([org], as_of).get(org.pk)},
            )
            n += 1
    return n


# --- Cycle closing and deadline reminders (cycle pages, cycle_views.py) ------------------------

REMINDER_DAYS = (7, 3, 1)


@transaction.atomic
def cycle_close(*, cycle: Cycle, actor: Any) -> Cycle:
    """Close a cycle: nothing in it can be edited or submitted any more; reviews stay possible."""
    if cycle.status == Cycle.Status.CLOSED:
        raise ValidationError(_("The cycle is closed already."))
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status", "updated_at"])
    open_left = cycle.assessments.filter(
        status__in=[Assessment.Status.DRAFT, Assessment.Status.CHANGES]
    ).count()
    audit_record(actor=actor, action="cycle.close", obj=cycle, detail={"not_submitted": open_left})
    return cycle


def cycle_reminders_send(*, today: date, days: tuple[int, ...] = REMINDER_DAYS) -> dict[str, int]:
    """Email the administrators of every school whose assessment is still a draft (or has
    changes requested) 7, 3 and 1 days before its open cycle's deadline.

    At most one reminder per assessment per day: each one sent is recorded in the audit log
    (action "cycle.reminder", detail {"date", "days", "recipients"}) and a recorded one is not
    sent again. A school whose mail fails is left unrecorded, so the next run tries again.
    """
    import logging
    from datetime import timedelta

    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation
    from django.utils.translation import ngettext

    from dtss.accounts.models import User
    from dtss.core.models import AuditEntry
    from dtss.orgs.models import Membership, Role

    due = {today + timedelta(days=n): n for n in days}
    assessments = list(
        Assessment.objects.filter(
            cycle__status=Cycle.Status.OPEN,
            cycle__deadline__in=list(due),
            school__isnull=False,
            status__in=[Assessment.Status.DRAFT, Assessment.Status.CHANGES],
        )
        .select_related("cycle", "school")
        .defer("snapshot")
    )
    result = {"due": len(assessments), "reminded": 0, "messages": 0, "already": 0, "no_email": 0}
    if not assessments:
        return result
    already = set(
        AuditEntry.objects.filter(
            action="cycle.reminder",
            object_id__in=[str(a.public_id) for a in assessments],
            detail__date=today.isoformat(),
        ).values_list("object_id", flat=True)
    )
    admins = list(
        Membership.objects.filter(
            school_id__in={a.school_id for a in assessments},
            role=Role.SCHOOL_ADMIN,
            person__active=True,
        ).values_list("school_id", "person_id", "person__email")
    )
    user_emails: dict[int, str] = dict(
        User.objects.filter(person_id__in={p for _s, p, _e in admins}, is_active=True)
        .exclude(email="")
        .values_list("person_id", "email")
    )
    emails: dict[int, list[str]] = {}
    for school_id, person_id, email in admins:
        address = (email or user_emails.get(person_id, "")).strip()
        if address and address not in emails.setdefault(school_id, []):
            emails[school_id].append(address)
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    log = logging.getLogger(__name__)
    with translation.override(settings.LANGUAGE_CODE):
        for a in assessments:
            if str(a.public_id) in already:
                result["already"] += 1
                continue
            to = emails.get(a.school_id, [])
            if not to:
                result["no_email"] += 1
                continue
            left = due[a.cycle.deadline]
            try:
                path = reverse("framework:assessment_detail", args=[a.public_id])
            except NoReverseMatch:
                path = reverse("framework:cycle_list")
            subject = ngettext(
                "DTSS reminder: %(cycle)s self-assessment due in %(days)d day",
                "DTSS reminder: %(cycle)s self-assessment due in %(days)d days",
                left,
            ) % {"cycle": a.cycle.name, "days": left}
            body = _(
                "Dear administrators of %(school)s,\n\n"
                "The self-assessment of %(school)s in the cycle %(cycle)s is due on "
                "%(deadline)s and has not been submitted yet (status: %(status)s).\n\n"
                "Please sign in to DTSS, finish it and submit it before the deadline:\n"
                "%(link)s\n\n"
                "This message was sent automatically by DTSS."
            ) % {
                "school": a.school.name,
                "cycle": a.cycle.name,
                "deadline": a.cycle.deadline.isoformat(),
                "status": a.get_status_display(),
                "link": f"{site}{path}",
            }
            try:
                sent = send_mass_mail([(subject, body, None, [address]) for address in to])
            except Exception:  # one school's bad address must not stop the others
                log.warning("cycle reminder for assessment %s failed", a.public_id, exc_info=True)
                continue
            audit_record(
                actor=None,
                action="cycle.reminder",
                obj=a,
                detail={"date": today.isoformat(), "days": left, "recipients": len(to)},
            )
            result["reminded"] += 1
            result["messages"] += sent
    return result


# --- Local strategies and framework versions ---------------------------------------------------


@transaction.atomic
def strategy_local_add(
    *, county: Any, item: Item, stage: str, text_zh: str, text_en: str = "", actor: Any = None
) -> Strategy:
    """A county's own strategy for one item and stage, coded e.g. `S1.AL1` (L = local). It
    joins the county's cycles opened from now on; the official strategies are never edited."""
    if stage not in ("D", "A", "M"):
        raise ValidationError({"stage": _("Choose a stage.")})
    if not text_zh.strip():
        raise ValidationError({"text_zh": _("Write the strategy.")})
    taken = Strategy.objects.filter(item=item, code__startswith=f"{item.code}.{stage}L").count()
    strategy = Strategy(
        item=item,
        code=f"{item.code}.{stage}L{taken + 1}",
        stage=stage,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        county=county,
        order=100 + taken,
    )
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action="strategy.local_add", obj=strategy, county=county)
    return strategy
