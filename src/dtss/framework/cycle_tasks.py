"""Background work of the assessment cycles, run through Django's Tasks framework.

`cycle_send_reminders` runs once a day (cron: `dtss manage cycle_reminders`); it takes the date
as a parameter so that tests and catch-up runs can name the day.
"""

from __future__ import annotations

from datetime import date

from django.tasks import task
from django.utils import timezone


@task
def cycle_send_reminders(today: str = "") -> dict[str, int]:
    """Remind schools 7, 3 and 1 days before the deadline; `today` is YYYY-MM-DD (default: the
    date in Asia/Taipei). Returns the counts of the run."""
    from dtss.framework.services import cycle_reminders_send

    day = date.fromisoformat(today) if today else timezone.localdate()
    return cycle_reminders_send(today=day)
