"""Progress of a job while its rows are being saved, kept in the shared cache.

Saving happens in one database transaction, which on SQLite holds the only write lock: the job
row cannot be updated until the save commits, and another connection's write would wait for it.
So while saving, the worker writes "saved N of M rows" to the Django cache (files in the data
directory, or Redis: shared by the web and worker processes), under a key of the job, with a
short timeout. The pages read it while the job row says "saving"; once the job has finished the
job row is what counts and the entry is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

TIMEOUT = 300  # seconds: refreshed after every batch; stale entries vanish on their own


def cache_key(job_id: int) -> str:
    return f"dtss:imports:job:{job_id}:saving"


@dataclass(frozen=True)
class SavingProgress:
    done: int
    total: int


def saving_write(*, job_id: int, done: int, total: int) -> None:
    """Record that `done` of `total` rows are saved. Never fails the import: a cache that is
    down only costs the progress bar."""
    try:
        cache.set(cache_key(job_id), {"done": done, "total": total}, TIMEOUT)
    except Exception:
        logger.warning("Could not write the progress of import job %s to the cache", job_id)


def saving_read(*, job_id: int) -> SavingProgress | None:
    try:
        value: Any = cache.get(cache_key(job_id))
    except Exception:
        logger.warning("Could not read the progress of import job %s from the cache", job_id)
        return None
    if not isinstance(value, dict):
        return None
    try:
        return SavingProgress(done=int(value["done"]), total=int(value["total"]))
    except (KeyError, TypeError, ValueError):
        return None


def saving_clear(*, job_id: int) -> None:
    try:
        cache.delete(cache_key(job_id))
    except Exception:
        logger.warning("Could not clear the progress of import job %s in the cache", job_id)
