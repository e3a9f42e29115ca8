"""The demo county's learning records (journey 7)."""

from __future__ import annotations

import json

import pytest

from dtss.demo.county import demo_load
from dtss.lrs.models import Credential, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    assert demo_load(seed=114, progress=lambda _msg: None) is True


def test_demo_county_has_platform_credentials_and_their_records(demo: None) -> None:
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
