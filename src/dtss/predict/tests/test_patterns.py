"""Learning patterns (issue 7 item 4): clustering of generated weekly profiles of known kinds,
determinism, re-runs, bounded queries, the pages and who may see them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dtss.analytics.models import ActorLink, StudentDay, StudentWeek
from dtss.orgs import services as org_services
from dtss.orgs.models import Enrollment, Membership, Person, Role
from dtss.predict import patterns as pat
from dtss.predict.models import PatternRun, StudentPattern
from dtss.predict.pattern_views import suppressed

LAST_WEEK = dt.date(2025, 12, 15)  # a Monday of term 114-1 (the world's term)
WEEKS = 8
KINDS = ["steady", "weekend", "fading", "rising", "bursty", "light", "inactive"]
PER_KIND = 22  # 154 generated students


def _weekly(kind: str, rng: np.random.Generator) -> list[tuple[float, int]]:
    """(minutes, day-kind) per week: day-kind 0 weekdays only, 1 mostly at weekends."""
    noise = rng.uniform(0.85, 1.15, WEEKS)
    if kind == "steady":
        base = np.full(WEEKS, 120.0)
    elif kind == "weekend":
        base = np.full(WEEKS, 100.0)
    elif kind == "fading":
        base = np.linspace(200, 0, WEEKS)
    elif kind == "rising":
        base = np.linspace(0, 200, WEEKS)
    elif kind == "bursty":
        base = np.zeros(WEEKS)
        i = int(rng.integers(0, 4))
        base[i] = base[WEEKS - 1 - i] = 300.0
    elif kind == "light":
        base = np.full(WEEKS, 12.0)
    else:
        base = np.zeros(WEEKS)
    return [(float(m), 1 if kind == "weekend" else 0) for m in base * noise]


def _generate(world: Any, *, seed: int = 7) -> dict[int, str]:
    """Six extra classes of A-elem (grade 6, 1–6) with PER_KIND students of each kind mixed
    over them, their StudentWeek and StudentDay rows written directly. {person id: kind}."""
    rng = np.random.default_rng(seed)
    county = world.counties["A"]
    school = world.schools["A-elem"]
    term = world.classes["A-elem 5-1"].term
    classes = [
        org_services.class_create(school=school, term=term, grade=6, number=n) for n in range(1, 7)
    ]
    total = PER_KIND * len(KINDS)
    people = Person.objects.bulk_create(
        [
            Person(county=county, name=f"學生{i:03d}", external_id=f"gen{i:03d}")
            for i in range(total)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(person=p, county=county, school=school, role=Role.STUDENT) for p in people]
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                county=county,
                school=school,
                school_class=classes[i % 6],
                student=p,
                seat_number=i // 6 + 1,
            )
            for i, p in enumerate(people)
        ]
    )
    now = timezone.now()
    actors = ActorLink.objects.bulk_create(
        [
            ActorLink(
                county=county,
                actor_key=f"acct:{p.external_id}",
                label=p.external_id,
                person=p,
                first_seen=now,
                last_seen=now,
            )
            for p in people
        ]
    )
    kinds: dict[int, str] = {}
    weeks, days = [], []
    first = LAST_WEEK - dt.timedelta(days=7 * (WEEKS - 1))
    for i, (p, actor) in enumerate(zip(people, actors, strict=True)):
        kind = KINDS[i % len(KINDS)]
        kinds[p.pk] = kind
        c = classes[i % 6]
        for w, (minutes, weekendish) in enumerate(_weekly(kind, rng)):
            seconds = int(minutes * 60)
            if seconds <= 0:
                continue
            monday = first + dt.timedelta(days=7 * w)
            offsets = [5, 6] if weekendish else [0, 2, 4]
            if weekendish:  # a little on a weekday too
                parts = [(0, seconds // 10), (5, seconds * 5 // 10)]
                parts.append((6, seconds - sum(s for _o, s in parts)))
            else:
                share = seconds // len(offsets)
                parts = [(o, share) for o in offsets]
            for offset, secs in parts:
                days.append(
                    StudentDay(
                        county=county,
                        actor=actor,
                        person=p,
                        school=school,
                        school_class=c,
                        grade=6,
                        day=monday + dt.timedelta(days=offset),
                        seconds=secs,
                        events=3,
                    )
                )
            weeks.append(
                StudentWeek(
                    county=county,
                    person=p,
                    school=school,
                    school_class=c,
                    grade=6,
                    week=monday,
                    seconds=seconds,
                    events=3 * len(parts),
                    active_days=len(parts),
                )
            )
    # activity outside the span must not count: a week after it and one before it
    for p in people[:3]:
        for monday in (LAST_WEEK + dt.timedelta(days=7), first - dt.timedelta(days=7)):
            weeks.append(
                StudentWeek(
                    county=county,
                    person=p,
                    school=school,
                    week=monday,
                    seconds=99999,
                    active_days=5,
                )
            )
    StudentDay.objects.bulk_create(days, batch_size=2000)
    StudentWeek.objects.bulk_create(weeks, batch_size=2000)
    return kinds


@pytest.fixture
def generated(world: Any) -> dict[int, str]:
    return _generate(world)


def _run(world: Any) -> PatternRun:
    return pat.patterns_run(
        county=world.counties["A"], stage="elementary", last_week=LAST_WEEK, weeks=WEEKS
    )


def _assigned(run: PatternRun) -> dict[int, str]:
    return dict(StudentPattern.objects.filter(run=run).values_list("person_id", "pattern"))


# --------------------------------------------------------------------------- the run


def test_known_kinds_are_found(world: Any, generated: dict[int, str]) -> None:
    run = _run(world)
    got = _assigned(run)
    # every enrolled elementary student of county A: the generated ones and the world's two
    assert len(got) == len(generated) + 2
    assert got[world.people["elem_student"].pk] == "inactive"
    for kind in KINDS:
        ids = [pid for pid, k in generated.items() if k == kind]
        hits = sum(got[pid] == kind for pid in ids)
        assert hits >= 0.8 * len(ids), (kind, Counter(got[pid] for pid in ids))
    card = run.card
    assert card["method"] == "kmeans"
    assert pat.K_MIN <= card["k"] <= pat.K_MAX
    assert card["silhouette"] is not None and card["silhouette"] > 0.3
    assert card["features"] == pat.FEATURES
    assert card["rules"]["weekend_share_min"] == pat.WEEKEND_SHARE
    assert sum(c["size"] for c in card["clusters"]) == len(got) - card["inactive"]
    assert run.first_week == LAST_WEEK - dt.timedelta(days=7 * (WEEKS - 1))
    # the weeks outside the span were not counted
    sp = StudentPattern.objects.get(run=run, person_id=next(iter(generated)))
    assert len(sp.features["weekly"]) == WEEKS
    assert max(sp.features["weekly"]) < 99999 / 60
    assert sp.school_id == world.schools["A-elem"].pk and sp.school_class_id is not None


def test_profile_features() -> None:
    fading = pat.profile(np.array([100.0, 75, 50, 25]), np.array([3, 3, 3, 1]), 0.0)
    assert fading["trend"] < pat.FADING_TREND
    assert fading["active_share"] == 1.0
    assert fading["minutes"] == 62.5
    weekend = pat.profile(np.array([60.0, 60, 0, 60]), np.array([2, 2, 0, 2]), 150.0)
    assert weekend["weekend_share"] == round(150 / 180, 4)
    assert weekend["active_share"] == 0.75
    assert pat.name_for(weekend) == "weekend"
    idle = pat.profile(np.zeros(4), np.zeros(4), 0.0)
    assert idle == {
        "minutes": 0.0,
        "active_share": 0.0,
        "weekend_share": 0.0,
        "trend": 0.0,
        "cv": 0.0,
        "weekly": [0.0] * 4,
    }
    assert pat.name_for({**fading, "minutes": 5}) == "fading"
    assert (
        pat.name_for({"minutes": 5, "active_share": 1, "weekend_share": 0, "trend": 0, "cv": 0.2})
        == "light"
    )
    assert (
        pat.name_for(
            {"minutes": 90, "active_share": 1, "weekend_share": 0.1, "trend": 0.1, "cv": 0.2}
        )
        == "steady"
    )


def test_deterministic_and_rerun_replaces(world: Any, generated: dict[int, str]) -> None:
    first = _run(world)
    before = _assigned(first)
    card = first.card
    second = _run(world)
    assert not PatternRun.objects.filter(pk=first.pk).exists()
    assert PatternRun.objects.filter(county=world.counties["A"], stage="elementary").count() == 1
    assert StudentPattern.objects.count() == len(before)
    assert _assigned(second) == before
    assert second.card == card
    # another last week is another run, kept beside it
    other = pat.patterns_run(
        county=world.counties["A"],
        stage="elementary",
        last_week=LAST_WEEK - dt.timedelta(days=7),
        weeks=WEEKS,
    )
    assert PatternRun.objects.filter(county=world.counties["A"]).count() == 2
    assert pat.latest_run(world.counties["A"].pk, "elementary") == second
    assert other.last_week < second.last_week


def test_bounded_queries(
    world: Any, generated: dict[int, str], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        _run(world)


def test_few_students_are_named_by_rules(world: Any) -> None:
    """The world alone (two elementary students of county A): nothing to cluster."""
    county = world.counties["A"]
    p = world.people["elem_student"]
    school_class = world.classes["A-elem 5-1"]
    for w in range(WEEKS):
        StudentWeek.objects.create(
            county=county,
            person=p,
            school=world.schools["A-elem"],
            school_class=school_class,
            week=LAST_WEEK - dt.timedelta(days=7 * w),
            seconds=3600,
            active_days=3,
        )
    run = _run(world)
    assert run.card["method"] == "rules" and run.card["clusters"] == []
    got = _assigned(run)
    assert got == {p.pk: "steady", world.people["elem_student2"].pk: "inactive"}
    # junior high students belong to another stage: a separate, empty run
    junior = pat.patterns_run(county=county, stage="junior", last_week=LAST_WEEK)
    assert junior.card["students"] == 0 and not junior.students.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"stage": "kindergarten"}, "stage"),
        ({"last_week": dt.date(2025, 12, 16)}, "last_week"),
        ({"weeks": 1}, "weeks"),
        ({"weeks": 53}, "weeks"),
    ],
)
def test_bad_arguments_name_the_field(world: Any, kwargs: dict, field: str) -> None:
    args = {"county": world.counties["A"], "stage": "elementary", "last_week": LAST_WEEK}
    with pytest.raises(ValidationError) as exc:
        pat.patterns_run(**{**args, **kwargs})
    assert field in exc.value.message_dict
    assert not PatternRun.objects.exists()


def test_suppression() -> None:
    assert suppressed([10, 0, 7]) == (["10", "0", "7"], "17")
    # a lone small count would follow from the total: the next smallest is hidden with it
    assert suppressed([10, 2, 7]) == (["10", "<5", "—"], "19")
    assert suppressed([3, 4]) == (["<5", "<5"], "7")
    assert suppressed([3, 0]) == (["<5", "0"], "<5")


# --------------------------------------------------------------------------- the pages


def _school_url(world: Any, key: str = "A-elem") -> str:
    return reverse("predict:patterns_school", args=[world.schools[key].public_id])


def test_school_page_without_a_run(world: Any) -> None:
    r = world.client("elem_admin").get(_school_url(world))
    assert r.status_code == 200
    assert b'id="no-patterns"' in r.content
    assert b"dtss model patterns" in r.content


@pytest.mark.parametrize(
    ("user", "school", "status"),
    [
        ("junior_admin", "A-elem", 404),  # another school's administrator
        ("junior_teacher", "A-elem", 404),  # a teacher without a class there
        ("b_admin", "A-elem", 404),  # another county
        ("b_teacher", "A-elem", 404),
        ("elem_student", "A-elem", 404),
        ("elem_parent", "A-elem", 404),
        ("outsider", "A-elem", 404),
        ("moe", "A-elem", 200),
        ("a_admin", "A-elem", 200),
        ("elem_admin", "B-elem", 404),
    ],
)
def test_school_page_permissions(world: Any, user: str, school: str, status: int) -> None:
    assert world.client(user).get(_school_url(world, school)).status_code == status


def test_school_page_needs_login(world: Any) -> None:
    from django.test import Client

    r = Client().get(_school_url(world))
    assert r.status_code == 302


def test_pages_with_a_run(world: Any, generated: dict[int, str]) -> None:
    """One run, then every page that shows it (one run keeps the file fast)."""
    run = _run(world)
    _school_admin(world)
    _county_staff(world)
    _teacher(world)
    _class_include(world, run)
    _class_page(world)
    _meaning(run)


def _school_admin(world: Any) -> None:
    r = world.client("elem_admin").get(_school_url(world))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="legend"' in body and 'id="grades"' in body and 'id="classes"' in body
    for code in ("steady", "weekend", "fading", "rising", "bursty", "light", "inactive"):
        assert f'data-pattern="{code}"' in body
    assert "(14%)" in body  # shares for the school: 22 of 156 students
    assert reverse("predict:patterns_class", args=[world.classes["A-elem 5-1"].public_id]) in body
    assert "學生000" not in body  # no student names on the school page


def _county_staff(world: Any) -> None:
    r = world.client("a_staff").get(_school_url(world))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="classes"' in body
    assert "%)" not in body  # no shares
    assert "&lt;5" in body  # the class 5-1 has two students: suppressed
    assert "patterns/" not in body.split('id="classes"')[1].split("</table>")[0]  # no links
    assert "學生000" not in body


def _teacher(world: Any) -> None:
    r = world.client("elem_teacher").get(_school_url(world))
    assert r.status_code == 200
    body = r.content.decode()
    table = body.split('id="classes"')[1].split("</table>")[0]
    assert "5年01班" in table
    assert "6年0" not in table
    assert 'id="grades"' not in body
    # the legend counts only the teacher's two students (both inactive)
    assert 'data-pattern="inactive"' in body and 'data-pattern="steady"' not in body


def _class_include(world: Any, run: PatternRun) -> None:
    school_class = (
        StudentPattern.objects.filter(run=run)
        .exclude(school_class=world.classes["A-elem 5-1"])
        .first()
        .school_class
    )
    rows = pat.class_patterns(school_class)
    assert len(rows) == Enrollment.objects.filter(school_class=school_class).count()
    order = [pat.ORDER.index(sp.pattern) for sp in rows]
    assert order == sorted(order)
    assert all(sp.meaning and sp.seat for sp in rows)
    html = render_to_string("predict/patterns_class.html", {"patterns": rows})
    for sp in rows:
        assert sp.person.name in html
    assert 'id="pattern-counts"' in html
    assert pat.class_patterns(world.classes["A-junior 7-1"]) == []
    empty = render_to_string("predict/patterns_class.html", {"patterns": []})
    assert 'id="no-patterns"' in empty


def _class_page(world: Any) -> None:
    url = reverse("predict:patterns_class", args=[world.classes["A-elem 5-1"].public_id])
    r = world.client("elem_teacher").get(url)
    assert r.status_code == 200
    assert world.people["elem_student"].name.encode() in r.content
    assert world.client("elem_admin").get(url).status_code == 200
    for user in (
        "junior_teacher",
        "b_teacher",
        "a_staff",
        "elem_student",
        "elem_parent",
        "b_admin",
        "junior_admin",
    ):
        assert world.client(user).get(url).status_code == 404, user


def _meaning(run: PatternRun) -> None:
    with translation.override("en"):
        items = {item["code"]: item for item in pat.legend(run)}
        assert "% of minutes on Saturday or Sunday" in items["weekend"]["meaning"]
        assert "fell from about" in items["fading"]["meaning"]
        assert "rose from about" in items["rising"]["meaning"]
        assert f"in the {WEEKS} weeks" in items["inactive"]["meaning"]
