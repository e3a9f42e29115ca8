"""JSON API of the AI data model (issue 7): a class's students ranked by risk, one student's
risk history and intervention log, the log's writes, and the county's model versions.

The same rules as the pages (`views.py`, `analytics.access`): a class for its homeroom teacher
and the school's administrators; one student for them by name and for county staff under a
pseudonym (students and parents: 404); intervention writes for the student's teacher and school
administrators, changes for the author or a school administrator; model versions for county
staff. Every staff or county read of one student is audited (`predict.student_view`, via api).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status

from dtss.analytics import access
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.predict import intervention_selectors as sel
from dtss.predict import intervention_services as svc
from dtss.predict.models import Intervention, ModelVersion, RiskScore
from dtss.predict.views import audit_student_view, student_or_404

router = Router(tags=["prediction"])
PublicId = Annotated[UUID, Path(description="The object's id (its public_id).")]


class ReasonOut(Schema):
    code: str = Field(description="The reason's code, e.g. activity_drop.")
    text: str = Field(description="The reason in plain language.")


class RiskOut(Schema):
    public_id: UUID = Field(description="The student's person id.")
    seat: int | None = Field(description="Seat number.")
    name: str = Field(description="The student's name.")
    rank: int | None = Field(description="1 = highest risk in the class; null when not ranked.")
    band: str = Field(description="high, medium, low, insufficient (not enough data) or unscored.")
    probability: float | None = Field(description="Calibrated probability (null: not enough data).")
    reasons: list[ReasonOut] = Field(description="The main reasons, most important first.")


class ClassRisksOut(Schema):
    public_id: UUID = Field(description="The class's id.")
    version: int | None = Field(description="The enabled model version (null: none in use).")
    as_of: dt.date | None = Field(description="The cut-off of the scores (null: not scored).")
    ranked: list[RiskOut] = Field(description="Students with a prediction, highest risk first.")
    insufficient: list[RiskOut] = Field(description="Students without one: never ranked.")


class ScoreOut(Schema):
    as_of: dt.date = Field(description="The cut-off (a Monday).")
    version: int = Field(description="The model version.")
    band: str = Field(description="high, medium, low or insufficient.")
    probability: float | None = Field(description="Calibrated probability (null: not enough data).")
    reasons: list[ReasonOut] = Field(description="The main reasons, most important first.")


class StudentRisksOut(Schema):
    public_id: UUID = Field(description="The student's person id.")
    access: str = Field(description="staff (by name) or county (pseudonymous).")
    name: str | None = Field(description="The name (null for county staff).")
    pseudonym: str | None = Field(description="The pseudonym county staff see (else null).")
    scores: list[ScoreOut] = Field(description="The risk history, oldest first.")


class InterventionOut(Schema):
    public_id: UUID = Field(description="The entry's id.")
    student: UUID = Field(description="The student's person id.")
    date: dt.date = Field(description="When it was done.")
    kind: str = Field(description="talk, parent, remedial, peer, device, referral or other.")
    note: str | None = Field(description="The note (null for county staff).")
    recorded_by: str | None = Field(description="Who recorded it (null for county staff).")
    may_change: bool = Field(description="Whether the caller may edit or delete it.")


class InterventionIn(Schema):
    date: dt.date = Field(description="When it was done (not in the future).")
    kind: str = Field(description="talk, parent, remedial, peer, device, referral or other.")
    note: str = Field("", description="A note, up to 2000 characters.")


class InterventionPatch(Schema):
    date: dt.date | None = Field(None, description="When it was done (not in the future).")
    kind: str | None = Field(None, description="What was done.")
    note: str | None = Field(None, description="The note.")


class VersionOut(Schema):
    public_id: UUID = Field(description="The version's id.")
    county: str = Field(description="The county's code.")
    stage: str = Field(description="elementary, junior or senior.")
    number: int = Field(description="The version number within county and stage.")
    status: str = Field(description="trained, enabled or retired.")
    passed: bool = Field(description="Whether it passed its evaluation.")
    auc: float | None = Field(description="AUC on the held-out weeks.")
    baseline_auc: float | None = Field(description="The baseline's AUC on the same weeks.")
    created_at: dt.datetime = Field(description="When it was trained.")
    enabled_at: dt.datetime | None = Field(description="When it was put to use.")


class VersionDetailOut(VersionOut):
    target: dict[str, Any] = Field(description="What it predicts.")
    card: dict[str, Any] = Field(description="The evaluation report (the model card).")


def _reasons(score: RiskScore | None) -> list[dict[str, str]]:
    if score is None or score.band not in sel.BANDS:
        return []
    return [
        {"code": str(r.get("code", "")), "text": sel.describe(r)}
        for r in (score.reasons or [])
        if isinstance(r, dict)
    ]


def _risk(row: sel.RiskRow) -> dict[str, Any]:
    score = row.score
    return {
        "public_id": row.person.public_id,
        "seat": row.seat,
        "name": row.person.name,
        "rank": row.rank,
        "band": row.band,
        "probability": score.probability if score and score.band in sel.BANDS else None,
        "reasons": _reasons(score),
    }


@router.get(
    "/predict/classes/{public_id}/risks",
    response=responses({200: ClassRisksOut}, 404),
    summary="A class ranked by risk",
    description=(
        "The enabled model's latest scores of the class's students, highest risk first, each "
        "with its reasons; students with too little data apart. For the homeroom teacher and "
        "the school's administrators; 404 for anyone else."
    ),
)
def class_risks(request: HttpRequest, public_id: PublicId) -> Any:
    school_class = access.class_or_404(request.user, public_id)
    risk = sel.class_risk(school_class=school_class, today=timezone.localdate(), with_trends=False)
    return {
        "public_id": school_class.public_id,
        "version": risk.version.number if risk.version else None,
        "as_of": risk.as_of,
        "ranked": [_risk(r) for r in risk.ranked],
        "insufficient": [_risk(r) for r in risk.insufficient],
    }


@router.get(
    "/predict/students/{public_id}/risks",
    response=responses({200: StudentRisksOut}, 404),
    summary="One student's risk history",
    description=(
        "Every score of the student, oldest first, with reasons. For the student's homeroom "
        "teacher and school administrators by name, county staff under a pseudonym; students "
        "and parents get 404. Every read is written to the audit log."
    ),
)
def student_risks(request: HttpRequest, public_id: PublicId) -> Any:
    from dtss.predict import model_selectors

    person, how = student_or_404(request.user, public_id)
    audit_student_view(request, person, how, via="api")
    return {
        "public_id": person.public_id,
        "access": how,
        "name": person.name if how == "staff" else None,
        "pseudonym": access.pseudonym(person.pk) if how == "county" else None,
        "scores": [
            {
                "as_of": s.as_of,
                "version": s.version.number,
                "band": s.band,
                "probability": s.probability if s.band in sel.BANDS else None,
                "reasons": _reasons(s),
            }
            for s in model_selectors.student_scores(person)
        ],
    }


def _intervention(request: HttpRequest, iv: Intervention, how: str) -> dict[str, Any]:
    author = iv.created_by
    return {
        "public_id": iv.public_id,
        "student": iv.person.public_id,
        "date": iv.date,
        "kind": iv.kind,
        "note": iv.note if how == "staff" else None,
        "recorded_by": (
            (getattr(author.person, "name", None) if author and author.person_id else None)
            or (author.get_username() if author else "")
        )
        if how == "staff"
        else None,
        "may_change": how == "staff" and svc.may_change(request.user, iv),
    }


@router.get(
    "/predict/students/{public_id}/interventions",
    response=responses({200: list[InterventionOut]}, 404, 422),
    summary="One student's intervention log",
    description=(
        "What was done for the student, newest first, paged. Staff see notes and authors; "
        "county staff only dates and kinds. 404 for students, parents and anyone else."
    ),
)
@paged
def intervention_list(request: HttpRequest, public_id: PublicId) -> Any:
    person, how = student_or_404(request.user, public_id)
    return [_intervention(request, iv, how) for iv in sel.student_interventions(person)]


@router.post(
    "/predict/students/{public_id}/interventions",
    response=responses({201: InterventionOut}, 403, 404, 422),
    summary="Add to a student's intervention log",
    description=(
        "For the student's homeroom teacher and school administrators (county staff: 403). "
        "422 names each bad field (a date in the future, an unknown kind, a note too long)."
    ),
)
def intervention_add(request: HttpRequest, public_id: PublicId, data: InterventionIn) -> Any:
    person, how = student_or_404(request.user, public_id)
    if how != "staff":
        raise PermissionDenied(_("County staff keep no intervention log."))
    iv = svc.intervention_add(
        person=person,
        actor=request.user,
        request=request,
        date=data.date,
        kind=data.kind,
        note=data.note,
    )
    return Status(201, _intervention(request, iv, how))


def _own_intervention(request: HttpRequest, public_id: UUID) -> Intervention:
    iv = get_visible_or_404(Intervention, request.user, public_id)
    _person, how = student_or_404(request.user, iv.person.public_id)
    if how != "staff":
        raise Http404
    if not svc.may_change(request.user, iv):
        raise PermissionDenied(_("Only the author or a school administrator may change this."))
    return iv


@router.patch(
    "/predict/interventions/{public_id}",
    response=responses({200: InterventionOut}, 403, 404, 422),
    summary="Change an intervention log entry",
    description="For its author or a school administrator (others who see it: 403).",
)
def intervention_update(request: HttpRequest, public_id: PublicId, data: InterventionPatch) -> Any:
    iv = _own_intervention(request, public_id)
    changes = data.dict(exclude_unset=True)
    iv = svc.intervention_update(intervention=iv, actor=request.user, request=request, **changes)
    return _intervention(request, iv, "staff")


@router.delete(
    "/predict/interventions/{public_id}",
    response=responses({204: None}, 403, 404),
    summary="Delete an intervention log entry",
    description="For its author or a school administrator (others who see it: 403).",
)
def intervention_delete(request: HttpRequest, public_id: PublicId) -> Any:
    iv = _own_intervention(request, public_id)
    svc.intervention_delete(intervention=iv, actor=request.user, request=request)
    return Status(204, None)


def _version(v: ModelVersion) -> dict[str, Any]:
    card = v.card if isinstance(v.card, dict) else {}
    return {
        "public_id": v.public_id,
        "county": v.county.code,
        "stage": v.stage,
        "number": v.number,
        "status": v.status,
        "passed": v.passed,
        "auc": card.get("auc"),
        "baseline_auc": card.get("baseline_auc"),
        "created_at": v.created_at,
        "enabled_at": v.enabled_at,
    }


def _county_level(request: HttpRequest) -> None:
    if not scope_for(request.user).is_county_level:
        raise PermissionDenied(_("Only county staff may read the prediction models."))


@router.get(
    "/predict/models",
    response=responses({200: list[VersionOut]}, 403, 422),
    summary="The prediction model versions",
    description="The versions of the caller's counties, paged (county staff; others 403).",
)
@paged
def version_list(request: HttpRequest) -> Any:
    _county_level(request)
    return [_version(v) for v in sel.versions_for(request.user)]


@router.get(
    "/predict/models/{public_id}",
    response=responses({200: VersionDetailOut}, 403, 404),
    summary="A model version with its model card",
    description="The version's target and evaluation report. County staff; another county's: 404.",
)
def version_detail(request: HttpRequest, public_id: PublicId) -> Any:
    _county_level(request)
    v = get_visible_or_404(ModelVersion, request.user, public_id)
    return {**_version(v), "target": v.target or {}, "card": v.card or {}}
