"""The family page and the landing page of the parent–teacher–student platform.

- `home` (/homeschool/): parents and students go to their family page; teachers and school
  administrators see "my classes" (today's entry, signatures, leave to decide, absences, open
  forms per class); the county's office goes to the reports. Anyone else (no role here, the
  MOE viewer) is refused (403): there is nothing of theirs on this platform.
- `family` (/homeschool/family/): every child of a parent in one place, even at different
  schools, or a student's own card. Only parents and students (403 for everyone else); a
  parent whose children are not linked yet sees an empty state.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dtss.core.tenancy import scope_for
from dtss.homeschool import family_selectors as fsel
from dtss.homeschool import selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.staff_school_ids or scope.superuser:
        classes = list(selectors.writable_classes(user=request.user))
        page = Paginator(classes, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        cards = fsel.class_cards(request.user, list(page.object_list))
        return render(
            request,
            "homeschool/family/home.html",
            {
                "cards": cards,
                "page": page,
                "today": timezone.localdate(),
                "has_family": fsel.is_family(request.user),
            },
        )
    if fsel.is_family(request.user):
        return redirect("homeschool:family")
    if scope.county_ids:
        return redirect("homeschool:reports")
    raise PermissionDenied(_("The contact book is for schools, parents and students."))


@login_required
@require_GET
def family(request: HttpRequest) -> HttpResponse:
    if not fsel.is_family(request.user):
        raise PermissionDenied(_("This page is for parents and students."))
    today = timezone.localdate()
    return render(
        request,
        "homeschool/family/family.html",
        {"cards": fsel.family_cards(request.user), "today": today},
    )
