"""Writes of needs collections and procurement plans (L3.D1, L3.A3, S1.D2).

The loop: the county office opens a needs collection → each school's administrators add need
lines and submit (the county may return a submission for changes) → the county makes a
procurement plan, consolidated from the submitted needs → edits, approves, orders → the county
or the receiving school records what arrived, which enters the register
(`services.device_create`, history `received`) → the plan completes when everything arrived.

Keyword-only, atomic, validating before saving; every step is in the audit log. Permissions are
checked by the callers (views, API) through `procurement_selectors`.

Asset tags of received devices, when none is given: `<school code>-<YYYY>-<nnnn>` (the school's
MOE code, the year of receipt, a four-digit number continuing the highest already used with
that prefix in the county), for example `083601-2025-0007`.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.devices import procurement_selectors as sel
from dtss.devices import services
from dtss.devices.models import (
    Device,
    DeviceEvent,
    DeviceKind,
    FundingSource,
    NeedLine,
    NeedsCollection,
    NeedSubmission,
    ProcurementAllocation,
    ProcurementLine,
    ProcurementPlan,
)
from dtss.orgs.models import School

COLLECTION_FIELDS = ("title", "instructions", "kinds", "opens_on", "closes_on")
NEED_FIELDS = ("kind", "description", "quantity", "unit_cost", "priority", "justification")
LINE_FIELDS = (
    "kind",
    "description",
    "quantity",
    "unit_cost",
    "funding_source",
    "programme",
    "warranty_months",
)
PLAN_FIELDS = ("title", "fiscal_year", "notes")
EDITABLE_SUBMISSION = (NeedSubmission.Status.DRAFT, NeedSubmission.Status.RETURNED)


def _today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- collections


def _clean_collection(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    errors: dict[str, str] = {}
    if "title" in out:
        out["title"] = str(out["title"] or "").strip()
        if not out["title"]:
            errors["title"] = _("Give the collection a title.")
    if "kinds" in out:
        kinds = list(dict.fromkeys(out["kinds"] or []))
        bad = [k for k in kinds if k not in DeviceKind.values]
        if bad:
            errors["kinds"] = _("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(map(str, bad))}
        out["kinds"] = [k for k in DeviceKind.values if k in kinds]
    if errors:
        raise ValidationError(errors)
    return out


def _check_dates(collection: NeedsCollection) -> None:
    if collection.opens_on and collection.closes_on and collection.closes_on < collection.opens_on:
        raise ValidationError(
            {"closes_on": _("The closing date cannot be before the opening date.")}
        )


@transaction.atomic
def collection_create(
    *, county: Any, actor: Any = None, request: Any = None, **values: Any
) -> NeedsCollection:
    """A draft needs collection of the county (schools see it once it is opened)."""
    unknown = set(values) - set(COLLECTION_FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be set here.") for n in unknown})
    values = _clean_collection(values)
    collection = NeedsCollection(county=county, created_by=_real(actor), **values)
    collection.full_clean(exclude=["created_by"])
    _check_dates(collection)
    collection.save()
    audit_record(actor=actor, action="needs.collection_create", obj=collection, request=request)
    return collection


@transaction.atomic
def collection_update(
    *, collection: NeedsCollection, actor: Any = None, request: Any = None, **values: Any
) -> NeedsCollection:
    unknown = set(values) - set(COLLECTION_FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be set here.") for n in unknown})
    if collection.status == NeedsCollection.Status.CLOSED:
        raise ValidationError({"status": _("A closed collection cannot be changed.")})
    values = _clean_collection(values)
    for name, value in values.items():
        setattr(collection, name, value)
    collection.full_clean(exclude=["created_by"])
    _check_dates(collection)
    collection.save()
    audit_record(
        actor=actor,
        action="needs.collection_update",
        obj=collection,
        request=request,
        detail={"fields": sorted(values)},
    )
    return collection


@transaction.atomic
def collection_open(
    *, collection: NeedsCollection, actor: Any = None, request: Any = None
) -> NeedsCollection:
    """Make the collection visible to the county's schools (a closed one may be reopened,
    for instance after moving its closing date)."""
    collection = NeedsCollection.objects.select_for_update().get(pk=collection.pk)
    if collection.status == NeedsCollection.Status.OPEN:
        raise ValidationError({"status": _("The collection is already open.")})
    if collection.closes_on < _today():
        raise ValidationError(
            {"closes_on": _("The closing date has passed; move it before opening.")}
        )
    collection.status = NeedsCollection.Status.OPEN
    collection.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="needs.collection_open", obj=collection, request=request)
    return collection


@transaction.atomic
def collection_close(
    *, collection: NeedsCollection, actor: Any = None, request: Any = None
) -> NeedsCollection:
    collection = NeedsCollection.objects.select_for_update().get(pk=collection.pk)
    if collection.status != NeedsCollection.Status.OPEN:
        raise ValidationError({"status": _("Only an open collection can be closed.")})
    collection.status = NeedsCollection.Status.CLOSED
    collection.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="needs.collection_close", obj=collection, request=request)
    return collection


# --------------------------------------------------------------------------- submissions


def _check_accepting(collection: NeedsCollection) -> None:
    if collection.status != NeedsCollection.Status.OPEN:
        raise ValidationError({"status": _("The collection is not open.")})
    if _today() > collection.closes_on:
        raise ValidationError(
            {"status": _("The collection closed on %(day)s.") % {"day": collection.closes_on}}
        )


def _check_editable(submission: NeedSubmission) -> NeedSubmission:
    """The submission, locked and fresh from the database, when the school may change it."""
    submission = (
        NeedSubmission.objects.select_for_update()
        .select_related("collection")
        .get(pk=submission.pk)
    )
    _check_accepting(submission.collection)
    if submission.status not in EDITABLE_SUBMISSION:
        raise ValidationError(
            {"status": _("The needs were submitted; the county must return them for changes.")}
        )
    return submission


@transaction.atomic
def submission_get_or_create(
    *, collection: NeedsCollection, school: School, actor: Any = None, request: Any = None
) -> NeedSubmission:
    """The school's submission to the collection, started as a draft when there is none."""
    if school.county_id != collection.county_id:
        raise ValidationError({"school": _("The school belongs to another county.")})
    existing = sel.submission_of(collection, school)
    if existing is not None:
        return existing
    _check_accepting(collection)
    submission = NeedSubmission.objects.create(
        county_id=collection.county_id, school=school, collection=collection
    )
    audit_record(actor=actor, action="needs.submission_start", obj=submission, request=request)
    return submission


def _clean_need(values: dict[str, Any], collection: NeedsCollection) -> dict[str, Any]:
    unknown = set(values) - set(NEED_FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be set here.") for n in unknown})
    out = dict(values)
    errors: dict[str, str] = {}
    allowed = {k for k, _label in sel.kinds_of(collection)}
    if "kind" in out and out["kind"] not in allowed:
        errors["kind"] = _("This collection does not ask for this kind of item.")
    if "quantity" in out:
        try:
            out["quantity"] = int(out["quantity"])
        except (TypeError, ValueError):
            out["quantity"] = 0
        if out["quantity"] < 1:
            errors["quantity"] = _("Ask for at least one.")
    if "unit_cost" in out and out["unit_cost"] not in (None, ""):
        try:
            out["unit_cost"] = Decimal(str(out["unit_cost"]))
            if out["unit_cost"] < 0:
                errors["unit_cost"] = _("The cost cannot be negative.")
        except InvalidOperation:
            errors["unit_cost"] = _("Enter an amount in NT$.")
    elif "unit_cost" in out:
        out["unit_cost"] = None
    if "justification" in out:
        out["justification"] = str(out["justification"] or "").strip()
        if not out["justification"]:
            errors["justification"] = _("Say why the school needs it.")
    if "description" in out:
        out["description"] = str(out["description"] or "").strip()
    if "priority" in out and out["priority"] not in NeedLine.Priority.values:
        try:
            out["priority"] = int(out["priority"])
        except (TypeError, ValueError):
            out["priority"] = 0
        if out["priority"] not in NeedLine.Priority.values:
            errors["priority"] = _("Choose high, medium or low.")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def need_line_add(
    *, submission: NeedSubmission, actor: Any = None, request: Any = None, **values: Any
) -> NeedLine:
    submission = _check_editable(submission)
    for required in ("kind", "quantity", "justification"):
        values.setdefault(required, "")
    values = _clean_need(values, submission.collection)
    line = NeedLine(
        county_id=submission.county_id, school_id=submission.school_id, submission=submission
    )
    for name, value in values.items():
        setattr(line, name, value)
    line.full_clean(exclude=["county", "school", "submission"])
    line.save()
    audit_record(
        actor=actor,
        action="needs.line_add",
        obj=line,
        request=request,
        detail={"kind": line.kind, "quantity": line.quantity},
    )
    return line


@transaction.atomic
def need_line_update(
    *, line: NeedLine, actor: Any = None, request: Any = None, **values: Any
) -> NeedLine:
    line.submission = _check_editable(line.submission)
    values = _clean_need(values, line.submission.collection)
    for name, value in values.items():
        setattr(line, name, value)
    line.full_clean(exclude=["county", "school", "submission"])
    line.save()
    audit_record(
        actor=actor,
        action="needs.line_update",
        obj=line,
        request=request,
        detail={"fields": sorted(values)},
    )
    return line


@transaction.atomic
def need_line_delete(*, line: NeedLine, actor: Any = None, request: Any = None) -> None:
    _check_editable(line.submission)
    audit_record(
        actor=actor,
        action="needs.line_delete",
        obj=line,
        request=request,
        detail={"kind": line.kind, "quantity": line.quantity},
    )
    line.delete()


@transaction.atomic
def submission_submit(
    *, submission: NeedSubmission, actor: Any = None, request: Any = None
) -> NeedSubmission:
    submission = _check_editable(submission)
    if not submission.lines.exists():
        raise ValidationError({"lines": _("Add at least one need before submitting.")})
    submission.status = NeedSubmission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = _real(actor)
    submission.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit_record(
        actor=actor,
        action="needs.submission_submit",
        obj=submission,
        request=request,
        detail={"lines": submission.lines.count()},
    )
    return submission


@transaction.atomic
def submission_return(
    *, submission: NeedSubmission, comment: str, actor: Any = None, request: Any = None
) -> NeedSubmission:
    """The county sends a submitted answer back for changes, with a comment."""
    submission = NeedSubmission.objects.select_for_update().get(pk=submission.pk)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Tell the school what to change.")})
    if submission.status != NeedSubmission.Status.SUBMITTED:
        raise ValidationError({"status": _("Only submitted needs can be returned.")})
    submission.status = NeedSubmission.Status.RETURNED
    submission.county_comment = comment
    submission.save(update_fields=["status", "county_comment", "updated_at"])
    audit_record(
        actor=actor,
        action="needs.submission_return",
        obj=submission,
        request=request,
        detail={"comment": comment[:500]},
    )
    return submission


# --------------------------------------------------------------------------- plans


def _check_draft(plan: ProcurementPlan) -> None:
    status = ProcurementPlan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    if status != ProcurementPlan.Status.DRAFT:
        raise ValidationError({"status": _("An approved plan can no longer be changed.")})


@transaction.atomic
def plan_create(
    *,
    county: Any,
    title: str,
    fiscal_year: int | None = None,
    notes: str = "",
    collection: NeedsCollection | None = None,
    actor: Any = None,
    request: Any = None,
) -> ProcurementPlan:
    """A draft plan; from a collection, one line per kind consolidating the submitted needs
    (total quantity, average estimated unit cost) with each school's share allocated."""
    if collection is not None and collection.county_id != county.pk:
        raise ValidationError({"collection": _("The collection belongs to another county.")})
    plan = ProcurementPlan(
        county=county,
        collection=collection,
        title=(title or "").strip(),
        fiscal_year=fiscal_year,
        notes=notes or "",
        created_by=_real(actor),
    )
    plan.full_clean(exclude=["created_by", "collection"])
    proposals = sel.consolidate(collection=collection) if collection is not None else []
    if collection is not None and not proposals:
        raise ValidationError(
            {"collection": _("No school has submitted needs to this collection.")}
        )
    plan.save()
    for p in proposals:
        line = ProcurementLine.objects.create(
            county=county,
            plan=plan,
            kind=p.kind,
            description=str(DeviceKind(p.kind).label),
            quantity=p.quantity,
            unit_cost=p.unit_cost,
            funding_source=FundingSource.CENTRAL,
        )
        ProcurementAllocation.objects.bulk_create(
            [
                ProcurementAllocation(county=county, school_id=sid, line=line, quantity=q)
                for sid, q in sorted(p.allocations.items())
            ]
        )
    audit_record(
        actor=actor,
        action="procurement.plan_create",
        obj=plan,
        request=request,
        detail={"collection": str(collection.public_id) if collection else None},
    )
    return plan


@transaction.atomic
def plan_update(
    *, plan: ProcurementPlan, actor: Any = None, request: Any = None, **values: Any
) -> ProcurementPlan:
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be set here.") for n in unknown})
    _check_draft(plan)
    for name, value in values.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    plan.full_clean(exclude=["created_by", "collection"])
    plan.save()
    audit_record(actor=actor, action="procurement.plan_update", obj=plan, request=request)
    return plan


def _label(line: ProcurementLine | dict[str, Any]) -> str:
    kind = line.kind if isinstance(line, ProcurementLine) else line.get("kind", "")
    desc = line.description if isinstance(line, ProcurementLine) else line.get("description", "")
    try:
        name = str(DeviceKind(kind).label)
    except ValueError:
        name = str(kind)
    return f"{name} {desc}".strip() if desc and desc != name else name


def _save_allocations(*, line: ProcurementLine, allocations: dict[School, int] | None) -> None:
    if allocations is None:
        return
    errors = []
    for school, q in allocations.items():
        if school.county_id != line.county_id:
            errors.append(_("%(school)s belongs to another county.") % {"school": school})
        if q is None or int(q) < 0:
            errors.append(_("%(school)s: the quantity cannot be negative.") % {"school": school})
    if errors:
        raise ValidationError({"allocations": errors})
    existing = {a.school_id: a for a in line.allocations.all()}
    for school, q in allocations.items():
        q = int(q)
        a = existing.pop(school.pk, None)
        if q == 0:
            if a is not None:
                a.delete()
            continue
        if a is None:
            ProcurementAllocation.objects.create(
                county_id=line.county_id, school=school, line=line, quantity=q
            )
        elif a.quantity != q:
            a.quantity = q
            a.save(update_fields=["quantity", "updated_at"])


def _check_sum(line: ProcurementLine) -> None:
    total = sum(a.quantity for a in line.allocations.all())
    if total != line.quantity:
        raise ValidationError(
            {
                "allocations": _(
                    "Line “%(line)s”: the schools' allocations add up to %(sum)s, "
                    "but the line's quantity is %(quantity)s."
                )
                % {"line": _label(line), "sum": total, "quantity": line.quantity}
            }
        )


def _clean_line(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError({n: _("This field cannot be set here.") for n in unknown})
    out = dict(values)
    errors: dict[str, str] = {}
    if "kind" in out and out["kind"] not in DeviceKind.values:
        errors["kind"] = _("Unknown kind of device.")
    if "funding_source" in out and out["funding_source"] not in FundingSource.values:
        errors["funding_source"] = _("Choose a funding source.")
    if "quantity" in out:
        try:
            out["quantity"] = int(out["quantity"])
        except (TypeError, ValueError):
            out["quantity"] = 0
        if out["quantity"] < 1:
            errors["quantity"] = _("The quantity must be at least 1.")
    if "unit_cost" in out:
        try:
            out["unit_cost"] = Decimal(str(out["unit_cost"]))
            if out["unit_cost"] < 0:
                errors["unit_cost"] = _("The cost cannot be negative.")
        except InvalidOperation:
            errors["unit_cost"] = _("Enter an amount in NT$.")
    for name in ("description", "programme"):
        if name in out:
            out[name] = str(out[name] or "").strip()
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def plan_line_add(
    *,
    plan: ProcurementPlan,
    allocations: dict[School, int] | None = None,
    actor: Any = None,
    request: Any = None,
    **values: Any,
) -> ProcurementLine:
    """A line of a draft plan; `allocations` (school → quantity) must add up to its quantity."""
    _check_draft(plan)
    values.setdefault("funding_source", FundingSource.CENTRAL)
    values = _clean_line(values)
    line = ProcurementLine(county_id=plan.county_id, plan=plan, **values)
    line.full_clean(exclude=["county", "plan"])
    line.save()
    _save_allocations(line=line, allocations=allocations or {})
    _check_sum(line)
    audit_record(
        actor=actor,
        action="procurement.line_add",
        obj=line,
        request=request,
        county=plan.county,
        detail={"plan": str(plan.public_id), "kind": line.kind, "quantity": line.quantity},
    )
    return line


@transaction.atomic
def plan_line_update(
    *,
    line: ProcurementLine,
    allocations: dict[School, int] | None = None,
    actor: Any = None,
    request: Any = None,
    **values: Any,
) -> ProcurementLine:
    """Change a line and (when given) its allocations; they must still add up."""
    _check_draft(line.plan)
    values = _clean_line(values)
    for name, value in values.items():
        setattr(line, name, value)
    line.full_clean(exclude=["county", "plan"])
    line.save()
    _save_allocations(line=line, allocations=allocations)
    _check_sum(line)
    audit_record(
        actor=actor,
        action="procurement.line_update",
        obj=line,
        request=request,
        county=line.plan.county,
        detail={"fields": sorted(values), "allocations": allocations is not None},
    )
    return line


@transaction.atomic
def plan_line_delete(*, line: ProcurementLine, actor: Any = None, request: Any = None) -> None:
    _check_draft(line.plan)
    audit_record(
        actor=actor,
        action="procurement.line_delete",
        obj=line,
        request=request,
        county=line.plan.county,
        detail={"kind": line.kind, "quantity": line.quantity},
    )
    line.delete()


@transaction.atomic
def plan_approve(
    *, plan: ProcurementPlan, actor: Any = None, request: Any = None
) -> ProcurementPlan:
    """Freeze the plan: at least one line, every line fully allocated to schools."""
    plan = ProcurementPlan.objects.select_for_update().get(pk=plan.pk)
    _check_draft(plan)
    lines = list(plan.lines.prefetch_related("allocations"))
    if not lines:
        raise ValidationError({"lines": _("Add at least one line before approving.")})
    errors = []
    for line in lines:
        try:
            _check_sum(line)
        except ValidationError as exc:
            errors += exc.message_dict["allocations"]
    if errors:
        raise ValidationError({"allocations": errors})
    plan.status = ProcurementPlan.Status.APPROVED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="procurement.plan_approve", obj=plan, request=request)
    return plan


@transaction.atomic
def plan_mark_ordered(
    *, plan: ProcurementPlan, actor: Any = None, request: Any = None
) -> ProcurementPlan:
    plan = ProcurementPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != ProcurementPlan.Status.APPROVED:
        raise ValidationError({"status": _("Only an approved plan can be marked as ordered.")})
    plan.status = ProcurementPlan.Status.ORDERED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="procurement.plan_ordered", obj=plan, request=request)
    return plan


# --------------------------------------------------------------------------- receiving


@dataclass
class Item:
    row: int  # 1-based line of the paste or the file
    serial: str
    asset_tag: str = ""


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


SPLIT = re.compile(r"[,\t;]")


def parse_paste(text: str) -> list[Item]:
    """One item a line: the serial, optionally followed by a comma, tab or semicolon and the
    asset tag. Blank lines are skipped (lines keep their numbers)."""
    items = []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in SPLIT.split(raw, maxsplit=1)]
        items.append(Item(row=n, serial=parts[0], asset_tag=parts[1] if len(parts) > 1 else ""))
    return items


SERIAL_HEADERS = {"serial", "serial number", "serial_number", "序號", "serialnumber", "sn"}
TAG_HEADERS = {"asset tag", "asset_tag", "assettag", "tag", "財產編號", "資產編號"}


def parse_csv(data: bytes) -> list[Item]:
    """A CSV of serials (first column) and optional asset tags (second), with or without a
    header row naming them (serial / asset_tag, 序號 / 財產編號)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("big5")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": _("Save the file as UTF-8 CSV.")}) from exc
    rows = list(csv.reader(io.StringIO(text)))
    serial_col, tag_col, start = 0, 1, 0
    if rows:
        head = [c.strip().lower() for c in rows[0]]
        if any(h in SERIAL_HEADERS for h in head):
            serial_col = next(i for i, h in enumerate(head) if h in SERIAL_HEADERS)
            tag_col = next((i for i, h in enumerate(head) if h in TAG_HEADERS), -1)
            start = 1
    items = []
    for n, row in enumerate(rows[start:], start=start + 1):
        if not any(c.strip() for c in row):
            continue
        serial = row[serial_col].strip() if serial_col < len(row) else ""
        tag = row[tag_col].strip() if 0 <= tag_col < len(row) else ""
        items.append(Item(row=n, serial=serial, asset_tag=tag))
    return items


def _next_tags(county_id: int, prefix: str, count: int, taken: set[str]) -> list[str]:
    used = Device.objects.filter(county_id=county_id, asset_tag__startswith=prefix).values_list(
        "asset_tag", flat=True
    )
    high = 0
    for tag in [*used, *taken]:
        rest = tag[len(prefix) :] if tag.startswith(prefix) else ""
        if rest.isdigit():
            high = max(high, int(rest))
    tags = []
    n = high
    while len(tags) < count:
        n += 1
        tag = f"{prefix}{n:04d}"
        if tag not in taken:
            tags.append(tag)
    return tags


@transaction.atomic
def allocation_receive(
    *,
    allocation: ProcurementAllocation,
    items: list[Item],
    received_on: dt.date | None = None,
    actor: Any = None,
    request: Any = None,
) -> list[Device]:
    """Record items that arrived for one school's allocation: each becomes a device of the
    school with the line's kind, specification, funding, programme, cost and warranty.
    All or nothing: any bad line (no serial, a duplicate, a serial or tag already in the
    register, more than is still due) is reported by its line number and nothing is saved."""
    allocation = ProcurementAllocation.objects.select_for_update().get(pk=allocation.pk)
    line = allocation.line
    plan = line.plan
    received_on = received_on or _today()
    if plan.status not in (ProcurementPlan.Status.APPROVED, ProcurementPlan.Status.ORDERED):
        raise ValidationError({"status": _("Items are received for approved or ordered plans.")})
    if received_on > _today():
        raise ValidationError({"received_on": _("The receipt date cannot be in the future.")})
    if not items:
        raise ValidationError({"items": _("Give at least one serial number.")})
    due = allocation.quantity - allocation.received
    errors: list[str] = []
    if len(items) > due:
        errors.append(
            _("%(n)s items given, but only %(due)s of %(quantity)s are still due to this school.")
            % {"n": len(items), "due": due, "quantity": allocation.quantity}
        )
    serials = [i.serial for i in items if i.serial]
    tags = [i.asset_tag for i in items if i.asset_tag]
    in_register_s = set(
        Device.objects.filter(county_id=allocation.county_id, serial__in=serials).values_list(
            "serial", flat=True
        )
    )
    in_register_t = set(
        Device.objects.filter(county_id=allocation.county_id, asset_tag__in=tags).values_list(
            "asset_tag", flat=True
        )
    )
    seen_s: dict[str, int] = {}
    seen_t: dict[str, int] = {}
    for item in items:
        where = _("Line %(n)s") % {"n": item.row}
        if not item.serial:
            errors.append(_("%(where)s: the serial number is missing.") % {"where": where})
        elif len(item.serial) > 80:
            errors.append(_("%(where)s: the serial number is too long.") % {"where": where})
        elif item.serial in seen_s:
            errors.append(
                _("%(where)s: serial %(serial)s is repeated (line %(first)s).")
                % {"where": where, "serial": item.serial, "first": seen_s[item.serial]}
            )
        elif item.serial in in_register_s:
            errors.append(
                _("%(where)s: serial %(serial)s is already in the register.")
                % {"where": where, "serial": item.serial}
            )
        else:
            seen_s[item.serial] = item.row
        if item.asset_tag:
            if len(item.asset_tag) > 40:
                errors.append(_("%(where)s: the asset tag is too long.") % {"where": where})
            elif item.asset_tag in seen_t:
                errors.append(
                    _("%(where)s: asset tag %(tag)s is repeated (line %(first)s).")
                    % {"where": where, "tag": item.asset_tag, "first": seen_t[item.asset_tag]}
                )
            elif item.asset_tag in in_register_t:
                errors.append(
                    _("%(where)s: asset tag %(tag)s is already used in the county.")
                    % {"where": where, "tag": item.asset_tag}
                )
            else:
                seen_t[item.asset_tag] = item.row
    if errors:
        raise ValidationError({"items": errors})
    school = allocation.school
    prefix = f"{school.code}-{received_on.year}-"
    generated = iter(
        _next_tags(
            allocation.county_id, prefix, sum(1 for i in items if not i.asset_tag), set(tags)
        )
    )
    warranty_end = add_months(received_on, line.warranty_months) if line.warranty_months else None
    devices = []
    for item in items:
        devices.append(
            services.device_create(
                county=school.county,
                school=school,
                actor=actor,
                request=request,
                event_kind=DeviceEvent.Kind.RECEIVED,
                procurement_line=line,
                kind=line.kind,
                model_name=line.description,
                serial=item.serial,
                asset_tag=item.asset_tag or next(generated),
                funding_source=line.funding_source,
                programme=line.programme,
                purchase_date=received_on,
                cost=line.unit_cost,
                warranty_end=warranty_end,
            )
        )
    allocation.received += len(devices)
    allocation.save(update_fields=["received", "updated_at"])
    audit_record(
        actor=actor,
        action="procurement.receive",
        obj=allocation,
        request=request,
        detail={
            "plan": str(plan.public_id),
            "count": len(devices),
            "received": allocation.received,
            "quantity": allocation.quantity,
        },
    )
    _complete_if_done(plan=plan, actor=actor, request=request)
    return devices


def _complete_if_done(*, plan: ProcurementPlan, actor: Any, request: Any) -> None:
    allocs = ProcurementAllocation.objects.filter(line__plan=plan)
    if not allocs.exists():
        return
    due: dict[int, int] = defaultdict(int)
    for a in allocs:
        due[a.pk] = a.quantity - a.received
    if any(v > 0 for v in due.values()):
        return
    ProcurementPlan.objects.filter(pk=plan.pk).update(
        status=ProcurementPlan.Status.COMPLETED, updated_at=timezone.now()
    )
    plan.refresh_from_db()
    audit_record(actor=actor, action="procurement.plan_complete", obj=plan, request=request)


def _real(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
