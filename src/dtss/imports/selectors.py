"""Reads of the imports: how far a job has got, for its page and its status.json."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dtss.imports.models import ImportJob
from dtss.imports.progress import saving_read


@dataclass(frozen=True)
class JobProgress:
    phase: str  # queued, checking, saving, finished
    done: int  # rows checked (checking, finished) or saved (saving)
    total: int
    percent: int  # of the current phase
    text: str


def import_job_progress(*, job: ImportJob) -> JobProgress:
    """The progress bar of a job. While the job row says "saving", the rows saved so far come
    from the shared cache (the job row cannot be written during the save); otherwise, and once
    the job has finished, the job row is authoritative."""
    total = job.total_rows
    if job.status == ImportJob.Status.QUEUED:
        return JobProgress("queued", 0, total, 0, _("Waiting for the background worker…"))
    if job.status == ImportJob.Status.SAVING:
        saving = saving_read(job_id=job.pk)
        if saving is None:
            return JobProgress("saving", 0, total, 0, _("Saving…"))
        done, total = saving.done, saving.total or total
        percent = min(100, int(done * 100 / total)) if total else 0
        text = _("Saved %(done)s of %(total)s rows") % {"done": done, "total": total}
        return JobProgress("saving", done, total, percent, text)
    text = _("Checked %(done)s of %(total)s rows") % {"done": job.processed_rows, "total": total}
    phase = "checking" if job.status == ImportJob.Status.VALIDATING else "finished"
    return JobProgress(phase, job.processed_rows, total, job.percent, text)
