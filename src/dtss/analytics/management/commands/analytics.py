"""`dtss manage analytics …`: the learning-data rollups and retention from the command line.

    dtss manage analytics process [--county CODE]      read new statements into the rollups
    dtss manage analytics rebuild --county CODE        drop a county's rollups, read it all again
    dtss manage analytics status [--county CODE] [--json]
    dtss manage analytics purge [--county CODE] [--dry-run] [--today YYYY-MM-DD]

`--county` takes the county's code (e.g. 10008 for 南投縣); without it a command covers every
county. `purge` is the daily retention job (run it from cron or a systemd timer, see
retention.py). A bad argument is an error on stderr with exit status 2 and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from dtss.analytics.models import ActorLink, RollupState, StudentDay
from dtss.orgs.models import County

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _counties(code: str | None) -> list[County]:
    if not code:
        return list(County.objects.order_by("code"))
    county = County.objects.filter(code=code).first()
    if county is None:
        raise _fail(f"no county with the code {code!r} (e.g. 10008 for 南投縣)")
    return [county]


class Command(BaseCommand):
    help = "Learning analytics: process, rebuild, status of the rollups; retention purge."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        process = sub.add_parser("process", help="read the statements stored since last time")
        process.add_argument("--county", help="county code (default: every county)")
        rebuild = sub.add_parser("rebuild", help="drop a county's rollups and read it all again")
        rebuild.add_argument("--county", required=True, help="county code")
        status = sub.add_parser("status", help="per county: processed, pending, actors, rows")
        status.add_argument("--county", help="county code (default: every county with data)")
        status.add_argument("--json", action="store_true")
        purge = sub.add_parser("purge", help="delete learning records past their retention")
        purge.add_argument("--county", help="county code (default: every county)")
        purge.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        purge.add_argument("--today", help="the day to count retention from (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["action"])(options)

    def process(self, options: dict[str, Any]) -> None:
        from dtss.analytics.rollups import rollup_process

        total = 0
        for county in _counties(options.get("county")):
            read = rollup_process(county_id=county.pk)
            total += read
            if read or options.get("county"):
                self.stdout.write(f"{county.code} {county.name_zh}: {read} statements read.")
        self.stdout.write(f"Done: {total} statements read.")

    def rebuild(self, options: dict[str, Any]) -> None:
        from dtss.analytics.rollups import rollup_rebuild

        (county,) = _counties(options["county"])
        read = rollup_rebuild(county_id=county.pk)
        self.stdout.write(
            f"{county.code} {county.name_zh}: rollups rebuilt from {read} statements."
        )

    def status(self, options: dict[str, Any]) -> None:
        from dtss.analytics.rollups import rollup_pending

        code = options.get("county")
        counties = _counties(code)
        states = {
            s.county_id: s
            for s in RollupState.objects.filter(county_id__in=[c.pk for c in counties])
        }
        actors = {
            r["county_id"]: r
            for r in ActorLink.objects.filter(county_id__in=[c.pk for c in counties])
            .values("county_id")
            .annotate(total=Count("id"), resolved=Count("id", filter=Q(person__isnull=False)))
        }
        days = dict(
            StudentDay.objects.filter(county_id__in=[c.pk for c in counties])
            .values("county_id")
            .annotate(n=Count("id"))
            .values_list("county_id", "n")
        )
        items = []
        for county in counties:
            state = states.get(county.pk)
            pending = rollup_pending(county_id=county.pk)
            a = actors.get(county.pk, {})
            if not code and state is None and not pending and not a:
                continue  # a county with no learning data at all
            items.append(
                {
                    "county": county.code,
                    "name": county.name_zh,
                    "processed": state.processed if state else 0,
                    "last_statement_id": state.last_statement_id if state else 0,
                    "updated": state.updated_at.isoformat() if state else None,
                    "pending": pending,
                    "actors_resolved": a.get("resolved", 0),
                    "actors_unresolved": a.get("total", 0) - a.get("resolved", 0),
                    "student_days": days.get(county.pk, 0),
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(items, ensure_ascii=False, indent=1))
            return
        if not items:
            self.stdout.write("No county has learning records yet.")
            return
        for i in items:
            self.stdout.write(
                f"{i['county']} {i['name']}: processed {i['processed']}, "
                f"pending {i['pending']}, actors resolved {i['actors_resolved']}, "
                f"unresolved {i['actors_unresolved']}, StudentDay rows {i['student_days']}"
            )

    def purge(self, options: dict[str, Any]) -> None:
        from dtss.analytics.retention import county_purge

        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise _fail(f"--today: {options['today']!r} is not a date (YYYY-MM-DD)") from None
        dry = options["dry_run"]
        verb = "would delete" if dry else "deleted"
        for county in _counties(options.get("county")):
            report = county_purge(county=county, today=today, dry_run=dry)
            if not report.platforms:
                if options.get("county"):
                    self.stdout.write(
                        f"{county.code} {county.name_zh}: no retention period set, "
                        "nothing to purge."
                    )
                continue
            self.stdout.write(f"{county.code} {county.name_zh}:")
            for p in report.platforms:
                name = p.name or "(no registered platform, DTSS_LRS_RETENTION_DAYS)"
                self.stdout.write(
                    f"  {name}: {p.retention_days} days, records before {p.cutoff}: {verb} "
                    f"{p.statements} statements, {p.student_days} student-day rows, "
                    f"{p.actors} actors"
                )
            self.stdout.write(
                f"  student weeks before {report.week_cutoff}: {verb} {report.student_weeks}; "
                "school and grade aggregates kept."
            )
        if dry:
            self.stdout.write("Dry run: nothing was deleted.")
