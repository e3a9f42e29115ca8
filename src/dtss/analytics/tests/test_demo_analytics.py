"""The analytics demo data (issue 6, item 6): platforms, a generated semester, learner groups.

The generator is tested on the `world` fixture with two classes of ~24 students over a term of
114學年度 (fast, and every property checked on known dates); one test builds the whole demo
county with a small share of the classes (`DEMO_LEARNING_SHARE`), as `dtss demo` does.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from dtss.analytics import profile
from dtss.analytics.class_selectors import class_report, period_for
from dtss.analytics.demo import (
    PLATFORM_SPECS,
    Calendar,
    Learner,
    LearningPlan,
    classes_end,
    classes_start,
    demo_platforms_create,
    learning_generate,
    taiwan_holidays,
)
from dtss.analytics.models import (
    ActorLink,
    LearnerGroup,
    Platform,
    SchoolWeek,
    StudentDay,
    StudentWeek,
)
from dtss.lrs.models import Credential, Statement
from dtss.lrs.xapi import validate_statement
from dtss.orgs import services as org_services
from dtss.orgs.models import Enrollment, Role, School

pytestmark = pytest.mark.django_db

START = dt.date(2025, 9, 1)
END = dt.date(2025, 11, 30)
TODAY = END + dt.timedelta(days=1)
HOLIDAYS_2025 = [dt.date(2025, 9, 29), dt.date(2025, 10, 6), dt.date(2025, 10, 10)]


def _enrol(world: Any, class_key: str, count: int) -> None:
    school_class = world.classes[class_key]
    first = Enrollment.objects.filter(school_class=school_class).count() + 1
    for seat in range(first, first + count):
        code = f"{school_class.school.code}{school_class.grade:02d}{seat:02d}"
        person = org_services.person_create(
            county=school_class.county, name=f"學生{code}", external_id=code
        )
        org_services.membership_create(person=person, role=Role.STUDENT, school=school_class.school)
        org_services.enrollment_create(student=person, school_class=school_class, seat_number=seat)


@pytest.fixture
def classroom(world: Any) -> Any:
    """Two classes of county A (24 pupils each), A-elem a remote school (數位學伴 territory)."""
    _enrol(world, "A-elem 5-1", 22)
    _enrol(world, "A-junior 7-1", 24)
    School.objects.filter(pk=world.schools["A-elem"].pk).update(area=School.Area.REMOTE)
    return world


def _plan(world: Any, **changes: Any) -> LearningPlan:
    values: dict[str, Any] = {
        "start": START,
        "end": END,
        "first_school_day": START,
        "quiet_classes": frozenset({world.classes["A-elem 5-1"].pk}),
        "keep_active": frozenset({world.people["elem_student"].pk}),
        "unresolved_actors": 4,
    }
    values.update(changes)
    return LearningPlan(**values)


def _generate(world: Any, seed: int = 7) -> Any:
    county = world.counties["A"]
    platforms = demo_platforms_create(county=county, actor=world.users["a_admin"])
    return learning_generate(
        county=county,
        platforms=platforms,
        plan=_plan(world),
        rng=random.Random(seed),
        actor=world.users["a_admin"],
    )


@pytest.fixture
def generated(classroom: Any) -> Any:
    return _generate(classroom)


# --------------------------------------------------------------------------- calendar


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (dt.date(2026, 9, 25), "中秋節"),
        (dt.date(2026, 9, 28), "教師節"),
        (dt.date(2026, 10, 9), "國慶日（補假）"),
        (dt.date(2026, 10, 26), "臺灣光復節（補假）"),
        (dt.date(2026, 2, 17), "春節"),
    ],
    ids=["mid-autumn", "teachers-day", "national-day-observed", "retrocession-observed", "cny"],
)
def test_holidays_of_2026_include_observed_days(day: dt.date, name: str) -> None:
    assert taiwan_holidays(2026)[day] == name


def test_calendar_weighs_days() -> None:
    assert classes_start(dt.date(2026, 8, 1)) == dt.date(2026, 8, 31)  # 30 Aug is a Sunday
    assert classes_start(dt.date(2027, 2, 1)) == dt.date(2027, 2, 11)
    calendar = Calendar(dt.date(2026, 8, 31))
    monday, saturday, summer = dt.date(2026, 11, 16), dt.date(2026, 11, 21), dt.date(2026, 8, 10)
    assert calendar.school_day(monday) and not calendar.school_day(saturday)
    assert not calendar.school_day(dt.date(2026, 10, 9))  # 國慶日 observed on the Friday
    assert calendar.home_factor(dt.date(2026, 10, 9)) < calendar.home_factor(saturday)
    assert calendar.home_factor(summer) < calendar.home_factor(saturday)
    assert calendar.home_factor(saturday) < calendar.home_factor(monday)


def test_calendar_with_the_previous_term() -> None:
    assert classes_end(dt.date(2026, 2, 1)) == dt.date(2026, 6, 30)
    assert classes_end(dt.date(2026, 8, 1)) == dt.date(2027, 1, 20)
    previous = (classes_start(dt.date(2026, 2, 1)), classes_end(dt.date(2026, 2, 1)))
    calendar = Calendar(dt.date(2026, 8, 31), previous)
    march, july, saturday = dt.date(2026, 3, 16), dt.date(2026, 7, 15), dt.date(2026, 3, 21)
    assert calendar.school_day(march) and not calendar.school_day(july)
    assert not calendar.school_day(saturday)
    assert calendar.home_factor(july) < calendar.home_factor(saturday) < calendar.home_factor(march)
    assert calendar.term_share(previous[0], dt.date(2026, 11, 30)) == 0.0
    assert calendar.term_share(previous[1], dt.date(2026, 11, 30)) == 1.0
    assert 0.0 < calendar.term_share(dt.date(2026, 10, 15), dt.date(2026, 11, 30)) < 1.0
    # without the previous term, its weeks are holidays
    assert not Calendar(dt.date(2026, 8, 31)).school_day(march)


def test_practice_moves_results_and_a_turn_takes_three_weeks() -> None:
    learner = Learner(
        person_id=1,
        external_id="x",
        name="x",
        school_id=1,
        school_code="x",
        class_id=1,
        grade=5,
        seat=1,
        engagement=-3.0,
        ability=0.5,
        drift=0.0,
        turn_from=dt.date(2026, 10, 5),
        turn=-1.0,
    )
    idle = learner.ability_now()
    learner.mastery = 8.0
    assert learner.ability_now() > idle + 0.5  # recent practice shows in the results
    day = dt.date(2026, 10, 5)
    assert learner.turned(day - dt.timedelta(days=1)) == 0.0
    assert learner.turned(day + dt.timedelta(days=7)) == pytest.approx(1 / 3)
    assert learner.turned(day + dt.timedelta(days=30)) == 1.0
    before, after = day - dt.timedelta(days=1), day + dt.timedelta(days=30)
    assert learner.home_logit(4, after) < learner.home_logit(4, before) - 1.5


# --------------------------------------------------------------------------- platforms


def test_demo_platforms_have_credentials_and_governance(world: Any) -> None:
    county = world.counties["A"]
    platforms = demo_platforms_create(county=county, actor=world.users["a_admin"])
    assert {p.kind for p in platforms.values()} == {"adl", "coolenglish", "junyi"}
    homes = [p.account_home_page for p in platforms.values()]
    assert len(set(homes)) == 3 and platforms["adl"].account_home_page == "https://adl.edu.tw"
    for platform in Platform.objects.filter(county=county):
        assert platform.credential is not None and platform.credential.county_id == county.pk
        assert platform.retention_days == 730
        assert "個人資料保護法" in platform.legal_basis and "第16條" in platform.legal_basis
        assert platform.purpose and platform.data_fields
    assert set(Credential.objects.filter(county=county).values_list("platform", flat=True)) == {
        "因材網",
        "酷英網",
        "均一",
    }


def test_demo_platforms_reuse_the_lrs_demo_credentials(world: Any) -> None:
    from dtss.lrs.credential_services import credential_create

    county = world.counties["A"]
    adl = credential_create(name="因材網", platform="因材網", county=county).credential
    platforms = demo_platforms_create(county=county, actor=None)
    assert platforms["adl"].credential_id == adl.pk
    assert Credential.objects.filter(county=county, platform="因材網").count() == 1


# --------------------------------------------------------------------------- the semester


def test_generated_records_follow_the_profile_and_reach_the_rollups(
    generated: Any, classroom: Any
) -> None:
    county = classroom.counties["A"]
    platforms = {p.kind: p for p in Platform.objects.filter(county=county)}
    stored = Statement.objects.filter(store=county.pk)
    assert stored.count() == generated.statements > 500
    assert set(generated.per_platform) == {"adl", "junyi", "coolenglish"}
    credentials = {p.credential_id for p in platforms.values()}
    assert set(stored.values_list("credential_id", flat=True)) <= credentials
    grades = dict(Enrollment.objects.values_list("student__external_id", "school_class__grade"))
    verbs = set()
    for row in stored.order_by("id")[::25]:
        statement = json.loads(row.payload)
        validate_statement(statement, version="1.0.3")
        verbs.add(statement["verb"]["id"].rsplit("/", 1)[1])
        ext = statement["context"]["extensions"]
        assert ext[profile.EXT_SUBJECT] in profile.SUBJECTS
        name = statement["actor"].get("account", {}).get("name")
        if name in grades:
            assert ext[profile.EXT_GRADE] == grades[name]
        assert START <= dt.date.fromisoformat(statement["timestamp"][:10]) <= END
    assert (
        {"experienced", "answered"} <= verbs <= {"experienced", "answered", "completed", "passed"}
    )
    # 因材網 sends the three verbs the LRS demo promised (experienced, answered, completed)
    adl_verbs = set(
        stored.filter(credential_id=platforms["adl"].credential_id).values_list(
            "verb_id", flat=True
        )
    )
    assert {v.rsplit("/", 1)[1] for v in adl_verbs} == {"experienced", "answered", "completed"}
    # Everything was rolled up: both schools, and the platforms are told apart.
    assert generated.rolled_up == generated.statements
    days = StudentDay.objects.filter(county=county)
    assert set(days.exclude(school=None).values_list("school_id", flat=True)) == {
        classroom.schools["A-elem"].pk,
        classroom.schools["A-junior"].pk,
    }
    assert set(days.values_list("platform_id", flat=True)) <= {p.pk for p in platforms.values()}
    assert SchoolWeek.objects.filter(county=county).count() >= 20
    totals = days.aggregate(answered=Sum("answered"), correct=Sum("correct"))
    assert 0.3 < totals["correct"] / totals["answered"] < 0.95


def test_students_differ_and_the_calendar_shows(generated: Any, classroom: Any) -> None:
    county = classroom.counties["A"]
    days = StudentDay.objects.filter(county=county).exclude(person=None)
    per_student = defaultdict(int)
    for person_id, events in days.values_list("person_id", "events"):
        per_student[person_id] += events
    counts = sorted(per_student.values())
    assert len(counts) >= 40
    assert counts[-1] >= 4 * max(1, counts[len(counts) // 4])  # engagement differs widely
    by_day: dict[dt.date, int] = defaultdict(int)
    for day, events in days.values_list("day", "events"):
        by_day[day] += events
    calendar = Calendar(START)
    school = [by_day[d] for d in _days() if calendar.school_day(d)]
    weekend = [by_day[d] for d in _days() if d.weekday() >= 5]
    holiday = [by_day[d] for d in HOLIDAYS_2025]
    school_mean = sum(school) / len(school)
    assert sum(weekend) / len(weekend) < 0.6 * school_mean
    assert sum(holiday) / len(holiday) < 0.2 * school_mean


def _days() -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]


def test_some_students_go_quiet_in_the_quiet_class(generated: Any, classroom: Any) -> None:
    school_class = classroom.classes["A-elem 5-1"]
    period = period_for(school_class=school_class, today=TODAY, key="28d")
    report = class_report(school_class=school_class, period=period)
    quiet = [r for r in report.rows if r.gone_quiet]
    assert len(quiet) >= 2
    assert classroom.people["elem_student"].pk not in {r.person.pk for r in quiet}
    assert generated.gone_quiet >= 2


def test_unresolved_actors_and_learner_groups(generated: Any, classroom: Any) -> None:
    county = classroom.counties["A"]
    unresolved = ActorLink.objects.filter(county=county, person=None)
    assert unresolved.count() == 4 == generated.unresolved_actors
    junyi = Platform.objects.get(county=county, kind="junyi")
    assert unresolved.filter(platform_id=junyi.pk).count() == 3
    assert ActorLink.objects.filter(county=county).exclude(person=None).count() >= 40
    groups = LearnerGroup.objects.filter(county=county)
    kinds = set(groups.values_list("kind", flat=True))
    assert {"learning_support", "digital_companion"} <= kinds
    assert sum(generated.memberships.values()) == groups.count()
    from dtss.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="analytics.learner_group_add").count() == groups.count()


def test_programme_participants_are_more_active_after_they_start(
    generated: Any, classroom: Any
) -> None:
    county = classroom.counties["A"]
    before = after = 0
    participants = LearnerGroup.objects.filter(
        county=county, kind__in=sorted(LearnerGroup.PROGRAMMES)
    )
    assert participants.exists()
    for group in participants:
        start = group.start_date
        assert START + dt.timedelta(weeks=4) <= start <= END - dt.timedelta(weeks=5)
        weeks = dict(
            StudentWeek.objects.filter(person_id=group.person_id).values_list("week", "seconds")
        )
        before += sum(weeks.get(start - dt.timedelta(weeks=i), 0) for i in range(1, 5))
        after += sum(weeks.get(start + dt.timedelta(weeks=i), 0) for i in range(1, 5))
    assert after > 1.3 * before


def test_the_previous_term_is_generated_a_grade_lower(classroom: Any) -> None:
    county = classroom.counties["A"]
    spring = dt.date(2025, 2, 1)
    previous = (classes_start(spring), classes_end(spring))
    summary = learning_generate(
        county=county,
        platforms=demo_platforms_create(county=county, actor=None),
        plan=_plan(classroom, start=spring, previous_term=previous),
        rng=random.Random(5),
    )
    assert summary.statements > 0
    stored = Statement.objects.filter(store=county.pk)
    grades: dict[str, set[int]] = defaultdict(set)
    months: dict[int, int] = defaultdict(int)
    for row in stored.iterator():
        statement = json.loads(row.payload)
        day = dt.date.fromisoformat(statement["timestamp"][:10])
        assert spring <= day <= END
        if day < START:
            ext = statement["context"]["extensions"]
            name = statement["actor"].get("account", {}).get("name", "")
            grades[name[:6]].add(ext[profile.EXT_GRADE])
            months[day.month] += 1
    elem, junior = classroom.schools["A-elem"].code, classroom.schools["A-junior"].code
    assert grades[elem] == {4}  # 5th graders now, in 4th grade last term
    assert junior not in grades  # 7th graders were at an elementary school last term
    assert months[3] > 5 * max(1, months[7])  # July is the summer holiday
    # the rollups place them (the county holds this term's classes only)
    assert StudentDay.objects.filter(county=county, day__lt=START).exclude(person=None).exists()


def test_generation_is_deterministic_for_a_seed(classroom: Any) -> None:
    def run() -> list[tuple[str, str, str]]:
        with transaction.atomic():
            _generate(classroom, seed=11)
            rows = list(
                Statement.objects.order_by("id").values_list("statement_id", "actor_key", "verb_id")
            )
            transaction.set_rollback(True)
        return [(str(a), b, c) for a, b, c in rows]

    first = run()
    assert first and run() == first


# --------------------------------------------------------------------------- the demo county


def test_demo_county_has_platforms_rollups_quiet_students_and_programmes(settings: Any) -> None:
    from dtss.accounts.models import User
    from dtss.demo.county import demo_load
    from dtss.orgs.models import SchoolClass

    assert demo_load(seed=114, progress=lambda _m: None) is True
    nantou = School.objects.filter(county__code="10008")
    county = nantou.first().county
    platforms = Platform.objects.filter(county=county)
    assert {p.kind for p in platforms} == {"adl", "coolenglish", "junyi"}
    assert all(p.credential_id for p in platforms)
    assert platforms.get(kind="adl").account_home_page == PLATFORM_SPECS["adl"].home_page
    # Activity in most schools: every school has a generated class.
    active_schools = set(
        SchoolWeek.objects.filter(county=county).values_list("school_id", flat=True)
    )
    assert len(active_schools) >= 0.8 * nantou.count()
    # The demo teacher's class has students gone quiet (the view's own definition).
    teacher = User.objects.get(username="teacher")
    homeroom = SchoolClass.objects.filter(homeroom_teacher=teacher.person).latest(
        "term__start_date"
    )
    from django.utils import timezone

    today = timezone.localdate()
    report = class_report(
        school_class=homeroom, period=period_for(school_class=homeroom, today=today, key="28d")
    )
    flagged = {r.person.pk for r in report.rows if r.gone_quiet}
    assert flagged
    student = User.objects.get(username="student")
    assert student.person_id not in flagged
    assert StudentDay.objects.filter(person=student.person).exists()
    # Unresolved actors for the identity page, programme participants for the programme views.
    assert ActorLink.objects.filter(county=county, person=None).count() >= 10
    kinds = set(LearnerGroup.objects.filter(county=county).values_list("kind", flat=True))
    assert set(LearnerGroup.Kind.values) <= kinds
    # The LRS holds 因材網's records under the credential the LRS demo made.
    adl = Credential.objects.get(county=county, platform="因材網")
    assert Statement.objects.filter(credential=adl).count() > 1000
    assert demo_load(seed=114, progress=lambda _m: None) is False
