"""Benchmark of the county dashboard: a county of N schools with three cycles of assessments.

    python benchmarks/county_dashboard.py [--schools 350] [--requests 20] [--database-url URL]

Builds its own database and throws it away afterwards: a fresh SQLite file in a temporary data
directory by default, or, with --database-url postgresql://user@host:port/name, a fresh
database `<name>_bench_<random>` on that server (created, migrated and dropped; the user needs
CREATEDB). Into it go a county of N schools in 20 districts (every stage, size band and area
category), a county administrator, and three cycles opened through `cycle_open` for every
school and the county itself: ~45 responses per school and cycle with plausible statuses, and
`Assessment.stages` computed from them with the stage rule. The two older cycles are accepted,
the current one partly submitted.

Then it times, as the county administrator, with the Django test client (full HTML render,
sessions, middleware, template): the dashboard of the latest cycle, the dashboard filtered and
sorted, its CSV export, and the selector alone (`dashboards.county_dashboard`). Each is run
twice to warm up, then `--requests` times; the median, 95th percentile and the queries of one
request are printed. The target is "well under a second" for N=350.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


# --- the database -----------------------------------------------------------------------------


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """Point DTSS at a new, empty database for the run; remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="dtss-bench-") as data_dir:
        os.environ["DTSS_DATA_DIR"] = data_dir
        os.environ["DTSS_CACHE"] = "memory"
        os.environ["DTSS_TASKS"] = "immediate"
        os.environ["DTSS_ALLOWED_HOSTS"] = "testserver"
        os.environ.setdefault("DTSS_LOG_LEVEL", "WARNING")
        os.environ["DJANGO_SETTINGS_MODULE"] = "dtss.settings"
        if not url or url.startswith("sqlite"):
            os.environ.pop("DTSS_DATABASE_URL", None)
            yield f"sqlite (a new file in {data_dir})"
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
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


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


# --- the county ---------------------------------------------------------------------------------

STAGES = ["elementary"] * 6 + ["junior"] * 3 + ["senior", "vocational", "complete"]
AREAS = ["general"] * 6 + ["non_mountain_non_city", "remote", "very_remote", "extremely_remote"]


def build(n_schools: int, rng: random.Random) -> tuple[Any, Any]:
    from django.db import transaction

    from dtss.accounts.models import User
    from dtss.framework import services
    from dtss.framework.models import Assessment, Response
    from dtss.framework.selectors import rule_of
    from dtss.framework.stages import StrategyState, item_stage
    from dtss.orgs.models import County, District, Membership, Person, Role, School

    county = County.objects.get(code="10008")
    with transaction.atomic():
        districts = District.objects.bulk_create(
            [District(county=county, code=f"BD{i:02d}", name_zh=f"行政區{i}") for i in range(20)]
        )
        schools = School.objects.bulk_create(
            [
                School(
                    county=county,
                    district=districts[i % 20],
                    code=f"{200000 + i:06d}",
                    name_zh=f"測試學校{i}",
                    stage=rng.choice(STAGES),
                    area=rng.choice(AREAS),
                    student_count=int(rng.lognormvariate(5.5, 0.9)),
                )
                for i in range(n_schools)
            ]
        )
        person = Person.objects.create(county=county, name="縣市管理者")
        Membership.objects.create(person=person, county=county, role=Role.COUNTY_ADMIN)
        user = User.objects.create_user(username="bench.admin", password=None, person=person)

    ability = {s.pk: rng.random() for s in schools}
    start = date(2025, 9, 1)
    cycles = []
    for index in range(3):
        opens_on = start + timedelta(days=182 * index)
        with transaction.atomic():
            cycle = services.cycle_open(
                county=county,
                name=f"週期{index + 1}",
                opens_on=opens_on,
                deadline=opens_on + timedelta(days=42),
                schools=schools,
                include_county=True,
                require_evidence=False,
                actor=user,
            )
            rows = Response.objects.filter(assessment__cycle=cycle).values_list(
                "pk",
                "assessment_id",
                "assessment__school_id",
                "strategy__code",
                "strategy__stage",
                "strategy__item__code",
            )
            by_status: dict[str, list[int]] = {}
            states: dict[int, dict[str, list[Any]]] = {}
            for pk, assessment_id, school_id, code, stage, item in rows:
                level = ability.get(school_id, 0.5) + 0.15 * index
                p = {"D": 0.9, "A": 0.6, "M": 0.3}[stage] * min(1.0, level + 0.3)
                status = (
                    "implemented"
                    if rng.random() < p
                    else rng.choice(["not_started", "planned", "in_progress"])
                )
                by_status.setdefault(status, []).append(pk)
                states.setdefault(assessment_id, {}).setdefault(item, []).append(
                    StrategyState(code=code, stage=stage, status=status)
                )
            for status, pks in by_status.items():
                for i in range(0, len(pks), 900):
                    Response.objects.filter(pk__in=pks[i : i + 900]).update(status=status)
            rule = rule_of(cycle)
            assessments = list(cycle.assessments.all())
            for a in assessments:
                a.stages = {item: item_stage(s, rule).stage for item, s in states[a.pk].items()}
                if index < 2:
                    a.status = Assessment.Status.ACCEPTED
                else:
                    a.status = rng.choice(["draft", "draft", "submitted", "changes_requested"])
            Assessment.objects.bulk_update(assessments, ["stages", "status"], batch_size=500)
            if index < 2:
                services.cycle_close(cycle=cycle, actor=user)
        cycles.append(cycle)
    return user, cycles[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=350, help="N (default 350)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests (default 20)")
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    parser.add_argument("--seed", type=int, default=114)
    args = parser.parse_args()

    with database(args.database_url) as where:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from dtss.framework import dashboards
        from dtss.framework.models import Assessment, Response

        call_command("migrate", verbosity=0)
        print(
            f"DTSS county dashboard benchmark: {args.schools} schools on {where}, "
            f"{connection.vendor}"
        )
        t = time.perf_counter()
        user, cycle = build(args.schools, random.Random(args.seed))
        print(
            f"built in {time.perf_counter() - t:.1f} s: {Assessment.objects.count()} "
            f"assessments, {Response.objects.count()} responses"
        )

        client = Client()
        client.force_login(user)
        url = reverse("framework:dashboard")
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        rows = first.content.decode().count('<th scope="row"><a href="/framework/schools/')
        assert rows >= args.schools, rows  # the heatmap rows (+ the "not moved" ones)
        size_kb = len(first.content) / 1024

        def get(query: str = "") -> Callable[[], Any]:
            def run() -> None:
                response = client.get(url + query)
                assert response.status_code == 200

            return run

        def selector() -> None:
            from dtss.framework.models import Cycle

            fresh = Cycle.objects.select_related("county").get(pk=cycle.pk)
            dashboards.county_dashboard(user=user, cycle=fresh, filters=dashboards.Filters())

        def indicators() -> None:
            from dtss.framework import selectors
            from dtss.framework.models import Assessment

            shown = list(Assessment.objects.filter(cycle=cycle).select_related("school", "county"))
            selectors.disagreements(assessments=shown)

        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            cProfile.runctx("for _ in range(5): get()()", globals(), locals(), "/tmp/dash.prof")
            pstats.Stats("/tmp/dash.prof").sort_stats("cumulative").print_stats(25)
        results = [
            (f"dashboard page ({size_kb:.0f} kB HTML)", timed(get(), args.requests)),
            ("  filtered + sorted", timed(get("?stage=elementary&sort=S3"), args.requests)),
            ("  CSV export", timed(get("?format=csv"), args.requests)),
            ("selector alone", timed(selector, args.requests)),
            ("  of which indicators vs self-rating", timed(indicators, args.requests)),
        ]
        print()
        print(f"{'':<32}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
        for name, r in results:
            print(
                f"{name:<32}{r['median'] * 1000:>10.1f}{r['p95'] * 1000:>9.1f}"
                f"{r['max'] * 1000:>9.1f}{r['queries']:>9}"
            )
        worst = max(r["p95"] for _n, r in results)
        print(
            f"\nworst p95 {worst * 1000:.0f} ms: "
            + ("well under a second" if worst < 0.5 else "TOO SLOW (target < 0.5 s)")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
