"""Generated learning data with a known ground truth, for the model's tests and benchmark.

`synth_build(world, ...)` adds classes and students to a school of the `world` fixture and
writes their StudentWeek rows directly (the rollups' level 2) over `weeks` weeks from the
first Monday of term 114-1 (2025-08-04). The truth:

- each student has an ability (their usual correct rate, 0.6–0.85) and an engagement level;
- about a third of the students *fade* from a week F on: their activity falls to a fifth, and
  two weeks later their correct rate falls by 0.3. The label (the correct rate over the next 4
  weeks below 0.6) thus depends on the activity trend before the scores show it, so a model
  that reads activity can beat "the last 4 weeks' correct rate alone";
- `noise=True`: every week's correct rate is a coin toss around 0.6, independent of anything
  (a model must not pass its evaluation on it);
- a few students (`sparse`) are active in only two weeks: never enough data to score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dtss.analytics.models import LearnerGroup, StudentWeek
from dtss.orgs.models import Enrollment, Person, SchoolClass
from dtss.orgs.services import term_get_or_create

FIRST_WEEK = dt.date(2025, 8, 4)


@dataclass
class Synth:
    today: dt.date
    first_week: dt.date
    weeks: int
    classes: list[Any] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    fade_week: dict[int, int] = field(default_factory=dict)  # person id → week index F
    sparse: list[int] = field(default_factory=list)
    disadvantaged: list[int] = field(default_factory=list)


def synth_build(
    world: Any,
    *,
    school_key: str = "A-elem",
    classes: int = 6,
    per_class: int = 50,
    weeks: int = 20,
    noise: bool = False,
    sparse: int = 3,
    seed: int = 7,
    first_class_number: int = 11,
) -> Synth:
    rng = np.random.default_rng(seed)
    school = world.schools[school_key]
    term = term_get_or_create(roc_year=114, semester=1)
    grade = 5 if school.stage == "elementary" else 8
    out = Synth(today=FIRST_WEEK + dt.timedelta(weeks=weeks), first_week=FIRST_WEEK, weeks=weeks)
    rows: list[StudentWeek] = []
    groups: list[LearnerGroup] = []
    for k in range(classes):
        klass = SchoolClass.objects.create(
            county=school.county,
            school=school,
            term=term,
            grade=grade,
            number=first_class_number + k,
        )
        out.classes.append(klass)
        people = Person.objects.bulk_create(
            [
                Person(
                    county=school.county,
                    name=f"synth {school_key} {k} {i}",
                    gender=("F", "M")[int(rng.integers(2))],
                    external_id=f"synth-{school.code}-{k}-{i}",
                )
                for i in range(per_class + (sparse if k == 0 else 0))
            ]
        )
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    county=school.county,
                    school=school,
                    school_class=klass,
                    student=p,
                    seat_number=i + 1,
                )
                for i, p in enumerate(people)
            ]
        )
        for i, person in enumerate(people):
            is_sparse = k == 0 and i >= per_class
            ability = rng.uniform(0.6, 0.85)
            engage = rng.uniform(0.6, 1.4)
            fade = int(rng.integers(5, weeks - 2)) if rng.random() < 0.35 else None
            poor = rng.random() < 0.15
            out.people.append(person.pk)
            if fade is not None:
                out.fade_week[person.pk] = fade
            if is_sparse:
                out.sparse.append(person.pk)
            if poor:
                out.disadvantaged.append(person.pk)
                groups.append(
                    LearnerGroup(
                        county=school.county,
                        person=person,
                        kind="low_income",
                        start_date=dt.date(2025, 8, 1),
                    )
                )
            active_weeks = set(rng.choice(weeks, 2, replace=False)) if is_sparse else None
            for w in range(weeks):
                if active_weeks is not None and w not in active_weeks:
                    continue
                level = engage * (0.2 if fade is not None and w >= fade else 1.0)
                level *= rng.uniform(0.8, 1.2)
                days = max(1, min(7, round(4 * level)))
                answered = max(1, int(rng.poisson(15 * level)))
                if noise:
                    rate = rng.uniform(0.3, 0.9)
                else:
                    rate = ability - (0.3 if fade is not None and w >= fade + 2 else 0.0)
                correct = int(rng.binomial(answered, min(max(rate, 0.02), 0.98)))
                rows.append(
                    StudentWeek(
                        county=school.county,
                        person=person,
                        school=school,
                        school_class=klass,
                        grade=grade,
                        week=FIRST_WEEK + dt.timedelta(weeks=w),
                        seconds=int(3600 * level),
                        events=int(40 * level) + 1,
                        completions=int(rng.poisson(3 * level)),
                        attempts=answered,
                        answered=answered,
                        correct=correct,
                        score_sum=float(correct) / answered * 5,
                        score_n=5,
                        active_days=days,
                    )
                )
    StudentWeek.objects.bulk_create(rows, batch_size=2000)
    LearnerGroup.objects.bulk_create(groups)
    return out
