"""Pages of announcements: the list (filters, paging), create and edit a draft (the owner
chosen from what the user may announce to), publish it, one announcement (opening it is the
read receipt) and its receipts (with a CSV).

Who: anyone signed in reads what is addressed to them (`Announcement.objects.visible_to`); a
county's office, a school's administrators and a class's homeroom teacher write and publish
theirs and see the receipts (others 403); another county's or school's announcement, or a draft
that is not yours, is a 404.
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
from django.views.decorators.http import require_GET, require_http_methods

from dtss.analytics.class_views import CSV, download, filename, render_csv
from dtss.core.services import audit_record
from dtss.core.tenancy import get_visible_or_404
from dtss.homeschool import announce_forms as forms
from dtss.homeschool import announce_selectors as sel
from dtss.homeschool import announce_services as svc
from dtss.homeschool.models import Announcement

ALIASES = {"audience": "to_staff", "published_at": None, "owner": "owner"}


def errors_to_form(form: Any, exc: ValidationError, aliases: dict[str, Any] | None = None) -> None:
    aliases = aliases or {}
    for name, msgs in exc.message_dict.items():
        name = aliases.get(name, name)
        target = name if name in form.fields else None
        for m in msgs:
            form.add_error(target, m)


def visible_announcement(request: HttpRequest, public_id: UUID) -> Announcement:
    """One announcement the user sees; a draft only for those who may edit it (else 404)."""
    a = get_visible_or_404(Announcement, request.user, public_id)
    if a.published_at is None and not svc.may_edit(request.user, a):
        raise Http404
    return a


def _owned(request: HttpRequest, public_id: UUID) -> Announcement:
    a = visible_announcement(request, public_id)
    if not svc.may_edit(request.user, a):
        raise PermissionDenied
    return a


def audience_label(a: Announcement) -> str:
    parts = []
    if a.to_staff:
        parts.append(_("staff"))
    if a.to_students:
        parts.append(_("students"))
    if a.to_parents:
        parts.append(_("parents"))
    return ", ".join(parts)


def owner_label(a: Announcement) -> str:
    if a.school_class_id:
        return f"{a.school.name if a.school else ''} {a.school_class}".strip()
    if a.school_id:
        return str(a.school.name)
    return str(a.county.name)


@login_required
@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    show = show if show in sel.FILTERS else "all"
    owner = request.GET.get("owner", "")
    owner = owner if owner in sel.OWNERS else ""
    query = request.GET.get("q", "").strip()[:100]
    rows = sel.announcements(user=request.user, show=show, owner=owner, query=query)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = {
        k: v
        for k, v in (("show", show if show != "all" else ""), ("owner", owner), ("q", query))
        if v
    }
    owners = sel.owners(user=request.user)
    return render(
        request,
        "homeschool/announcements/list.html",
        {
            "page": page,
            "rows": [(a, owner_label(a), audience_label(a)) for a in page.object_list],
            "show": show,
            "owner": owner,
            "query": query,
            "shows": [
                ("all", _("All")),
                ("unread", _("Unread")),
                ("urgent", _("Urgent")),
                *([("drafts", _("My drafts"))] if owners else []),
            ],
            "owner_kinds": [
                ("", _("Everyone")),
                ("county", _("County")),
                ("school", _("School")),
                ("class", _("Class")),
            ],
            "may_create": bool(owners),
            "querystring": urlencode(params),
        },
    )


def _form_values(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": d.get("title") or "",
        "body": d.get("body") or "",
        "to_staff": bool(d.get("to_staff")),
        "to_students": bool(d.get("to_students")),
        "to_parents": bool(d.get("to_parents")),
        "urgent": bool(d.get("urgent")),
        "pinned": bool(d.get("pinned")),
        "expires_on": d.get("expires_on"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def announcement_create(request: HttpRequest) -> HttpResponse:
    owners = sel.owners(user=request.user)
    if not owners:
        raise PermissionDenied
    by_key = {k: (county, school, klass) for k, _l, county, school, klass in owners}
    initial: dict[str, Any] = {}
    if len(owners) == 1:
        initial["owner"] = owners[0][0]
    wanted = request.GET.get("owner", "")
    if wanted in by_key:
        initial["owner"] = wanted
    form = forms.AnnouncementForm(
        request.POST or None, owners=[(k, lbl) for k, lbl, *_r in owners], initial=initial
    )
    if request.method == "POST" and form.is_valid():
        county, school, klass = by_key[form.cleaned_data["owner"]]
        try:
            a = svc.announcement_save(
                user=request.user,
                county=county,
                school=school,
                school_class=klass,
                **_form_values(form.cleaned_data),
            )
        except ValidationError as exc:
            errors_to_form(form, exc, ALIASES)
        else:
            messages.success(request, _("Draft saved. Check it, then publish it."))
            return redirect("homeschool:announcement_detail", a.public_id)
    return render(request, "homeschool/announcements/form.html", {"form": form, "a": None})


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = _owned(request, public_id)
    if a.published_at is not None:
        messages.error(request, _("A published announcement is not changed any more."))
        return redirect("homeschool:announcement_detail", a.public_id)
    initial = {
        "title": a.title,
        "body": a.body,
        "to_staff": a.to_staff,
        "to_students": a.to_students,
        "to_parents": a.to_parents,
        "urgent": a.urgent,
        "pinned": a.pinned,
        "expires_on": a.expires_on,
    }
    form = forms.AnnouncementForm(request.POST or None, owners=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.announcement_save(
                user=request.user, announcement=a, **_form_values(form.cleaned_data)
            )
        except ValidationError as exc:
            errors_to_form(form, exc, ALIASES)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("homeschool:announcement_detail", a.public_id)
    return render(
        request,
        "homeschool/announcements/form.html",
        {"form": form, "a": a, "owner_name": owner_label(a)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = _owned(request, public_id)
    if a.published_at is not None:
        messages.info(request, _("This announcement is already published."))
        return redirect("homeschool:announcement_detail", a.public_id)
    if request.method == "POST":
        try:
            n = svc.announcement_publish(user=request.user, announcement=a)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Published. %(n)d people were notified.") % {"n": n})
        return redirect("homeschool:announcement_detail", a.public_id)
    notifies = bool(a.school_id) or a.urgent
    return render(
        request,
        "homeschool/announcements/publish.html",
        {
            "a": a,
            "owner_name": owner_label(a),
            "audience": audience_label(a),
            "expected": svc.audience(a).count(),
            "notifies": notifies,
        },
    )


@login_required
@require_GET
def announcement_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = visible_announcement(request, public_id)
    if a.published_at is not None:
        svc.announcement_read(user=request.user, announcement=a)
    editable = svc.may_edit(request.user, a)
    return render(
        request,
        "homeschool/announcements/detail.html",
        {
            "a": a,
            "owner_name": owner_label(a),
            "audience": audience_label(a),
            "editable": editable,
            "expired": a.expires_on is not None and a.expires_on < timezone.localdate(),
        },
    )


@never_cache
@login_required
@require_GET
def announcement_receipts(request: HttpRequest, public_id: UUID) -> HttpResponse:
    a = _owned(request, public_id)
    r = sel.receipts(announcement=a)
    if request.GET.get("format") == "csv":
        return _receipts_csv(request, a, r)
    return render(
        request,
        "homeschool/announcements/receipts.html",
        {"a": a, "r": r, "owner_name": owner_label(a), "audience": audience_label(a)},
    )


def _part_label(part: str) -> str:
    return {"students": _("student"), "parents": _("parent"), "staff": _("staff")}.get(part, part)


def _receipts_csv(request: HttpRequest, a: Announcement, r: sel.Receipts) -> HttpResponse:
    headers = [
        _("Class") if r.by == "class" else _("School"),
        _("Expected readers"),
        pgettext("announcement", "Read"),
        _("Share read (%)"),
    ]
    rows: list[list[Any]] = [
        [
            _("School staff") if row.label == "staff" else row.label,
            row.expected,
            row.read,
            row.share,
        ]
        for row in r.rows
    ]
    rows.append([_("Total"), r.expected, r.read, r.share])
    if r.unread_names:
        rows.append([])
        rows.append([_("Not read yet"), _("Who"), "", ""])
        rows += [[name, _part_label(part), "", ""] for name, part in r.unread_names]
    audit_record(
        actor=request.user,
        action="homeschool.announcement_receipts_export",
        obj=a,
        request=request,
        detail={"rows": len(r.rows)},
    )
    name = filename(_("read receipts"), a.title[:40], timezone.localdate().isoformat())
    return download(render_csv(headers, rows), CSV, f"{name}.csv")
