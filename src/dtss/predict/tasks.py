"""Background work of the risk model, run by `dtss worker` through Django's Tasks framework.

- `scores_compute_task(county_id, stage)`: score a county × stage group with its enabled
  version as of this week's Monday. `dtss model score --enqueue` queues one per county × stage
  with an enabled version; cron runs that weekly (e.g. Monday 03:00, after the weekend's
  rollups): `15 3 * * 1  dtss model score --enqueue`.
- `version_train_task(...)`: train a new version in the worker (the "train a new version"
  button calls `version_train_enqueue`).
"""

from __future__ import annotations

from typing import Any

from django.tasks import task


@task
def scores_compute_task(county_id: int, stage: str, as_of: str = "") -> int:
    """Score one county × stage group (as_of: YYYY-MM-DD, default this week's Monday)."""
    import datetime as dt

    from dtss.orgs.models import County
    from dtss.predict.model_services import scores_compute

    county = County.objects.get(pk=county_id)
    day = dt.date.fromisoformat(as_of) if as_of else None
    return scores_compute(county=county, stage=stage, as_of=day)


@task
def version_train_task(
    county_id: int, stage: str, target: dict | None, actor_id: int | None
) -> str:
    """Train a version in the worker; returns its public id."""
    from dtss.accounts.models import User
    from dtss.orgs.models import County
    from dtss.predict.model_services import version_train

    county = County.objects.get(pk=county_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    version = version_train(county=county, stage=stage, target=target, actor=actor)
    return str(version.public_id)


def version_train_enqueue(*, county: Any, stage: str, target: dict | None, actor: Any) -> Any:
    """Queue the training of a new version; returns the task result handle."""
    from django.core.exceptions import ValidationError

    from dtss.predict import features as F
    from dtss.predict.models import StageGroup

    if stage not in StageGroup.values:
        raise ValidationError({"stage": f"unknown school stage {stage!r}"})
    try:
        F.target_clean(target)  # a bad target is an error now, not in the worker
    except ValueError as exc:
        raise ValidationError({"target": str(exc)}) from exc
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    return version_train_task.enqueue(county.pk, stage, target or {}, actor_id)


def scores_enqueue_all(*, county: Any = None) -> int:
    """Queue `scores_compute_task` per county × stage with an enabled version; the count."""
    from dtss.predict.models import ModelVersion

    qs = ModelVersion.objects.filter(status=ModelVersion.Status.ENABLED)
    if county is not None:
        qs = qs.filter(county=county)
    n = 0
    for county_id, stage in qs.values_list("county_id", "stage").order_by("county_id", "stage"):
        scores_compute_task.enqueue(county_id, stage)
        n += 1
    return n
