"""Pages of help requests: ask for help, my requests, one request (the conversation, and for
handlers the clocks and the handling forms), its live updates, attachments, the handlers'
queue with its CSV export, and canned replies.

Who sees what (`access.py`):
- anyone signed in with a person behind the account raises requests and sees their own
  (replies and events, never the internal notes); another family's request is a 404;
- a request's handlers (the school's administrators, the county's office) see everything
  and handle it; the queue and canned replies are for handlers only (others 403);
- another school's or county's request, file or canned reply is a 404.
Every write goes through `services.py` / `canned_services.py`.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.devices.models import Device
from dtss.helpdesk import access, services
from dtss.helpdesk import canned_services as canned_svc
from dtss.helpdesk import requests_forms as forms
from dtss.helpdesk import requests_selectors as sel
from dtss.helpdesk.models import CannedReply, Category, HelpRequest, Platform, RequestAttachment

MESSAGE_TEMPLATE = "helpdesk/requests/_message.html"

# --------------------------------------------------------------------------- helpers


def safe_page_path(value: str, request: HttpRequest) -> str:
    """The path (and query) of a page of this site, or "" for anything else (another host,
    a scheme-relative or javascript: URL, backslashes, control characters)."""
    value = (value or "").strip()
    if not value or "\\" in value or any(ord(c) < 32 for c in value):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(value)
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return ""
    return (path + (f"?{parts.query}" if parts.query else ""))[:300]


def _errors_to_form(form: Any, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    aliases = aliases or {}
    for name, msgs in exc.message_dict.items():
        name = aliases.get(name, name)
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _require_handler_anywhere(request: HttpRequest) -> None:
    if not access.handles_any(request.user):
        raise PermissionDenied


# --------------------------------------------------------------------------- ask for help


def _devices_for(user: Any) -> list[Device] | None:
    """The devices a requester picks from: students their own, parents their children's.
    Staff (who see their school's register) type an asset tag instead: None."""
    scope = scope_for(user)
    if scope.is_staff_level:
        return None
    return list(Device.objects.visible_to(user).order_by("asset_tag")[:50])


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    if not access.may_raise(request.user):
        raise PermissionDenied
    schools = services.requester_schools(user=request.user)
    devices = _devices_for(request.user)
    handler = access.handles_any(request.user)
    initial: dict[str, Any] = {
        "page_url": safe_page_path(request.GET.get("from", ""), request),
        "priority": HelpRequest.Priority.NORMAL,
    }
    wanted = request.GET.get("device", "")
    if wanted:
        device = Device.objects.visible_to(request.user).filter(public_id=_uuid(wanted)).first()
        if device is not None:
            initial["device" if devices is not None else "asset_tag"] = (
                str(device.public_id) if devices is not None else device.asset_tag
            )
            if devices is not None and device not in devices:
                devices.insert(0, device)
            initial["category"] = Category.DEVICE
    form = forms.RequestForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        schools=schools,
        devices=devices,
        priority=handler,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        device = d.get("device")
        tag = (d.get("asset_tag") or "").strip()
        if tag:
            device = Device.objects.visible_to(request.user).filter(asset_tag__iexact=tag).first()
            if device is None:
                form.add_error(
                    "asset_tag", _("No device with this asset tag in the register you can see.")
                )
        if not form.errors:
            try:
                req = services.request_create(
                    user=request.user,
                    school=d.get("school"),
                    category=d["category"],
                    platform=d.get("platform") or "",
                    subject=d["subject"],
                    description=d["description"],
                    device=device,
                    page_url=safe_page_path(d.get("page_url", ""), request),
                    files=d.get("attachments") or [],
                    priority=d.get("priority") or HelpRequest.Priority.NORMAL,
                    http_request=request,
                )
            except ValidationError as exc:
                aliases = {"device": "asset_tag"} if devices is None else {}
                _errors_to_form(form, exc, {**aliases, "requester": "__all__"})
            else:
                messages.success(
                    request,
                    _("Your request #%(number)s was sent. You will see the answer here.")
                    % {"number": req.number},
                )
                return redirect("helpdesk:request_detail", req.public_id)
    return render(
        request,
        "helpdesk/requests/request_form.html",
        {"form": form, "schools": schools, "handler": handler},
    )


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(str(value))
    except (ValueError, TypeError):
        return None


# --------------------------------------------------------------------------- my requests


@login_required
@require_GET
def request_mine(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "all")
    status = status if status in sel.STATUS_FILTERS else "all"
    rows = sel.my_requests(user=request.user, status=status)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "helpdesk/requests/mine.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "status": status,
            "statuses": sel.status_labels(),
            "querystring": urlencode({"status": status} if status != "all" else {}),
            "handler": access.handles_any(request.user),
        },
    )


# --------------------------------------------------------------------------- one request


def _detail_context(
    request: HttpRequest, req: HelpRequest, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request.user
    handler = access.may_handle_request(user, req)
    requester = access.is_requester(user, req)
    bound = bound or {}
    msgs = sel.conversation(user=user, request_obj=req)
    ctx: dict[str, Any] = {
        "req": req,
        "handler": handler,
        "requester": requester,
        "conversation": msgs,
        "last_id": str(msgs[-1].public_id) if msgs else "",
        "files": sel.request_files(user=user, request_obj=req),
        "updates_url": reverse("helpdesk:request_updates", args=[req.public_id]),
    }
    may_reply = handler or req.status != HelpRequest.Status.CLOSED
    if may_reply:
        ctx["reply_form"] = bound.get("reply") or forms.ReplyForm(
            handler=handler,
            canned=sel.canned_for(user=user, request_obj=req) if handler else (),
        )
    if requester and not handler:
        ctx["may_solve"] = req.is_open
        if "rate" in bound:  # the errors of a rating sent too early or twice
            ctx["rate_form"] = bound["rate"]
        elif req.rating is None and req.status in ("resolved", "closed"):
            ctx["rate_form"] = forms.RateForm()
    if handler:
        ctx["clocks"] = sel.clocks(request_obj=req)
        ctx["canned_items"] = ctx["reply_form"].canned_items
        ctx["canned_json"] = {str(c.public_id): c.body for c in ctx["canned_items"]}
        ctx["status_form"] = bound.get("status") or forms.StatusForm(
            initial={"status": req.status if req.status != "new" else "open"}
        )
        ctx["priority_form"] = bound.get("priority") or forms.PriorityForm(
            initial={"priority": req.priority}
        )
        ctx["assign_form"] = bound.get("assign") or forms.AssignForm(
            handlers=sel.handlers_of(request_obj=req),
            initial={"assignee": str(req.assignee.public_id) if req.assignee else ""},
        )
        groups = sel.groups_of(request_obj=req)
        if groups and req.is_open:
            ctx["escalate_form"] = bound.get("escalate") or forms.EscalateForm(groups=groups)
        ctx["resolved"] = req.status in ("resolved", "closed")
    return ctx


ACTIONS = ("reply", "solved", "rate", "status", "priority", "assign", "escalate")


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    req = sel.request_for_page(request_obj=get_visible_or_404(HelpRequest, request.user, public_id))
    if request.method == "GET":
        if not access.is_requester(request.user, req):
            # A request is often a student's or a family's: staff reads are audited (rule 6).
            audit_record(
                actor=request.user, action="helpdesk.request.read", obj=req, request=request
            )
        return render(request, "helpdesk/requests/detail.html", _detail_context(request, req))
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    handler = access.may_handle_request(request.user, req)
    try:
        bound, done = _run_action(request, req, action, handler)
    except PermissionError as exc:
        raise PermissionDenied from exc
    if done:
        messages.success(request, done)
        return redirect("helpdesk:request_detail", req.public_id)
    req.refresh_from_db()
    return render(request, "helpdesk/requests/detail.html", _detail_context(request, req, bound))


def _run_action(
    request: HttpRequest, req: HelpRequest, action: str, handler: bool
) -> tuple[dict[str, Any], str]:
    """Run one form of the page: ({form name: bound form with errors}, "") on bad input, or
    ({}, the success message)."""
    user, post = request.user, request.POST
    if action == "reply":
        canned = sel.canned_for(user=user, request_obj=req) if handler else ()
        form = forms.ReplyForm(post, request.FILES, handler=handler, canned=canned)
        if form.is_valid():
            internal = bool(form.cleaned_data.get("internal"))
            try:
                services.request_reply(
                    request_obj=req,
                    user=user,
                    body=form.message_body(),
                    internal=internal,
                    files=form.cleaned_data.get("attachments") or [],
                    status=form.cleaned_data.get("status") or "",
                    http_request=request,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return {}, _("Internal note saved.") if internal else _("Your message was sent.")
        return {"reply": form}, ""
    if action == "solved":
        try:
            services.request_solved_by_requester(request_obj=req, user=user, http_request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return {}, ""
        return {}, _("Glad it is solved. You can rate the help below.")
    if action == "rate":
        form = forms.RateForm(post)
        if form.is_valid():
            try:
                services.request_rate(
                    request_obj=req,
                    user=user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    http_request=request,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return {}, _("Thank you for your rating.")
        return {"rate": form}, ""
    if not handler:
        raise PermissionError("not a handler")
    if action == "status":
        form: Any = forms.StatusForm(post)
        run = lambda d: services.request_status_set(  # noqa: E731
            request_obj=req, user=user, status=d["status"], http_request=request
        )
    elif action == "priority":
        form = forms.PriorityForm(post)
        run = lambda d: services.request_priority_set(  # noqa: E731
            request_obj=req, user=user, priority=d["priority"], http_request=request
        )
    elif action == "assign":
        form = forms.AssignForm(post, handlers=sel.handlers_of(request_obj=req))
        run = lambda d: services.request_assign(  # noqa: E731
            request_obj=req, user=user, assignee=d["assignee"], http_request=request
        )
    else:
        form = forms.EscalateForm(post, groups=sel.groups_of(request_obj=req))
        run = lambda d: services.request_escalate(  # noqa: E731
            request_obj=req, user=user, group=d["group"], reason=d["reason"], http_request=request
        )
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return {}, _("Saved.")
    return {action: form}, ""


@never_cache
@login_required
@require_GET
def request_updates(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """The messages after `?after=<message id>` this viewer may see, rendered as on the page,
    and the current status: what the detail page polls for."""
    req = get_visible_or_404(HelpRequest, request.user, public_id)
    after_raw = request.GET.get("after", "")
    after = _uuid(after_raw) if after_raw else None
    if after_raw and after is None:
        return JsonResponse({"detail": _("after: not a message id.")}, status=400)
    msgs = sel.conversation(user=request.user, request_obj=req, after=str(after) if after else None)
    handler = access.may_handle_request(request.user, req)
    items = [
        {
            "id": str(m.public_id),
            "kind": m.kind,
            "html": render_to_string(
                MESSAGE_TEMPLATE, {"m": m, "handler": handler, "req": req}, request=request
            ),
        }
        for m in msgs
    ]
    return JsonResponse(
        {
            "items": items,
            "last": items[-1]["id"] if items else (str(after) if after else ""),
            "status": req.status,
            "status_label": req.get_status_display(),
        }
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, public_id: UUID) -> HttpResponse:
    att = get_visible_or_404(RequestAttachment, request.user, public_id)
    return attachment_response(att)


def attachment_response(att: RequestAttachment) -> FileResponse:
    """An attachment as a download (an image inline), never sniffed or cached; the page and
    the API serve it the same way."""
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    ctype = att.content_type or "application/octet-stream"
    inline = ctype.startswith("image/") and ctype != "image/svg+xml"
    name = att.name or os.path.basename(att.file.name)
    out = FileResponse(handle, as_attachment=not inline, filename=name, content_type=ctype)
    out["X-Content-Type-Options"] = "nosniff"
    out["Content-Security-Policy"] = "sandbox"
    out["Cache-Control"] = "private, no-store"
    return out


# --------------------------------------------------------------------------- the queue


def _queue_setup(request: HttpRequest) -> tuple[sel.QueueFilters, list[Any]]:
    _require_handler_anywhere(request)
    schools = sel.queue_schools(user=request.user)
    by_id = {str(s.public_id): s for s in schools}
    return sel.queue_filters_from(request.GET, schools=by_id), schools


def _queue_params(f: sel.QueueFilters) -> dict[str, str]:
    params = {
        "status": f.status if f.status != "active" else "",
        "category": f.category,
        "platform": f.platform,
        "school": str(f.school.public_id) if f.school is not None else "",
        "assigned": f.assigned,
        "group": "mine" if f.my_group else "",
        "overdue": "1" if f.overdue else "",
        "q": f.query,
        "sort": f.sort if f.sort != "due" else "",
    }
    return {k: v for k, v in params.items() if v}


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters, schools = _queue_setup(request)
    now = timezone.now()
    rows = sel.queue(user=request.user, filters=filters, now=now)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = _queue_params(filters)
    without_status = {k: v for k, v in params.items() if k != "status"}
    counts = sel.status_counts(user=request.user, filters=filters)
    return render(
        request,
        "helpdesk/requests/queue.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "f": filters,
            "tabs": [
                (key, label, counts.get(key, 0)) for key, label in sel.status_labels().items()
            ],
            "sorts": sel.sort_labels(),
            "categories": Category.choices,
            "platforms": [c for c in Platform.choices if c[0]],
            "schools": schools if len(schools) > 1 else [],
            "in_group": sel.in_office_group(user=request.user),
            "querystring": urlencode(params),
            "status_qs": urlencode(without_status),
            "now": now,
        },
    )


@never_cache
@login_required
@require_GET
def queue_export(request: HttpRequest) -> HttpResponse:
    filters, _schools = _queue_setup(request)
    rows = sel.queue(user=request.user, filters=filters)
    headers = [
        pgettext("help request", "Number"),
        _("School"),
        _("Category"),
        _("Platform"),
        pgettext("help request", "Subject"),
        _("Status"),
        _("Priority"),
        _("Assigned to"),
        _("Escalated to"),
        _("Created"),
        _("First response"),
        pgettext("help request", "Resolved"),
        _("First response target missed"),
        _("Resolution target missed"),
        _("Overdue"),
        _("Satisfaction"),
    ]

    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    out = [
        [
            r.number,
            r.school.name if r.school else _("County office"),
            r.get_category_display(),
            r.get_platform_display() if r.platform else "",
            r.subject,
            r.get_status_display(),
            r.get_priority_display(),
            r.assignee.name if r.assignee else "",
            r.escalated_to.name if r.escalated_to else "",
            when(r.created_at),
            when(r.first_responded_at),
            when(r.resolved_at),
            when(r.first_response_breached_at),
            when(r.resolution_breached_at),
            _("yes") if r.overdue else "",
            r.rating or "",
        ]
        for r in rows
    ]
    audit_record(
        actor=request.user,
        action="helpdesk.queue.export",
        request=request,
        county=filters.school.county if filters.school is not None else None,
        school=filters.school,
        detail={"rows": len(out), **_queue_params(filters)},
    )
    name = filename(_("help requests"), timezone.localdate().isoformat())
    return download(render_csv(headers, out), CSV, f"{name}.csv")


# --------------------------------------------------------------------------- canned replies


CANNED_SORTS = ("title", "updated")


@login_required
@require_GET
def canned_list(request: HttpRequest) -> HttpResponse:
    _require_handler_anywhere(request)
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    owner = request.GET.get("owner", "")
    owner = owner if owner in ("county", "school") else ""
    sort = request.GET.get("sort", "title")
    sort = sort if sort in CANNED_SORTS else "title"
    rows = CannedReply.objects.visible_to(request.user).select_related("school", "county")
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if category:
        rows = rows.filter(category=category)
    if owner:
        rows = rows.filter(school__isnull=owner == "county")
    rows = rows.order_by(*(("title", "id") if sort == "title" else ("-updated_at", "-id")))
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (("q", query), ("category", category), ("owner", owner)) if v}
    if sort != "title":
        params["sort"] = sort
    return render(
        request,
        "helpdesk/requests/canned_list.html",
        {
            "page": page,
            "rows": [(c, canned_svc.may_edit(request.user, c)) for c in page.object_list],
            "query": query,
            "category": category,
            "owner": owner,
            "sort": sort,
            "categories": Category.choices,
            "may_create": bool(canned_svc.owners(user=request.user)),
            "querystring": urlencode(params),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_create(request: HttpRequest) -> HttpResponse:
    _require_handler_anywhere(request)
    owners = canned_svc.owners(user=request.user)
    if not owners:
        raise PermissionDenied
    by_key = {k: (county, school) for k, _label, county, school in owners}
    form = forms.CannedForm(request.POST or None, owners=[(k, lbl) for k, lbl, *_ in owners])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        county, school = by_key[d["owner"]]
        try:
            reply = canned_svc.canned_create(
                user=request.user,
                title=d["title"],
                body=d["body"],
                category=d["category"],
                county=county,
                school=school,
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except PermissionError as exc:
            raise PermissionDenied from exc
        else:
            messages.success(request, _("Canned reply “%(name)s” saved.") % {"name": reply.title})
            return redirect("helpdesk:canned_list")
    return render(request, "helpdesk/requests/canned_form.html", {"form": form, "reply": None})


def _canned_for_write(request: HttpRequest, public_id: UUID) -> CannedReply:
    _require_handler_anywhere(request)
    reply = get_visible_or_404(CannedReply, request.user, public_id)
    if not canned_svc.may_edit(request.user, reply):
        raise PermissionDenied
    return reply


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    reply = _canned_for_write(request, public_id)
    form = forms.CannedForm(
        request.POST or None,
        owners=None,
        initial={"title": reply.title, "body": reply.body, "category": reply.category},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            canned_svc.canned_update(
                user=request.user,
                reply=reply,
                title=d["title"],
                body=d["body"],
                category=d["category"],
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Canned reply “%(name)s” saved.") % {"name": reply.title})
            return redirect("helpdesk:canned_list")
    return render(request, "helpdesk/requests/canned_form.html", {"form": form, "reply": reply})


@login_required
@require_POST
def canned_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    reply = _canned_for_write(request, public_id)
    title = reply.title
    canned_svc.canned_delete(user=request.user, reply=reply, http_request=request)
    messages.success(request, _("Canned reply “%(name)s” deleted.") % {"name": title})
    return redirect("helpdesk:canned_list")
