"""Reads of the risk model: versions, the enabled one, and students' scores.

These take objects the caller may already see (a county, a class, a person): the views check
access first (analytics `access.py`, `visible_to`)."""

from __future__ import annotations

from typing import Any

from dtss.predict.models import ModelVersion, RiskScore


def enabled_version(county: Any, stage: str) -> ModelVersion | None:
    """The version in use for a county × stage group, if any."""
    return (
        ModelVersion.objects.filter(county=county, stage=stage, status=ModelVersion.Status.ENABLED)
        .defer("artifact")
        .first()
    )


def version_list(county: Any = None, stage: str | None = None) -> list[ModelVersion]:
    """Versions (without their fitted model), newest first per county × stage."""
    qs = ModelVersion.objects.defer("artifact").select_related("county", "created_by")
    if county is not None:
        qs = qs.filter(county=county)
    if stage:
        qs = qs.filter(stage=stage)
    return list(qs.order_by("county__code", "stage", "-number"))


def version_find(ref: str) -> ModelVersion | None:
    """A version by its public_id or by 'COUNTYCODE:stage:number' (e.g. 10008:elementary:2)."""
    import uuid

    parts = ref.split(":")
    if len(parts) == 3:
        code, stage, number = parts
        if not number.isdigit():
            return None
        return ModelVersion.objects.filter(
            county__code=code, stage=stage, number=int(number)
        ).first()
    try:
        public_id = uuid.UUID(ref)
    except ValueError:
        return None
    return ModelVersion.objects.filter(public_id=public_id).first()


def latest_scores(school_class: Any) -> list[RiskScore]:
    """The class's scores of the latest as_of of its stage's enabled version: ranked students
    first (rank 1 = highest risk), then those with not enough data."""
    from dtss.predict.models import STAGE_GROUP

    stage = STAGE_GROUP.get(school_class.school.stage)
    version = enabled_version(school_class.county_id, stage) if stage else None
    if version is None:
        return []
    qs = RiskScore.objects.filter(version=version, school_class=school_class)
    last = qs.order_by("-as_of").values_list("as_of", flat=True).first()
    if last is None:
        return []
    rows = list(qs.filter(as_of=last).select_related("person", "version"))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.person.name))
    return rows


def student_scores(person: Any) -> list[RiskScore]:
    """The student's scores over time (every version), oldest first."""
    return list(
        RiskScore.objects.filter(person=person)
        .select_related("version")
        .order_by("as_of", "version__number")
    )


def card_rows(version: ModelVersion) -> list[tuple[str, Any]]:
    """The card's headline figures as (key, value) pairs, in display order."""
    card = version.card or {}
    keys = (
        "auc",
        "baseline_auc",
        "brier",
        "flagged_share",
        "precision",
        "recall",
        "test_positives",
        "test_negatives",
        "calibration_method",
        "training_seconds",
    )
    return [(k, card.get(k)) for k in keys]
