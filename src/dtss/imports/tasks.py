"""Background work of the imports, run by `dtss worker` through Django's Tasks framework."""

from __future__ import annotations

from django.tasks import task


@task
def import_run(job_id: int) -> str:
    """Check and save one queued import job; returns its final status."""
    from dtss.imports.models import ImportJob
    from dtss.imports.services import import_job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    return import_job_run(job=job).status
