"""Benchmark of the imports: rows/s and queries/row of the checking and the saving phase.

    python benchmarks/import_people.py [--rows 5000] [--database-url URL]

Builds its own database and throws it away afterwards: a fresh SQLite file in a temporary data
directory by default, or, with --database-url postgresql://user@host:port/name, a fresh
database `<name>_bench_<random>` on that server (created, migrated and dropped; the user needs
CREATEDB). Then it imports, in order, each file as a school administrator would:

  schools       N schools of the county (new districts on the way)
  teachers      N/25 teachers of one school
  classes       N classes of that school (the first ones of 114-1 with homeroom teachers)
  people        N students (class and seat in 114-1) and N parents (one child each)
  people again  the same file with 10 % of the names changed, seats swapped in pairs and the
                relations flipped: the update path

Each phase is run through the importer directly (check, then save in one transaction) so the
two phases are timed and counted separately. Queries are counted with an execute wrapper on the
connection (CaptureQueriesContext keeps at most 9,000 queries, which the old per-row save
exceeded many times over); the counts are the same.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PEOPLE_HEADER = [
    "external_id",
    "name",
    "role",
    "title",
    "gender",
    "email",
    "phone",
    "roc_year",
    "semester",
    "grade",
    "class_number",
    "seat_number",
    "child_external_id",
    "relation",
]


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


# --- the database -----------------------------------------------------------------------------


def _pg_admin(url: str) -> tuple[Any, str, str]:
    """A connection to the server's maintenance database, and the URL of a new database."""
    import psycopg

    parts = urlsplit(url)
    base = parts.path.lstrip("/") or "dtss"
    name = f"{base}_bench_{secrets.token_hex(4)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    admin = psycopg.connect(admin_url, autocommit=True)
    return admin, name, urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """Point DTSS at a new, empty database for the run; remove it afterwards."""
    with tempfile.TemporaryDirectory(prefix="dtss-bench-") as data_dir:
        os.environ["DTSS_DATA_DIR"] = data_dir
        os.environ["DTSS_CACHE"] = "memory"
        os.environ["DTSS_TASKS"] = "immediate"
        os.environ.setdefault("DTSS_LOG_LEVEL", "WARNING")
        os.environ["DJANGO_SETTINGS_MODULE"] = "dtss.settings"
        if not url or url.startswith("sqlite"):
            os.environ.pop("DTSS_DATABASE_URL", None)
            yield f"sqlite (a new file in {data_dir})"
            return
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("--database-url must be a postgresql:// URL (or leave it out)")
        admin, name, new_url = _pg_admin(url)
        admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["DTSS_DATABASE_URL"] = new_url
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
    ):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def measured() -> Iterator[dict[str, float]]:
    from django.db import connection

    counter = QueryCounter()
    out: dict[str, float] = {}
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        yield out
    out["seconds"] = time.perf_counter() - start
    out["queries"] = counter.count


def run_import(kind: str, content: bytes, *, county: Any, school: Any = None) -> dict[str, Any]:
    from dtss.imports.importers import IMPORTERS
    from dtss.imports.parsing import parse_file

    importer_class = IMPORTERS[kind]
    parsed = parse_file(filename=f"{kind}.csv", content=content, aliases=importer_class.aliases())
    importer = importer_class(county=county, school=school, actor=None)
    with measured() as check:
        errors = importer.validate(parsed)
    if errors:
        raise SystemExit(f"{kind}: the benchmark file has problems: {errors[:5]}")
    with measured() as save:
        summary = importer.apply()
    return {"rows": len(parsed.rows), "check": check, "save": save, "summary": summary}


# --- the files ----------------------------------------------------------------------------------


def schools_file(n: int) -> bytes:
    rows = []
    for i in range(n):
        district = f"B{i % 20:02d}"
        rows.append(
            [
                f"{100000 + i:06d}",
                f"測試國小{i}",
                "",
                district,
                f"行政區{district}",
                "國小",
                "公立",
                "一般",
                str(100 + i % 900),
                "",
                "",
            ]
        )
    header = ["code", "name_zh", "name_en", "district_code", "district_name", "stage"]
    header += ["ownership", "area", "student_count", "address", "phone"]
    return csv_bytes(header, rows)


def teachers_file(n: int) -> bytes:
    rows = [
        [f"T{i:06d}", f"老師{i}", "教師", "", "女" if i % 2 else "男", "", "", *[""] * 7]
        for i in range(n)
    ]
    return csv_bytes(PEOPLE_HEADER, rows)


def classes_of(n: int) -> Iterator[tuple[int, int, int, int]]:
    """(roc_year, semester, grade, number): 114-1 first, then earlier terms."""
    made = 0
    term = 0
    while True:
        roc_year, semester = 114 - (term + 1) // 2, 1 if term % 2 == 0 else 2
        for grade in range(1, 7):
            for number in range(1, 100):
                if made >= n:
                    return
                yield roc_year, semester, grade, number
                made += 1
        term += 1


def classes_file(n: int, teachers: int) -> bytes:
    rows = []
    for i, (year, semester, grade, number) in enumerate(classes_of(n)):
        teacher = f"T{i:06d}" if i < teachers else ""
        rows.append([year, semester, grade, number, f"{grade}年{number}班", teacher])
    return csv_bytes(
        ["roc_year", "semester", "grade", "number", "name", "homeroom_teacher_id"], rows
    )


def people_file(n: int, *, seats: int, again: bool = False) -> bytes:
    """N students in the classes of 114-1 and one parent each. `again`: names, seats and
    relations changed (seats swapped between neighbours of the same class)."""
    term_classes = list(classes_of(min(594, -(-n // seats))))
    students = []
    parents = []
    for i in range(n):
        _year, _semester, grade, number = term_classes[i // seats]
        seat = i % seats + 1
        if again and seat % 2 == 1 and i + 1 < n and (i + 1) // seats == i // seats:
            seat += 1  # swap with the next one …
        elif again and seat % 2 == 0:
            seat -= 1  # … who takes this seat
        name = f"學生{i}" + ("改" if again and i % 10 == 0 else "")
        gender = "男" if i % 2 else "女"
        students.append(
            [f"S{i:06d}", name, "學生", "", gender, "", "", "114", "1", grade, number, seat, "", ""]
        )
        relation = ("父親" if i % 2 else "母親") if not again else "監護人"
        child = f"S{i:06d}"
        parents.append(
            [f"P{i:06d}", f"家長{i}", "家長", "", "", "", f"09{i:08d}", *[""] * 5, child, relation]
        )
    return csv_bytes(PEOPLE_HEADER, students + parents)


# --- the run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="N (default 5000)")
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    args = parser.parse_args()
    n = args.rows
    seats = max(30, min(99, -(-n // 594)))

    with database(args.database_url) as where:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from dtss.orgs.models import County, Enrollment, Guardianship, Person, School

        call_command("migrate", verbosity=0)
        county = County.objects.get(code="10008")
        print(f"DTSS import benchmark: N={n} on {where}, {connection.vendor}")
        results = []
        results.append(("schools", run_import("schools", schools_file(n), county=county)))
        school = School.objects.get(code="100000")
        teachers = max(1, n // 25)
        results.append(
            (
                "teachers",
                run_import("people", teachers_file(teachers), county=county, school=school),
            )
        )
        results.append(
            (
                "classes",
                run_import("classes", classes_file(n, teachers), county=county, school=school),
            )
        )
        first = people_file(n, seats=seats)
        results.append(("people", run_import("people", first, county=county, school=school)))
        second = people_file(n, seats=seats, again=True)
        results.append(("people again", run_import("people", second, county=county, school=school)))

        # The re-import updated rather than duplicated, and swapped the first two seats.
        assert Person.objects.count() == teachers + 2 * n
        assert Enrollment.objects.count() == n and Guardianship.objects.count() == n
        swapped = Enrollment.objects.filter(student__external_id__in=["S000000", "S000001"])
        assert sorted(swapped.values_list("student__external_id", "seat_number")) == [
            ("S000000", 2),
            ("S000001", 1),
        ]

        print()
        print(
            f"{'import':<13}{'rows':>6} |{'check s':>8}{'rows/s':>8}{'queries':>8}{'q/row':>7} |"
            f"{'save s':>8}{'rows/s':>8}{'queries':>8}{'q/row':>7} | created updated"
        )
        for name, r in results:
            rows = r["rows"]
            check, save = r["check"], r["save"]
            print(
                f"{name:<13}{rows:>6} |{check['seconds']:>8.2f}{rows / check['seconds']:>8.0f}"
                f"{check['queries']:>8}{check['queries'] / rows:>7.3f} |{save['seconds']:>8.2f}"
                f"{rows / save['seconds']:>8.0f}{save['queries']:>8}{save['queries'] / rows:>7.3f}"
                f" | {r['summary'].get('created', 0):>7} {r['summary'].get('updated', 0):>7}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
