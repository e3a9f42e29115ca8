"""Writes of the platform register: platforms, their credentials, file mappings and imports.

Every write validates before it saves, runs in one transaction and leaves an audit entry
(DESIGN.md rules 2 and 6); the governance record of a platform (purpose, data fields, retention
period, legal basis) is audited field by field when it changes.

File imports run in the background (see "import jobs" below): the preview keeps the file as a
`MappingImport`, "Import" queues `tasks.mapping_import_run`, which stores it all or nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from dtss.analytics import mapping as mp
from dtss.analytics import profile
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.lrs.admin_selectors import statements_of_stores
from dtss.lrs.credential_services import IssuedCredential, credential_create, credential_revoke
from dtss.lrs.http import XapiError
from dtss.lrs.models import Scope
from dtss.lrs.statement_services import statements_store

PLATFORM_FIELDS = (
    "name",
    "kind",
    "account_home_page",
    "identity_scheme",
    "default_subject",
    "purpose",
    "data_fields",
    "retention_days",
    "legal_basis",
)
GOVERNANCE_FIELDS = ("purpose", "data_fields", "retention_days", "legal_basis")
MAX_RETENTION_DAYS = 3650
IMPORT_BATCH = 5000  # the LRS's cost per batch is nearly constant: large batches are cheap
AUTHORITY_HOME = "https://dtss.tw/platforms"
PREVIEW_KEEP = dt.timedelta(days=1)  # a preview never imported is deleted after this
FAILED_KEEP = dt.timedelta(days=30)  # a failed import (and its file) is deleted after this
STALLED_AFTER = dt.timedelta(minutes=30)  # "importing" this long with no progress: it crashed
PROGRESS_TIMEOUT = 300  # seconds; refreshed every PROGRESS_EVERY rows

logger = logging.getLogger(__name__)


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _platform_check(platform: Platform) -> None:
    """The model's rules and more: subject code, retention bounds, one name and one home page
    per county. Every failing field is named at once."""
    errors: dict[str, Any] = {}
    try:
        platform.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if platform.default_subject and platform.default_subject not in profile.SUBJECTS:
        errors["default_subject"] = _("Choose a subject of the DTSS profile.")
    if isinstance(platform.retention_days, int) and not (
        1 <= platform.retention_days <= MAX_RETENTION_DAYS
    ):
        errors["retention_days"] = _("The retention period is 1 to %(max)s days.") % {
            "max": MAX_RETENTION_DAYS
        }
    others = Platform.objects.filter(county_id=platform.county_id).exclude(pk=platform.pk)
    if platform.name and "name" not in errors and others.filter(name=platform.name).exists():
        errors["name"] = _("The county already has a platform of this name.")
    home = (platform.account_home_page or "").rstrip("/")
    if home and "account_home_page" not in errors:
        for other_home, other_name in others.values_list("account_home_page", "name"):
            if other_home and other_home.rstrip("/") == home:
                errors["account_home_page"] = _(
                    "%(name)s already uses this account home page; records could not tell the "
                    "two platforms apart."
                ) % {"name": other_name}
                break
    if errors:
        raise ValidationError(errors)
    platform.validate_constraints()


def _clip(value: Any) -> Any:
    return value[:500] if isinstance(value, str) else value


@transaction.atomic
def platform_create(
    *,
    actor: Any,
    county: Any,
    name: str,
    kind: str,
    account_home_page: str = "",
    identity_scheme: str = Platform.IdentityScheme.EXTERNAL_ID,
    default_subject: str = "",
    purpose: str = "",
    data_fields: str = "",
    retention_days: int = 730,
    legal_basis: str = "",
    credential: Any = None,
    request: Any = None,
) -> Platform:
    """Register a learning platform of `county` (validated; audited)."""
    platform = Platform(
        county=county,
        name=name.strip(),
        kind=kind,
        account_home_page=account_home_page.strip(),
        identity_scheme=identity_scheme,
        default_subject=default_subject,
        purpose=purpose.strip(),
        data_fields=data_fields.strip(),
        retention_days=retention_days,
        legal_basis=legal_basis.strip(),
        credential=credential,
        created_by=_actor_user(actor),
    )
    _platform_check(platform)
    platform.save()
    audit_record(
        actor=actor,
        action="analytics.platform_create",
        obj=platform,
        request=request,
        detail={"fields": {f: _clip(getattr(platform, f)) for f in PLATFORM_FIELDS}},
    )
    return platform


@transaction.atomic
def platform_update(
    *, actor: Any, platform: Platform, request: Any = None, **changes: Any
) -> Platform:
    """Change a platform's settings or governance record; the audit entry lists each change
    (from → to). Only the fields of PLATFORM_FIELDS may be changed here."""
    unknown = sorted(set(changes) - set(PLATFORM_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    changed: dict[str, dict[str, Any]] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(platform, name)
        if old != value:
            changed[name] = {"from": _clip(old), "to": _clip(value)}
            setattr(platform, name, value)
    if not changed:
        return platform
    _platform_check(platform)
    platform.save()
    audit_record(
        actor=actor,
        action="analytics.platform_update",
        obj=platform,
        request=request,
        detail={
            "changed": changed,
            "governance": sorted(set(changed) & set(GOVERNANCE_FIELDS)),
        },
    )
    return platform


@transaction.atomic
def platform_deactivate(*, actor: Any, platform: Platform, request: Any = None) -> Platform:
    """Stop a connection: the platform's credential is revoked (it can no longer send) and no
    file can be imported for it. Its records stay until their retention period ends."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if not platform.active:
        return platform
    platform.active = False
    platform.save(update_fields=["active", "updated_at"])
    revoked = None
    if platform.credential is not None and platform.credential.revoked_at is None:
        credential_revoke(credential=platform.credential, actor=actor, request=request)
        revoked = platform.credential.key
    audit_record(
        actor=actor,
        action="analytics.platform_deactivate",
        obj=platform,
        request=request,
        detail={"credential_revoked": revoked},
    )
    return platform


@transaction.atomic
def platform_reactivate(*, actor: Any, platform: Platform, request: Any = None) -> Platform:
    """Use a deactivated connection again (a revoked credential stays revoked: issue a new one)."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if platform.active:
        return platform
    platform.active = True
    platform.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="analytics.platform_reactivate", obj=platform, request=request)
    return platform


@transaction.atomic
def platform_credential_issue(
    *, actor: Any, platform: Platform, request: Any = None
) -> IssuedCredential:
    """A new LRS credential of the platform's county (scope statements/write), linked to the
    platform; the previous one, if any, is revoked. The secret is in the result only."""
    platform = Platform.objects.select_for_update().select_related("county").get(pk=platform.pk)
    if not platform.active:
        raise ValidationError(_("This platform is deactivated; reactivate it first."))
    previous = platform.credential
    issued = credential_create(
        name=platform.name[:120],
        county=platform.county,
        scopes=[Scope.STATEMENTS_WRITE],
        platform=platform.get_kind_display()[:120],
        actor=actor,
        request=request,
    )
    if previous is not None and previous.revoked_at is None:
        credential_revoke(credential=previous, actor=actor, request=request)
    platform.credential = issued.credential
    platform.save(update_fields=["credential", "updated_at"])
    audit_record(
        actor=actor,
        action="analytics.platform_credential_issue",
        obj=platform,
        request=request,
        detail={
            "key": issued.credential.key,
            "replaced": previous.key if previous is not None else None,
        },
    )
    return issued


# --------------------------------------------------------------------------- mappings


def _mapping_name_check(platform: Platform, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("At most 120 characters.")})
    others = FileMapping.objects.filter(platform=platform, name__iexact=name)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"name": _("This platform already has a mapping of this name.")})
    return name


@transaction.atomic
def mapping_create(
    *, actor: Any, platform: Platform, name: str, spec: dict[str, Any], request: Any = None
) -> FileMapping:
    """A file mapping of the platform; the spec is validated (see mapping.MappingSpec)."""
    clean_name = _mapping_name_check(platform, name)
    clean_spec = mp.spec_clean(spec)
    item = FileMapping.objects.create(
        county_id=platform.county_id, platform=platform, name=clean_name, spec=clean_spec
    )
    audit_record(
        actor=actor,
        action="analytics.mapping_create",
        obj=item,
        request=request,
        detail={"platform": str(platform.public_id), "spec": clean_spec},
    )
    return item


@transaction.atomic
def mapping_update(
    *,
    actor: Any,
    mapping: FileMapping,
    name: str | None = None,
    spec: dict[str, Any] | None = None,
    request: Any = None,
) -> FileMapping:
    item = FileMapping.objects.select_for_update().get(pk=mapping.pk)
    changed: dict[str, Any] = {}
    if name is not None:
        clean_name = _mapping_name_check(item.platform, name, exclude=item.pk)
        if clean_name != item.name:
            changed["name"] = {"from": item.name, "to": clean_name}
            item.name = clean_name
    if spec is not None:
        clean_spec = mp.spec_clean(spec)
        if clean_spec != item.spec:
            changed["spec"] = {"from": item.spec, "to": clean_spec}
            item.spec = clean_spec
    if not changed:
        return item
    item.save()
    audit_record(
        actor=actor, action="analytics.mapping_update", obj=item, request=request, detail=changed
    )
    return item


@transaction.atomic
def mapping_delete(*, actor: Any, mapping: FileMapping, request: Any = None) -> None:
    """Delete a mapping; the records imported with it stay in the store."""
    audit_record(
        actor=actor,
        action="analytics.mapping_delete",
        obj=mapping,
        request=request,
        detail={
            "platform": str(mapping.platform.public_id),
            "name": mapping.name,
            "spec": mapping.spec,
        },
    )
    mapping.delete()


# --------------------------------------------------------------------------- imports


class MappingImportError(Exception):
    """The file was not imported; `conversion.problems` says why (row, column, message)."""

    def __init__(self, conversion: mp.Conversion) -> None:
        super().__init__(f"{conversion.problem_count} problem(s)")
        self.conversion = conversion


@dataclass(frozen=True)
class ImportOutcome:
    rows: int
    statements: int  # distinct records in the file
    new: int  # not stored before
    duplicates: int  # rows repeating an earlier row


def platform_authority(platform: Platform) -> dict[str, Any]:
    """The authority of statements imported from files: an Agent account for the platform."""
    return {
        "objectType": "Agent",
        "account": {"homePage": AUTHORITY_HOME, "name": str(platform.public_id)},
    }


def mapping_import(
    *,
    actor: Any,
    mapping: FileMapping,
    filename: str,
    content: bytes,
    expected_sha256: str = "",
    request: Any = None,
    job: MappingImport | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Import an export file through its mapping, all or nothing.

    Every row is converted and validated with the LRS's validator; the statements go to the
    county's store in batches, all inside one transaction: if any row fails, MappingImportError
    lists every problem and the transaction is rolled back, so nothing is stored. (The import
    page previews the same file first, checking every row before anything is sent.) Rows
    already imported (same platform, same content) keep their statement id, so the store keeps
    them once. `expected_sha256`, when given, must be the hash of `content` (the file the user
    previewed). `job` (the background import running this) is named in the audit entry;
    `progress(rows checked, rows)` is called every few thousand rows (see mapping.file_check).

    Runs as long as the file needs (100,000 rows: minutes on SQLite): pages and the API queue a
    `MappingImport` for the background worker instead of calling this in a request."""
    platform = Platform.objects.select_related("county").get(pk=mapping.platform_id)
    conversion = mp.Conversion(filename=filename, sha256=mp.content_sha256(content))
    if expected_sha256 and expected_sha256 != conversion.sha256:
        conversion.add(
            [
                mp.Problem(
                    None,
                    "",
                    _("This is not the file you previewed. Preview it before importing."),
                )
            ]
        )
        raise MappingImportError(conversion)
    if not platform.active:
        conversion.add([mp.Problem(None, "", _("This platform is deactivated."))])
        raise MappingImportError(conversion)
    spec = mp.spec_load(mapping.spec)
    new = 0
    batch: list[tuple[int, dict[str, Any]]] = []

    def take(number: int, statement: dict[str, Any]) -> None:
        nonlocal new
        batch.append((number, statement))
        if len(batch) >= IMPORT_BATCH:
            new += _store(platform, batch)
            batch.clear()

    try:
        with transaction.atomic():
            conversion, parsed = mp.file_check(
                platform=platform,
                spec=spec,
                filename=filename,
                content=content,
                preview_rows=0,
                take=take,
                progress=progress,
            )
            if not conversion.ok or parsed is None:
                raise MappingImportError(conversion)  # rolls back what was stored
            if batch:
                new += _store(platform, batch)
            audit_record(
                actor=actor,
                action="analytics.mapping_import",
                obj=mapping,
                request=request,
                detail={
                    "platform": str(platform.public_id),
                    "file": filename[:200],
                    "sha256": conversion.sha256,
                    "rows": conversion.rows,
                    "statements": conversion.statements,
                    "new": new,
                    **({"job": str(job.public_id)} if job is not None else {}),
                },
            )
    except _BatchRejected as exc:
        failed = mp.Conversion(filename=filename, sha256=conversion.sha256)
        failed.add([exc.problem])
        raise MappingImportError(failed) from None
    return ImportOutcome(
        rows=conversion.rows,
        statements=conversion.statements,
        new=new,
        duplicates=conversion.duplicates,
    )


class _BatchRejected(Exception):
    def __init__(self, problem: mp.Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _store(platform: Platform, batch: list[tuple[int, dict[str, Any]]]) -> int:
    """Store one batch; returns how many of its statements were new."""
    ids = [s["id"] for _n, s in batch]
    known = {
        str(i)
        for i in statements_of_stores(stores=[platform.county_id])
        .filter(statement_id__in=ids)
        .values_list("statement_id", flat=True)
    }
    try:
        statements_store(
            store=platform.county_id,
            credential_id=platform.credential_id,
            authority=platform_authority(platform),
            statements=[s for _n, s in batch],
            version=mp.XAPI_VERSION,
        )
    except XapiError as exc:
        row = None
        field = getattr(exc, "field", "") or ""
        if field.startswith("statements["):
            try:
                row = batch[int(field[len("statements[") : field.index("]")])][0]
            except (ValueError, IndexError):
                row = None
        if exc.status == 409 and row is not None:
            message = _(
                "This row was imported before and now converts to a different record (was the "
                "mapping changed?). A stored record is never changed; void it first."
            )
        else:
            message = str(exc)
        raise _BatchRejected(mp.Problem(row, "", message)) from None
    return len(set(ids) - known)


def import_file_limit() -> int:
    return int(getattr(settings, "ANALYTICS_IMPORT_MAX_BYTES", 10 * 1024 * 1024))


# --------------------------------------------------------------------------- import jobs
#
# A file import is a `MappingImport` (the file is kept in its row, never on disk):
#   previewed --Import--> queued --worker--> running --> done | failed
#                                   failed (or stalled running) --Retry--> queued
# The preview checks every row in the request (≈20 s for 100,000 rows); storing them runs in
# the background task `tasks.mapping_import_run` (`mapping_import_job_run`), so no request waits
# for the LRS. The row of a running import cannot be written while the import's transaction
# holds the write lock (SQLite), so its progress goes to the shared cache, like the progress of
# `dtss.imports` (own keys: the two kinds of jobs number their rows separately).
# Cleanup (`mapping_import_cleanup`, on every preview and after every run): previews never
# imported go after PREVIEW_KEEP (a day), failed imports with their file after FAILED_KEEP; a
# done import keeps its counts and hash but not its file.


def _progress_key(job_id: int) -> str:
    return f"dtss:analytics:mapping-import:{job_id}"


def import_progress_write(*, job_id: int, done: int, total: int) -> None:
    """Record that `done` of `total` rows are checked (and stored). A cache that is down only
    costs the progress bar."""
    try:
        cache.set(_progress_key(job_id), {"done": done, "total": total}, PROGRESS_TIMEOUT)
    except Exception:
        logger.warning("Could not write the progress of mapping import %s", job_id)


def import_progress_read(*, job_id: int) -> tuple[int, int] | None:
    """(rows checked, rows) of a running import, or None if nothing was recorded lately."""
    try:
        value: Any = cache.get(_progress_key(job_id))
    except Exception:
        logger.warning("Could not read the progress of mapping import %s", job_id)
        return None
    if not isinstance(value, dict):
        return None
    try:
        return int(value["done"]), int(value["total"])
    except (KeyError, TypeError, ValueError):
        return None


def _progress_clear(job_id: int) -> None:
    try:
        cache.delete(_progress_key(job_id))
    except Exception:
        logger.warning("Could not clear the progress of mapping import %s", job_id)


def import_stalled(job: MappingImport, *, now: dt.datetime | None = None) -> bool:
    """True for an import that says "importing" but stopped: its worker crashed or was
    restarted mid-run (its transaction was rolled back, so nothing of it is stored). Known by
    no progress in the cache and a start more than STALLED_AFTER ago."""
    if job.status != MappingImport.Status.RUNNING or job.started_at is None:
        return False
    if job.started_at > (now or timezone.now()) - STALLED_AFTER:
        return False
    return import_progress_read(job_id=job.pk) is None


def import_retryable(job: MappingImport) -> bool:
    """Whether "Retry" (or "Import", for a preview) can queue the import."""
    if job.mapping_id is None:
        return False
    if job.status in (MappingImport.Status.PREVIEWED, MappingImport.Status.FAILED):
        return True
    return import_stalled(job)


def _may_import(actor: Any, platform: Platform) -> None:
    """Only the platform's county administrators import files (`actor` None: trusted code)."""
    if actor is not None and not scope_for(actor).may_administer_county(platform.county_id):
        raise PermissionDenied


def _problems_out(conversion: mp.Conversion) -> list[dict[str, Any]]:
    """The conversion's problems as stored on the job; one more line when some are not listed."""
    out = [p.as_dict() for p in conversion.problems]
    hidden = conversion.problem_count - len(conversion.problems)
    if hidden > 0:
        out.append(
            {
                "row": None,
                "column": "",
                "message": ngettext(
                    "… and %(n)s more problem.", "… and %(n)s more problems.", hidden
                )
                % {"n": hidden},
            }
        )
    return out


def _upload_check(filename: str, content: bytes) -> str:
    name = PurePath(str(filename or "")).name[:255]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError({"file": _("Only .csv and .xlsx files can be imported.")})
    if len(content) > import_file_limit():
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    return name


def _enqueue(job: MappingImport, language: str) -> None:
    from dtss.analytics.tasks import mapping_import_run

    job_id = job.pk
    transaction.on_commit(lambda: mapping_import_run.enqueue(job_id, language))


def mapping_import_cleanup(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete previews older than PREVIEW_KEEP and failed imports older than FAILED_KEEP, with
    their files; returns (previews, failed) deleted. Indexed on (status, created_at)."""
    now = now or timezone.now()
    previews, _n = MappingImport.objects.filter(
        status=MappingImport.Status.PREVIEWED, created_at__lt=now - PREVIEW_KEEP
    ).delete()
    failed, _n = MappingImport.objects.filter(
        status=MappingImport.Status.FAILED, created_at__lt=now - FAILED_KEEP
    ).delete()
    return previews, failed


def mapping_import_preview(
    *, actor: Any, mapping: FileMapping, filename: str, content: bytes
) -> tuple[MappingImport | None, mp.Conversion]:
    """Check every row of a file under the mapping and, when it can be imported, keep it as a
    previewed import (None when it cannot: the conversion lists why). Stores no statement."""
    platform = Platform.objects.select_related("county").get(pk=mapping.platform_id)
    _may_import(actor, platform)
    name = _upload_check(filename, content)
    conversion, _parsed = mp.file_check(
        platform=platform, spec=mp.spec_load(mapping.spec), filename=name, content=content
    )
    mapping_import_cleanup()
    if not conversion.ok:
        return None, conversion
    job = MappingImport.objects.create(
        county_id=platform.county_id,
        platform=platform,
        mapping=mapping,
        filename=name,
        content=content,
        sha256=conversion.sha256,
        size=len(content),
        status=MappingImport.Status.PREVIEWED,
        rows=conversion.rows,
        statements=conversion.statements,
        duplicates=conversion.duplicates,
        created_by=_actor_user(actor),
    )
    return job, conversion


def _queued_audit(actor: Any, job: MappingImport, request: Any, *, retry: bool) -> None:
    audit_record(
        actor=actor,
        action="analytics.mapping_import_queue",
        obj=job,
        request=request,
        detail={
            "platform": str(job.platform.public_id),
            "mapping": str(job.mapping.public_id) if job.mapping else None,
            "file": job.filename[:200],
            "sha256": job.sha256,
            "retry": retry,
        },
    )


@transaction.atomic
def mapping_import_submit(
    *,
    actor: Any,
    mapping: FileMapping,
    filename: str,
    content: bytes,
    expected_sha256: str = "",
    language: str = "",
    request: Any = None,
) -> MappingImport:
    """Keep a file and queue its import at once, without a preview (the API). The worker checks
    every row; a bad row fails the import with its problems and nothing is stored."""
    platform = Platform.objects.select_related("county").get(pk=mapping.platform_id)
    _may_import(actor, platform)
    name = _upload_check(filename, content)
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    digest = mp.content_sha256(content)
    if expected_sha256 and expected_sha256.strip().lower() != digest:
        raise ValidationError(
            {"sha256": _("This is not the file you previewed. Preview it before importing.")}
        )
    if not platform.active:
        raise ValidationError({"file": _("This platform is deactivated.")})
    job = MappingImport.objects.create(
        county_id=platform.county_id,
        platform=platform,
        mapping=mapping,
        filename=name,
        content=content,
        sha256=digest,
        size=len(content),
        status=MappingImport.Status.QUEUED,
        created_by=_actor_user(actor),
    )
    _queued_audit(actor, job, request, retry=False)
    _enqueue(job, language or get_language() or settings.LANGUAGE_CODE)
    return job


@transaction.atomic
def mapping_import_queue(
    *, actor: Any, job: MappingImport, language: str = "", request: Any = None
) -> MappingImport:
    """Queue a previewed import ("Import"), or again a failed or stalled one ("Retry"); the
    file kept in the job is imported. ValidationError when it cannot be queued."""
    job = (
        MappingImport.objects.select_for_update(of=("self",))
        .select_related("platform", "mapping")
        .get(pk=job.pk)
    )
    _may_import(actor, job.platform)
    if job.status in MappingImport.ACTIVE and not import_stalled(job):
        return job  # pressed twice: it is on its way
    if job.status == MappingImport.Status.DONE:
        raise ValidationError(_("This file was imported already."))
    if job.mapping is None:
        raise ValidationError(
            _("The file mapping of this import was deleted; import the file with another one.")
        )
    if not job.platform.active:
        raise ValidationError(_("This platform is deactivated; reactivate it first."))
    retry = job.status != MappingImport.Status.PREVIEWED
    job.status = MappingImport.Status.QUEUED
    job.problems = []
    job.new_statements = 0
    job.started_at = None
    job.finished_at = None
    job.save(
        update_fields=[
            "status",
            "problems",
            "new_statements",
            "started_at",
            "finished_at",
            "updated_at",
        ]
    )
    _progress_clear(job.pk)
    _queued_audit(actor, job, request, retry=retry)
    _enqueue(job, language or get_language() or settings.LANGUAGE_CODE)
    return job


def _job_set(job: MappingImport, **fields: Any) -> None:
    """Write the job at once, in a small write of its own (never inside the import's
    transaction)."""
    for name, value in fields.items():
        setattr(job, name, value)
    fields["updated_at"] = timezone.now()
    MappingImport.objects.filter(pk=job.pk).update(**fields)


def _job_fail(job: MappingImport, problems: list[dict[str, Any]], rows: int = 0) -> MappingImport:
    _job_set(
        job,
        status=MappingImport.Status.FAILED,
        problems=problems,
        rows=rows or job.rows,
        new_statements=0,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=job.created_by,
        action="analytics.mapping_import_failed",
        obj=job,
        detail={
            "platform": str(job.platform.public_id),
            "file": job.filename[:200],
            "sha256": job.sha256,
            "problems": len(problems),
        },
    )
    return job


def mapping_import_job_run(*, job_id: int) -> MappingImport | None:
    """Run one queued import (the task `mapping_import_run`): store the file all or nothing with
    `mapping_import`, then record `done` with the counts or `failed` with every problem.

    Not atomic itself: the job's status must be visible while it runs and its problems must
    survive the rollback of a failed import. A job that is not queued (run already: a task
    delivered twice) is left alone. None when the job is gone."""
    now = timezone.now()
    claimed = MappingImport.objects.filter(pk=job_id, status=MappingImport.Status.QUEUED).update(
        status=MappingImport.Status.RUNNING, started_at=now, finished_at=None, updated_at=now
    )
    job = (
        MappingImport.objects.select_related("platform", "mapping", "created_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or not claimed:
        return job
    import_progress_write(job_id=job.pk, done=0, total=job.rows)
    try:
        if job.mapping is None:
            return _job_fail(
                job,
                [{"row": None, "column": "", "message": _("The file mapping was deleted.")}],
            )
        content = bytes(
            MappingImport.objects.filter(pk=job.pk).values_list("content", flat=True).get()
        )

        def report(done: int, total: int) -> None:
            import_progress_write(job_id=job.pk, done=done, total=total)

        try:
            outcome = mapping_import(
                actor=job.created_by,
                mapping=job.mapping,
                filename=job.filename,
                content=content,
                expected_sha256=job.sha256,
                job=job,
                progress=report,
            )
        except MappingImportError as exc:
            return _job_fail(job, _problems_out(exc.conversion), rows=exc.conversion.rows)
        _job_set(
            job,
            status=MappingImport.Status.DONE,
            rows=outcome.rows,
            statements=outcome.statements,
            new_statements=outcome.new,
            duplicates=outcome.duplicates,
            problems=[],
            content=b"",  # the records are in the LRS; the file is not kept
            finished_at=timezone.now(),
        )
        return job
    except Exception as exc:  # a bug or a lost database must not leave it "importing" for ever
        logger.exception("Mapping import %s failed", job.pk)
        message = _(
            "The import stopped with an unexpected error (%(error)s); nothing was stored. "
            "Retry it; if it fails again, tell the system administrator."
        ) % {"error": type(exc).__name__}
        return _job_fail(job, [{"row": None, "column": "", "message": message}])
    finally:
        _progress_clear(job.pk)
        try:
            mapping_import_cleanup()
        except Exception:
            logger.exception("Cleaning up old mapping imports failed")
