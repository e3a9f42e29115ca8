"""Background work of the analytics, run by `dtss worker` through Django's Tasks framework.

- `rollup_county`: bring one county's rollups up to date. The LRS schedules it after every
  commit that stored statements (`hooks.after_statements_stored` → `rollup_schedule`, when
  `ANALYTICS_AUTO_ROLLUP` is on), at most once every few seconds per county (a cache key is
  the debounce), deferred past the LRS's consistency margin where the backend can defer.
  Statements it had to leave (stored within the margin, or while it ran) bring it back.
- `retention_purge_all`: the daily retention purge of every county (`retention.py`); cron
  runs `dtss manage analytics purge`, which does the same in the foreground.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.tasks import default_task_backend, task
from django.utils import timezone


@task
def rollup_county(county_id: int) -> int:
    """Bring one county's rollups up to date; returns the statements read."""
    from dtss.analytics.rollups import rollup_pending, rollup_process

    if not default_task_backend.supports_defer:
        # run in the web process right after the commit (DTSS_TASKS=immediate): nothing is
        # committing behind this batch's back, so no margin is needed
        return rollup_process(county_id=county_id, margin_ms=0)
    read = rollup_process(county_id=county_id)
    if rollup_pending(county_id=county_id):
        # statements stored within the margin, or while this ran: come back for them
        cache.delete(_key(county_id))
        rollup_schedule(county_id=county_id)
    return read


def _key(county_id: int) -> str:
    return f"analytics:rollup-scheduled:{county_id}"


def rollup_delay_seconds() -> float:
    """How long after a store the rollup runs: the consistency margin plus a second."""
    return settings.LRS_CONSISTENCY_MARGIN_MS / 1000 + 1


def rollup_schedule(*, county_id: int) -> bool:
    """Queue `rollup_county` for a county, at most once every few seconds (True: queued now;
    False: one is queued already).

    It runs after the LRS's consistency margin (statements stored within it are left for the
    next run), so the task is deferred by the margin plus a second where the backend can."""
    delay = rollup_delay_seconds()
    if not cache.add(_key(county_id), 1, timeout=max(2, int(delay))):
        return False
    if default_task_backend.supports_defer:
        rollup_county.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(
            county_id
        )
    else:
        rollup_county.enqueue(county_id)
    return True


@task
def retention_purge_all(today: str = "") -> dict[str, int]:
    """Delete the learning records past retention in every county (`retention.py`); `today`
    is YYYY-MM-DD (default: the date in Asia/Taipei). Returns the totals of the run."""
    from dtss.analytics.retention import retention_purge

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    reports = retention_purge(today=day)
    return {
        "counties": sum(1 for r in reports if r.anything),
        "statements": sum(r.statements for r in reports),
        "student_days": sum(r.student_days for r in reports),
        "student_weeks": sum(r.student_weeks for r in reports),
        "actors": sum(r.actors for r in reports),
    }


@task
def mapping_import_run(job_id: int, language: str = "") -> str:
    """Import the file of one queued `MappingImport` through its mapping, all or nothing
    (`platform_services.mapping_import_job_run`); returns the job's final status. `language`
    is the one of the user who queued it: the problems are written in it. Also deletes
    previews never imported after a day and failed imports after 30 days
    (`mapping_import_cleanup`)."""
    from django.utils import translation

    from dtss.analytics.platform_services import mapping_import_job_run

    with translation.override(language or settings.LANGUAGE_CODE):
        job = mapping_import_job_run(job_id=job_id)
    return job.status if job is not None else "missing"
