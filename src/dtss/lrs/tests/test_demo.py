"""The demo county's learning records (journey 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dtss.demo.county import _pending_write, demo_load, demo_pending, demo_pending_run
from dtss.lrs.models import Credential, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> list[dict[str, object]]:
    """The demo as `dtss demo` makes it: the county first, the learning records and the risk
    model (deferred extensions) afterwards, from the pending file in the data directory."""
    settings.DATA_DIR = tmp_path
    assert demo_load(seed=114, progress=lambda _msg: None, defer=True) is True
    pending = demo_pending()
    assert [p["extension"] for p in pending] == [
        "dtss.analytics.demo.demo_analytics",
        "dtss.predict.demo.demo_predict",
    ]
    assert not Statement.objects.exists()  # not yet: the server would be up by now
    assert demo_pending_run(progress=lambda _msg: None) == 2
    assert demo_pending() == [] and not (tmp_path / "demo-pending.json").exists()
    return pending


def deferred_learning_records_can_run_again(pending: list[dict[str, object]]) -> None:
    """An interrupted background run starts again from the pending file: running the same
    entries once more completes what is missing and duplicates nothing."""
    from dtss.analytics.models import LearnerGroup, Platform
    from dtss.predict.models import ModelVersion

    def counts() -> tuple[int, ...]:
        return (
            Statement.objects.count(),
            Platform.objects.count(),
            Credential.objects.count(),
            LearnerGroup.objects.count(),
            ModelVersion.objects.count(),
        )

    before = counts()
    assert before[0] > 1000 and before[3] > 0
    _pending_write(pending)
    assert demo_pending_run(progress=lambda _msg: None) == 2
    assert counts() == before


def test_demo_county_has_platform_credentials_and_their_records(
    demo: list[dict[str, object]],
) -> None:
    from dtss.lrs.xapi import validate_statement

    credentials = {c.platform: c for c in Credential.objects.filter(county__code="10008")}
    assert set(credentials) == {"因材網", "均一", "酷英網"}
    adl = credentials["因材網"]
    records = Statement.objects.filter(credential=adl)
    assert records.count() > 1000
    # Every record is stored with the platform's authority, in the county's store.
    sample = json.loads(records.first().payload)
    assert sample["authority"]["account"]["name"] == adl.key
    assert set(records.values_list("store", flat=True)) == {adl.county_id}
    # Three weeks of school days, each pupil an account on 因材網.
    assert records.values("actor_key").distinct().count() >= 20
    verbs = set(records.values_list("verb_id", flat=True))
    assert {v.rsplit("/", 1)[1] for v in verbs} == {"experienced", "answered", "completed"}
    # What was stored is valid xAPI as it is returned.
    for row in Statement.objects.order_by("?")[:50]:
        validate_statement(json.loads(row.payload), version="1.0.3")
    deferred_learning_records_can_run_again(demo)  # one generation of the demo for both
