"""Demo data of the risk model (issue 7), registered in `DEMO_EXTENSIONS` after analytics'.

For each stage group of the demo county (南投縣) it trains a version from the demo's two terms of
rollups with the default target, enables it if it passed its evaluation, scores the students as
of this week's Monday, and runs the learning patterns.
Whether a version passes on the demo data is what it is: the progress line says so, and a
failed version stays trained but not enabled (its card shows why).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dtss.predict.models import ModelVersion, StageGroup

DEMO_COUNTY_CODE = "10008"


def demo_predict(rng: random.Random, progress: Callable[[str], None]) -> None:
    from dtss.accounts.models import User
    from dtss.orgs.models import County

    county = County.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is None:
        return
    admin = User.objects.filter(username="county.admin").first()
    demo_models(county=county, actor=admin, today=timezone.localdate(), progress=progress)


def demo_models(
    *, county: Any, actor: Any, today: dt.date, progress: Callable[[str], None]
) -> None:
    """Train a version per stage group from `county`'s rollups; enable and score the ones that
    pass; run the learning patterns. A stage group that has a version already (an interrupted
    run: each group is trained, enabled and scored in one transaction) is left as it is."""
    from dtss.predict.features import monday
    from dtss.predict.model_services import scores_compute, version_enable, version_train
    from dtss.predict.patterns import patterns_run

    admin = actor
    progress("Learning risk model: training a version per school stage …")
    for stage in StageGroup.values:
        if ModelVersion.objects.filter(county=county, stage=stage).exists():
            continue
        with transaction.atomic():
            try:
                version = version_train(county=county, stage=stage, actor=admin, today=today)
            except ValidationError as exc:
                progress(f"  {stage}: not trained ({'; '.join(exc.messages)})")
                continue
            card = version.card
            if version.passed:
                version_enable(version=version, actor=admin)
                n = scores_compute(county=county, stage=stage, as_of=monday(today))
                progress(
                    f"  {stage}: v{version.number} AUC {card['auc']} (baseline "
                    f"{card['baseline_auc']}), passed, enabled; {n} students scored."
                )
            else:
                failed = [c["code"] for c in card["gate"]["checks"] if not c["ok"]]
                progress(
                    f"  {stage}: v{version.number} AUC {card['auc']} (baseline "
                    f"{card['baseline_auc']}) did not pass ({', '.join(failed)}); not enabled."
                )
    last_week = monday(today) - dt.timedelta(weeks=1)
    for stage in StageGroup.values:
        try:
            patterns_run(county=county, stage=stage, last_week=last_week)
        except (ValidationError, ValueError) as exc:
            progress(f"  {stage}: no learning patterns ({exc})")
