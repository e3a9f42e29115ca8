"""Writes of the risk model: train, enable and retire versions (audited); score students.

- `version_train`: trains and evaluates a new version of a county × stage group (numbered
  1, 2, … per county × stage); it is stored whatever its evaluation, with `passed` set by the
  gate, so the card of a failed version can be read too.
- `version_enable`: only a passed version; the enabled one of its county × stage is retired.
- `version_retire`: takes a version out of use (its scores stay).
- `scores_compute`: scores the students enrolled this term in the county's schools of a stage
  with the enabled version, as of a Monday; the same as_of again replaces its rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from threadpoolctl import threadpool_limits

from dtss.core.services import audit_record
from dtss.orgs.models import AcademicTerm, Enrollment
from dtss.predict import features as F
from dtss.predict import training
from dtss.predict.model_selectors import enabled_version
from dtss.predict.models import ModelVersion, RiskScore, StageGroup
from dtss.predict.reasons import reasons_compute, references

BATCH = 2000


def _field_error(exc: ValueError, default: str) -> ValidationError:
    """A ValueError 'field: message' from features/training as a ValidationError on that field."""
    text = str(exc)
    field, sep, message = text.partition(": ")
    if not sep or " " in field:
        field, message = default, text
    return ValidationError({field: message})


def version_train(
    *,
    county: Any,
    stage: str,
    target: dict | None = None,
    actor: Any = None,
    today: dt.date | None = None,
) -> ModelVersion:
    """Train, evaluate and store a new version (not enabled). Bad input is a ValidationError
    naming the field; nothing is stored then."""
    if stage not in StageGroup.values:
        raise ValidationError({"stage": _("Unknown school stage %(stage)s.") % {"stage": stage}})
    try:
        clean = F.target_clean(target)
    except ValueError as exc:
        raise _field_error(exc, "target") from exc
    today = today or timezone.localdate()
    try:
        trained = training.train(county=county, stage=stage, target=clean, today=today)
    except ValueError as exc:
        raise _field_error(exc, "stage") from exc
    data, sha = training.artifact_dump(trained.model, trained.names)
    with transaction.atomic():
        number = (
            ModelVersion.objects.select_for_update()
            .filter(county=county, stage=stage)
            .aggregate(m=Max("number"))["m"]
            or 0
        ) + 1
        version = ModelVersion.objects.create(
            county=county,
            stage=stage,
            number=number,
            target=clean,
            features=trained.names,
            train_cutoffs=trained.train_cutoffs,
            test_cutoffs=trained.test_cutoffs,
            passed=bool(trained.card["gate"]["passed"]),
            card=trained.card,
            artifact=data,
            sha256=sha,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="predict.version_train",
            obj=version,
            detail={
                "stage": stage,
                "number": number,
                "passed": version.passed,
                "auc": trained.card["auc"],
                "baseline_auc": trained.card["baseline_auc"],
            },
        )
    return version


@transaction.atomic
def version_enable(*, version: ModelVersion, actor: Any, request: Any = None) -> ModelVersion:
    """Put a passed version in use; the one in use for its county × stage is retired."""
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if not version.passed:
        raise ValidationError(
            {"version": _("This version did not pass its evaluation and cannot be enabled.")}
        )
    if version.status == ModelVersion.Status.ENABLED:
        return version
    previous = list(
        ModelVersion.objects.select_for_update().filter(
            county_id=version.county_id, stage=version.stage, status=ModelVersion.Status.ENABLED
        )
    )
    for old in previous:
        old.status = ModelVersion.Status.RETIRED
        old.save(update_fields=["status", "updated_at"])
    version.status = ModelVersion.Status.ENABLED
    version.enabled_at = timezone.now()
    version.enabled_by = actor if getattr(actor, "is_authenticated", False) else None
    version.save(update_fields=["status", "enabled_at", "enabled_by", "updated_at"])
    audit_record(
        actor=actor,
        action="predict.version_enable",
        obj=version,
        request=request,
        detail={"number": version.number, "retired": [v.number for v in previous]},
    )
    return version


@transaction.atomic
def version_retire(*, version: ModelVersion, actor: Any, request: Any = None) -> ModelVersion:
    """Take a version out of use; students of its stage are not scored until one is enabled."""
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == ModelVersion.Status.RETIRED:
        return version
    previous = version.status
    version.status = ModelVersion.Status.RETIRED
    version.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="predict.version_retire",
        obj=version,
        request=request,
        detail={"number": version.number, "previous": previous},
    )
    return version


def term_at(day: dt.date) -> AcademicTerm | None:
    """The term running on `day`, else the latest one that started before it."""
    return AcademicTerm.objects.filter(start_date__lte=day).order_by("-start_date").first()


def scores_compute(*, county: Any, stage: str | None = None, as_of: dt.date | None = None) -> int:
    """Score every enrolled student of the county's schools of `stage` (default: each stage
    with an enabled version) as of the Monday `as_of` (default: this week's); returns the
    number of scores written."""
    if stage is not None and stage not in StageGroup.values:
        raise ValidationError({"stage": _("Unknown school stage %(stage)s.") % {"stage": stage}})
    as_of = F.monday(as_of or timezone.localdate())
    total = 0
    for st in [stage] if stage else list(StageGroup.values):
        version = enabled_version(county, st)
        if version is not None:
            total += _score_stage(county=county, version=version, as_of=as_of)
    return total


def _score_stage(*, county: Any, version: ModelVersion, as_of: dt.date) -> int:
    term = term_at(as_of)
    if term is None:
        return 0
    enrolments = Enrollment.objects.filter(
        county=county,
        school__stage__in=F.school_stages(version.stage),
        school_class__term=term,
    ).order_by("student_id", "id")
    seen: dict[int, tuple[int, int]] = {}
    for student, school, klass in enrolments.values_list(
        "student_id", "school_id", "school_class_id"
    ).iterator(chunk_size=5000):
        seen.setdefault(student, (school, klass))
    if not seen:
        return 0
    pids = np.array(sorted(seen), dtype=np.int64)
    cube = F.cube_load(
        county=county,
        first_week=as_of - dt.timedelta(weeks=F.HISTORY_WEEKS),
        end_week=as_of,
        person_ids=pids,
        person_query=enrolments.values("student_id"),
        target=version.target,
    )
    classes = np.array([seen[int(p)][1] for p in pids], dtype=np.int64)
    target = F.target_clean(version.target)
    fs = F.features_at(
        cube, as_of, target=target, names=list(version.features), classes=classes, county=county
    )
    model = training.artifact_load(version)
    limits = threadpool_limits(limits=1 if len(pids) < training.SMALL else None)
    try:
        return _score_write(county, version, as_of, pids, seen, classes, fs, model, target)
    finally:
        limits.restore_original_limits()


def _score_write(
    county: Any,
    version: ModelVersion,
    as_of: dt.date,
    pids: np.ndarray,
    seen: dict[int, tuple[int, int]],
    classes: np.ndarray,
    fs: F.FeatureSet,
    model: Any,
    target: dict[str, Any],
) -> int:
    ok = fs.sufficient
    proba = np.full(len(pids), np.nan)
    reasons: list[list[dict]] = [[] for _ in pids]
    if ok.any():
        X = fs.matrix[ok]
        p = model.predict_proba(X)[:, 1]
        proba[ok] = p
        refs = references(X, classes[ok])
        for i, row in zip(
            np.flatnonzero(ok), reasons_compute(model, fs.names, X, refs, p), strict=True
        ):
            for reason in row:
                if reason["code"] == "target_low":
                    reason.update(metric=target["metric"], subject=target["subject"])
            reasons[i] = row
    high = version.card.get("high_threshold", 1.0)
    medium = version.card.get("medium_threshold", high)
    ranks = np.zeros(len(pids), dtype=np.int64)
    for klass in np.unique(classes):
        members = np.flatnonzero((classes == klass) & ok)
        order = members[np.argsort(-proba[members], kind="stable")]
        ranks[order] = np.arange(1, len(order) + 1)
    rows = []
    for i, pid in enumerate(pids):
        school, klass = seen[int(pid)]
        if ok[i]:
            p = float(proba[i])
            band = (
                RiskScore.Band.HIGH
                if p >= high
                else RiskScore.Band.MEDIUM
                if p >= medium
                else RiskScore.Band.LOW
            )
        else:
            band = RiskScore.Band.INSUFFICIENT
        rows.append(
            RiskScore(
                county_id=county.pk,
                school_id=school,
                school_class_id=klass,
                person_id=int(pid),
                version=version,
                as_of=as_of,
                probability=round(float(proba[i]), 4) if ok[i] else None,
                band=band,
                rank=int(ranks[i]) if ok[i] else None,
                reasons=reasons[i],
                features={
                    n: (None if not np.isfinite(x) else round(float(x), 4))
                    for n, x in zip(fs.names, fs.matrix[i], strict=True)
                },
            )
        )
    with transaction.atomic():
        RiskScore.objects.filter(version=version, as_of=as_of).delete()
        RiskScore.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
