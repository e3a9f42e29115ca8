"""Targets other than the overall correct rate (issue 7, item 1: "the target is configurable,
e.g. a platform's mastery outcome"), extra signals from other modules (FEATURE_PROVIDERS), and
the "train a new version" button through the task worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from dtss.analytics.models import ActorLink, StudentDay, StudentWeek
from dtss.core.models import AuditEntry
from dtss.predict import features as F
from dtss.predict import model_services
from dtss.predict.models import ModelVersion
from dtss.predict.tests.synthetic import synth_build

pytestmark = pytest.mark.django_db

FIRST = dt.date(2025, 9, 1)  # a Monday


def _days(world: Any, person: Any, *, subject: str, platform_id: int, correct: int) -> None:
    """Ten answers a week for eight weeks in one subject on one platform."""
    school_class = world.classes["A-elem 5-1"]
    now = timezone.now()
    link, _ = ActorLink.objects.get_or_create(
        county=school_class.county,
        actor_key=f"account::https://adl.edu.tw::{person.pk}-{platform_id}",
        defaults={
            "label": person.name,
            "platform_id": platform_id,
            "person": person,
            "first_seen": now,
            "last_seen": now,
        },
    )
    for week in range(8):
        StudentDay.objects.create(
            county=school_class.county,
            actor=link,
            person=person,
            school=school_class.school,
            school_class=school_class,
            grade=5,
            day=FIRST + dt.timedelta(weeks=week, days=1),
            platform_id=platform_id,
            subject=subject,
            seconds=900,
            events=10,
            answered=10,
            correct=correct,
        )


def test_a_subject_or_platform_target_reads_only_its_days(world: Any) -> None:
    """Math on platform 1 is weak (3 of 10), English on platform 2 strong (9 of 10): the target
    decides which the labels and the target feature see."""
    county = world.counties["A"]
    pupil = world.people["elem_student"]
    _days(world, pupil, subject="math", platform_id=1, correct=3)
    _days(world, pupil, subject="english", platform_id=2, correct=9)
    end = FIRST + dt.timedelta(weeks=8)
    cutoff = FIRST + dt.timedelta(weeks=4)
    rates = {}
    for name, extra in {
        "math": {"subject": "math"},
        "english": {"subject": "english"},
        "platform 1": {"platform_id": 1},
        "platform 2": {"platform_id": 2},
        "all": {},
    }.items():
        target = F.target_clean({**extra, "threshold": 0.6})
        cube = F.cube_load(
            county=county,
            first_week=FIRST,
            end_week=end,
            person_ids=np.array([pupil.pk]),
            target=target,
        )
        y = F.labels_at(cube, cutoff, target=target)
        fs = F.features_at(cube, cutoff, target=target, county=county)
        rates[name] = (float(y[0]), round(float(fs.recent_target[0]), 2))
    assert rates["math"] == (1.0, 0.3) == rates["platform 1"]  # below 60 %: at risk
    assert rates["english"] == (0.0, 0.9) == rates["platform 2"]
    # with no subject or platform the target reads the weeks (StudentWeek), here empty
    assert not StudentWeek.objects.filter(person=pupil).exists()
    assert np.isnan(rates["all"][0])


def test_a_feature_provider_adds_its_signal(world: Any, monkeypatch: Any) -> None:
    """A module registers a provider (e.g. attendance): its feature is trained on, and a
    student it knows nothing of is scored as unknown (NaN), not as zero."""
    synth = synth_build(world)
    county = world.counties["A"]
    known = {pid: i % 3 for i, pid in enumerate(synth.people)}
    asked: list[dt.date] = []

    def absences(county_: Any, person_ids: np.ndarray, cutoff: dt.date) -> dict[str, Any]:
        assert county_ == county
        asked.append(cutoff)
        return {
            "absent_days_4w": [known.get(int(p), np.nan) for p in person_ids],
        }

    monkeypatch.setattr(F, "FEATURE_PROVIDERS", [absences])
    version = model_services.version_train(county=county, stage="elementary", today=synth.today)
    assert version.features[-1] == "absent_days_4w"
    assert "absent_days_4w" in version.card["features"]
    assert len(set(asked)) > 3  # every cut-off asked, before it and only before it
    assert max(asked) < synth.today
    cube = F.cube_load(
        county=county,
        first_week=synth.first_week,
        end_week=F.monday(synth.today),
        person_ids=np.array([synth.people[0], world.people["elem_student"].pk]),
    )
    fs = F.features_at(
        cube,
        F.monday(synth.today),
        target=F.DEFAULT_TARGET,
        names=version.features,
        county=county,
    )
    col = fs.names.index("absent_days_4w")
    values = dict(zip(cube.person_ids.tolist(), fs.matrix[:, col].tolist(), strict=True))
    assert values[synth.people[0]] == known[synth.people[0]]
    assert np.isnan(values[world.people["elem_student"].pk])


def test_the_train_button_trains_a_version_in_the_worker(world: Any) -> None:
    """The county's button queues the training; the worker (immediate in tests) stores the
    version, audited with who asked."""
    synth = synth_build(world)
    county = world.counties["A"]
    r = world.client("a_admin").post(
        "/predict/models/train/", {"county": county.pk, "stage": "elementary"}
    )
    assert r.status_code == 302
    version = ModelVersion.objects.get(county=county, stage="elementary")
    assert version.number == 1 and version.card["trained_on"] == str(timezone.localdate())
    assert version.created_by == world.users["a_admin"]
    assert AuditEntry.objects.filter(action="predict.version_train_request").count() == 1
    assert AuditEntry.objects.filter(action="predict.version_train", county=county).count() == 1
    assert synth.people  # the students the version was trained on
    # another county's administrator cannot train for county A
    world.client("b_admin").post("/predict/models/train/", {"county": county.pk, "stage": "junior"})
    assert ModelVersion.objects.filter(county=county).count() == 1
