"""The rollups: what a statement adds, voiding, identity, and incremental = from scratch."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from dtss.analytics.models import (
    ActorLink,
    SchoolWeek,
    SchoolWeekPart,
    StudentDay,
    StudentWeek,
)
from dtss.analytics.rollups import actor_reattribute, duration_seconds, rollup_rebuild
from dtss.analytics.tests.conftest import stmt, void

T0 = dt.datetime(2026, 10, 5, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Taipei


def _snapshot(county_id: int) -> dict[str, Any]:
    def rows(model: Any, key: tuple[str, ...], drop: tuple[str, ...] = ()) -> list[tuple]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", *drop)]
        out = []
        for r in model.objects.filter(county_id=county_id).values(*fields):
            if "score_sum" in r:
                r["score_sum"] = round(r["score_sum"], 6)
            out.append(tuple(sorted(r.items())))
        return sorted(out)

    return {
        "day": rows(StudentDay, ()),
        "week": rows(StudentWeek, ()),
        "school": rows(SchoolWeek, ()),
        "part": rows(SchoolWeekPart, ()),
        "actors": sorted(
            ActorLink.objects.filter(county_id=county_id).values_list(
                "actor_key", "person_id", "statements"
            )
        ),
    }


def test_duration_parsing() -> None:
    assert duration_seconds("PT1H2M3.5S") == 3723.5
    assert duration_seconds("P1DT1S") == 86401
    assert duration_seconds("PT") == 0
    assert duration_seconds("bogus") == 0
    assert duration_seconds(None) == 0


def test_one_statement_rolls_up_to_every_level(learning: Any, world: Any) -> None:
    learning.send(
        [
            stmt("elem_student", verb="answered", success=True, seconds=90, when=T0),
            stmt("elem_student", verb="answered", success=False, seconds=30, when=T0),
            stmt(
                "elem_student", verb="passed", scaled=0.8, seconds=20000, when=T0
            ),  # capped at 3 h
        ]
    )
    assert learning.roll() == 3
    day = StudentDay.objects.get()
    assert day.person == world.people["elem_student"]
    assert day.school == world.schools["A-elem"]
    assert day.school_class == world.classes["A-elem 5-1"]
    assert (day.events, day.answered, day.correct, day.attempts, day.completions) == (3, 2, 1, 1, 1)
    assert day.seconds == 90 + 30 + 3 * 3600
    assert day.score_n == 1 and abs(day.score_sum - 0.8) < 1e-9
    week = StudentWeek.objects.get()
    assert (week.week, week.active_days, week.events) == (dt.date(2026, 10, 5), 1, 3)
    school = SchoolWeek.objects.get()
    assert (school.students, school.grade, school.events) == (1, 5, 3)
    part = SchoolWeekPart.objects.get()
    assert (part.subject, part.students, part.platform_id) == ("math", 1, 0)
    assert learning.roll() == 0  # nothing new


def test_voiding_after_and_before_the_target(learning: Any) -> None:
    a = stmt("elem_student", when=T0)
    learning.send([a])
    learning.roll()
    learning.send([void(a["id"])])
    learning.roll()
    assert not StudentDay.objects.exists() and not SchoolWeek.objects.exists()
    # a voiding statement stored before its target: the target never counts
    b = stmt("elem_student2", when=T0)
    learning.send([void(b["id"])])
    learning.send([b])
    learning.roll()
    assert not StudentDay.objects.exists()


def test_unresolved_actor_is_listed_then_mapping_reattributes(learning: Any, world: Any) -> None:
    learning.send([stmt("adl-0042", when=T0), stmt("adl-0042", when=T0 + dt.timedelta(days=1))])
    learning.roll()
    link = ActorLink.objects.get(actor_key="account:https://adl.edu.tw|adl-0042")
    assert link.person is None and link.statements == 2
    assert StudentDay.objects.filter(person=None).count() == 2
    assert not SchoolWeek.objects.exists()
    actor_reattribute(link=link, person_id=world.people["elem_student2"].pk)
    assert StudentDay.objects.filter(person=world.people["elem_student2"]).count() == 2
    assert SchoolWeek.objects.get().students == 1
    assert StudentWeek.objects.get().active_days == 2
    # and moved again, to another student of another school of the county
    actor_reattribute(link=link, person_id=world.people["elem_student"].pk)
    assert StudentWeek.objects.get().person == world.people["elem_student"]
    assert SchoolWeek.objects.get().students == 1


def test_incremental_equals_rebuild(learning: Any, world: Any) -> None:
    rng = random.Random(7)
    names = ["elem_student", "elem_student2", "adl-x1", "junior_teacher"]
    sent: list[str] = []
    for round_no in range(12):
        batch = []
        for _ in range(rng.randint(1, 25)):
            when = T0 + dt.timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
            batch.append(
                stmt(
                    rng.choice(names),
                    verb=rng.choice(["experienced", "answered", "completed", "passed"]),
                    subject=rng.choice(["math", "chinese", "english"]),
                    seconds=rng.choice([None, 60, 600, 40000]),
                    success=rng.choice([None, True, False]),
                    scaled=rng.choice([None, 0.3, 0.9]),
                    when=when,
                )
            )
        if sent and rng.random() < 0.5:
            batch.append(void(sent.pop(rng.randrange(len(sent)))))
        if rng.random() < 0.3:  # a voiding statement ahead of its target
            target = stmt("elem_student", when=T0)
            batch.append(void(target["id"]))
            learning.send(batch)
            batch = [target]
        ids = learning.send(batch)
        sent.extend(
            i
            for i, s in zip(ids, batch, strict=True)
            if "verb" in s and "void" not in s["verb"]["id"]
        )
        learning.roll()
        if round_no == 6:
            link = ActorLink.objects.get(actor_key="account:https://adl.edu.tw|adl-x1")
            actor_reattribute(link=link, person_id=world.people["elem_student2"].pk)
            link.person = world.people["elem_student2"]
            link.save()
    county_id = world.counties["A"].pk
    incremental = _snapshot(county_id)
    assert incremental["day"] and incremental["school"]
    rollup_rebuild(county_id=county_id, margin_ms=0)
    assert _snapshot(county_id) == incremental
