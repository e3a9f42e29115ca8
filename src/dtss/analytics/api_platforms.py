"""JSON API of the platform register, for /api/v1/ (the lead mounts `router` in dtss/api/urls.py):
learning platforms with their governance record, credentials, file mappings, file imports and the
DTSS xAPI profile. Everything a page under /analytics/platforms/ does.

A file import runs in the background: POST …/import keeps the file and queues it (202 with the
import's id), GET …/imports/{import_id} follows it until it is `done` (counts) or `failed`
(every problem; nothing stored), POST …/imports/{import_id}/retry queues a failed one again.

Who may do what is the pages' rule (platform_selectors): county administrators manage their
county's platforms, county staff and MOE viewers read them, any other role gets a 403; another
county's platform (or a mapping under another platform) is a 404 like a missing one; a platform
you may read but not change is a 403 on writes. Writes go through platform_services.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.analytics import mapping as mp
from dtss.analytics import platform_selectors as sel
from dtss.analytics import platform_services as services
from dtss.analytics.models import FileMapping, MappingImport, Platform
from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.lrs.views import endpoint_url

router = Router()
TAGS = ["learning platforms"]
PlatformId = Annotated[UUID, Path(description="The platform's id (its public_id).")]
MappingId = Annotated[UUID, Path(description="The file mapping's id (its public_id).")]
ImportId = Annotated[UUID, Path(description="The file import's id (from POST …/import).")]
READERS = "County staff, county administrators and MOE viewers (403 for other roles)."
MANAGERS = "The platform's county administrators; a platform you can read but not change is 403."
NOT_FOUND = "A missing platform and another county's are both 404."


# --------------------------------------------------------------------------- schemas


class CredentialOut(Schema):
    key: str = Field(description="The key (HTTP Basic user name).")
    active: bool = Field(description="False once revoked.")
    created_at: dt.datetime = Field(description="When it was issued.")


class PlatformOut(Schema):
    id: UUID = Field(description="The platform's id.")
    county: str = Field(description="The county's MOI code.")
    name: str = Field(description="Name.")
    kind: str = Field(description="adl, cooc, junyi, classroom, coolenglish or other.")
    active: bool = Field(description="False when deactivated.")
    account_home_page: str = Field(description="homePage of the platform's actor accounts.")
    identity_scheme: str = Field(description="external_id, openid_sub or mapping.")
    default_subject: str = Field(description="Subject code for records naming none, or ''.")
    purpose: str = Field(description="Purpose of processing.")
    data_fields: str = Field(description="Data fields received.")
    retention_days: int = Field(description="Retention period in days.")
    legal_basis: str = Field(description="Legal basis.")
    credential: CredentialOut | None = Field(description="Its LRS credential, if any.")
    created_at: dt.datetime = Field(description="When it was registered.")


class CountsOut(Schema):
    actors: int = Field(description="Accounts seen from the platform.")
    resolved: int = Field(description="Of which matched to DTSS people.")
    unresolved: int = Field(description="Of which not matched yet.")
    records: int = Field(description="Records in the rollups.")
    last_seen: dt.datetime | None = Field(description="Last record rolled up.")
    last_stored: dt.datetime | None = Field(description="Last record sent with its credential.")
    recent: int = Field(description="Records sent with its credential in the last 7 days.")


class MappingOut(Schema):
    id: UUID = Field(description="The mapping's id.")
    name: str = Field(description="Name.")
    spec: dict[str, Any] = Field(description="The column mapping (see docs/xapi-profile.md).")


class PlatformDetailOut(PlatformOut):
    counts: CountsOut = Field(description="What the county has received from it.")
    mappings: list[MappingOut] = Field(description="Its file mappings.")


class PlatformIn(Schema):
    county: str = Field("", description="MOI code; may be left out if you manage one county.")
    name: str = Field(description="Name, unique in the county.", max_length=120)
    kind: Platform.Kind = Field(description="Which platform.")
    account_home_page: str = Field("", description="homePage of its actor accounts (a URL).")
    identity_scheme: Platform.IdentityScheme = Field(
        Platform.IdentityScheme.EXTERNAL_ID, description="How account names identify students."
    )
    default_subject: str = Field("", description="A subject code, or ''.")
    purpose: str = Field(description="Purpose of processing.")
    data_fields: str = Field(description="Data fields received.")
    retention_days: int = Field(730, description="Retention period in days (1–3650).")
    legal_basis: str = Field(description="Legal basis.")


class PlatformPatch(Schema):
    name: str | None = Field(None, description="Name.", max_length=120)
    kind: Platform.Kind | None = Field(None, description="Which platform.")
    account_home_page: str | None = Field(None, description="homePage of its actor accounts.")
    identity_scheme: Platform.IdentityScheme | None = Field(None, description="Identity scheme.")
    default_subject: str | None = Field(None, description="A subject code, or ''.")
    purpose: str | None = Field(None, description="Purpose of processing.")
    data_fields: str | None = Field(None, description="Data fields received.")
    retention_days: int | None = Field(None, description="Retention period in days.")
    legal_basis: str | None = Field(None, description="Legal basis.")


class IssuedOut(Schema):
    key: str = Field(description="The key (HTTP Basic user name).")
    secret: str = Field(description="The secret: in this response only, never again.")
    endpoint: str = Field(description="The xAPI endpoint.")
    scopes: list[str] = Field(description="What it may do.")


class MappingIn(Schema):
    name: str = Field(description="Name, unique for the platform.", max_length=120)
    spec: dict[str, Any] = Field(description="The column mapping (see docs/xapi-profile.md).")


class MappingPatch(Schema):
    name: str | None = Field(None, description="Name.", max_length=120)
    spec: dict[str, Any] | None = Field(None, description="The whole new column mapping.")


class ProblemOut(Schema):
    row: int | None = Field(description="Spreadsheet row number (header = 1); null: the file.")
    column: str = Field(description="The file's column, or ''.")
    message: str = Field(description="What is wrong.")


class PreviewOut(Schema):
    sha256: str = Field(description="SHA-256 of the file, to send with the import.")
    rows: int = Field(description="Rows in the file (header excluded).")
    statements: int = Field(description="Distinct records they become.")
    duplicates: int = Field(description="Rows repeating an earlier row (counted once).")
    problem_count: int = Field(description="Problems found (the file imports only at 0).")
    problems: list[ProblemOut] = Field(description="The problems (at most 500 listed).")
    preview: list[dict[str, Any]] = Field(description="The first statements, as stored.")


class ImportJobOut(Schema):
    id: UUID = Field(description="The import's id.")
    platform: UUID = Field(description="The platform's id.")
    mapping: UUID | None = Field(description="The file mapping's id (null once deleted).")
    filename: str = Field(description="The file's name.")
    size: int = Field(description="The file's size in bytes.")
    sha256: str = Field(description="SHA-256 of the file.")
    status: Literal["previewed", "queued", "running", "failed", "done"] = Field(
        description="queued: waiting for the worker; running; done; failed (nothing stored); "
        "previewed: checked on a page, not imported yet."
    )
    active: bool = Field(description="True while queued or running: ask again later.")
    stalled: bool = Field(
        description="True when it says running but stopped (the worker was restarted): retry."
    )
    rows: int = Field(description="Rows in the file (0 until checked).")
    checked: int = Field(description="Rows checked so far (while running).")
    percent: int = Field(description="How far it has got, 0–100.")
    statements: int = Field(description="Distinct records (done).")
    new: int = Field(description="Records not stored before (done).")
    duplicates: int = Field(description="Rows repeating an earlier row (done).")
    problems: list[ProblemOut] = Field(description="Why it failed (row, column, message).")
    created_at: dt.datetime = Field(description="When the file was sent.")
    started_at: dt.datetime | None = Field(description="When the worker started it.")
    finished_at: dt.datetime | None = Field(description="When it finished.")


class ProfileOut(Schema):
    context: str = Field(alias="@context", description="The JSON-LD context of xAPI profiles.")
    id: str = Field(description="The profile's IRI.")
    type: str = Field(description="Always Profile.")
    pref_label: dict[str, str] = Field(alias="prefLabel", description="Its name by language.")
    definition: dict[str, str] = Field(description="What it is, by language.")
    conforms_to: str = Field(alias="conformsTo", description="The xAPI Profiles version.")
    concepts: list[dict[str, Any]] = Field(
        description="Verbs, activity types and extensions: id (IRI), type, prefLabel, definition."
    )
    subjects: list[dict[str, str]] = Field(description="Subject codes with zh-TW and en names.")
    subject_aliases: dict[str, str] = Field(
        alias="subjectAliases", description="Other subject names read → subject code."
    )


class PlatformFilters(Schema):
    q: str = Field("", description="Text in the name, platform, home page or purpose.")
    status: Literal["", "active", "inactive"] = Field("", description="Active or not.")


# --------------------------------------------------------------------------- helpers


def _out(platform: Platform) -> dict[str, Any]:
    credential = platform.credential
    return {
        "id": platform.public_id,
        "county": platform.county.code,
        "name": platform.name,
        "kind": platform.kind,
        "active": platform.active,
        "account_home_page": platform.account_home_page,
        "identity_scheme": platform.identity_scheme,
        "default_subject": platform.default_subject,
        "purpose": platform.purpose,
        "data_fields": platform.data_fields,
        "retention_days": platform.retention_days,
        "legal_basis": platform.legal_basis,
        "credential": (
            {
                "key": credential.key,
                "active": credential.active,
                "created_at": credential.created_at,
            }
            if credential is not None
            else None
        ),
        "created_at": platform.created_at,
    }


def _mapping_out(item: FileMapping) -> dict[str, Any]:
    return {"id": item.public_id, "name": item.name, "spec": item.spec}


def _detail(platform: Platform) -> dict[str, Any]:
    counts = sel.platform_counts(platform=platform)
    return {
        **_out(platform),
        "counts": {
            k: getattr(counts, k)
            for k in (
                "actors",
                "resolved",
                "unresolved",
                "records",
                "last_seen",
                "last_stored",
                "recent",
            )
        },
        "mappings": [_mapping_out(m) for m in sel.mappings_of(platform=platform)],
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in data.items()}


def _file(upload: UploadedFile) -> tuple[str, bytes]:
    name = upload.name or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError({"file": _("Only .csv and .xlsx files can be imported.")})
    if (upload.size or 0) > services.import_file_limit():
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    return name, upload.read()


def _job_out(job: MappingImport) -> dict[str, Any]:
    progress = sel.import_progress(job=job)
    return {
        "id": job.public_id,
        "platform": job.platform.public_id,
        "mapping": job.mapping.public_id if job.mapping is not None else None,
        "filename": job.filename,
        "size": job.size,
        "sha256": job.sha256,
        "status": job.status,
        "active": job.is_active and progress.phase != "stalled",
        "stalled": progress.phase == "stalled",
        "rows": progress.total,
        "checked": progress.done,
        "percent": progress.percent,
        "statements": job.statements if job.status == MappingImport.Status.DONE else 0,
        "new": job.new_statements,
        "duplicates": job.duplicates if job.status == MappingImport.Status.DONE else 0,
        "problems": [
            {
                "row": p.get("row"),
                "column": p.get("column") or "",
                "message": p.get("message") or "",
            }
            for p in job.problems or []
        ],
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _job_fresh(platform: Platform, job: MappingImport) -> MappingImport:
    return sel.import_get(platform=platform, public_id=job.public_id)


# --------------------------------------------------------------------------- platforms


@router.get(
    "/analytics/platforms",
    response=responses({200: list[PlatformOut]}, 403, 422),
    tags=TAGS,
    summary="List learning platforms",
    description=f"The register, with each platform's governance record. {READERS}",
)
@paged
def platform_list(request: HttpRequest, filters: Query[PlatformFilters]) -> Any:
    qs = sel.platform_list(user=request.user, query=filters.q, status=filters.status)
    return [_out(p) for p in qs]


@router.post(
    "/analytics/platforms",
    response=responses({201: PlatformDetailOut}, 403, 422),
    tags=TAGS,
    summary="Register a learning platform",
    description="County administrators, in a county they administer (else 422 on `county`).",
)
def platform_create(request: HttpRequest, payload: PlatformIn) -> Any:
    sel.may_read(request.user)
    counties = sel.counties_managed(request.user)
    if not counties.exists():
        raise PermissionDenied(_("Only county administrators may change this."))
    data = _plain(payload.dict())
    code = data.pop("county")
    if code:
        county = ref_or_422(counties, "county", code=code)
    elif counties.count() == 1:
        county = counties.get()
    else:
        raise ValidationError({"county": _("Name the county.")})
    platform = services.platform_create(actor=request.user, county=county, request=request, **data)
    return Status(201, _detail(platform))


@router.get(
    "/analytics/platforms/{public_id}",
    response=responses({200: PlatformDetailOut}, 403, 404),
    tags=TAGS,
    summary="Get a learning platform",
    description=f"With its record counts and file mappings. {READERS} {NOT_FOUND}",
)
def platform_detail(request: HttpRequest, public_id: PlatformId) -> Any:
    return _detail(sel.platform_get(user=request.user, public_id=public_id))


@router.patch(
    "/analytics/platforms/{public_id}",
    response=responses({200: PlatformDetailOut}, 403, 404, 422),
    tags=TAGS,
    summary="Change a learning platform",
    description=f"Change the fields sent; each change is audited. {MANAGERS} {NOT_FOUND}",
)
def platform_update(request: HttpRequest, public_id: PlatformId, payload: PlatformPatch) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    changes = _plain(payload.dict(exclude_unset=True))
    platform = services.platform_update(
        actor=request.user, platform=platform, request=request, **changes
    )
    return _detail(Platform.objects.select_related("county", "credential").get(pk=platform.pk))


@router.post(
    "/analytics/platforms/{public_id}/deactivate",
    response=responses({200: PlatformOut}, 403, 404),
    tags=TAGS,
    summary="Deactivate a learning platform",
    description=f"Its credential is revoked; no file can be imported. {MANAGERS} {NOT_FOUND}",
)
def platform_deactivate(request: HttpRequest, public_id: PlatformId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    services.platform_deactivate(actor=request.user, platform=platform, request=request)
    return _out(sel.platform_get(user=request.user, public_id=public_id))


@router.post(
    "/analytics/platforms/{public_id}/reactivate",
    response=responses({200: PlatformOut}, 403, 404),
    tags=TAGS,
    summary="Reactivate a learning platform",
    description=f"A revoked credential stays revoked. {MANAGERS} {NOT_FOUND}",
)
def platform_reactivate(request: HttpRequest, public_id: PlatformId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    services.platform_reactivate(actor=request.user, platform=platform, request=request)
    return _out(sel.platform_get(user=request.user, public_id=public_id))


@router.post(
    "/analytics/platforms/{public_id}/credential",
    response=responses({201: IssuedOut}, 403, 404, 422),
    tags=TAGS,
    summary="Issue the platform a credential",
    description=(
        "A new LRS credential of the platform's county that may write statements; the previous "
        "one is revoked. The secret is in this response only. A deactivated platform is 422. "
        f"{MANAGERS} {NOT_FOUND}"
    ),
)
def platform_credential(request: HttpRequest, public_id: PlatformId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    issued = services.platform_credential_issue(
        actor=request.user, platform=platform, request=request
    )
    return Status(
        201,
        {
            "key": issued.credential.key,
            "secret": issued.secret,
            "endpoint": endpoint_url(),
            "scopes": issued.credential.scopes,
        },
    )


# --------------------------------------------------------------------------- mappings


@router.get(
    "/analytics/platforms/{public_id}/mappings",
    response=responses({200: list[MappingOut]}, 403, 404),
    tags=TAGS,
    summary="List a platform's file mappings",
    description=f"{READERS} {NOT_FOUND}",
)
def mapping_list(request: HttpRequest, public_id: PlatformId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id)
    return [_mapping_out(m) for m in sel.mappings_of(platform=platform)]


@router.post(
    "/analytics/platforms/{public_id}/mappings",
    response=responses({201: MappingOut}, 403, 404, 422),
    tags=TAGS,
    summary="Add a file mapping",
    description=(
        "The spec names the export's column for each part of a statement; each bad setting is "
        f"a 422 naming it. {MANAGERS} {NOT_FOUND}"
    ),
)
def mapping_create(request: HttpRequest, public_id: PlatformId, payload: MappingIn) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = services.mapping_create(
        actor=request.user, platform=platform, name=payload.name, spec=payload.spec, request=request
    )
    return Status(201, _mapping_out(item))


@router.get(
    "/analytics/platforms/{public_id}/mappings/{mapping_id}",
    response=responses({200: MappingOut}, 403, 404),
    tags=TAGS,
    summary="Get a file mapping",
    description=f"{READERS} {NOT_FOUND}",
)
def mapping_detail(request: HttpRequest, public_id: PlatformId, mapping_id: MappingId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id)
    return _mapping_out(sel.mapping_get(platform=platform, public_id=mapping_id))


@router.patch(
    "/analytics/platforms/{public_id}/mappings/{mapping_id}",
    response=responses({200: MappingOut}, 403, 404, 422),
    tags=TAGS,
    summary="Change a file mapping",
    description=f"{MANAGERS} {NOT_FOUND}",
)
def mapping_update(
    request: HttpRequest, public_id: PlatformId, mapping_id: MappingId, payload: MappingPatch
) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    item = services.mapping_update(
        actor=request.user, mapping=item, name=payload.name, spec=payload.spec, request=request
    )
    return _mapping_out(item)


@router.delete(
    "/analytics/platforms/{public_id}/mappings/{mapping_id}",
    response=responses({204: None}, 403, 404),
    tags=TAGS,
    summary="Delete a file mapping",
    description=f"Records imported with it stay. {MANAGERS} {NOT_FOUND}",
)
def mapping_delete(request: HttpRequest, public_id: PlatformId, mapping_id: MappingId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    services.mapping_delete(actor=request.user, mapping=item, request=request)
    return Status(204, None)


@router.post(
    "/analytics/platforms/{public_id}/mappings/{mapping_id}/preview",
    response=responses({200: PreviewOut}, 403, 404, 422),
    tags=TAGS,
    summary="Preview a file import",
    description=(
        "What the file (multipart `file`, CSV or XLSX up to 10 MB) becomes under the mapping: "
        f"counts, the first ten statements and every problem. Stores nothing. {MANAGERS} "
        f"{NOT_FOUND}"
    ),
)
def mapping_preview(
    request: HttpRequest,
    public_id: PlatformId,
    mapping_id: MappingId,
    file: File[UploadedFile],
) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    name, content = _file(file)
    conversion, _parsed = mp.file_check(
        platform=platform, spec=mp.spec_load(item.spec), filename=name, content=content
    )
    return {
        "sha256": conversion.sha256,
        "rows": conversion.rows,
        "statements": conversion.statements,
        "duplicates": conversion.duplicates,
        "problem_count": conversion.problem_count,
        "problems": [p.as_dict() for p in conversion.problems],
        "preview": [p.statement for p in conversion.preview],
    }


@router.post(
    "/analytics/platforms/{public_id}/mappings/{mapping_id}/import",
    response=responses({202: ImportJobOut}, 403, 404, 422),
    tags=TAGS,
    summary="Import a file",
    description=(
        "Keeps the file (multipart `file`, CSV or XLSX up to 10 MB) and queues its import for "
        "the background worker: 202 with the import, whose status GET …/imports/{import_id} "
        "follows. All or nothing: a bad row makes the import `failed` with every problem (row, "
        "column, message) and nothing is stored. Rows imported before are not stored again. "
        "Send `sha256` from the preview to make sure the same file is imported (else 422). A "
        f"bad file name or size, or a deactivated platform, is a 422 at once. {MANAGERS} "
        f"{NOT_FOUND}"
    ),
)
def mapping_import(
    request: HttpRequest,
    public_id: PlatformId,
    mapping_id: MappingId,
    file: File[UploadedFile],
    sha256: Form[str] = "",
) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    item = sel.mapping_get(platform=platform, public_id=mapping_id)
    name, content = _file(file)
    job = services.mapping_import_submit(
        actor=request.user,
        mapping=item,
        filename=name,
        content=content,
        expected_sha256=sha256,
        request=request,
    )
    return Status(202, _job_out(_job_fresh(platform, job)))


@router.get(
    "/analytics/platforms/{public_id}/imports/{import_id}",
    response=responses({200: ImportJobOut}, 403, 404),
    tags=TAGS,
    summary="Get a file import",
    description=(
        "Its status while it waits and runs (ask again while `active`), then its counts "
        f"(`done`) or its problems (`failed`). {MANAGERS} {NOT_FOUND} An import of another "
        "platform is 404."
    ),
)
def import_detail(request: HttpRequest, public_id: PlatformId, import_id: ImportId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    return _job_out(sel.import_get(platform=platform, public_id=import_id))


@router.post(
    "/analytics/platforms/{public_id}/imports/{import_id}/retry",
    response=responses({202: ImportJobOut}, 403, 404, 422),
    tags=TAGS,
    summary="Retry a file import",
    description=(
        "Queues a failed import (or one that stopped while running) again, with the file it "
        "kept; an import that is queued or running already is returned as it is. A done "
        f"import, or one whose mapping was deleted, is 422. {MANAGERS} {NOT_FOUND}"
    ),
)
def import_retry(request: HttpRequest, public_id: PlatformId, import_id: ImportId) -> Any:
    platform = sel.platform_get(user=request.user, public_id=public_id, write=True)
    job = sel.import_get(platform=platform, public_id=import_id)
    services.mapping_import_queue(actor=request.user, job=job, request=request)
    return Status(202, _job_out(_job_fresh(platform, job)))


# --------------------------------------------------------------------------- the profile


@router.get(
    "/analytics/xapi-profile",
    response=responses({200: ProfileOut}),
    by_alias=True,
    tags=TAGS,
    summary="The DTSS xAPI profile",
    description="Verbs, activity types, extensions and subject codes (any signed-in user).",
)
def xapi_profile(request: HttpRequest) -> Any:
    return sel.profile_document()
