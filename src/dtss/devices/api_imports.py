"""API of the devices module: imports of the register from files and MDM exports.

`POST /device-imports` keeps the file and queues its import (202); `GET /device-imports/{id}`
follows it until it is `done` (counts and rows) or `failed` (every problem, nothing changed).
The same rules as the pages: a school's administrators (their school) and the county's office
(its schools); others 403; another tenant's import 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dtss.api.access import ref_or_422
from dtss.api.pagination import paged
from dtss.api.schemas import responses
from dtss.core.tenancy import scope_for
from dtss.devices import access
from dtss.devices import import_services as svc
from dtss.devices.import_views import managed_schools, problems_of, progress_of
from dtss.devices.models import DeviceImport, DeviceKind
from dtss.orgs.models import County

router = Router(tags=["devices"])
ImportId = Annotated[UUID, Path(description="The import's id (its public_id).")]
WHO = (
    "For a school's administrators (their school) and the county's office (every school of the "
    "county); other roles get 403."
)
NOT_FOUND = "Another school's or county's import is a 404, like a missing one."


class ProblemOut(Schema):
    row: int = Field(description="The file's row (spreadsheet numbering; 0: the whole file).")
    field: str = Field(description="The column as the file names it (empty: the whole row).")
    message: str = Field(description="What is wrong, in the caller's language.")


class RowOut(Schema):
    row: int = Field(description="The file's row.")
    serial: str = Field(description="The serial number in the file.")
    asset_tag: str = Field("", description="The device's asset tag (empty when not registered).")
    device: str = Field("", description="The device's public id (empty when not registered).")
    model: str = Field("", description="The model in the file (rows not in the register).")


class ReportOut(Schema):
    created: int = Field(description="Devices created.")
    updated: int = Field(description="Devices changed.")
    unchanged: int = Field(description="Devices matched but already up to date.")
    not_in_register: int = Field(description="Rows of unknown devices not created (update only).")
    created_rows: list[RowOut] = Field(description="The rows that created a device.")
    updated_rows: list[RowOut] = Field(description="The rows that changed a device.")
    not_in_register_rows: list[RowOut] = Field(description="The rows of unknown devices.")
    errors: list[ProblemOut] = Field(description="Every problem; nothing changed when any.")


class DeviceImportOut(Schema):
    public_id: UUID = Field(description="The import's id.")
    source: str = Field(description="register, jamf, google or intune.")
    county: str = Field(description="The county's code.")
    school: UUID | None = Field(description="The school new devices belong to (or null).")
    school_code: str = Field(description="That school's MOE code (empty when none).")
    filename: str = Field(description="The file's name as uploaded.")
    status: str = Field(description="queued, running, done or failed (nothing changed).")
    update_only: bool = Field(description="Whether unknown devices are listed, not created.")
    default_kind: str = Field(description="The kind of new devices the export does not name.")
    total_rows: int = Field(description="Data rows in the file (0 until read).")
    done_rows: int = Field(description="Rows checked (or saved) so far.")
    percent: int = Field(description="Progress of the current phase, 0–100.")
    phase: str = Field(description="queued, checking, saving or finished.")
    created_at: dt.datetime = Field(description="When the file was uploaded.")
    finished_at: dt.datetime | None = Field(description="When the import finished (or null).")
    created_by: str | None = Field(description="Who uploaded it (null: the command line).")

    # Lists hand the paged queryset itself to the schema: each field is resolved per object.
    @staticmethod
    def resolve_county(obj: Any) -> str:
        return obj["county"] if isinstance(obj, dict) else obj.county.code

    @staticmethod
    def resolve_school(obj: Any) -> UUID | None:
        if isinstance(obj, dict):
            return obj["school"]
        return obj.school.public_id if obj.school else None

    @staticmethod
    def resolve_school_code(obj: Any) -> str:
        if isinstance(obj, dict):
            return obj["school_code"]
        return obj.school.code if obj.school else ""

    @staticmethod
    def resolve_update_only(obj: Any) -> bool:
        return obj["update_only"] if isinstance(obj, dict) else _out(obj)["update_only"]

    @staticmethod
    def resolve_default_kind(obj: Any) -> str:
        return obj["default_kind"] if isinstance(obj, dict) else _out(obj)["default_kind"]

    @staticmethod
    def resolve_done_rows(obj: Any) -> int:
        return obj["done_rows"] if isinstance(obj, dict) else obj.done_rows

    @staticmethod
    def resolve_percent(obj: Any) -> int:
        return obj["percent"] if isinstance(obj, dict) else progress_of(obj)["percent"]

    @staticmethod
    def resolve_phase(obj: Any) -> str:
        return obj["phase"] if isinstance(obj, dict) else progress_of(obj)["phase"]

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["created_by"]
        return obj.created_by.get_username() if obj.created_by else None


class DeviceImportDetailOut(DeviceImportOut):
    report: ReportOut = Field(description="Counts, rows and problems (empty until finished).")


def _require_manager(request: HttpRequest) -> None:
    if not access.manages_any(request.user):
        raise PermissionDenied(_("Only the people who manage a register may import devices."))


def _out(job: DeviceImport) -> dict[str, Any]:
    options = job.report.get("options", {})
    progress = progress_of(job)
    return {
        "public_id": job.public_id,
        "source": job.source,
        "county": job.county.code,
        "school": job.school.public_id if job.school else None,
        "school_code": job.school.code if job.school else "",
        "filename": job.filename,
        "status": job.status,
        "update_only": bool(options.get("update_only")),
        "default_kind": options.get("default_kind", ""),
        "total_rows": job.total_rows,
        "done_rows": progress["done"],
        "percent": progress["percent"],
        "phase": progress["phase"],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "created_by": job.created_by.get_username() if job.created_by else None,
    }


def _detail(job: DeviceImport) -> dict[str, Any]:
    report = job.report
    rows = report.get("rows", {})

    def items(name: str) -> list[dict[str, Any]]:
        return [
            {
                "row": int(i.get("row", 0)),
                "serial": str(i.get("serial", "")),
                "asset_tag": str(i.get("asset_tag", "")),
                "device": str(i.get("device", "")),
                "model": str(i.get("model", "")),
            }
            for i in rows.get(name, [])
        ]

    return {
        **_out(job),
        "report": {
            "created": int(report.get("created", 0)),
            "updated": int(report.get("updated", 0)),
            "unchanged": int(report.get("unchanged", 0)),
            "not_in_register": int(report.get("not_in_register", 0)),
            "created_rows": items("created"),
            "updated_rows": items("updated"),
            "not_in_register_rows": items("not_in_register"),
            "errors": problems_of(job),
        },
    }


@router.post(
    "/device-imports",
    response=responses({202: DeviceImportDetailOut}, 403, 422),
    summary="Import devices from a file",
    description=(
        "Keeps the file (multipart `file`: CSV or XLSX up to 10 MB) and queues its import for "
        "the background worker; 202 with the import, which GET /device-imports/{public_id} "
        "follows. `source`: register (the DTSS register file), jamf (Jamf School export), "
        "google (Google Admin Chromebook list) or intune (Microsoft Intune export). `school`: "
        "the public id of the school new devices belong to (required for MDM exports unless "
        "`update_only`; a register file may name each row's school instead). `update_only`: "
        "list devices not in the register instead of creating them. `default_kind`: the kind "
        "of new devices the export does not name. All or nothing: any bad row makes the import "
        "`failed` with every problem (row, column, message) and nothing is changed. A school "
        f"outside your scope is a 422 naming `school`. {WHO}"
    ),
)
def device_import_create(
    request: HttpRequest,
    file: Annotated[UploadedFile, File(..., description="The file: .csv or .xlsx, 10 MB at most.")],
    source: Annotated[str, Form(..., description="register, jamf, google or intune.")],
    school: Annotated[
        str, Form(description="Public id of the school new devices belong to (or empty).")
    ] = "",
    county: Annotated[
        str, Form(description="County code, without a school, for a county office of several.")
    ] = "",
    update_only: Annotated[
        bool, Form(description="List devices not in the register instead of creating them.")
    ] = False,
    default_kind: Annotated[
        str, Form(description="Kind of new devices the export does not name (default tablet).")
    ] = DeviceKind.TABLET,
) -> Any:
    _require_manager(request)
    target = None
    if school:
        target = ref_or_422(managed_schools(request.user), "school", public_id=school)
        target_county = target.county
    else:
        scope = scope_for(request.user)
        counties = County.objects.filter(pk__in=scope.county_ids).order_by("code")
        if county:
            target_county = ref_or_422(counties, "county", code=county)
        else:
            found = list(counties[:2])
            if len(found) != 1:
                raise ValidationError({"school": _("Choose the school.")})
            target_county = found[0]
    try:
        job = svc.device_import_create(
            user=request.user,
            source=source,
            uploaded_file=file,
            county=target_county,
            school=target,
            update_only=update_only,
            default_kind=default_kind,
        )
    except PermissionDenied as exc:
        raise ValidationError(
            {"school": _("No such object, or not one you may use here.")}
        ) from exc
    job = svc.imports_visible(request.user).get(pk=job.pk)
    return Status(202, _detail(job))


class ImportFilter(Schema):
    status: str = Field("", description="Only imports with this status (queued … failed).")
    source: str = Field("", description="Only imports of this source (register … intune).")


@router.get(
    "/device-imports",
    response=responses({200: list[DeviceImportOut]}, 403, 422),
    summary="Past device imports",
    description=(
        "The imports of the schools you manage (county office: of the county), newest first, "
        f"paged. {WHO}"
    ),
)
@paged
def device_import_list(request: HttpRequest, filters: Query[ImportFilter]) -> Any:
    _require_manager(request)
    qs = svc.imports_visible(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    return qs


@router.get(
    "/device-imports/{public_id}",
    response=responses({200: DeviceImportDetailOut}, 403, 404),
    summary="One device import",
    description=(
        "Its status and progress and, once finished, the report: counts created, updated, "
        "unchanged and not in the register, the rows of each, and every problem (row, "
        f"column, message) of a failed import. {WHO} {NOT_FOUND}"
    ),
)
def device_import_detail(request: HttpRequest, public_id: ImportId) -> Any:
    _require_manager(request)
    job = svc.imports_visible(request.user).filter(public_id=public_id).first()
    if job is None:
        raise Http404
    return _detail(job)
