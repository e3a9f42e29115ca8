"""Features: no leakage across the cut-off, not enough data, target validation, describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.db.models import F as DbF

from dtss.analytics.models import StudentWeek
from dtss.predict import features as F
from dtss.predict.reasons import describe
from dtss.predict.tests.synthetic import synth_build

TARGET = F.target_clean(None)


def _features(world: Any, synth: Any, cutoff: dt.date) -> tuple[np.ndarray, np.ndarray]:
    cube = F.cube_load(
        county=world.counties["A"],
        stage="elementary",
        first_week=synth.first_week,
        end_week=synth.today,
        target=TARGET,
    )
    fs = F.features_at(cube, cutoff, target=TARGET)
    return fs.matrix, F.labels_at(cube, cutoff, target=TARGET)


def test_features_use_only_weeks_before_the_cutoff(world: Any) -> None:
    synth = synth_build(world, classes=2, per_class=20)
    cutoff = synth.first_week + dt.timedelta(weeks=10)
    before, labels = _features(world, synth, cutoff)
    assert np.isfinite(before).any()
    # change every row at and after the cut-off: features unchanged, labels change
    StudentWeek.objects.filter(week__gte=cutoff).update(
        seconds=DbF("seconds") * 3, correct=0, active_days=7
    )
    after, labels_after = _features(world, synth, cutoff)
    np.testing.assert_array_equal(before, after)
    assert not np.array_equal(np.nan_to_num(labels, nan=-1), np.nan_to_num(labels_after, nan=-1))
    # change the week just before it: features change
    StudentWeek.objects.filter(week=cutoff - dt.timedelta(weeks=1)).update(correct=0)
    changed, _ = _features(world, synth, cutoff)
    assert not np.array_equal(np.nan_to_num(before, nan=-1), np.nan_to_num(changed, nan=-1))


def test_too_little_data_is_insufficient(world: Any) -> None:
    synth = synth_build(world, classes=1, per_class=10, sparse=3)
    cube = F.cube_load(
        county=world.counties["A"],
        stage="elementary",
        first_week=synth.first_week,
        end_week=synth.today,
        target=TARGET,
    )
    fs = F.features_at(cube, synth.today, target=TARGET)
    by_person = dict(zip(cube.person_ids.tolist(), fs.sufficient.tolist(), strict=True))
    assert not any(by_person[p] for p in synth.sparse)
    assert sum(by_person.values()) == 10
    # too few answers (correct_rate target) is insufficient too
    StudentWeek.objects.filter(person_id=synth.people[0]).update(answered=0, correct=0)
    cube = F.cube_load(
        county=world.counties["A"],
        stage="elementary",
        first_week=synth.first_week,
        end_week=synth.today,
        target=TARGET,
    )
    fs = F.features_at(cube, synth.today, target=TARGET)
    assert not fs.sufficient[list(cube.person_ids).index(synth.people[0])]


def test_target_validation_names_the_key() -> None:
    for bad, key in [
        ({"metric": "iq"}, "metric"),
        ({"threshold": 1.5}, "threshold"),
        ({"horizon_weeks": 0}, "horizon_weeks"),
        ({"min_answers": 0}, "min_answers"),
        ({"colour": 1}, "target"),
    ]:
        with pytest.raises(ValueError, match=key):
            F.target_clean(bad)
    assert F.target_clean({"metric": "completions", "threshold": 2})["threshold"] == 2.0


def test_describe_in_plain_language() -> None:
    assert (
        describe({"code": "activity_drop", "value": -0.6, "reference": 0.0}, "en")
        == "Activity fell 60% over the last three weeks"
    )
    assert (
        describe({"code": "correct_rate_low", "value": 0.45, "reference": 0.7}, "en")
        == "Correct rate 45%, below the class median of 70%"
    )
    text = describe(
        {
            "code": "target_low",
            "value": 0.45,
            "reference": 0.7,
            "subject": "math",
            "metric": "correct_rate",
        },
        "en",
    )
    assert text == "Mathematics result 45%, below the class median of 70%"
    assert describe({"code": "few_active_weeks", "value": 2.0}, "en") == (
        "Active in only 2 of the last 8 weeks"
    )


def test_a_student_who_stops_while_the_class_goes_on_is_labelled_at_risk() -> None:
    """Class 7: two students answer on, one stops altogether → 1.0 for them. Class 8: the
    whole class is quiet in the horizon (a holiday) → no labels."""
    first = dt.date(2025, 9, 1)
    weeks, cutoff = 8, dt.date(2025, 9, 29)  # horizon: weeks 4–7
    values = np.zeros((5, weeks, len(F.CHANNELS)))
    classes = np.zeros((5, weeks), dtype=np.int64)
    classes[:3], classes[3:] = 7, 8
    for p in range(5):  # everyone active before the cut-off: 10 answers, 8 right
        values[p, :4, F.CH["answered"]] = 10
        values[p, :4, F.CH["correct"]] = 8
        values[p, :4, F.CH["events"]] = 12
        values[p, :4, F.CH["active_days"]] = 2
    values[:2, 4:] = values[:2, :4]  # class 7: two go on as before
    cube = F.Cube(np.arange(1, 6), first, values, classes, classes * 100)
    y = F.labels_at(cube, cutoff, target=F.target_clean({}))
    assert y[:3].tolist() == [0.0, 0.0, 1.0]
    assert np.isnan(y[3:]).all()
    # a student who still shows up but answers too little has no label (not "stopped")
    values[2, 4, F.CH["events"]] = 1
    values[2, 4, F.CH["active_days"]] = 1
    assert np.isnan(F.labels_at(cube, cutoff, target=F.target_clean({}))[2])
