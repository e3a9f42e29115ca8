"""Benchmark of the device imports: rows/s and queries/row of a Google Admin Chromebook list.

    python benchmarks/devices_import.py [--rows 5000] [--database-url URL]

Builds its own database and throws it away afterwards (see import_people.py: a new SQLite file,
or a new PostgreSQL database `<name>_bench_<random>` created, migrated and dropped). Then, as a
school administrator of one school would, it runs three imports of the same N Chromebooks:

  new        N serials not in the register: each creates a device with a generated tag
  again      the same file: every device matched on serial, nothing changed (idempotent)
  synced     the same serials with a later last sync: every device's MDM contact updated

Each import goes through `device_import_run` (checking, then saving in one transaction), as the
worker runs it; the whole run is timed and its queries counted.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_people import csv_bytes, database, measured  # noqa: E402

HEADER = [
    "deviceId",
    "serialNumber",
    "status",
    "model",
    "osVersion",
    "lastSync",
    "annotatedAssetId",
    "annotatedLocation",
    "annotatedUser",
    "orgUnitPath",
]


def google_file(n: int, synced: datetime) -> bytes:
    rows = [
        [
            f"dev-{i:08d}",
            f"5CD{i:08d}",
            "ACTIVE",
            "Acer Chromebook Spin 311",
            "120.0.6099.235",
            (synced - timedelta(minutes=i % 600)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "",
            f"平板車 {i // 30 + 1}",
            f"s{i:07d}@school.example",
            "/學生",
        ]
        for i in range(n)
    ]
    return csv_bytes(HEADER, rows)


def run(user: Any, county: Any, school: Any, content: bytes) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtss.devices import import_services as svc

    job = svc.device_import_create(
        user=user,
        source="google",
        uploaded_file=SimpleUploadedFile("chromebooks.csv", content),
        county=county,
        school=school,
        enqueue=False,
    )
    with measured() as m:
        job = svc.device_import_run(job=job)
    report = job.report
    assert job.status == "done", report.get("errors")
    return {**m, **{k: report.get(k, 0) for k in ("created", "updated", "unchanged")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="N (default 5000)")
    parser.add_argument("--database-url", default="", help="postgresql://… (default: SQLite)")
    args = parser.parse_args()
    n = args.rows
    with database(args.database_url) as where:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from dtss.accounts.models import User
        from dtss.devices.models import Device
        from dtss.orgs import services as org_services
        from dtss.orgs.models import County, Role

        call_command("migrate", verbosity=0)
        county = County.objects.get(code="10008")
        district = org_services.district_create(
            county=county, code="B1", name_zh="南投市", name_en="Nantou City"
        )
        school = org_services.school_create(
            district=district, code="084601", name_zh="南投國小", stage="elementary"
        )
        person = org_services.person_create(county=county, name="資訊組長")
        org_services.membership_create(
            person=person, role=Role.SCHOOL_ADMIN, school=school, title="it_head"
        )
        user = User.objects.create_user(username="ithead", password="x", person=person)
        print(f"DTSS device import benchmark: N={n} on {where}, {connection.vendor}")
        now = datetime.now(UTC).replace(microsecond=0)
        results = [
            ("new", run(user, county, school, google_file(n, now - timedelta(days=1)))),
            ("again", run(user, county, school, google_file(n, now - timedelta(days=1)))),
            ("synced", run(user, county, school, google_file(n, now))),
        ]
        assert Device.objects.filter(school=school).count() == n
        print()
        print(
            f"{'import':<8}{'rows':>7}{'seconds':>9}{'rows/s':>9}{'queries':>9}{'q/row':>7}"
            f"{'created':>9}{'updated':>9}{'unchanged':>10}"
        )
        for name, r in results:
            print(
                f"{name:<8}{n:>7}{r['seconds']:>9.2f}{n / r['seconds']:>9.0f}{r['queries']:>9}"
                f"{r['queries'] / n:>7.1f}{r['created']:>9}{r['updated']:>9}{r['unchanged']:>10}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
