"""`dtss import {schools,classes,people} FILE --county CODE [--school CODE]`.

Runs the import synchronously through the same job and services as the web page: progress on
stdout, every problem on stderr as `row 7, code: message`, exit status 1 when anything is wrong
(and then nothing was saved), 0 with a summary when everything was saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext

from dtss.imports.importers import IMPORTERS, Problem, problem_text
from dtss.imports.models import ImportJob
from dtss.imports.services import import_job_create, import_job_run
from dtss.orgs.models import County, School


def format_problem(item: Problem) -> str:
    row, field, message = item.get("row") or 0, item.get("field") or "", problem_text(item)
    if row and field:
        return f"row {row}, {field}: {message}"
    if row:
        return f"row {row}: {message}"
    if field:
        return f"{field}: {message}"
    return f"file: {message}"


def run_import_cli(
    *,
    kind: str,
    path: str,
    county_code: str,
    school_code: str | None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if kind not in IMPORTERS:
        print(f"error: unknown kind {kind!r}; use one of {', '.join(IMPORTERS)}", file=err)
        return 1
    county = County.objects.filter(code=county_code).first()
    if county is None:
        print(f"error: no county with the code {county_code!r}", file=err)
        return 1
    school = None
    if IMPORTERS[kind].needs_school:
        if not school_code:
            print(f"error: a {kind} import needs --school CODE", file=err)
            return 1
        school = School.objects.filter(code=school_code, county=county).first()
        if school is None:
            print(f"error: no school with the code {school_code!r} in {county.name_zh}", file=err)
            return 1
    elif school_code:
        print("note: --school is ignored for a schools import", file=err)
    file_path = Path(path)
    if not file_path.is_file():
        print(f"error: {path}: no such file", file=err)
        return 1
    try:
        with file_path.open("rb") as handle:
            job = import_job_create(
                user=None,
                kind=kind,
                uploaded_file=File(handle, name=file_path.name),
                county=county,
                school=school,
                enqueue=False,
            )
    except ValidationError as exc:
        for message in exc.messages:
            print(f"error: {message}", file=err)
        return 1

    def progress(done: int, total: int) -> None:
        print(f"validated {done}/{total} rows", file=out, flush=True)

    def save_progress(done: int, total: int) -> None:
        print(f"saved {done}/{total} rows", file=out, flush=True)

    job = import_job_run(job=job, progress=progress, save_progress=save_progress)
    if job.status != ImportJob.Status.DONE:
        for item in job.errors:
            print(format_problem(item), file=err)
        count = len(job.errors)
        print(
            f"{count} problem{'s' if count != 1 else ''} in {file_path.name}; nothing was saved.",
            file=err,
        )
        return 1
    summary = job.summary
    details = ", ".join(f"{gettext(label)} {n}" for label, n in summary.get("details", []))
    print(
        f"imported {summary.get('rows', 0)} rows: created {summary.get('created', 0)}, "
        f"updated {summary.get('updated', 0)}" + (f" ({details})" if details else ""),
        file=out,
    )
    return 0
