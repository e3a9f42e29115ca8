"""Pages of the county's community (L2.D2): the thread list, a thread with its posts, starting a
thread, editing a post, and the shared queue of the county's open requests.

Who sees what: members of a county's community (its office, and the administrators of its
schools) read and write in it; the MOE viewer reads every county's and writes nowhere (403);
teachers, students, parents and accounts without a role get 403; another county's thread is a
404. The shared queue shows only what `community_selectors.SharedRow` carries — never the
requester, the description, the messages or the attachments.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.helpdesk import community_forms as forms
from dtss.helpdesk import community_selectors as sel
from dtss.helpdesk import community_services as svc
from dtss.helpdesk.models import Category, Platform

# --------------------------------------------------------------------------- helpers


def _require_reader(request: HttpRequest) -> None:
    if not sel.may_read(request.user):
        raise PermissionDenied


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "1") not in ("0", "false", "")


def _county_param(request: HttpRequest, counties: list[Any]) -> Any:
    code = request.GET.get("county", "")
    if not code:
        return None
    chosen = next((c for c in counties if c.code == code), None)
    if chosen is None:
        raise Http404
    return chosen


# --------------------------------------------------------------------------- threads


@login_required
@require_GET
def community(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    counties = list(sel.counties(user=request.user))
    county = _county_param(request, counties)
    topic = request.GET.get("topic", "")
    topic = topic if topic in Category.values else ""
    state = request.GET.get("state", "")
    state = state if state in sel.THREAD_STATES else ""
    sort = request.GET.get("sort", "last")
    sort = sort if sort in sel.THREAD_SORTS else "last"
    query = request.GET.get("q", "").strip()[:100]
    rows = sel.thread_list(
        user=request.user,
        topic=topic,
        query=query,
        state=state,
        sort=sort,
        county_id=county.pk if county else None,
    )
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        k: v
        for k, v in (
            ("county", county.code if county else ""),
            ("topic", topic),
            ("state", state),
            ("sort", sort if sort != "last" else ""),
            ("q", query),
        )
        if v
    }
    return render(
        request,
        "helpdesk/community/thread_list.html",
        {
            "page": page,
            "threads": page.object_list,
            "counties": counties,
            "county": county,
            "topic": topic,
            "topics": Category.choices,
            "state": state,
            "states": sel.state_labels(),
            "sort": sort,
            "sorts": sel.sort_labels(),
            "query": query,
            "querystring": urlencode(params),
            "filtered": bool(topic or state or query or county),
            "may_write": sel.may_write_any(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    if not sel.may_write_any(request.user):
        raise PermissionDenied
    counties = list(sel.writable_counties(user=request.user))
    request_id = request.GET.get("request") or request.POST.get("request") or ""
    request_obj = (
        sel.shared_request(user=request.user, public_id=request_id) if request_id else None
    )
    if request_obj is not None:
        counties = [c for c in counties if c.pk == request_obj.county_id]
        if not counties:
            raise PermissionDenied
    initial: dict[str, Any] = {}
    if request_obj is not None:
        initial = {"title": request_obj.subject, "topic": request_obj.category}
    elif request.GET.get("topic") in Category.values:
        initial = {"topic": request.GET["topic"]}
    form = forms.ThreadForm(request.POST or None, initial=initial, counties=counties)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        county = d.get("county") or (counties[0] if len(counties) == 1 else None)
        try:
            thread = svc.thread_create(
                user=request.user,
                county=county,
                topic=d["topic"],
                title=d["title"],
                body=d["body"],
                request_obj=request_obj,
                http_request=request,
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Your discussion is posted."))
            return redirect("helpdesk:thread_detail", thread.public_id)
    return render(
        request,
        "helpdesk/community/thread_form.html",
        {"form": form, "request_obj": request_obj},
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    member = svc.is_member(request.user, thread.county_id)
    form = forms.PostForm(request.POST or None)
    if request.method == "POST":
        if not member:
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.post_create(
                    thread=thread,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    http_request=request,
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
                thread.refresh_from_db()
                if thread.locked:  # the form is not shown on a locked thread
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Your reply is posted."))
                return redirect(f"{request.path}#latest")
    now = timezone.now()
    posts = list(sel.thread_posts(thread=thread))
    may_answer = svc.may_mark_answer(request.user, thread)
    rows = [
        {
            "post": p,
            "first": i == 0,
            "editable": svc.may_edit_post(request.user, p, now=now),
        }
        for i, p in enumerate(posts)
    ]
    for p in posts:
        p.thread = thread  # the edit check above reads the thread; no query per post
    return render(
        request,
        "helpdesk/community/thread_detail.html",
        {
            "thread": thread,
            "rows": rows,
            "form": form,
            "member": member,
            "may_reply": member and not thread.locked,
            "may_answer": may_answer,
            "may_moderate": svc.may_moderate(request.user, thread.county_id),
            "request_link": sel.request_link(user=request.user, request_obj=thread.request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    post = sel.post_get(user=request.user, public_id=public_id)
    if post.author_id != getattr(request.user, "person_id", None) or not svc.is_member(
        request.user, post.county_id
    ):
        raise PermissionDenied
    form = forms.PostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            svc.post_edit(
                post=post, user=request.user, body=form.cleaned_data["body"], http_request=request
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Your post is saved."))
            return redirect("helpdesk:thread_detail", post.thread.public_id)
    return render(
        request,
        "helpdesk/community/post_form.html",
        {
            "form": form,
            "post": post,
            "thread": post.thread,
            "editable": svc.may_edit_post(request.user, post),
        },
    )


@login_required
@require_POST
def post_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    post = sel.post_get(user=request.user, public_id=public_id)
    try:
        svc.post_mark_answer(
            post=post, user=request.user, helpful=_flag(request, "helpful"), http_request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Marked as the answer.") if post.helpful else _("No longer marked as the answer."),
        )
    return redirect("helpdesk:thread_detail", post.thread.public_id)


@login_required
@require_POST
def thread_pin(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    svc.thread_pin(
        thread=thread, user=request.user, pinned=_flag(request, "pinned"), http_request=request
    )
    messages.success(request, _("Pinned.") if thread.pinned else _("No longer pinned."))
    return redirect("helpdesk:thread_detail", thread.public_id)


@login_required
@require_POST
def thread_lock(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    thread = sel.thread_get(user=request.user, public_id=public_id)
    svc.thread_lock(
        thread=thread, user=request.user, locked=_flag(request, "locked"), http_request=request
    )
    messages.success(
        request,
        _("Locked: no new replies.") if thread.locked else _("Open again for replies."),
    )
    return redirect("helpdesk:thread_detail", thread.public_id)


# --------------------------------------------------------------------------- shared queue


def _queue_filters(request: HttpRequest, counties: list[Any], schools: list[Any]) -> Any:
    county = _county_param(request, counties)
    category = request.GET.get("category", "")
    platform = request.GET.get("platform", "")
    sort = request.GET.get("sort", "oldest")
    school = None
    if request.GET.get("school"):
        school = next((s for s in schools if str(s.public_id) == request.GET["school"]), None)
        if school is None:
            raise Http404
    filters = sel.QueueFilters(
        category=category if category in Category.values else "",
        platform=platform if platform and platform in Platform.values else "",
        school_id=school.pk if school else None,
        county_id=county.pk if county else None,
        sort=sort if sort in sel.QUEUE_SORTS else "oldest",
    )
    return filters, county, school


@login_required
@require_GET
def shared_queue(request: HttpRequest) -> HttpResponse:
    if not sel.may_read_queue(request.user):
        raise PermissionDenied
    counties = list(sel.counties(user=request.user))
    schools = list(sel.shared_schools(user=request.user))
    filters, county, school = _queue_filters(request, counties, schools)
    rows = sel.shared_queue(user=request.user, filters=filters)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        k: v
        for k, v in (
            ("county", county.code if county else ""),
            ("category", filters.category),
            ("platform", filters.platform),
            ("school", str(school.public_id) if school else ""),
            ("sort", filters.sort if filters.sort != "oldest" else ""),
        )
        if v
    }
    return render(
        request,
        "helpdesk/community/shared_queue.html",
        {
            "page": page,
            "rows": page.object_list,
            "counties": counties,
            "county": county,
            "schools": schools,
            "school": school,
            "filters": filters,
            "categories": Category.choices,
            "platforms": [c for c in Platform.choices if c[0]],
            "sorts": sel.queue_sort_labels(),
            "querystring": urlencode(params),
            "filtered": bool(filters.category or filters.platform or school or county),
            "may_write": sel.may_write_any(request.user),
            "late_count": sum(1 for r in rows if r.overdue),
            "total": len(rows),
        },
    )


@never_cache
@login_required
@require_GET
def shared_queue_export(request: HttpRequest) -> HttpResponse:
    if not sel.may_read_queue(request.user):
        raise PermissionDenied
    counties = list(sel.counties(user=request.user))
    schools = list(sel.shared_schools(user=request.user))
    filters, _county, _school = _queue_filters(request, counties, schools)
    rows = sel.shared_queue(user=request.user, filters=filters)
    headers = [
        pgettext("help request", "Number"),
        _("School"),
        _("Category"),
        _("Platform"),
        pgettext("help request", "Subject"),
        _("Status"),
        _("Raised"),
        _("Escalated to"),
        _("Overdue"),
    ]
    out = [
        [
            r.number,
            r.school_name,
            r.category_label,
            r.platform_label,
            r.subject,
            r.status_label,
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
            r.escalated_to,
            _("yes") if r.overdue else "",
        ]
        for r in rows
    ]
    audit_record(
        actor=request.user,
        action="helpdesk.shared_queue.export",
        request=request,
        detail={"rows": len(out)},
    )
    name = filename(_("shared queue"), timezone.localdate().isoformat())
    return download(render_csv(headers, out), CSV, f"{name}.csv")
