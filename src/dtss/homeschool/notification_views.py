"""Pages of notifications: the list (delivered ones, unread first), mark read (one or all) and
the person's own settings (email, quiet hours; the school's default shown when they have
none). A notification is its recipient's alone: anyone else's is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.helpdesk.requests_views import safe_page_path
from dtss.homeschool import notification_forms as forms
from dtss.homeschool import selectors, services
from dtss.homeschool.announce_views import errors_to_form
from dtss.homeschool.models import Notification, NotificationPreference


def ordered(qs: Any) -> Any:
    """Unread first, newest first."""
    return qs.order_by(F("read_at").desc(nulls_first=True), "-deliver_at", "-id")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = ordered(selectors.notifications(user=request.user))
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "homeschool/notifications/list.html",
        {
            "page": page,
            "rows": list(page.object_list),
            "unread": selectors.unread_count(user=request.user),
            "querystring": "",
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("id") or request.GET.get("id") or ""
    if wanted:
        n = get_visible_or_404(Notification, request.user, wanted)
        services.notification_mark_read(user=request.user, notifications=[n])
    else:
        count = services.notification_mark_read(user=request.user)
        messages.success(request, _("%(n)d notifications marked read.") % {"n": count})
    nxt = safe_page_path(request.POST.get("next") or request.GET.get("next", ""), request)
    return redirect(nxt or "homeschool:notification_list")


def school_default(user: Any) -> tuple[dt.time, dt.time] | None:
    """The quiet hours of the person's (first) school, or the platform default."""
    from dtss.homeschool.models import HomeschoolSettings

    scope = scope_for(user)
    ids = sorted(scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids)
    row = HomeschoolSettings.objects.filter(school_id__in=ids).order_by("school_id").first()
    if row is None:
        return dt.time(21, 0), dt.time(7, 0)
    if row.quiet_start == row.quiet_end:
        return None
    return row.quiet_start, row.quiet_end


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.person_id is None:
        raise PermissionDenied
    pref = NotificationPreference.objects.filter(person_id=scope.person_id).first()
    default = school_default(request.user)
    if pref is not None:
        initial = {
            "email": pref.email,
            "quiet_enabled": pref.quiet_enabled,
            "quiet_start": pref.quiet_start,
            "quiet_end": pref.quiet_end,
        }
    else:
        initial = {
            "email": True,
            "quiet_enabled": default is not None,
            "quiet_start": default[0] if default else dt.time(21, 0),
            "quiet_end": default[1] if default else dt.time(7, 0),
        }
    form = forms.PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.preference_save(
                user=request.user,
                email=bool(d.get("email")),
                quiet_enabled=bool(d.get("quiet_enabled")),
                quiet_start=d.get("quiet_start"),
                quiet_end=d.get("quiet_end"),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("homeschool:preferences")
    return render(
        request,
        "homeschool/notifications/preferences.html",
        {"form": form, "pref": pref, "default": default},
    )
