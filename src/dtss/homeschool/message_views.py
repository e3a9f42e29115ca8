"""Pages of teacher–parent messages: my conversations, start one, one thread (with the send
form), send, and the CSV export. There is no page to edit or delete a message: messages are
kept as a record.

Who: the two people in a conversation read and write it; the school's administrators read
every conversation of the school (audited) but do not write (403); anyone else — another
family, another teacher, another school — gets a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.homeschool import message_forms as forms
from dtss.homeschool import message_selectors as sel
from dtss.homeschool import message_services as svc
from dtss.homeschool.announce_views import errors_to_form
from dtss.homeschool.models import Conversation


def held_note(person: Any, until: Any) -> str:
    return _("%(name)s has quiet hours now; they will be notified at %(time)s.") % {
        "name": person.name,
        "time": timezone.localtime(until).strftime("%H:%M"),
    }


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    scope = scope_for(request.user)
    pid = scope.person_id
    rows = sel.conversations(user=request.user, query=query)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    parent_view = bool(scope.child_ids) and not scope.staff_school_ids
    groups = sel.by_child(items) if parent_view else [(None, items)]
    may_start = bool(sel.start_choices(user=request.user))
    return render(
        request,
        "homeschool/messages/list.html",
        {
            "page": page,
            "groups": groups,
            "rows": items,
            "query": query,
            "me": pid,
            "parent_view": parent_view,
            "may_start": may_start,
            "querystring": urlencode({"q": query} if query else {}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_start(request: HttpRequest) -> HttpResponse:
    choices = sel.start_choices(user=request.user)
    if not choices:
        raise PermissionDenied
    form = forms.StartForm(request.POST or None, choices=choices)
    if request.method == "GET":
        student, person = request.GET.get("student", ""), request.GET.get("teacher", "")
        if not person:
            person = request.GET.get("parent", "")
        key = f"{student}:{person}"
        if key in form.pairs:
            form.initial["pair"] = key
    if request.method == "POST" and form.is_valid():
        student, person, role = form.cleaned_data["pair"]
        me = request.user.person
        teacher, parent = (person, me) if role == "parent" else (me, person)
        try:
            conv = svc.conversation_start(
                user=request.user, teacher=teacher, parent=parent, student=student
            )
        except ValidationError as exc:
            errors_to_form(form, exc, {"teacher": "pair", "parent": "pair", "student": "pair"})
        else:
            return redirect("homeschool:conversation_detail", conv.public_id)
    return render(request, "homeschool/messages/start.html", {"form": form})


def _detail(request: HttpRequest, conv: Conversation, form: Any = None) -> HttpResponse:
    pid = scope_for(request.user).person_id
    participant = pid in (conv.teacher_id, conv.parent_id)
    if participant:
        svc.conversation_read(user=request.user, conversation=conv)
    else:
        svc.conversation_audit_read(user=request.user, conversation=conv, request=request)
    other = None
    hold = None
    if participant:
        other = conv.parent if pid == conv.teacher_id else conv.teacher
        hold = svc.quiet_hold(person=other, school_id=conv.school_id, now=timezone.now())
        form = form or forms.MessageForm(teacher=pid == conv.teacher_id)
    return render(
        request,
        "homeschool/messages/detail.html",
        {
            "c": conv,
            "thread": list(sel.thread(conversation=conv)),
            "form": form if participant else None,
            "participant": participant,
            "me": pid,
            "other": other,
            "quiet_note": held_note(other, hold) if hold else "",
        },
    )


@login_required
@require_GET
def conversation_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    conv = get_visible_or_404(Conversation, request.user, public_id)
    return _detail(request, conv)


@login_required
@require_POST
def message_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    conv = get_visible_or_404(Conversation, request.user, public_id)
    pid = scope_for(request.user).person_id
    if pid not in (conv.teacher_id, conv.parent_id):
        raise PermissionDenied
    form = forms.MessageForm(request.POST, teacher=pid == conv.teacher_id)
    if form.is_valid():
        try:
            sent = svc.message_send(
                user=request.user,
                conversation=conv,
                body=form.cleaned_data["body"],
                urgent=bool(form.cleaned_data.get("urgent")),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            other = conv.parent if pid == conv.teacher_id else conv.teacher
            if sent.held_until is not None:
                messages.info(request, held_note(other, sent.held_until))
            else:
                messages.success(request, _("Sent."))
            return redirect("homeschool:conversation_detail", conv.public_id)
    return _detail(request, conv, form)


@never_cache
@login_required
@require_GET
def conversation_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    conv = get_visible_or_404(Conversation, request.user, public_id)
    headers = [_("Sent"), _("From"), _("Message"), _("Urgent"), _("Read")]

    def when(v: Any) -> str:
        return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if v else ""

    rows = [
        [when(m.sent_at), m.sender.name, m.body, _("yes") if m.urgent else "", when(m.read_at)]
        for m in sel.thread(conversation=conv)
    ]
    audit_record(
        actor=request.user,
        action="homeschool.conversation_export",
        obj=conv,
        request=request,
        detail={"rows": len(rows)},
    )
    name = filename(_("messages"), conv.student.name, timezone.localdate().isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")
