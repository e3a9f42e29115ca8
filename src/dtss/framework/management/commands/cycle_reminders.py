"""`dtss manage cycle_reminders [--date YYYY-MM-DD] [--enqueue]`: the daily deadline reminders.

Run it once a day from cron; it sends at most one reminder per assessment per day, so running
it twice does no harm.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dtss.framework.cycle_tasks import cycle_send_reminders


class Command(BaseCommand):
    help = "Email schools whose assessment is not submitted 7, 3 and 1 days before the deadline."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", default="", help="the day to run for (default: today)")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the task for `dtss worker` instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"]
        if day:
            try:
                date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        if options["enqueue"]:
            result = cycle_send_reminders.enqueue(today=day)
            self.stdout.write(f"Queued reminders task {result.id}.")
            return
        counts = cycle_send_reminders.call(today=day)
        self.stdout.write(
            "Reminders: {reminded} assessments reminded ({messages} messages); "
            "{already} reminded already today; {no_email} without an administrator's email; "
            "{due} due.".format(**counts)
        )
