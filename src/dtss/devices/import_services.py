"""Imports of the register: a DTSS register file or an MDM export, all or nothing.

`device_import_create` keeps the uploaded file on a `DeviceImport` row first (so nothing is
lost) and queues `tasks.device_import_task`, which calls `device_import_run`:

1. Read the file (`import_formats.read`) and check every row: its cells, duplicates inside the
   file (the same serial or asset tag twice: an error naming both rows), the school (a school
   the importing user does not manage is an error on that row), and what it matches in the
   register. Every problem is collected as {row, field, message}.
2. If there is any problem, nothing changes: the import is `failed` and keeps the report.
3. Otherwise every row is saved in one transaction:
   - MDM rows are matched on serial within the county (trimmed, case-insensitive). A matched
     device gets its MDM fields (`mdm_source`, `mdm_id`, `mdm_user`, and `mdm_last_contact`
     only when the file's is newer than the stored one; a row older than the stored contact
     changes nothing but an empty field) and its OS, model and manufacturer when they are
     empty, with a `DeviceEvent` "mdm" only when something changed. An unknown serial creates a
     device in the import's school (kind: Chromebook for Google, tablet for a Jamf iPad, laptop
     for a Jamf MacBook or an Intune Windows device, else the import's default kind), with the
     file's asset tag or a generated one — `<school code>-<last 6 of the serial>`, then `-2`,
     `-3` … until it is unique in the county. With "update only" it is listed as "not in the
     register" instead.
   - Register rows are matched on asset tag, then serial, within the county, and created or
     updated through `services.device_create` / `device_update` (the same checks as the form);
     a status (in stock, in repair, lost, retired) goes through `device_set_status`.
   Any error while saving rolls the whole file back and is reported the same way.

The report (`DeviceImport.report`): counts created, updated, unchanged, not_in_register; the
rows of each; `errors`; `options` (update_only, default_kind); `phase`. Re-running the same
file changes nothing the second time (0 created, 0 updated).

Progress: `total_rows`/`done_rows` on the row while checking; while saving (the transaction
holds SQLite's write lock) the rows saved go to the shared cache (`saving_progress`).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.devices import access, services
from dtss.devices import import_formats as fmt
from dtss.devices.import_formats import Problem
from dtss.devices.models import Device, DeviceEvent, DeviceImport, DeviceKind
from dtss.imports.parsing import ParseError
from dtss.orgs.models import County, School

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 10 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx")
PROGRESS_EVERY = 200
CACHE_TIMEOUT = 300
DEFAULT_KIND = DeviceKind.TABLET
Progress = Callable[[int, int], None]


# --- accepting a file ------------------------------------------------------------------------


def _read_upload(uploaded_file: Any) -> tuple[str, bytes]:
    name = PurePath(str(getattr(uploaded_file, "name", "") or "")).name[:255]
    if not name.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": _("Only .csv and .xlsx files can be imported.")})
    if (getattr(uploaded_file, "size", 0) or 0) > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    if hasattr(uploaded_file, "chunks"):
        content = b"".join(uploaded_file.chunks())
    else:
        content = uploaded_file.read()
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 10 MB; split it into smaller files.")}
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    return name, content


def may_import(user: Any, *, county: County, school: School | None) -> bool:
    """Whether the user may import into the school (or, without one, the county). `None` is
    the command line, which is trusted."""
    if user is None:
        return True
    scope = scope_for(user)
    if school is not None:
        return access.may_manage_school(scope, school_id=school.pk, county_id=county.pk)
    return access.may_manage_county(scope, county_id=county.pk)


@transaction.atomic
def device_import_create(
    *,
    user: Any,
    source: str,
    uploaded_file: Any,
    county: County,
    school: School | None = None,
    update_only: bool = False,
    default_kind: str = DEFAULT_KIND,
    enqueue: bool = True,
) -> DeviceImport:
    """Keep an uploaded file as a queued import and queue its run after the commit.

    `uploaded_file` has a `name` and `chunks()` or `read()`. A user who may not import into
    the school or county gets PermissionDenied."""
    errors: dict[str, str] = {}
    if source not in DeviceImport.Source.values:
        errors["source"] = _("Unknown source; use one of %(allowed)s.") % {
            "allowed": ", ".join(DeviceImport.Source.values)
        }
    if default_kind not in DeviceKind.values:
        errors["default_kind"] = _("Unknown kind of device.")
    if school is not None and school.county_id != county.pk:
        errors["school"] = _("The school is not in this county.")
    if school is None and source in fmt.MDM_SOURCES and not update_only:
        errors["school"] = _("Choose the school new devices belong to (or choose update only).")
    if errors:
        raise ValidationError(errors)
    if not may_import(user, county=county, school=school):
        raise PermissionDenied(_("You may not import into this school."))
    name, content = _read_upload(uploaded_file)
    job = DeviceImport(
        county=county,
        school=school,
        source=source,
        filename=name,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        report={
            "options": {
                "update_only": bool(update_only),
                "default_kind": default_kind,
                # the command line is trusted with every school of the county
                "trusted": user is None,
            }
        },
    )
    suffix = PurePath(name).suffix.lower()
    job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    job.save()
    audit_record(
        actor=job.created_by,
        action="device.import_upload",
        obj=job,
        detail={"source": source, "file": name, "size": len(content)},
    )
    if enqueue:
        from dtss.devices.tasks import device_import_task

        job_id = job.pk
        transaction.on_commit(lambda: device_import_task.enqueue(job_id))
    return job


# --- progress --------------------------------------------------------------------------------


def _cache_key(job_id: int) -> str:
    return f"dtss:devices:import:{job_id}:saving"


def _saving_write(job_id: int, done: int, total: int) -> None:
    try:
        cache.set(_cache_key(job_id), {"done": done, "total": total}, CACHE_TIMEOUT)
    except Exception:
        logger.warning("Could not write the progress of device import %s", job_id)


def saving_progress(job: DeviceImport) -> tuple[int, int] | None:
    """Rows saved so far while the import's transaction runs (None when not known)."""
    try:
        value = cache.get(_cache_key(job.pk))
        return int(value["done"]), int(value["total"])
    except Exception:
        return None


def _set(job: DeviceImport, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    fields["updated_at"] = timezone.now()
    DeviceImport.objects.filter(pk=job.pk).update(**fields)


# --- checking --------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the checked file will do, row by row."""

    problems: list[Problem] = field(default_factory=list)
    # (row, action, device or None, school or None)
    actions: list[tuple[fmt.Row, str, Device | None, School | None]] = field(default_factory=list)


def _scope_checker(user: Any, county: County) -> Callable[[int | None], bool]:
    if user is None:
        return lambda school_id: True
    scope = scope_for(user)

    def allowed(school_id: int | None) -> bool:
        if school_id is None:
            return access.may_manage_county(scope, county_id=county.pk)
        return access.may_manage_school(scope, school_id=school_id, county_id=county.pk)

    return allowed


def _devices_by_serial(county: County, serials: list[str]) -> dict[str, Device]:
    out: dict[str, Device] = {}
    keys = sorted({fmt.serial_key(s) for s in serials if s})
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        qs = (
            Device.objects.filter(county=county)
            .annotate(serial_key=Upper("serial"))
            .filter(serial_key__in=chunk)
            .select_related("school")
        )
        for device in qs:
            out[fmt.serial_key(device.serial)] = device
    return out


def _devices_by_tag(county: County, tags: list[str]) -> dict[str, Device]:
    out: dict[str, Device] = {}
    keys = sorted({t for t in tags if t})
    for start in range(0, len(keys), 500):
        qs = Device.objects.filter(county=county, asset_tag__in=keys[start : start + 500])
        for device in qs.select_related("school"):
            out[device.asset_tag] = device
    return out


def _duplicates(rows: list[fmt.Row], key: str, label: str, norm: Callable[[str], str]) -> list:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for row in rows:
        value = str(row.data.get(key) or "")
        if not value:
            continue
        k = norm(value)
        if k in seen:
            problems.append(
                Problem(
                    row.number,
                    label,
                    gettext_noop(
                        "%(value)s appears twice in the file: rows %(first)s and %(row)s."
                    ),
                    {"value": value, "first": seen[k], "row": row.number},
                )
            )
        else:
            seen[k] = row.number
    return problems


def _plan_mdm(job: DeviceImport, parsed: fmt.ParsedRows, user: Any, progress: Progress) -> Plan:
    form = fmt.FORMATS[job.source]
    plan = Plan()
    allowed = _scope_checker(user, job.county)
    total = len(parsed.rows)
    for index, row in enumerate(parsed.rows, 1):
        plan.problems += fmt.clean_mdm_row(row, form)
        if index % PROGRESS_EVERY == 0:
            progress(index, total)
    plan.problems += _duplicates(parsed.rows, "serial", form.label("serial"), fmt.serial_key)
    existing = _devices_by_serial(job.county, [r.data.get("serial", "") for r in parsed.rows])
    update_only = bool(job.report.get("options", {}).get("update_only"))
    new_tags = [r.data["asset_tag"] for r in parsed.rows if r.data.get("asset_tag")]
    tagged = _devices_by_tag(job.county, new_tags)
    for row in parsed.rows:
        serial = row.data.get("serial")
        if not serial:
            continue
        device = existing.get(fmt.serial_key(serial))
        if device is not None:
            if not allowed(device.school_id):
                plan.problems.append(
                    Problem(
                        row.number,
                        form.label("serial"),
                        gettext_noop(
                            "This device is registered at a school you do not manage (%(school)s)."
                        ),
                        {"school": device.school.code if device.school else job.county.code},
                    )
                )
                continue
            plan.actions.append((row, "mdm_update", device, device.school))
        elif update_only:
            plan.actions.append((row, "not_in_register", None, None))
        else:
            tag = row.data.get("asset_tag")
            if tag and tag in tagged:
                plan.problems.append(
                    Problem(
                        row.number,
                        form.label("asset_tag"),
                        gettext_noop(
                            "The asset tag %(tag)s is already used by another device in the "
                            "county (serial %(serial)s)."
                        ),
                        {"tag": tag, "serial": tagged[tag].serial or "—"},
                    )
                )
                continue
            plan.actions.append((row, "mdm_create", None, job.school))
    if job.school is None and any(a[1] == "mdm_create" for a in plan.actions):
        plan.problems.append(
            Problem(0, "school", gettext_noop("Choose the school new devices belong to."))
        )
    plan.problems += _duplicates(
        [r for r, action, _d, _s in plan.actions if action == "mdm_create"],
        "asset_tag",
        form.label("asset_tag"),
        str,
    )
    progress(total, total)
    return plan


def _plan_register(
    job: DeviceImport, parsed: fmt.ParsedRows, user: Any, progress: Progress
) -> Plan:
    form = fmt.REGISTER_FORMAT
    plan = Plan()
    allowed = _scope_checker(user, job.county)
    total = len(parsed.rows)
    for index, row in enumerate(parsed.rows, 1):
        plan.problems += fmt.clean_register_row(row, form)
        if index % PROGRESS_EVERY == 0:
            progress(index, total)
    plan.problems += _duplicates(parsed.rows, "serial", form.label("serial"), fmt.serial_key)
    plan.problems += _duplicates(parsed.rows, "asset_tag", form.label("asset_tag"), str)
    by_serial = _devices_by_serial(job.county, [r.data.get("serial", "") for r in parsed.rows])
    by_tag = _devices_by_tag(job.county, [r.data.get("asset_tag", "") for r in parsed.rows])
    codes = {r.data.get("school_code") for r in parsed.rows if r.data.get("school_code")}
    schools = {s.code: s for s in School.objects.filter(county=job.county, code__in=codes)}
    for row in parsed.rows:
        data = row.data
        code = data.get("school_code")
        if code:
            school = schools.get(code)
            if school is None:
                if re.fullmatch(r"\d{6}", code):
                    plan.problems.append(
                        Problem(
                            row.number,
                            form.label("school_code"),
                            gettext_noop("No school with the code %(code)s in this county."),
                            {"code": code},
                        )
                    )
                continue
        else:
            school = job.school
            if school is None:
                plan.problems.append(
                    Problem(
                        row.number,
                        form.label("school_code"),
                        gettext_noop("Give the school code (or choose the school of the import)."),
                    )
                )
                continue
        if not allowed(school.pk):
            plan.problems.append(
                Problem(
                    row.number,
                    form.label("school_code"),
                    gettext_noop("You do not manage the school %(code)s."),
                    {"code": school.code},
                )
            )
            continue
        tag, serial = data.get("asset_tag", ""), data.get("serial", "")
        by_t = by_tag.get(tag) if tag else None
        by_s = by_serial.get(fmt.serial_key(serial)) if serial else None
        if by_t is not None and by_s is not None and by_t.pk != by_s.pk:
            plan.problems.append(
                Problem(
                    row.number,
                    form.label("serial"),
                    gettext_noop(
                        "The asset tag and the serial number belong to two different devices "
                        "(%(tag)s and %(other)s)."
                    ),
                    {"tag": by_t.asset_tag, "other": by_s.asset_tag},
                )
            )
            continue
        device = by_t or by_s
        if device is None:
            if not tag:
                plan.problems.append(
                    Problem(
                        row.number,
                        form.label("asset_tag"),
                        gettext_noop("Give the asset tag of a new device."),
                    )
                )
                continue
            if "kind" not in data:
                continue  # already reported
            plan.actions.append((row, "register_create", None, school))
            continue
        if device.school_id != school.pk:
            plan.problems.append(
                Problem(
                    row.number,
                    form.label("school_code"),
                    gettext_noop(
                        "This device is registered at another school (%(code)s); move it in the "
                        "register first."
                    ),
                    {"code": device.school.code if device.school else job.county.code},
                )
            )
            continue
        if not allowed(device.school_id):
            plan.problems.append(
                Problem(
                    row.number,
                    form.label("asset_tag"),
                    gettext_noop("This device is registered at a school you do not manage."),
                )
            )
            continue
        plan.actions.append((row, "register_update", device, school))
    progress(total, total)
    return plan


# --- saving ----------------------------------------------------------------------------------


class _Failed(Exception):
    """Rolls the import's transaction back; carries the problems found while saving."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _validation_problems(row: fmt.Row, exc: ValidationError, label: Callable) -> list[Problem]:
    out: list[Problem] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                out.append(Problem(row.number, label(name), message))
    else:
        for message in exc.messages:
            out.append(Problem(row.number, "", message))
    return out


REGISTER_LABELS = {
    "model_name": "model",
    "asset_tag": "asset_tag",
    "serial": "serial",
}


def _generated_tag(school: School, serial: str, taken: set[str]) -> str:
    """`<school code>-<last 6 characters of the serial>`, then -2, -3 … until unique."""
    tail = "".join(ch for ch in serial.upper() if ch.isalnum())[-6:] or "X"
    base = f"{school.code}-{tail}"[:36]
    tag, n = base, 1
    while tag in taken or Device.objects.filter(county_id=school.county_id, asset_tag=tag).exists():
        n += 1
        tag = f"{base}-{n}"
    taken.add(tag)
    return tag


def _mdm_update(job: DeviceImport, device: Device, data: dict[str, Any], actor: Any) -> bool:
    """Write what the MDM says about a device; True when something changed."""
    changed: dict[str, list[str]] = {}

    def put(name: str, value: Any) -> None:
        old = getattr(device, name)
        if value != old:
            changed[name] = [services._as_text(old), services._as_text(value)]
            setattr(device, name, value)

    last = data.get("last_contact")
    stale = (
        last is not None
        and device.mdm_last_contact is not None
        and (last < device.mdm_last_contact)
    )
    if not stale:
        put("mdm_source", job.source)
        if data.get("mdm_id"):
            put("mdm_id", data["mdm_id"])
        if data.get("user"):
            put("mdm_user", data["user"])
        if last is not None:
            put("mdm_last_contact", last)
    else:  # an older file: fill what is empty, never overwrite newer facts
        if not device.mdm_source:
            put("mdm_source", job.source)
        if not device.mdm_id and data.get("mdm_id"):
            put("mdm_id", data["mdm_id"])
        if not device.mdm_user and data.get("user"):
            put("mdm_user", data["user"])
    for name in ("os", "model_name", "manufacturer"):
        if not getattr(device, name) and data.get(name):
            put(name, data[name])
    if not changed:
        return False
    device.save(update_fields=[*changed, "updated_at"])
    services.event_record(
        device=device,
        kind=DeviceEvent.Kind.MDM,
        actor=actor,
        note=job.get_source_display(),
        detail={"changed": changed, "import": str(job.public_id)},
    )
    return True


def _mdm_create(
    job: DeviceImport, school: School, data: dict[str, Any], actor: Any, taken: set[str]
) -> Device:
    options = job.report.get("options", {})
    kind = fmt.infer_kind(job.source, data, options.get("default_kind") or DEFAULT_KIND)
    tag = data.get("asset_tag") or _generated_tag(school, data["serial"], taken)
    values: dict[str, Any] = {
        "kind": kind,
        "asset_tag": tag,
        "serial": data["serial"],
        "manufacturer": data.get("manufacturer")
        or ("Apple" if job.source == fmt.JAMF and "ipad" in data["model_name"].lower() else ""),
        "model_name": data.get("model_name", ""),
        "os": data.get("os", ""),
        # Google's annotated location is a place in the school; Jamf's "Location" is its
        # site (the school itself), so it is not copied.
        "location": data.get("location", "") if job.source == fmt.GOOGLE else "",
    }
    device = services.device_create(
        county=job.county,
        school=school,
        actor=actor,
        event_kind=DeviceEvent.Kind.IMPORTED,
        **values,
    )
    device.mdm_source = job.source
    device.mdm_id = data.get("mdm_id", "")
    device.mdm_user = data.get("user", "")
    device.mdm_last_contact = data.get("last_contact")
    device.save(
        update_fields=["mdm_source", "mdm_id", "mdm_user", "mdm_last_contact", "updated_at"]
    )
    return device


REGISTER_VALUE_KEYS = (
    "kind",
    "asset_tag",
    "serial",
    "manufacturer",
    "model_name",
    "os",
    "funding_source",
    "programme",
    "purchase_date",
    "cost",
    "warranty_end",
    "location",
    "notes",
)


def _register_values(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    values = {k: data[k] for k in REGISTER_VALUE_KEYS if k in data}
    if not creating:
        # an empty cell does not erase the tag or serial of an existing device
        for name in ("asset_tag", "serial"):
            if not values.get(name):
                values.pop(name, None)
    return values


def _register_status(device: Device, status: str | None, actor: Any) -> bool:
    if not status or status == device.status:
        return False
    if status not in fmt.FILE_STATUSES:
        raise ValidationError({"status": _("This status follows assignments and loans.")})
    services.device_set_status(device=device, status=status, actor=actor, note=_("Imported"))
    return True


def _apply(job: DeviceImport, plan: Plan, actor: Any, total: int) -> dict[str, Any]:
    """Save every planned row; raises _Failed (rolling back) when any row fails."""
    rows: dict[str, list[dict[str, Any]]] = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "not_in_register": [],
    }
    problems: list[Problem] = []
    taken: set[str] = set()
    form = fmt.FORMATS[job.source]

    def label(name: str) -> str:
        return form.label(REGISTER_LABELS.get(name, name))

    for done, (row, action, device, school) in enumerate(plan.actions, 1):
        data = row.data
        item: dict[str, Any] = {"row": row.number, "serial": data.get("serial", "")}
        try:
            if action == "mdm_update":
                assert device is not None
                outcome = "updated" if _mdm_update(job, device, data, actor) else "unchanged"
                item.update(asset_tag=device.asset_tag, device=str(device.public_id))
            elif action == "mdm_create":
                assert school is not None
                device = _mdm_create(job, school, data, actor, taken)
                outcome = "created"
                item.update(asset_tag=device.asset_tag, device=str(device.public_id))
            elif action == "not_in_register":
                outcome = "not_in_register"
                item.update(model=data.get("model_name", ""), user=data.get("user", ""))
            elif action == "register_create":
                assert school is not None
                device = services.device_create(
                    county=job.county,
                    school=school,
                    actor=actor,
                    event_kind=DeviceEvent.Kind.IMPORTED,
                    **_register_values(data, creating=True),
                )
                _register_status(device, data.get("status"), actor)
                outcome = "created"
                item.update(asset_tag=device.asset_tag, device=str(device.public_id))
            else:  # register_update
                assert device is not None
                before = device.updated_at
                device = services.device_update(
                    device=device, actor=actor, **_register_values(data, creating=False)
                )
                status_changed = _register_status(device, data.get("status"), actor)
                changed = status_changed or device.updated_at != before
                outcome = "updated" if changed else "unchanged"
                item.update(asset_tag=device.asset_tag, device=str(device.public_id))
        except ValidationError as exc:
            problems += _validation_problems(row, exc, label)
            continue
        rows[outcome].append(item)
        if done % PROGRESS_EVERY == 0:
            _saving_write(job.pk, done, total)
    if problems:
        raise _Failed(problems)
    summary: dict[str, Any] = {name: len(items) for name, items in rows.items()}
    summary["rows"] = rows
    return summary


def _finish(
    job: DeviceImport, *, problems: list[Problem], summary: dict[str, Any] | None = None
) -> DeviceImport:
    report = {
        "options": job.report.get("options", {}),
        "phase": "finished",
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "not_in_register": 0,
        "rows": {"created": [], "updated": [], "unchanged": [], "not_in_register": []},
        **(summary or {}),
        "errors": [p.as_dict() for p in sorted(problems, key=lambda p: (p.row, p.field))],
    }
    status = DeviceImport.Status.FAILED if problems else DeviceImport.Status.DONE
    done = job.total_rows if not problems else job.done_rows
    _set(job, status=status, report=report, finished_at=timezone.now(), done_rows=done)
    try:
        cache.delete(_cache_key(job.pk))
    except Exception:
        logger.warning("Could not clear the progress of device import %s", job.pk)
    audit_record(
        actor=job.created_by,
        action="device.import_done" if not problems else "device.import_failed",
        obj=job,
        detail={
            "source": job.source,
            "file": job.filename,
            "rows": job.total_rows,
            "problems": len(problems),
            "created": report["created"],
            "updated": report["updated"],
        },
    )
    return job


def device_import_run(*, job: DeviceImport, progress: Progress | None = None) -> DeviceImport:
    """Run a queued import: check every row, then save all or none.

    Not atomic itself: the import's status and progress must be visible while it runs and its
    report must survive the rollback of a failed save. The uploader's scope limits the schools
    the rows may touch (an import of the command line: every school of the county)."""
    claimed = DeviceImport.objects.filter(pk=job.pk, status=DeviceImport.Status.QUEUED).update(
        status=DeviceImport.Status.RUNNING, updated_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:  # run already (a task delivered twice) or running elsewhere
        return job
    user = actor = job.created_by
    if user is None and not job.report.get("options", {}).get("trusted"):
        return _finish(
            job,
            problems=[
                Problem(0, "", gettext_noop("The account that uploaded the file no longer exists."))
            ],
        )

    def checking(done: int, total: int) -> None:
        _set(job, done_rows=done, total_rows=total)
        if progress is not None:
            progress(done, total)

    try:
        try:
            with job.file.open("rb") as handle:
                content = handle.read()
            parsed = fmt.read(source=job.source, filename=job.filename, content=content)
        except ParseError as exc:
            return _finish(job, problems=[Problem(0, "file", exc.msgid, exc.params)])
        except OSError:
            return _finish(
                job,
                problems=[Problem(0, "file", gettext_noop("The uploaded file cannot be read."))],
            )
        total = len(parsed.rows)
        _set(job, total_rows=total, done_rows=0, report={**job.report, "phase": "checking"})
        planner = _plan_register if job.source == fmt.REGISTER else _plan_mdm
        plan = planner(job, parsed, user, checking)
        if plan.problems:
            return _finish(job, problems=plan.problems)
        _set(job, report={**job.report, "phase": "saving"})
        _saving_write(job.pk, 0, total)
        try:
            with transaction.atomic():
                summary = _apply(job, plan, actor, total)
        except _Failed as failed:
            return _finish(job, problems=failed.problems)
        if progress is not None:
            progress(total, total)
        return _finish(job, problems=[], summary=summary)
    except Exception as exc:  # a bug must not leave the import "running" for ever
        logger.exception("Device import %s failed", job.pk)
        return _finish(
            job,
            problems=[
                Problem(
                    0,
                    "",
                    gettext_noop(
                        "The import stopped with an unexpected error (%(error)s); nothing was "
                        "saved."
                    ),
                    {"error": type(exc).__name__},
                )
            ],
        )


# --- reads -----------------------------------------------------------------------------------


def imports_visible(user: Any) -> Any:
    """The imports the user may see: those of the schools they manage, and every import of the
    counties whose office they work in."""
    scope = scope_for(user)
    qs = DeviceImport.objects.visible_to(user).select_related("county", "school", "created_by")
    if scope.superuser:
        return qs
    q = Q(pk__in=[])
    if scope.county_ids:
        q |= Q(county_id__in=scope.county_ids)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return qs.filter(q)
