"""Benchmark of the learning analytics: rollup throughput and the views' latency at county scale.

    python benchmarks/analytics.py [--students 100000] [--records 20000000] [--sample 1000000]
                                   [--batch 1000] [--requests 20] [--database-url URL] [--seed 114]
                                   [--keep]

Builds its own database and throws it away afterwards (a fresh SQLite file in a temporary data
directory by default; with --database-url postgresql://user@host:port/name a fresh database
`<name>_bench_<random>` on that server, created, migrated and dropped; the user needs CREATEDB).
--keep leaves the database (and the data directory) for a look afterwards and prints where.

The county: 南投縣's record (county 10008) with --students students (default 100,000) in ~300
schools (one per 333 students: 60 % elementary, 25 % junior high, 15 % senior high, sizes from a
log-normal), classes of ~28, one enrolment each in the term of the window's last day; three
registered platforms (因材網, 均一, 酷英網, told apart by their accounts' homePage); ~10 % of the
students in a learner group (low income, indigenous, 學習扶助 …; the programmes start mid-window).
The records: --records (default 20,000,000) over the 17 weeks that end yesterday (Asia/Taipei),
spread over the students by a log-normal engagement (12 % never use a platform), over the days
by the demo's school calendar (weekends, holidays and summer weigh less), 3–6 records per active
day in one or two platform × subject parts; verbs experienced 35 %, answered 45 % (an exercise
set: success and a scaled score), completed 10 %, passed 5 %, failed 5 %, with durations.
Generated from the seed, school by school: every run builds the same county and records.

(a) Rollup throughput, on a sample: whole schools, in order, until --sample records (default
    1,000,000; 0 skips it). Their records are built as xAPI statements and stored through the
    LRS service (`statements_store`, batches of --batch, in time order, in the county's store),
    then `rollup_process` runs alone over them (no consistency margin) and is timed: records/s.
    The tables are ANALYZEd after 5, 10, 20 … batches and after storing, as a server's
    autovacuum would (it is off on the development machine; see lrs_ingest.py).
(b) The other schools' rollups are not made by the engine (20 million records through it would
    take hours on this machine): they are computed by this script from the same generated
    records — StudentDay = the sum of each record's contribution per actor × day × platform ×
    subject, exactly as `rollups.contribution` counts it; StudentWeek, SchoolWeek and
    SchoolWeekPart derived as the engine derives them — and written with COPY (PostgreSQL) or
    executemany (SQLite), with their ActorLinks. The script checks that claim: for the sample
    schools it computes the same rows and compares them with what the engine wrote, and stops
    if a single row differs. Then the views are timed at the full scale, as the county
    administrator, the school's administrator and the homeroom teacher of its largest class:
    the selectors alone (`county_overview`, `school_overview`, `class_report`) and the pages
    (Django test client: middleware, template, full HTML). Each is run twice to warm up, then
    --requests times: median, p95, max and the queries of one run.
(c) An increment at full scale: one more day of records (--increment, default 20,000) for
    students all over the county, stored and rolled up into the full rollups: records/s.

It prints the machine (cores, CPU, load), the versions, and each figure. The machine's cores
are shared with the database server: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform as platform_module
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

COUNTY_CODE = "10008"
WINDOW_DAYS = 17 * 7
PLATFORMS = [  # kind, name, homePage, subjects (weights)
    (
        "adl",
        "因材網",
        "https://adl.edu.tw",
        [("math", 5), ("chinese", 3), ("science", 2), ("english", 1), ("social", 1)],
    ),
    ("junyi", "均一教育平台", "https://www.junyiacademy.org", [("math", 3), ("science", 1)]),
    ("coolenglish", "酷英網", "https://www.coolenglish.edu.tw", [("english", 1)]),
]
ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
EXT = "https://dtss.tw/xapi/extensions/"
MEASURES = (
    "seconds",
    "events",
    "completions",
    "attempts",
    "answered",
    "correct",
    "score_sum",
    "score_n",
)
SECONDS, EVENTS, COMPLETIONS, ATTEMPTS, ANSWERED, CORRECT, SCORE_SUM, SCORE_N = range(8)


# --- the database -----------------------------------------------------------------------------


@contextmanager
def database(url: str | None, *, keep: bool = False) -> Iterator[str]:
    """Point DTSS at a new, empty database for the run; remove it afterwards (unless `keep`)."""
    with tempfile.TemporaryDirectory(prefix="dtss-bench-") as scratch:
        data_dir = tempfile.mkdtemp(prefix="dtss-bench-kept-") if keep else scratch
        os.environ["DTSS_DATA_DIR"] = data_dir
        os.environ["DTSS_CACHE"] = "memory"
        os.environ["DTSS_TASKS"] = "immediate"
        os.environ["DTSS_ANALYTICS_AUTO_ROLLUP"] = "false"  # the script rolls up when it times it
        os.environ["DTSS_ALLOWED_HOSTS"] = "testserver"
        os.environ.setdefault("DTSS_LOG_LEVEL", "WARNING")
        os.environ["DJANGO_SETTINGS_MODULE"] = "dtss.settings"
        if not url or url.startswith("sqlite"):
            os.environ.pop("DTSS_DATABASE_URL", None)
            yield f"sqlite (a new file in {data_dir})"
            if keep:
                print(f"kept      DTSS_DATA_DIR={data_dir}")
            return
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a postgresql:// URL (or leave it out)")
        import psycopg

        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'dtss'}_bench_{secrets.token_hex(4)}"
        admin = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DTSS_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        try:
            yield f"postgresql (a new database {name})"
        finally:
            from django.db import connections

            connections.close_all()
            if keep:
                print(f"kept      {os.environ['DTSS_DATABASE_URL']} (DTSS_DATA_DIR={data_dir})")
            else:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def machine() -> list[str]:
    import django
    from django.db import connection

    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return [
        f"machine   {os.cpu_count()} CPUs (nproc), {model}, {int(mem) // 1024:,} MB RAM, "
        f"{platform_module.system()} {platform_module.release()}",
        f"load      {Path('/proc/loadavg').read_text().split()[:3]} (1, 5, 15 min) at start",
        f"versions  Python {platform_module.python_version()}, Django {django.__version__}, {db}",
    ]


# --- measuring ----------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def timed(fn: Callable[[], Any], n: int) -> dict[str, float]:
    from django.db import connection

    for _ in range(2):
        fn()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "median": statistics.median(times),
        "p95": p95,
        "max": times[-1],
        "queries": counter.count,
    }


class QueryTimer:
    """Times every query of one run: the slowest show where a view spends its time."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - start, " ".join(sql.split())))


def slowest(fn: Callable[[], Any], n: int = 3) -> list[tuple[float, str]]:
    from django.db import connection

    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        fn()
    return sorted(timer.queries, reverse=True)[:n]


def say(text: str) -> None:
    print(text, flush=True)


# --- the county ---------------------------------------------------------------------------------

GRADES = {"elementary": range(1, 7), "junior": range(7, 10), "senior": range(10, 13)}
AREAS = ["general"] * 6 + ["non_mountain_non_city", "remote", "very_remote", "extremely_remote"]


@dataclass
class Kid:
    person_id: int
    external_id: str
    school_id: int
    class_id: int
    grade: int
    quota: int = 0
    platforms: list[int] = field(default_factory=list)  # indexes into PLATFORMS, main first


@dataclass
class County:
    county: Any
    schools: list[Any]
    kids_by_school: dict[int, list[Kid]]
    platform_ids: list[int]
    days: list[dt.date]
    day_weights: list[float]
    admin: Any
    school_admin: Any
    teacher: Any
    school: Any
    school_class: Any


def build_county(students: int, records: int, rng: random.Random, today: dt.date) -> County:
    from django.db import transaction

    from dtss.accounts.models import User
    from dtss.analytics.demo import Calendar, classes_start
    from dtss.analytics.models import LearnerGroup, Platform
    from dtss.demo.county import current_term_numbers
    from dtss.orgs import services as org_services
    from dtss.orgs.models import (
        County as CountyModel,
    )
    from dtss.orgs.models import (
        District,
        Enrollment,
        Membership,
        Person,
        Role,
        School,
        SchoolClass,
    )

    end = today - dt.timedelta(days=1)
    start = end - dt.timedelta(days=WINDOW_DAYS - 1)
    terms = [
        org_services.term_get_or_create(roc_year=y, semester=s)
        for y, s in (current_term_numbers(start), current_term_numbers(end))
    ]
    term = terms[-1]
    calendar = Calendar(classes_start(term.start_date))
    days = [start + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    day_weights = [
        (1.0 if calendar.school_day(d) else 0.0) + 0.6 * calendar.home_factor(d) for d in days
    ]
    county = CountyModel.objects.get(code=COUNTY_CODE)
    n_schools = max(1, round(students / 333))
    with transaction.atomic():
        districts = District.objects.bulk_create(
            [District(county=county, code=f"BD{i:02d}", name_zh=f"行政區{i}") for i in range(20)]
        )
        specs = []
        for _i in range(n_schools):
            x = rng.random()
            stage = "elementary" if x < 0.6 else "junior" if x < 0.85 else "senior"
            specs.append((stage, rng.lognormvariate(0, 0.6)))
        total_weight = sum(w for _s, w in specs)
        schools = School.objects.bulk_create(
            [
                School(
                    county=county,
                    district=districts[i % 20],
                    code=f"{300000 + i:06d}",
                    name_zh=f"測試學校{i:03d}",
                    stage=stage,
                    area=rng.choice(AREAS),
                    student_count=0,
                )
                for i, (stage, _w) in enumerate(specs)
            ]
        )
        people: list[Person] = []
        classes: list[SchoolClass] = []
        seats: list[tuple[int, int]] = []  # (index in classes, seat)
        left = students
        for index, (school, (stage, weight)) in enumerate(zip(schools, specs, strict=True)):
            size = (
                left
                if index == n_schools - 1
                else min(left, max(20, round(students * weight / total_weight)))
            )
            left -= size
            grades = list(GRADES[stage])
            per_grade = max(1, round(size / len(grades) / 28))
            school_classes = [(g, n) for g in grades for n in range(1, per_grade + 1)]
            base = len(classes)
            for grade, number in school_classes:
                classes.append(
                    SchoolClass(county=county, school=school, term=term, grade=grade, number=number)
                )
            for k in range(size):
                seats.append((base + k % len(school_classes), k // len(school_classes) + 1))
            school.student_count = size
        SchoolClass.objects.bulk_create(classes, batch_size=2000)
        for n in range(len(seats)):
            people.append(Person(county=county, name=f"學生{n:06d}", external_id=f"S{n:06d}"))
        Person.objects.bulk_create(people, batch_size=5000)
        Enrollment.objects.bulk_create(
            [
                Enrollment(
                    county=county,
                    school=classes[c].school,
                    school_class=classes[c],
                    student=people[n],
                    seat_number=seat,
                )
                for n, (c, seat) in enumerate(seats)
            ],
            batch_size=5000,
        )
        School.objects.bulk_update(schools, ["student_count"], batch_size=1000)
        platform_ids = [
            Platform.objects.create(county=county, name=name, kind=kind, account_home_page=home).pk
            for kind, name, home, _subjects in PLATFORMS
        ]
        # the viewers: the county administrator, the largest school's administrator, the
        # homeroom teacher of its largest class
        school = max(schools, key=lambda s: s.student_count)
        counts: dict[int, int] = defaultdict(int)
        for c, _seat in seats:
            counts[c] += 1
        largest = max((c for c in counts if classes[c].school_id == school.pk), key=counts.get)
        school_class = classes[largest]

        def user(name: str, **membership: Any) -> Any:
            person = Person.objects.create(county=county, name=name, external_id=f"U-{name}")
            Membership.objects.create(person=person, county=county, **membership)
            return person, User.objects.create_user(username=name, password=None, person=person)

        _p, admin = user("bench.admin", role=Role.COUNTY_ADMIN)
        _p, school_admin = user(
            "bench.principal", role=Role.SCHOOL_ADMIN, school=school, title="principal"
        )
        teacher_person, teacher = user("bench.teacher", role=Role.TEACHER, school=school)
        school_class.homeroom_teacher = teacher_person
        school_class.save(update_fields=["homeroom_teacher"])
        # learner groups: ~10 % of the students; the programmes start in the window's middle
        middle = days[len(days) // 2]
        middle -= dt.timedelta(days=middle.weekday())
        groups = []
        for person in people:
            x = rng.random()
            if x < 0.1:
                kind = rng.choice(LearnerGroup.Kind.values)
                begin = middle if kind in LearnerGroup.PROGRAMMES else start
                groups.append(
                    LearnerGroup(county=county, person=person, kind=kind, start_date=begin)
                )
        LearnerGroup.objects.bulk_create(groups, batch_size=5000)

    # quotas: a log-normal engagement, 12 % never active, summing exactly to `records`
    weights = [0.0 if rng.random() < 0.12 else rng.lognormvariate(0, 1.0) for _ in people]
    total = sum(weights)
    quotas = [int(records * w / total) for w in weights]
    short = records - sum(quotas)
    active = [i for i, w in enumerate(weights) if w > 0]
    for i in range(short):
        quotas[active[i % len(active)]] += 1
    kids_by_school: dict[int, list[Kid]] = defaultdict(list)
    for n, (c, _seat) in enumerate(seats):
        sc = classes[c]
        uses = [0] if sc.grade <= 9 else [1]
        if rng.random() < 0.35:
            uses.append(1 if uses[0] == 0 else 0)
        if sc.grade >= 3 and rng.random() < 0.4:
            uses.append(2)
        kids_by_school[sc.school_id].append(
            Kid(people[n].pk, people[n].external_id, sc.school_id, sc.pk, sc.grade, quotas[n], uses)
        )
    return County(
        county=county,
        schools=schools,
        kids_by_school=kids_by_school,
        platform_ids=platform_ids,
        days=days,
        day_weights=day_weights,
        admin=admin,
        school_admin=school_admin,
        teacher=teacher,
        school=school,
        school_class=school_class,
    )


# --- the records --------------------------------------------------------------------------------

# One record: (kid, day index, platform index, subject, verb, seconds, success, k, n, minute)
Record = tuple[Kid, int, int, str, str, int, bool, int, int, int]


def school_records(c: County, school_index: int, seed: int) -> Iterator[Record]:
    """The records of one school's students, from the seed and the school alone."""
    school = c.schools[school_index]
    rng = random.Random(seed * 1_000_003 + school_index)
    n_days = len(c.days)
    for kid in c.kids_by_school.get(school.pk, []):
        q = kid.quota
        if q <= 0:
            continue
        ability = rng.uniform(0.45, 0.95)
        active = max(1, min(n_days, round(q / rng.uniform(3.0, 6.0))))
        chosen = sorted(set(rng.choices(range(n_days), weights=c.day_weights, k=active)))
        counts = [1] * len(chosen)
        for _ in range(q - len(chosen)):
            counts[rng.randrange(len(chosen))] += 1
        for day_index, count in zip(chosen, counts, strict=True):
            parts = 1 if count < 4 or rng.random() < 0.5 else 2
            minute = rng.randint(7 * 60, 20 * 60)
            for part in range(parts):
                p = (
                    kid.platforms[0]
                    if part == 0 or len(kid.platforms) == 1
                    else rng.choice(kid.platforms)
                )
                subjects = PLATFORMS[p][3]
                subject = rng.choices([s for s, _w in subjects], weights=[w for _s, w in subjects])[
                    0
                ]
                share = count // parts + (count % parts if part == 0 else 0)
                for _ in range(share):
                    x = rng.random()
                    minute = min(minute + rng.randint(1, 9), 23 * 60 + 50)
                    if x < 0.35:
                        yield (
                            kid,
                            day_index,
                            p,
                            subject,
                            "experienced",
                            rng.randint(60, 900),
                            False,
                            0,
                            0,
                            minute,
                        )
                    elif x < 0.80:
                        n = rng.choice((5, 10))
                        k = sum(1 for _ in range(n) if rng.random() < ability)
                        yield (
                            kid,
                            day_index,
                            p,
                            subject,
                            "answered",
                            rng.randint(15, 240),
                            k / n >= 0.6,
                            k,
                            n,
                            minute,
                        )
                    elif x < 0.90:
                        yield (kid, day_index, p, subject, "completed", 0, True, 0, 0, minute)
                    else:
                        k = rng.randint(6, 10) if x < 0.95 else rng.randint(0, 5)
                        verb = "passed" if x < 0.95 else "failed"
                        yield (
                            kid,
                            day_index,
                            p,
                            subject,
                            verb,
                            rng.randint(120, 600),
                            x < 0.95,
                            k,
                            10,
                            minute,
                        )


def contribution(r: Record) -> list[float]:
    """What a record adds to its StudentDay, as `dtss.analytics.rollups.contribution` counts the
    statement `statement()` makes of it (checked against the engine on the sample)."""
    _kid, _d, _p, _s, verb, seconds, success, k, n, _m = r
    v = [0.0] * 8
    v[EVENTS] = 1
    v[SECONDS] = seconds
    if verb == "answered":
        v[ANSWERED] = 1
        v[CORRECT] = 1 if success else 0
        v[SCORE_SUM] = round(k / n, 2)
        v[SCORE_N] = 1
    elif verb == "completed":
        v[COMPLETIONS] = 1
    elif verb in ("passed", "failed"):
        v[ATTEMPTS] = 1
        v[COMPLETIONS] = 1 if verb == "passed" else 0
        v[SCORE_SUM] = round(k / n, 2)
        v[SCORE_N] = 1
    return v


def statement(r: Record, c: County, ids: random.Random) -> dict[str, Any]:
    kid, day_index, p, subject, verb, seconds, success, k, n, minute = r
    _kind, name, home, _subjects = PLATFORMS[p]
    result: dict[str, Any] = {}
    if seconds:
        result["duration"] = f"PT{seconds}S"
    if verb == "answered":
        result.update(
            success=success, score={"scaled": round(k / n, 2), "raw": k, "min": 0, "max": n}
        )
    elif verb == "completed":
        result.update(completion=True)
    elif verb in ("passed", "failed"):
        result.update(success=success, score={"scaled": round(k / n, 2)})
    day = c.days[day_index]
    return {
        "id": str(uuid.UUID(int=ids.getrandbits(128), version=4)),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": kid.external_id}},
        "verb": {"id": ADL_VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{home}/xapi/activities/{subject}/{kid.grade:02d}/{(day_index // 7) % 12:02d}",
        },
        "result": result,
        "context": {
            "platform": name,
            "language": "zh-TW",
            "extensions": {EXT + "subject": subject, EXT + "grade": kid.grade},
        },
        "timestamp": f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00+08:00",
    }


def actor_key(kid: Kid, p: int) -> str:
    return f"account:{PLATFORMS[p][2]}|{kid.external_id}"


# --- the rollups the engine would make ---------------------------------------------------------


@dataclass
class Rollups:
    """One school's rollups, keyed as the engine's unique keys (actors by actor key)."""

    days: dict[tuple[str, dt.date, int, str], list[Any]] = field(default_factory=dict)
    weeks: dict[tuple[int, dt.date], list[Any]] = field(default_factory=dict)
    school_weeks: dict[tuple[int, int, dt.date], list[Any]] = field(default_factory=dict)
    parts: dict[tuple[int, int, dt.date, int, str], list[Any]] = field(default_factory=dict)
    actors: dict[str, tuple[Kid, int, int]] = field(default_factory=dict)  # key → kid, platform, n
    records: int = 0


def rollups_of(c: County, school_index: int, seed: int) -> Rollups:
    out = Rollups()
    day_values: dict[tuple[str, int, int, str], list[float]] = {}
    for r in school_records(c, school_index, seed):
        kid, d, p, subject = r[0], r[1], r[2], r[3]
        key = actor_key(kid, p)
        values = day_values.get((key, d, p, subject))
        if values is None:
            values = day_values[(key, d, p, subject)] = [0.0] * 8
        for i, x in enumerate(contribution(r)):
            values[i] += x
        link = out.actors.get(key)
        out.actors[key] = (kid, p, (link[2] if link else 0) + 1)
        out.records += 1
    week_days: dict[tuple[int, dt.date], set[dt.date]] = defaultdict(set)
    part_students: dict[tuple[int, int, dt.date, int, str], set[int]] = defaultdict(set)
    for (key, d, p, subject), values in day_values.items():
        kid = out.actors[key][0]
        day = c.days[d]
        platform_id = c.platform_ids[p]
        out.days[(key, day, platform_id, subject)] = [
            kid.person_id,
            kid.school_id,
            kid.class_id,
            kid.grade,
            *values,
        ]
        week = day - dt.timedelta(days=day.weekday())
        sw = out.weeks.setdefault(
            (kid.person_id, week), [kid.school_id, kid.class_id, kid.grade, 0, *([0.0] * 8)]
        )
        week_days[(kid.person_id, week)].add(day)
        part = (kid.school_id, kid.grade, week, platform_id, subject)
        pv = out.parts.setdefault(part, [0, *([0.0] * 8)])
        part_students[part].add(kid.person_id)
        for i in range(8):
            sw[4 + i] += values[i]
            pv[1 + i] += values[i]
    for (person_id, week), sw in out.weeks.items():
        sw[3] = len(week_days[(person_id, week)])
        school = out.school_weeks.setdefault((sw[0], sw[2], week), [0, 0, *([0.0] * 8)])
        school[0] += 1
        school[1] += sw[3]
        for i in range(8):
            school[2 + i] += sw[4 + i]
    for part, students in part_students.items():
        out.parts[part][0] = len(students)
    return out


def close(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(
        (x == y) if not isinstance(x, float) and not isinstance(y, float) else abs(x - y) < 1e-6
        for x, y in zip(a, b, strict=True)
    )


def compare_with_engine(c: County, expected: Rollups, school_ids: set[int]) -> list[str]:
    """Differences between the engine's rows of these schools and `expected` (none: [])."""
    from dtss.analytics.models import SchoolWeek, SchoolWeekPart, StudentDay, StudentWeek

    problems: list[str] = []

    def check(name: str, got: dict[Any, list[Any]], want: dict[Any, list[Any]]) -> None:
        missing = set(want) - set(got)
        extra = set(got) - set(want)
        wrong = [k for k in set(want) & set(got) if not close(got[k], want[k])]
        if missing or extra or wrong:
            sample = next(iter(missing or extra or wrong))
            problems.append(
                f"{name}: {len(missing)} missing, {len(extra)} extra, {len(wrong)} different "
                f"(e.g. {sample}: engine {got.get(sample)}, expected {want.get(sample)})"
            )

    got_days = {
        (r[0], r[1], r[2], r[3]): [*r[4:8], *[float(x) for x in r[8:]]]
        for r in StudentDay.objects.filter(county=c.county, school_id__in=school_ids).values_list(
            "actor__actor_key",
            "day",
            "platform_id",
            "subject",
            "person_id",
            "school_id",
            "school_class_id",
            "grade",
            *MEASURES,
        )
    }
    check("StudentDay", got_days, expected.days)
    got_weeks = {
        (r[0], r[1]): [*r[2:6], *[float(x) for x in r[6:]]]
        for r in StudentWeek.objects.filter(county=c.county, school_id__in=school_ids).values_list(
            "person_id", "week", "school_id", "school_class_id", "grade", "active_days", *MEASURES
        )
    }
    check("StudentWeek", got_weeks, expected.weeks)
    got_sw = {
        (r[0], r[1], r[2]): [r[3], r[4], *[float(x) for x in r[5:]]]
        for r in SchoolWeek.objects.filter(county=c.county, school_id__in=school_ids).values_list(
            "school_id", "grade", "week", "students", "active_days", *MEASURES
        )
    }
    check("SchoolWeek", got_sw, expected.school_weeks)
    got_parts = {
        (r[0], r[1], r[2], r[3], r[4]): [r[5], *[float(x) for x in r[6:]]]
        for r in SchoolWeekPart.objects.filter(
            county=c.county, school_id__in=school_ids
        ).values_list("school_id", "grade", "week", "platform_id", "subject", "students", *MEASURES)
    }
    check("SchoolWeekPart", got_parts, expected.parts)
    return problems


def merge(into: Rollups, other: Rollups) -> None:
    into.days.update(other.days)
    into.weeks.update(other.weeks)
    into.school_weeks.update(other.school_weeks)
    into.parts.update(other.parts)
    into.actors.update(other.actors)
    into.records += other.records


# --- writing rollups ----------------------------------------------------------------------------


def _columns(model: Any, names: list[str]) -> list[str]:
    fields = {f.name: f for f in model._meta.concrete_fields}
    return [fields[n].column for n in names]


def write_rows(model: Any, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to a rollup table: COPY on PostgreSQL, executemany elsewhere."""
    from django.db import connection

    if not rows:
        return
    table = model._meta.db_table
    columns = _columns(model, names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})', rows
            )


def write_rollups(c: County, r: Rollups) -> int:
    """Write one school's rollups (and its ActorLinks); returns the StudentDay rows."""
    from django.utils import timezone

    from dtss.analytics.models import (
        ActorLink,
        SchoolWeek,
        SchoolWeekPart,
        StudentDay,
        StudentWeek,
    )

    now = timezone.now()
    links = ActorLink.objects.bulk_create(
        [
            ActorLink(
                county=c.county,
                actor_key=key,
                label=f"{kid.external_id} @ {PLATFORMS[p][2]}",
                platform_id=c.platform_ids[p],
                person_id=kid.person_id,
                method=ActorLink.Method.EXTERNAL_ID,
                first_seen=now,
                last_seen=now,
                statements=n,
                resolved_at=now,
            )
            for key, (kid, p, n) in r.actors.items()
        ],
        batch_size=2000,
    )
    link_ids = {link.actor_key: link.pk for link in links}
    if any(v is None for v in link_ids.values()):
        link_ids = dict(
            ActorLink.objects.filter(county=c.county, actor_key__in=list(r.actors)).values_list(
                "actor_key", "pk"
            )
        )
    cid = c.county.pk

    def ints(values: list[float]) -> list[Any]:
        return [round(v, 9) if i == SCORE_SUM else round(v) for i, v in enumerate(values)]

    write_rows(
        StudentDay,
        [
            "county",
            "actor",
            "day",
            "platform_id",
            "subject",
            "person",
            "school",
            "school_class",
            "grade",
            *MEASURES,
        ],
        [(cid, link_ids[k[0]], k[1], k[2], k[3], *v[:4], *ints(v[4:])) for k, v in r.days.items()],
    )
    write_rows(
        StudentWeek,
        ["county", "person", "week", "school", "school_class", "grade", "active_days", *MEASURES],
        [(cid, k[0], k[1], *v[:4], *ints(v[4:])) for k, v in r.weeks.items()],
    )
    write_rows(
        SchoolWeek,
        ["county", "school", "grade", "week", "students", "active_days", *MEASURES],
        [(cid, *k, v[0], v[1], *ints(v[2:])) for k, v in r.school_weeks.items()],
    )
    write_rows(
        SchoolWeekPart,
        ["county", "school", "grade", "week", "platform_id", "subject", "students", *MEASURES],
        [(cid, *k, v[0], *ints(v[1:])) for k, v in r.parts.items()],
    )
    return len(r.days)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (
                "lrs_statement",
                "lrs_statementagent",
                "lrs_statementactivity",
                "analytics_actorlink",
                "analytics_studentday",
                "analytics_studentweek",
                "analytics_schoolweek",
                "analytics_schoolweekpart",
                "analytics_learnergroup",
                "orgs_enrollment",
                "orgs_person",
                "orgs_schoolclass",
                "orgs_school",
            ):
                cursor.execute(f'ANALYZE "{table}"')
        else:
            cursor.execute("ANALYZE")


# --- the three parts ----------------------------------------------------------------------------


def store(c: County, statements: list[dict[str, Any]], batch: int) -> float:
    from django.db import transaction

    from dtss.lrs.statement_services import statements_store

    authority = {"objectType": "Agent", "account": {"homePage": "https://dtss.tw", "name": "bench"}}
    statements.sort(key=lambda s: s["timestamp"])
    started = time.perf_counter()
    analyze_at = {5, 10, 20, 40, 80, 160, 320, 640}  # as autovacuum would (lrs_ingest.py)
    for number, i in enumerate(range(0, len(statements), batch)):
        if number in analyze_at:
            analyze()
        with transaction.atomic():
            statements_store(
                store=c.county.pk,
                credential_id=None,
                authority=authority,
                statements=statements[i : i + batch],
                version="1.0.3",
            )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=20_000_000)
    parser.add_argument("--sample", type=int, default=1_000_000, help="records through the engine")
    parser.add_argument("--increment", type=int, default=20_000, help="records of one more day")
    parser.add_argument("--batch", type=int, default=1000, help="statements per stored batch")
    parser.add_argument("--requests", type=int, default=20, help="timed runs per view")
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    parser.add_argument("--seed", type=int, default=114)
    parser.add_argument("--keep", action="store_true", help="keep the database for a look")
    args = parser.parse_args()

    with database(args.database_url, keep=args.keep) as where:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import get_resolver, reverse
        from django.utils import timezone

        from dtss.analytics.class_selectors import class_report, period_for
        from dtss.analytics.county_selectors import county_overview
        from dtss.analytics.models import SchoolWeek, SchoolWeekPart, StudentDay, StudentWeek
        from dtss.analytics.rollups import rollup_process
        from dtss.analytics.school_selectors import period_from_query, school_overview

        call_command("migrate", verbosity=0)
        _urls = get_resolver().url_patterns  # load every view now, not an hour into the run
        say(f"DTSS analytics benchmark on {where}, {connection.vendor}")
        for line in machine():
            say(line)
        today = timezone.localdate()
        t = time.perf_counter()
        c = build_county(args.students, args.records, random.Random(args.seed), today)
        say(
            f"county    {len(c.schools)} schools, "
            f"{sum(len(k) for k in c.kids_by_school.values()):,} students, "
            f"{c.days[0]} – {c.days[-1]}, built in {time.perf_counter() - t:.1f} s"
        )

        # (a) the sample through the LRS and the engine
        sample_schools: list[int] = []
        quota = 0
        if args.sample > 0:
            for index, school in enumerate(c.schools):
                if quota >= args.sample:
                    break
                sample_schools.append(index)
                quota += sum(k.quota for k in c.kids_by_school.get(school.pk, []))
        expected = Rollups()
        if sample_schools:
            ids = random.Random(args.seed + 1)
            statements = []
            for index in sample_schools:
                statements.extend(statement(r, c, ids) for r in school_records(c, index, args.seed))
                merge(expected, rollups_of(c, index, args.seed))
            n = len(statements)
            say(f"\n(a) rollup throughput: {len(sample_schools)} schools, {n:,} records")
            seconds = store(c, statements, args.batch)
            del statements
            say(
                f"    stored through statements_store in {seconds:.1f} s "
                f"({n / seconds:,.0f} statements/s, batches of {args.batch})"
            )
            analyze()
            t = time.perf_counter()
            read = rollup_process(county_id=c.county.pk, margin_ms=0)
            seconds = time.perf_counter() - t
            assert read == n, (read, n)
            say(
                f"    rollup_process: {read:,} records in {seconds:.1f} s "
                f"= {read / seconds:,.0f} records/s"
            )
            problems = compare_with_engine(c, expected, {c.schools[i].pk for i in sample_schools})
            if problems:
                for p in problems:
                    say("    MISMATCH " + p)
                say("    the direct generator does not match the engine: stopping")
                return 1
            say(
                f"    check: the engine's rows equal this script's for the sample "
                f"({len(expected.days):,} StudentDays, {len(expected.weeks):,} StudentWeeks, "
                f"{len(expected.school_weeks):,} SchoolWeeks, {len(expected.parts):,} parts)"
            )

        # (b) the rest of the county, computed, then the views
        t = time.perf_counter()
        total = expected.records
        for index in range(len(c.schools)):
            if index in sample_schools:
                continue
            r = rollups_of(c, index, args.seed)
            total += r.records
            write_rollups(c, r)
        analyze()
        say(
            f"\n(b) the county's rollups at {total:,} records "
            f"({total - expected.records:,} computed by the script in "
            f"{time.perf_counter() - t:.1f} s): {StudentDay.objects.count():,} StudentDays, "
            f"{StudentWeek.objects.count():,} StudentWeeks, "
            f"{SchoolWeek.objects.count():,} SchoolWeeks, {SchoolWeekPart.objects.count():,} parts"
        )
        period, _errors = period_from_query({}, today=today)
        four, _errors = period_from_query({"period": "4w"}, today=today)
        sc = c.school_class
        clients = {}
        for name, user in (("admin", c.admin), ("school", c.school_admin), ("teacher", c.teacher)):
            clients[name] = Client()
            clients[name].force_login(user)

        def page(client: str, url: str) -> Callable[[], None]:
            def run() -> None:
                response = clients[client].get(url)
                assert response.status_code == 200, (url, response.status_code)

            return run

        students = len(c.kids_by_school[c.school.pk])
        class_size = sum(1 for k in c.kids_by_school[c.school.pk] if k.class_id == sc.pk)
        views: list[tuple[str, Callable[[], Any], bool]] = [  # name, run, a selector
            (
                "county: selector, this term",
                lambda: county_overview(county=c.county, period=period, today=today, groups=False),
                True,
            ),
            (
                "county: selector, term, learner groups",
                lambda: county_overview(county=c.county, period=period, today=today),
                True,
            ),
            (
                "county: selector, last 4 weeks",
                lambda: county_overview(county=c.county, period=four, today=today, groups=False),
                True,
            ),
            (
                "county: page",
                page("admin", reverse("analytics:county_detail", args=[COUNTY_CODE])),
                False,
            ),
            (
                "county: page with learner groups",
                page("admin", reverse("analytics:county_detail", args=[COUNTY_CODE]) + "?groups=1"),
                False,
            ),
            (
                f"school ({students} students): selector, term",
                lambda: school_overview(school=c.school, period=period, user=c.school_admin),
                True,
            ),
            (
                "school: page",
                page("school", reverse("analytics:school_detail", args=[c.school.public_id])),
                False,
            ),
            (
                f"class ({class_size} students): selector, 28 days",
                lambda: class_report(
                    school_class=sc, period=period_for(school_class=sc, today=today, key="28d")
                ),
                True,
            ),
            (
                "class: selector, term",
                lambda: class_report(
                    school_class=sc, period=period_for(school_class=sc, today=today, key="term")
                ),
                True,
            ),
            (
                "class: page",
                page("teacher", reverse("analytics:class_detail", args=[sc.public_id])),
                False,
            ),
        ]
        results = [(name, timed(run, args.requests)) for name, run, _selector in views]
        selectors = [(name, run) for name, run, selector in views if selector]
        say(f"\n{'':<42}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
        for name, r in results:
            say(
                f"{name:<42}{r['median'] * 1000:>10.1f}{r['p95'] * 1000:>9.1f}"
                f"{r['max'] * 1000:>9.1f}{r['queries']:>9}"
            )
        say("\nthe slowest queries of one run of each selector (ms, SQL):")
        for name, fn in selectors:
            say(f"  {name}")
            for seconds, sql in slowest(fn):
                say(f"    {seconds * 1000:8.1f}  {sql[:160]}")
        worst = max(r["p95"] for _n, r in results)
        say(
            f"worst p95 {worst * 1000:.0f} ms: "
            + ("well under a second" if worst < 0.5 else "NOT well under a second (target < 0.5 s)")
        )

        # (c) one more day, rolled up into the full rollups
        if args.increment > 0:
            rng = random.Random(args.seed + 2)
            ids = random.Random(args.seed + 3)
            kids = [k for ks in c.kids_by_school.values() for k in ks if k.quota > 0]
            c.days.append(today)
            day_index = len(c.days) - 1
            new = []
            while len(new) < args.increment:
                kid = rng.choice(kids)
                p = kid.platforms[0]
                subject = PLATFORMS[p][3][0][0]
                for _ in range(rng.randint(2, 6)):
                    new.append(
                        statement(
                            (
                                kid,
                                day_index,
                                p,
                                subject,
                                "experienced",
                                rng.randint(60, 900),
                                False,
                                0,
                                0,
                                rng.randint(0, 7 * 60),
                            ),
                            c,
                            ids,
                        )
                    )
            new = new[: args.increment]
            seconds = store(c, new, args.batch)
            t = time.perf_counter()
            read = rollup_process(county_id=c.county.pk, margin_ms=0)
            rolled = time.perf_counter() - t
            say(
                f"\n(c) one more day at full scale: {len(new):,} records stored in "
                f"{seconds:.1f} s, "
                f"rolled up in {rolled:.1f} s = {read / rolled:,.0f} records/s"
            )
        say(f"load      {Path('/proc/loadavg').read_text().split()[:3]} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
