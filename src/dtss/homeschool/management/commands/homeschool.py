"""`dtss manage homeschool notify [--enqueue]`: email the notifications that are due.

Notifications held back by quiet hours are emailed when the quiet hours end; run this every
minute from cron (or a systemd timer) next to `dtss worker`. `--enqueue` hands the work to the
worker instead. Prints how many were due and sent. Exit status 0.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "The contact book: email the notifications that are due (cron, every minute)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        notify = sub.add_parser("notify", help="email the notifications that are due")
        notify.add_argument(
            "--enqueue", action="store_true", help="hand the work to the worker instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from dtss.homeschool.tasks import notifications_deliver_task

            notifications_deliver_task.enqueue()
            self.stdout.write("queued")
            return
        from dtss.homeschool.services import notifications_deliver

        out = notifications_deliver()
        self.stdout.write(f"due {out['due']}, sent {out['sent']}")
