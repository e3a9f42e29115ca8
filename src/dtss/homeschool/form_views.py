"""Pages of class forms (`/homeschool/forms/`): the forms of my classes, sending one, and one
form's reply tracking with the answers (for whoever sent it) and reminders.

Who: the class's homeroom teacher and the school's administrators (`access.may_write_class`).
Students, parents and accounts without a school role get 403 (they answer on the surveys'
"my surveys" page); a form of another school or county is a 404; a teacher of the school who
does not write for the class gets 403.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.framework.reports import csv_safe
from dtss.homeschool import access
from dtss.homeschool import form_forms as forms
from dtss.homeschool import form_selectors as sel
from dtss.homeschool import form_services as svc
from dtss.homeschool.school_views import errors_to_form
from dtss.homeschool.selectors import writable_classes


def _require_staff(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if not (scope.superuser or scope.staff_school_ids):
        raise PermissionDenied


def _run(request: HttpRequest, public_id: uuid.UUID) -> Any:
    from dtss.surveys.models import Run

    _require_staff(request)
    run = get_visible_or_404(Run, request.user, public_id)
    if run.mode != Run.Mode.NAMED:
        raise Http404
    if not svc.may_manage_form(request.user, run):
        raise PermissionDenied
    return run


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:100]
    qs = sel.forms_for(user=request.user, status=status, query=query)
    page = Paginator(qs, django_settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.rate = sel.rate(run.n_invited, run.n_answered)
        run.class_list = list(run.classes.all())
        part = next(iter(run.parts.all()), None)
        run.group = part.get_group_display() if part else ""
    querystring = urlencode({k: v for k, v in {"status": status, "q": query}.items() if v})
    return render(
        request,
        "homeschool/forms/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "querystring": querystring,
            "status": status,
            "query": query,
            "classes": writable_classes(user=request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_send(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    from dtss.orgs.models import SchoolClass

    _require_staff(request)
    school_class = get_visible_or_404(SchoolClass, request.user, public_id)
    if not access.may_write_class(request.user, school_class):
        raise PermissionDenied
    questionnaires = list(svc.form_questionnaires(school=school_class.school))
    language = get_language() or ""
    default_close = timezone.localtime() + dt.timedelta(days=7)
    form = forms.SendForm(
        initial={"closes_at": default_close.replace(hour=17, minute=0, second=0, microsecond=0)},
        questionnaires=questionnaires,
        language=language,
    )
    status = 200
    if request.method == "POST":
        form = forms.SendForm(request.POST, questionnaires=questionnaires, language=language)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = svc.form_send(
                    user=request.user,
                    school_class=school_class,
                    questionnaire=form.chosen(),
                    group=data["group"],
                    title=data["title"],
                    closes_at=data["closes_at"],
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                n = run.invitations.count()
                messages.success(
                    request,
                    _("The form was sent: %(n)d invitations.") % {"n": n},
                )
                return redirect("homeschool:form_detail", run.public_id)
        status = 400
    return render(
        request,
        "homeschool/forms/send.html",
        {"school_class": school_class, "form": form, "questionnaires": questionnaires},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    from dtss.surveys import selectors as survey_selectors
    from dtss.surveys.models import Run

    run = _run(request, public_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "remind":
                counts = svc.form_remind(user=request.user, run=run)
                text = (
                    _(
                        "Reminded: %(sent)d by email, %(notified)d in the app; "
                        "%(skipped)d were reminded less than 20 hours ago."
                    )
                    % counts
                )
                messages.success(request, text)
            elif action == "close":
                svc.form_close(user=request.user, run=run)
                messages.success(request, _("The form was closed."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("homeschool:form_detail", run.public_id)
    show = request.GET.get("show", "")
    rows = sel.tracking(run=run, status=show if show in ("answered", "pending") else "")
    questions, answered = sel.answers(run=run, language=get_language() or "zh-hant")
    if request.GET.get("format") == "csv":
        return _tracking_csv(run, rows, questions, answered)
    now = timezone.now()
    return render(
        request,
        "homeschool/forms/detail.html",
        {
            "run": run,
            "rows": [
                (
                    r,
                    zip(
                        [q.code for q in questions],
                        answered.get(r.invitation.pk) or [""] * len(questions),
                        strict=True,
                    ),
                )
                for r in rows
            ],
            "questions": questions,
            "show": show,
            "summary": sel.summary(run=run),
            "classes": svc.form_classes(run),
            "group": sel.form_group(run),
            "is_open": run.is_open_at(now),
            "may_results": survey_selectors.may_read_results(request.user, run),
            "closed": run.status == Run.Status.CLOSED,
        },
    )


def _tracking_csv(
    run: Any, rows: list[sel.TrackRow], questions: list[Any], answered: dict[int, list[str]]
) -> HttpResponse:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    english = (get_language() or "").startswith("en")
    writer.writerow(
        [_("Name"), _("About (child)"), _("Class"), _("Answered"), _("Reminded"), _("Reminders")]
        + [csv_safe(f"{q.code} {(q.text_en if english else '') or q.text_zh}") for q in questions]
    )
    for r in rows:
        writer.writerow(
            [
                csv_safe(r.person.name),
                csv_safe(r.about.name if r.about else ""),
                csv_safe(str(r.school_class or "")),
                timezone.localtime(r.answered_at).strftime("%Y-%m-%d %H:%M")
                if r.answered_at
                else "",
                timezone.localtime(r.reminded_at).strftime("%Y-%m-%d %H:%M")
                if r.reminded_at
                else "",
                r.reminders,
                *(csv_safe(a) for a in answered.get(r.invitation.pk, [""] * len(questions))),
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"form-{run.public_id}.csv")
    response["Cache-Control"] = "no-store"
    return response
