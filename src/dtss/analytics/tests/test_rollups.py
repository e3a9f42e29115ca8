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


def test_stored_statements_reach_the_rollups_without_a_command(
    learning: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Journey 7: the LRS's after-store hook schedules the county's rollups (here the
    immediate task backend runs them right after the commit)."""
    settings.ANALYTICS_AUTO_ROLLUP = True
    with django_capture_on_commit_callbacks(execute=True):
        learning.send([stmt("elem_student", when=T0)])
    assert StudentDay.objects.filter(person__external_id="elem_student").count() == 1
    # another county's store is another county's rollups
    with django_capture_on_commit_callbacks(execute=True):
        learning.send([stmt("b_student", when=T0)], county="B")
    assert StudentDay.objects.get(person__external_id="b_student").county == learning.county("B")


def test_auto_rollup_off_leaves_the_statements_pending(
    learning: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from dtss.analytics.rollups import rollup_pending

    with django_capture_on_commit_callbacks(execute=True):
        learning.send([stmt("elem_student", when=T0)])
    assert not StudentDay.objects.exists()
    assert rollup_pending(county_id=learning.county("A").pk) == 1
    learning.roll()
    assert rollup_pending(county_id=learning.county("A").pk) == 0


def test_an_actor_of_another_county_does_not_resolve_here(learning: Any) -> None:
    """b_student's account name sent to county A's store matches nobody in A."""
    learning.send([stmt("b_student", when=T0)])
    learning.roll()
    link = ActorLink.objects.get()
    assert link.county == learning.county("A") and link.person is None


def test_mbox_actor_resolves_by_email_in_any_case(learning: Any, world: Any) -> None:
    s = stmt("x", when=T0)
    s["actor"] = {"objectType": "Agent", "mbox": "mailto:Elem_Student@Example.org"}
    learning.send([s])
    learning.roll()
    link = ActorLink.objects.get()
    assert link.person == world.people["elem_student"] and link.method == "email"


def test_openid_sub_account_resolves_when_the_platform_says_so(learning: Any, world: Any) -> None:
    from dtss.analytics.models import Platform
    from dtss.analytics.platform_services import platform_create

    person = world.people["elem_student2"]
    person.openid_sub = "b7e3c1d2-sub"
    person.save()
    platform_create(
        actor=world.users["a_admin"],
        county=learning.county("A"),
        name="酷課雲",
        kind=Platform.Kind.COOC,
        account_home_page="https://cooc.tp.edu.tw",
        identity_scheme=Platform.IdentityScheme.OPENID_SUB,
    )
    learning.send([stmt("b7e3c1d2-sub", when=T0, home="https://cooc.tp.edu.tw")])
    learning.roll()
    link = ActorLink.objects.get()
    assert (link.person, link.method) == (person, "openid_sub")
    day = StudentDay.objects.get()
    assert day.platform_id == Platform.objects.get().pk
