"""The demo's models (predict/demo.py): a version per stage group from the county's rollups,
enabled and scored when it passes, the others kept with the reason they were not."""

from __future__ import annotations

from typing import Any

import pytest

from dtss.predict.demo import demo_models
from dtss.predict.features import monday
from dtss.predict.models import ModelVersion, PatternRun, RiskScore
from dtss.predict.tests.synthetic import synth_build

pytestmark = pytest.mark.django_db


def test_demo_models_enable_what_passes_and_say_why_the_rest_is_not(world: Any) -> None:
    synth = synth_build(world)  # elementary students of county A with a known ground truth
    county = world.counties["A"]
    lines: list[str] = []
    demo_models(
        county=county, actor=world.users["a_admin"], today=synth.today, progress=lines.append
    )
    version = ModelVersion.objects.get(county=county, stage="elementary")
    assert version.passed and version.status == ModelVersion.Status.ENABLED
    scores = RiskScore.objects.filter(county=county, version=version)
    assert scores.exists() and {s.as_of for s in scores} == {monday(synth.today)}
    assert any(line.startswith("  elementary: v1 AUC") and "enabled" in line for line in lines)
    # no junior or senior data in county A: no version, and the line says why
    assert not ModelVersion.objects.filter(county=county).exclude(stage="elementary").exists()
    for stage in ("junior", "senior"):
        assert any(line.startswith(f"  {stage}: not trained (") for line in lines), lines
    assert PatternRun.objects.filter(county=county, stage="elementary").exists()
    # nothing in county B
    assert not ModelVersion.objects.filter(county=world.counties["B"]).exists()
