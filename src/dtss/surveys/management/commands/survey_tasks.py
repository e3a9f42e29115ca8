"""`dtss manage survey_tasks`: the surveys' scheduled work. Run it every hour or so (cron or a
systemd timer): it closes the open runs whose closing time has passed and emails reminders
for the named runs that close within `--days-before` days (each person at most once a day)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dtss.surveys import services


class Command(BaseCommand):
    help = "Close survey runs past their closing time and remind named runs closing soon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days-before",
            type=int,
            default=2,
            help="Remind named runs that close within this many days (default 2).",
        )
        parser.add_argument(
            "--no-reminders", action="store_true", help="Only close the runs that are due."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = services.runs_close_due()
        self.stdout.write(f"Closed {closed} survey run(s) past their closing time.")
        if options["no_reminders"]:
            return
        done = services.runs_remind_due(days_before=options["days_before"])
        self.stdout.write(
            f"Reminders for {done['runs']} named run(s) closing within "
            f"{options['days_before']} day(s): {done['sent']} sent, "
            f"{done['no_email']} without an email address, "
            f"{done['skipped']} reminded in the last day."
        )
