"""Self-assessment pages: the list, one assessment's overview, one item's strategies with
autosave, evidence files, submission and review.

Every view starts from `visible_to` / `get_visible_or_404`: another school's or county's
assessment, response or evidence is a 404. Who may write is decided by
`permissions.can_fill` / `can_review` (403 otherwise); whether the assessment is still
editable is decided by the services (400 with the reason for the autosave, a message on pages).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.framework import selectors, services
from dtss.framework.forms import EvidenceForm, ResponseForm, ReviewForm, SubmitForm, extension
from dtss.framework.models import (
    Assessment,
    AssessmentEvent,
    Cycle,
    Evidence,
    Item,
    Response,
    Stage,
)
from dtss.framework.permissions import can_fill, can_review
from dtss.framework.selectors import ItemView
from dtss.framework.stages import STAGES, ItemStage
from dtss.orgs.models import District, School

EDITABLE = (Assessment.Status.DRAFT, Assessment.Status.CHANGES)
STATUS_BADGE = {
    Assessment.Status.DRAFT: "",
    Assessment.Status.SUBMITTED: "warn",
    Assessment.Status.CHANGES: "bad",
    Assessment.Status.ACCEPTED: "ok",
}
MET = ("implemented", "embedded")

logger = logging.getLogger(__name__)


# --- helpers ---------------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in (
        request.headers.get("Accept", "")
    )


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _add_errors(form: Any, exc: ValidationError) -> None:
    for name, msgs in _errors(exc).items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


def _flat(errors: dict[str, list[str]]) -> str:
    return " ".join(m for msgs in errors.values() for m in msgs)


def _assessment(request: HttpRequest, public_id: UUID) -> Assessment:
    assessment = get_visible_or_404(Assessment, request.user, public_id)
    return (
        Assessment.objects.select_related("cycle", "county", "school", "school__district")
        .filter(pk=assessment.pk)
        .get()
    )


def is_editable(assessment: Assessment) -> bool:
    return assessment.status in EDITABLE and assessment.cycle.status == Cycle.Status.OPEN


def org_name(assessment: Assessment) -> str:
    if assessment.school_id is None:
        return _("%(county)s (county/city, Table 6)") % {"county": assessment.county.name}
    return str(assessment.school.name)


def stage_label(stage: str | None) -> str:
    if stage is None:
        return _("No stage yet")
    return str(Stage(stage).label)


def share_text(result: ItemStage) -> str:
    """“4 of 6 strategies of Acceleration met”, or that maturity is reached."""
    if result.next_stage is None:
        return _("Every stage is met: the item is at maturity.")
    text = ngettext(
        "%(met)d of %(total)d strategy of %(stage)s met",
        "%(met)d of %(total)d strategies of %(stage)s met",
        result.next_total,
    ) % {
        "met": result.next_met,
        "total": result.next_total,
        "stage": Stage(result.next_stage).label,
    }
    if result.next_needed < result.next_total:
        text += " " + _("(%(needed)d needed)") % {"needed": result.next_needed}
    return text


def _bar(result: ItemStage) -> list[dict[str, Any]]:
    """Three segments D/A/M: full for reached stages, the share met for the next one."""
    reached = STAGES.index(result.stage) if result.stage else -1
    out = []
    for i, s in enumerate(STAGES):
        if i <= reached:
            pct = 100
        elif s == result.next_stage and result.next_total:
            pct = round(100 * result.next_met / result.next_total)
        else:
            pct = 0
        out.append({"stage": s, "label": Stage(s).label, "pct": pct})
    return out


def _is_overdue(assessment: Assessment, today: date) -> bool:
    return assessment.status in EDITABLE and assessment.cycle.deadline < today


def _who(user: Any) -> str:
    if user is None:
        return _("system")
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _history(assessment: Assessment) -> list[dict[str, Any]]:
    rows = []
    strategy_labels = dict(Response.Status.choices)
    assessment_labels = dict(Assessment.Status.choices)
    for e in selectors.assessment_events(assessment=assessment):
        labels = strategy_labels if e.action == AssessmentEvent.Action.STATUS else assessment_labels
        rows.append(
            {
                "event": e,
                "who": _who(e.by),
                "action": e.get_action_display(),
                "target": e.strategy.code if e.strategy_id else (e.item.code if e.item_id else ""),
                "from": str(labels.get(e.from_status, e.from_status)),
                "to": str(labels.get(e.to_status, e.to_status)),
            }
        )
    return rows


def _item_url(assessment: Assessment, code: str, anchor: str = "") -> str:
    url = reverse("framework:assessment_item", args=[assessment.public_id, code])
    return f"{url}#{anchor}" if anchor else url


def _anchor(code: str) -> str:
    return "s-" + code.replace(".", "-")


# --- list ------------------------------------------------------------------------------------


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    scope = scope_for(request.user)
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("cycle", "status", "district", "stage", "sampled")
    }
    qs = selectors.assessment_list(
        user=request.user,
        cycle=params["cycle"],
        status=params["status"],
        district=params["district"],
        school_stage=params["stage"],
        sampled=params["sampled"] == "1",
    )
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    groups: list[dict[str, Any]] = []
    for a in page.object_list:
        if not groups or groups[-1]["cycle"].pk != a.cycle_id:
            cycle = a.cycle
            groups.append(
                {
                    "cycle": cycle,
                    "rows": [],
                    "county_staff": scope.superuser or cycle.county_id in scope.county_ids,
                }
            )
        groups[-1]["rows"].append(
            {
                "assessment": a,
                "name": org_name(a),
                "badge": STATUS_BADGE.get(a.status, ""),
                "overdue": _is_overdue(a, today),
                "stages": [
                    {"code": code, "stage": stage, "label": stage_label(stage)}
                    for code, stage in sorted(a.stages.items())
                ],
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "framework/assess/list.html",
        {
            "page": page,
            "groups": groups,
            "params": params,
            "cycles": Cycle.objects.visible_to(request.user).order_by("-opens_on", "-id"),
            "districts": District.objects.visible_to(request.user).order_by("county", "code"),
            "statuses": Assessment.Status.choices,
            "school_stages": School.Stage.choices,
            "querystring": query.urlencode(),
            "today": today,
        },
    )


# --- overview --------------------------------------------------------------------------------


@dataclass
class ItemCard:
    item: Item
    result: ItemStage
    responses: list[Response]
    stage_label: str = ""
    share_text: str = ""
    bar: list[dict[str, Any]] = field(default_factory=list)
    met: int = 0
    total: int = 0
    evidence: int = 0
    comments: int = 0


def _card(view: ItemView, comments: int = 0) -> ItemCard:
    return ItemCard(
        item=view.item,
        result=view.result,
        responses=view.responses,
        stage_label=stage_label(view.result.stage),
        share_text=share_text(view.result),
        bar=_bar(view.result),
        met=sum(1 for r in view.responses if r.status in MET),
        total=len(view.responses),
        evidence=sum(getattr(r, "evidence_total", 0) for r in view.responses),
        comments=comments,
    )


@login_required
def assessment_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    assessment = _assessment(request, public_id)
    comment_counts = dict(
        assessment.events.filter(
            item__isnull=False,
            action__in=[AssessmentEvent.Action.COMMENT, AssessmentEvent.Action.REQUEST_CHANGES],
        )
        .values_list("item__code")
        .annotate(n=Count("id"))
        .values_list("item__code", "n")
    )
    cards = [
        _card(v, comment_counts.get(v.item.code, 0))
        for v in selectors.assessment_items(assessment=assessment)
    ]
    fill = can_fill(request.user, assessment)
    review = can_review(request.user, assessment)
    last_request = (
        assessment.events.filter(action=AssessmentEvent.Action.REQUEST_CHANGES)
        .select_related("by", "by__person", "item")
        .order_by("-at", "-id")
        .first()
        if assessment.status == Assessment.Status.CHANGES
        else None
    )
    return render(
        request,
        "framework/assess/detail.html",
        {
            "assessment": assessment,
            "name": org_name(assessment),
            "badge": STATUS_BADGE.get(assessment.status, ""),
            "overdue": _is_overdue(assessment, timezone.localdate()),
            "cards": cards,
            "history": _history(assessment),
            "can_fill": fill,
            "can_submit": fill and is_editable(assessment),
            "editable": fill and is_editable(assessment),
            "can_review": review,
            "last_request": last_request,
            "last_request_by": _who(last_request.by) if last_request else "",
            "snapshot_at": assessment.accepted_at,
        },
    )


# --- one item --------------------------------------------------------------------------------


@dataclass
class StrategyBlock:
    response: Response
    anchor: str
    met: bool
    form: ResponseForm | None
    evidence: list[Evidence]
    evidence_form: EvidenceForm | None
    evidence_open: bool = False
    indicators: list[dict[str, Any]] = field(default_factory=list)


def _indicators(assessment: Assessment) -> dict[str, list[dict[str, Any]]]:
    """Strategy code → the registry's indicators that evidence it, with their values. An
    indicator that fails to compute is logged and left out: the page must still work."""
    try:
        readings = selectors.indicator_readings(assessment=assessment)
    except Exception:
        logger.exception("indicator readings failed for assessment %s", assessment.public_id)
        return {}
    language = get_language() or ""
    return {
        code: [
            {
                "title": r.indicator.title(language),
                "value": r.value,
                "unit": r.indicator.unit,
                "achieved": r.achieved,
                "disagreement": r.disagreement,
            }
            for r in rs
            # an indicator with nothing measured and no threshold says nothing: left out
            if r.value is not None or r.indicator.achieved_at is not None
        ]
        for code, rs in readings.items()
    }


def _render_item(
    request: HttpRequest,
    assessment: Assessment,
    code: str,
    *,
    bound: dict[int, ResponseForm] | None = None,
    bound_evidence: dict[int, EvidenceForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    views = selectors.assessment_items(assessment=assessment)
    view = next((v for v in views if v.item.code == code), None)
    if view is None:
        raise Http404
    bound = bound or {}
    bound_evidence = bound_evidence or {}
    fill = can_fill(request.user, assessment)
    editable = fill and is_editable(assessment)
    owners = selectors.assessment_owner_choices(assessment=assessment)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in Evidence.objects.filter(response__in=[r.pk for r in view.responses]).order_by(
        "created_at", "id"
    ):
        evidence[e.response_id].append(e)
    rule = selectors.rule_of(assessment.cycle)
    indicators = _indicators(assessment)
    groups: list[dict[str, Any]] = []
    for stage in STAGES:
        blocks = []
        for r in (x for x in view.responses if x.strategy.stage == stage):
            form = None
            if editable:
                form = bound.get(r.pk) or ResponseForm(
                    owners=owners,
                    initial={
                        "status": r.status,
                        "owner": r.owner.public_id if r.owner_id else None,
                        "notes": r.notes,
                    },
                    auto_id=f"id_{_anchor(r.strategy.code)}_%s",
                )
            ev_form = bound_evidence.get(r.pk)
            blocks.append(
                StrategyBlock(
                    response=r,
                    anchor=_anchor(r.strategy.code),
                    met=r.status in MET and (bool(evidence[r.pk]) or not rule.require_evidence),
                    form=form,
                    evidence=evidence[r.pk],
                    evidence_form=(
                        (ev_form or EvidenceForm(auto_id=f"id_{_anchor(r.strategy.code)}_ev_%s"))
                        if editable
                        else None
                    ),
                    evidence_open=ev_form is not None,
                    indicators=indicators.get(r.strategy.code, []),
                )
            )
        groups.append({"stage": stage, "label": Stage(stage).label, "blocks": blocks})
    comments = (
        assessment.events.filter(
            item=view.item,
            action__in=[AssessmentEvent.Action.COMMENT, AssessmentEvent.Action.REQUEST_CHANGES],
        )
        .select_related("by", "by__person")
        .order_by("at", "id")
    )
    if not fill:
        readonly_reason = _("You can read this assessment; its school or county fills it in.")
    elif assessment.status == Assessment.Status.ACCEPTED:
        readonly_reason = _("This assessment was accepted and is frozen.")
    elif assessment.status == Assessment.Status.SUBMITTED:
        readonly_reason = _(
            "This assessment has been submitted; it can be changed only if the county asks."
        )
    elif assessment.cycle.status != Cycle.Status.OPEN:
        readonly_reason = _("The cycle is closed.")
    else:
        readonly_reason = ""
    next_codes = set(view.result.next_steps)
    return render(
        request,
        "framework/assess/item.html",
        {
            "assessment": assessment,
            "name": org_name(assessment),
            "badge": STATUS_BADGE.get(assessment.status, ""),
            "item": view.item,
            "card": _card(view),
            "items": [v.item for v in views],
            "groups": groups,
            "next_steps": [
                {
                    "response": r,
                    "anchor": _anchor(r.strategy.code),
                    "hidden": r.strategy.code not in next_codes,
                }
                for r in view.responses
            ],
            "next_stage_label": stage_label(view.result.next_stage)
            if view.result.next_stage
            else "",
            "editable": editable,
            "can_publish": can_fill(request.user, assessment),
            "readonly_reason": readonly_reason,
            "comments": [{"event": c, "who": _who(c.by)} for c in comments],
            "require_evidence": rule.require_evidence,
        },
        status=status,
    )


@login_required
def assessment_item(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
    _staff_only(request)
    assessment = _assessment(request, public_id)
    return _render_item(request, assessment, code)


# --- autosave --------------------------------------------------------------------------------


def _response(request: HttpRequest, public_id: UUID) -> Response:
    response = get_visible_or_404(Response, request.user, public_id)
    return (
        Response.objects.select_related(
            "strategy", "strategy__item", "assessment", "assessment__cycle", "owner"
        )
        .filter(pk=response.pk)
        .get()
    )


def _forbidden(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "errors": {NON_FIELD_ERRORS: [_("You may not change this assessment.")]}},
            status=403,
        )
    raise PermissionDenied


def _item_state(response: Response) -> dict[str, Any]:
    """The live state of the response's item after a change, for the autosave answer."""
    assessment = response.assessment
    views = selectors.assessment_items(assessment=assessment)
    view = next(v for v in views if v.item.pk == response.strategy.item_id)
    rule = selectors.rule_of(assessment.cycle)
    met = [
        r.strategy.code
        for r in view.responses
        if r.status in MET and (r.evidence_total > 0 or not rule.require_evidence)
    ]
    result = view.result
    return {
        "stage": result.stage,
        "stage_label": stage_label(result.stage),
        "next_stage": result.next_stage,
        "next_stage_label": stage_label(result.next_stage) if result.next_stage else "",
        "next_share_text": share_text(result),
        "next_steps": list(result.next_steps),
        "met": met,
        "bar": {b["stage"]: b["pct"] for b in _bar(result)},
    }


@login_required
@require_POST
def response_update(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Save one strategy's status, owner and/or notes: JSON for the autosave, a redirect for a
    plain form. Only the fields sent are changed."""
    _staff_only(request)
    response = _response(request, public_id)
    assessment = response.assessment
    if not can_fill(request.user, assessment):
        return _forbidden(request)
    owners = selectors.assessment_owner_choices(assessment=assessment)
    form = ResponseForm(
        request.POST,
        owners=owners,
        partial=True,
        auto_id=f"id_{_anchor(response.strategy.code)}_%s",
    )
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        data = form.cleaned_data
        kwargs: dict[str, Any] = {}
        if "status" in data:
            kwargs["status"] = data["status"]
        if "notes" in data:
            kwargs["notes"] = data["notes"]
        if "owner" in data:
            kwargs["owner"] = data["owner"]
            kwargs["set_owner"] = True
        try:
            services.response_update(response=response, actor=request.user, **kwargs)
        except ValidationError as exc:
            errors = _errors(exc)
            _add_errors(form, exc)
    else:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    code = response.strategy.item.code
    if _wants_json(request):
        if errors:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        response.refresh_from_db()
        return JsonResponse(
            {
                "ok": True,
                "status": response.status,
                "owner": str(response.owner.public_id) if response.owner_id else None,
                "saved_at": timezone.localtime(response.updated_at).strftime("%H:%M"),
                **_item_state(response),
            }
        )
    if errors:
        if NON_FIELD_ERRORS in errors and len(errors) == 1:
            messages.error(request, _flat(errors))
            return redirect(_item_url(assessment, code, _anchor(response.strategy.code)))
        return _render_item(request, assessment, code, bound={response.pk: form})
    messages.success(request, _("Saved %(strategy)s.") % {"strategy": response.strategy.code})
    return redirect(_item_url(assessment, code, _anchor(response.strategy.code)))


# --- evidence --------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    response = _response(request, public_id)
    assessment = response.assessment
    if not can_fill(request.user, assessment):
        return _forbidden(request)
    form = EvidenceForm(
        request.POST, request.FILES, auto_id=f"id_{_anchor(response.strategy.code)}_ev_%s"
    )
    evidence = None
    if form.is_valid():
        try:
            evidence = services.evidence_add(
                response=response,
                actor=request.user,
                kind=form.kind,
                title=form.cleaned_data["title"],
                file=form.cleaned_data.get("file"),
                url=form.cleaned_data["url"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
    code = response.strategy.item.code
    if evidence is None:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        if not is_editable(assessment):
            messages.error(request, _flat(errors))
            return redirect(_item_url(assessment, code, _anchor(response.strategy.code)))
        return _render_item(request, assessment, code, bound_evidence={response.pk: form})
    if _wants_json(request):
        return JsonResponse({"ok": True, "evidence": str(evidence.public_id)})
    messages.success(request, _("Evidence added: %(title)s") % {"title": evidence.title})
    return redirect(_item_url(assessment, code, _anchor(response.strategy.code)))


@login_required
def evidence_download(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Serve an evidence file to those who can see its assessment. Files are never public."""
    _staff_only(request)
    evidence = get_visible_or_404(Evidence, request.user, public_id)
    return evidence_file_response(evidence)


def evidence_file_response(evidence: Evidence, *, attachment: bool = False) -> FileResponse:
    """The file of a piece of evidence the caller has already checked the reader may see
    (this page and the API's `GET /evidence/{id}/file`). A PDF or an image is shown inline
    unless `attachment`; anything else is always an attachment. 404 when the evidence has no
    file or the file is gone from storage."""
    if evidence.kind != Evidence.Kind.FILE or not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = evidence.content_type or "application/octet-stream"
    inline = not attachment and (
        content_type == "application/pdf"
        or (content_type.startswith("image/") and content_type != "image/svg+xml")
    )
    stored = os.path.basename(evidence.file.name)
    # the name the school gave it, when the title still carries the file's extension
    filename = evidence.title if extension(evidence.title) == extension(stored) else stored
    out = FileResponse(
        handle, as_attachment=not inline, filename=filename, content_type=content_type
    )
    out["X-Content-Type-Options"] = "nosniff"
    out["Content-Security-Policy"] = "sandbox"
    out["Cache-Control"] = "private, no-store"
    return out


@login_required
@require_POST
def evidence_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    evidence = get_visible_or_404(Evidence, request.user, public_id)
    response = _response(request, evidence.response.public_id)
    assessment = response.assessment
    if not can_fill(request.user, assessment):
        return _forbidden(request)
    title = evidence.title
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _flat(_errors(exc)))
    else:
        messages.success(request, _("Evidence removed: %(title)s") % {"title": title})
    return redirect(
        _item_url(assessment, response.strategy.item.code, _anchor(response.strategy.code))
    )


# --- submit and review -----------------------------------------------------------------------


@login_required
@require_POST
def assessment_submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    assessment = _assessment(request, public_id)
    if not can_fill(request.user, assessment):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _flat({k: list(v) for k, v in form.errors.items()}))
    else:
        try:
            services.assessment_submit(
                assessment=assessment, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, _flat(_errors(exc)))
        else:
            messages.success(request, _("Submitted. The county has been told."))
    return redirect("framework:assessment_detail", public_id=assessment.public_id)


@login_required
@require_POST
def assessment_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _staff_only(request)
    assessment = _assessment(request, public_id)
    if not can_review(request.user, assessment):
        raise PermissionDenied
    items = Item.objects.filter(version=assessment.cycle.version, level=assessment.level)
    form = ReviewForm(request.POST, items=items)
    if not form.is_valid():
        messages.error(request, _flat({k: list(v) for k, v in form.errors.items()}))
    else:
        action = form.cleaned_data["action"]
        item = form.cleaned_data["item"]
        note = form.cleaned_data["note"]
        try:
            if action == "comment":
                services.assessment_comment(
                    assessment=assessment, actor=request.user, item=item, note=note
                )
                done = _("Comment saved.")
            elif action == "request_changes":
                services.assessment_request_changes(
                    assessment=assessment, actor=request.user, item=item, note=note
                )
                done = _("Changes requested. The school can edit the assessment again.")
            else:
                services.assessment_accept(assessment=assessment, actor=request.user, note=note)
                done = _("Accepted. The assessment is frozen.")
        except ValidationError as exc:
            messages.error(request, _flat(_errors(exc)))
        else:
            messages.success(request, done)
    return redirect(reverse("framework:assessment_detail", args=[assessment.public_id]) + "#review")
