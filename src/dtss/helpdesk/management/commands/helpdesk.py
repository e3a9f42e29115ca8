"""`dtss manage helpdesk …`: the service-target check (cron) and the reports.

    dtss manage helpdesk sla [--now ISO] [--enqueue]
    dtss manage helpdesk report --county CODE [--school CODE] [--from YYYY-MM-DD] [--to YYYY-MM-DD]

`sla` records missed targets (once each), escalates by the categories' rules and closes
resolved requests left alone for the county's days; it prints the counts. Run it every few
minutes from cron; `--enqueue` hands it to the worker instead (`tasks.sla_check_task`), `--now`
runs it as at another moment (tests, catching up). `report` prints the figures of the reports
page (the last 90 days by default). The command line is trusted with every county. Exit status
0 on success, 2 for a bad argument.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

USAGE_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{name}: write the date as YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "The helpdesk: the service-target check (cron) and the reports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("sla", help="record missed targets, escalate, auto-close")
        check.add_argument(
            "--now", default="", help="run as at this moment (ISO 8601, default now)"
        )
        check.add_argument(
            "--enqueue", action="store_true", help="hand the check to the worker instead"
        )
        report = sub.add_parser("report", help="print the figures of a county's report")
        report.add_argument("--county", required=True, help="the county's code, e.g. 10008")
        report.add_argument("--school", default="", help="MOE code of one school of the county")
        report.add_argument("--from", dest="start", default="", help="first day (YYYY-MM-DD)")
        report.add_argument("--to", dest="end", default="", help="last day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sla":
            self._sla(options)
        elif options["action"] == "report":
            self._report(options)

    def _sla(self, options: dict[str, Any]) -> None:
        if options["enqueue"]:
            if options["now"]:
                raise _fail("--now cannot be used with --enqueue")
            from dtss.helpdesk.tasks import sla_check_task

            result = sla_check_task.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise _fail(f"--now: not an ISO 8601 moment: {options['now']!r}") from exc
            if timezone.is_naive(now):
                now = now.replace(tzinfo=timezone.get_default_timezone())
        from dtss.helpdesk.services import sla_check

        counts = sla_check(now=now)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))

    def _report(self, options: dict[str, Any]) -> None:
        from dtss.helpdesk import report_selectors as rsel
        from dtss.orgs.models import County, School

        county = County.objects.filter(code=options["county"]).first()
        if county is None:
            raise _fail(f"--county: no county with the code {options['county']!r}")
        school = None
        if options["school"]:
            school = School.objects.filter(county=county, code=options["school"]).first()
            if school is None:
                raise _fail(f"--school: no school {options['school']!r} in county {county.code}")
        start = _date(options["start"], "--from")
        end = _date(options["end"], "--to") or timezone.localdate()
        start = start or end - dt.timedelta(days=rsel.DEFAULT_DAYS - 1)
        if end < start:
            raise _fail("--to: the last day cannot be before the first")
        if (end - start).days + 1 > rsel.MAX_DAYS:
            raise _fail("--from/--to: at most three years at once")
        with translation.override("en"):
            report = rsel.report_build(county=county, school=school, period=rsel.Period(start, end))
            for title, headers, rows in rsel.report_sections(report):
                self.stdout.write(f"== {title}")
                self.stdout.write("\t".join(headers))
                if not rows:
                    self.stdout.write("(none)")
                for row in rows:
                    cells = [v.isoformat() if isinstance(v, dt.date) else str(v) for v in row]
                    self.stdout.write("\t".join(cells))
