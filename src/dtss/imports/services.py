"""Writes of the imports: accept an uploaded file as a job, and run a job.

A job is checked in full before anything is saved; then every row is saved in one transaction
(see `importers.py`). The job's own status and checking progress are written outside that
transaction, so a page can follow a long file while it runs and a failure never loses the
report; the saving progress goes to the shared cache (see `progress.py`), since the job row
cannot be written while the import's transaction holds the write lock (SQLite).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.imports.importers import IMPORTERS, Problem, problem
from dtss.imports.models import ImportJob
from dtss.imports.parsing import ParseError, parse_file
from dtss.imports.progress import saving_clear, saving_write
from dtss.orgs.models import County, School

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")

Progress = Callable[[int, int], None]
UNEXPECTED = gettext_noop(
    "The import stopped with an unexpected error (%(error)s); nothing was saved."
)


@transaction.atomic
def import_job_create(
    *,
    user: Any,
    kind: str,
    uploaded_file: Any,
    county: County,
    school: School | None = None,
    enqueue: bool = True,
) -> ImportJob:
    """Store an uploaded file as a queued job and queue its run (after the commit).

    `uploaded_file` is anything with `name`, `size` and `chunks()` (an UploadedFile or a
    django File). `user` None means the command line, which is trusted.
    """
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValidationError({"kind": _("Unknown import kind.")})
    if not importer.needs_school:
        school = None
    elif school is None:
        raise ValidationError({"school": _("Choose the school to import into.")})
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school is not in this county.")})
    if user is not None:
        scope = scope_for(user)
        allowed = (
            scope.may_administer_school(school)
            if school is not None
            else scope.may_administer_county(county.pk)
        )
        if not allowed:
            raise PermissionDenied
    name = PurePath(str(uploaded_file.name or "")).name[:255]
    if not name.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": _("Only .csv and .xlsx files can be imported.")})
    if (uploaded_file.size or 0) > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    content = b"".join(uploaded_file.chunks())
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    job = ImportJob(
        county=county,
        school=school,
        kind=kind,
        filename=name,
        content=content,
        size=len(content),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    job.full_clean()
    job.save()
    if enqueue:
        from dtss.imports.tasks import import_run

        job_id = job.pk
        transaction.on_commit(lambda: import_run.enqueue(job_id))
    return job


def _set(job: ImportJob, **fields: Any) -> None:
    """Write the job's progress at once, in its own small write (never inside the import's
    transaction when called from `import_job_run`)."""
    for name, value in fields.items():
        setattr(job, name, value)
    fields["updated_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(
    job: ImportJob, *, errors: list[Problem], summary: dict[str, Any] | None = None
) -> ImportJob:
    status = ImportJob.Status.FAILED if errors else ImportJob.Status.DONE
    _set(job, status=status, errors=errors, summary=summary or {}, finished_at=timezone.now())
    saving_clear(job_id=job.pk)
    audit_record(
        actor=job.created_by,
        action="import.done" if not errors else "import.failed",
        obj=job,
        detail={
            "kind": job.kind,
            "file": job.filename,
            "rows": job.total_rows,
            "problems": len(errors),
            "created": (summary or {}).get("created", 0),
            "updated": (summary or {}).get("updated", 0),
        },
    )
    return job


def import_job_run(
    *,
    job: ImportJob,
    progress: Progress | None = None,
    save_progress: Progress | None = None,
) -> ImportJob:
    """Run a queued job: read, check every row, then save all rows or none.

    Not atomic itself: the job's status and progress must be visible while it runs, and its
    problems must survive the rollback of a failed save. `progress(done, total)` is called every
    few hundred rows while checking, `save_progress(saved, total)` after every batch saved (the
    command line prints both); the saving progress is also written to the shared cache for the
    pages.
    """
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.VALIDATING, started_at=timezone.now(), updated_at=timezone.now()
    )
    if not claimed:  # run already (a task delivered twice) or running elsewhere
        job.refresh_from_db()
        return job
    job.refresh_from_db()
    audit_record(
        actor=job.created_by,
        action="import.start",
        obj=job,
        detail={"kind": job.kind, "file": job.filename},
    )
    importer_class = IMPORTERS[job.kind]

    def report(done: int, total: int) -> None:
        _set(job, processed_rows=done, total_rows=total)
        if progress is not None:
            progress(done, total)

    importer = None
    try:
        content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
        try:
            parsed = parse_file(
                filename=job.filename, content=bytes(content), aliases=importer_class.aliases()
            )
        except ParseError as exc:
            return _finish(job, errors=[problem(0, "", exc.msgid, **exc.params)])
        _set(job, total_rows=len(parsed.rows), processed_rows=0)
        importer = importer_class(
            county=job.county, school=job.school, actor=job.created_by, progress=report
        )
        errors = importer.validate(parsed)
        if errors:
            return _finish(job, errors=errors)
        _set(job, status=ImportJob.Status.SAVING)

        def saving(done: int, total: int) -> None:
            saving_write(job_id=job.pk, done=done, total=total)
            if save_progress is not None:
                save_progress(done, total)

        saving_write(job_id=job.pk, done=0, total=len(parsed.rows))
        try:
            summary = importer.apply(progress=saving)
        except ValidationError as exc:
            return _finish(job, errors=importer.failure(exc))
        except Exception as exc:
            logger.exception("Import job %s failed while saving", job.pk)
            return _finish(job, errors=importer.failure(exc))
        return _finish(job, errors=[], summary=summary)
    except Exception as exc:  # a bug must not leave the job "checking" for ever
        logger.exception("Import job %s failed", job.pk)
        row = importer.current_row if importer is not None else 0
        return _finish(
            job,
            errors=[
                problem(
                    row,
                    "",
                    UNEXPECTED,
                    error=type(exc).__name__,
                )
            ],
        )
