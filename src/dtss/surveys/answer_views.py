"""Answering pages (phones first): my surveys, typing an access code, answering an anonymous run
with a code or a class link, answering a named run's invitation.

Anonymity: the anonymous pages never look at `request.user` — nothing of the person (account,
session, address) reaches the services, the audit log or the log, whether or not someone is
signed in. They use no messages (which would sit in the session) and send no-store headers.
A failing code gets the same answer whatever the reason (unknown, used, run closed).

The questions are drawn from the questionnaire; skip logic runs live in the browser
(static/surveys/answer.js, which mirrors logic.py from the data given here) and again on the
server, which decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dtss.core.tenancy import scope_for
from dtss.surveys import logic, selectors, services
from dtss.surveys.labels import scale_labels
from dtss.surveys.models import AccessCode, Invitation, Kind, Question, Questionnaire
from dtss.surveys.run_forms import CodeEntryForm

SCALE_ORDER = (5, 4, 3, 2, 1)
FILE_ACCEPT = ",".join(sorted(services.FILE_TYPES))


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    """Named runs waiting for the signed-in person, and those answered (still changeable)."""
    invitations = selectors.my_invitations(user=request.user)
    return render(
        request,
        "surveys/my_surveys.html",
        {
            "waiting": [i for i in invitations if i.answered_at is None],
            "answered": [i for i in invitations if i.answered_at is not None],
            "is_staff": scope_for(request.user).is_staff_level,
            "just_sent": request.GET.get("sent") == "1",  # answer.js forgets the draft sent
        },
    )


# --- the questionnaire as a page ---------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    na: bool = False


@dataclass
class QuestionView:
    question: Question
    code: str
    kind: str
    text: str
    help: str
    required: bool
    value: Any  # what to show: a string, or a list for multiple choice
    error: str = ""
    options: list[Option] = field(default_factory=list)
    max_length: int | None = None
    file_name: str = ""  # named runs: the file sent earlier


def _python_str(value: Any) -> str:
    return str(value)


def _condition_for_js(c: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """A condition with its value pre-converted the way logic.py converts it (str() for
    equality, float() for bounds), so that the browser compares exactly as the server;
    `scale` tells that the question it refers to is the agreement scale (where 0 is N/A)."""
    target = c.get("value")
    try:
        bound: float | None = float(target)  # type: ignore[arg-type]
        if not math.isfinite(bound):
            bound = None
    except (TypeError, ValueError):
        bound = None
    targets = target if isinstance(target, list) else [target]
    return {
        "q": c.get("q", ""),
        "op": c.get("op", ""),
        "target": _python_str(target),
        "targets": [_python_str(t) for t in targets],
        "bound": bound,
        "scale": kinds.get(str(c.get("q", ""))) == Kind.SCALE5,
    }


def _error_text(q: Question, message: str) -> str:
    """The engine's answer errors (plain English) in the page's language."""
    m = str(message)
    if m == "this question is required":
        return _("Please answer this question.")
    if m == "choose a point of the scale":
        return _("Choose one point of the scale.")
    if m == "choose one option" or m.endswith("is not one of the options"):
        return _("Choose one of the options.")
    if m == "enter a number":
        return _("Enter a number.")
    if q.kind == Kind.NUMBER and (m.startswith("at least") or m.startswith("at most")):
        if q.min_value is not None and q.max_value is not None:
            return _("Enter a number from %(min)s to %(max)s.") % {
                "min": f"{q.min_value:g}",
                "max": f"{q.max_value:g}",
            }
        if m.startswith("at least"):
            return _("Enter a number of at least %(min)s.") % {"min": f"{q.min_value:g}"}
        return _("Enter a number of at most %(max)s.") % {"max": f"{q.max_value:g}"}
    if q.kind in logic.MAX_TEXT and m.startswith("at most"):
        return _("Write at most %(n)d characters.") % {"n": logic.MAX_TEXT[q.kind]}
    if m.startswith("enter a date"):
        return _("Enter a date (YYYY-MM-DD).")
    if m == "PDF, images or Office documents only":
        return _("Send a PDF, an image or an Office document.")
    if m == "at most 10 MB":
        return _("The file is larger than 10 MB.")
    return m


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.select_related("section").order_by(
            "section__order", "section_id", "order", "id"
        )
    )


def _page(
    questionnaire: Questionnaire,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    files: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections with their question views, the skip-logic data for answer.js)."""
    language = get_language() or ""
    files = files or {}
    scale = scale_labels(language)
    sections: list[dict[str, Any]] = []
    spec: list[dict[str, Any]] = []
    questions = list(_questions(questionnaire))
    kinds = {q.code: q.kind for q in questions}
    for q in questions:
        s = q.section
        if not sections or sections[-1]["section"].pk != s.pk:
            en = language.startswith("en")
            sections.append(
                {
                    "section": s,
                    "index": len(sections),
                    "title": (s.title_en if en and s.title_en else s.title_zh),
                    "intro": (s.intro_en if en and s.intro_en else s.intro_zh),
                    "questions": [],
                }
            )
        value = values.get(q.code, [] if q.kind == Kind.MULTIPLE else "")
        view = QuestionView(
            question=q,
            code=q.code,
            kind=q.kind,
            text=q.text(language),
            help=q.help(language),
            required=q.required,
            value=value,
            error=_error_text(q, errors[q.code]) if q.code in errors else "",
            max_length=logic.MAX_TEXT.get(q.kind),
            file_name=files.get(q.code, ""),
        )
        if q.kind == Kind.SCALE5:
            view.options = [Option(str(n), scale[n], str(value) == str(n)) for n in SCALE_ORDER]
            view.options.append(Option("0", scale[0], str(value) == "0", na=True))
        elif q.kind in (Kind.SINGLE, Kind.MULTIPLE):
            chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
            view.options = [
                Option(
                    str(o.get("value")),
                    q.option_label(str(o.get("value")), language),
                    str(o.get("value")) in chosen,
                )
                for o in q.options
            ]
        sections[-1]["questions"].append(view)
        spec.append(
            {
                "code": q.code,
                "kind": q.kind,
                "section": sections[-1]["index"],
                "required": q.required,
                "options": [str(o.get("value")) for o in q.options],
                "min": q.min_value,
                "max": q.max_value,
                "maxlen": logic.MAX_TEXT.get(q.kind),
                "show_if": [_condition_for_js(c, kinds) for c in q.show_if or []],
                "section_show_if": [_condition_for_js(c, kinds) for c in s.show_if or []],
            }
        )
    return sections, spec


def _raw_answers(request: HttpRequest, questions: list[Question]) -> dict[str, Any]:
    """The posted answers by question code, as typed (files apart)."""
    raw: dict[str, Any] = {}
    for q in questions:
        if q.kind == Kind.FILE:
            continue
        if q.kind == Kind.MULTIPLE:
            raw[q.code] = request.POST.getlist(q.code)
        else:
            raw[q.code] = request.POST.get(q.code, "")
    return raw


def _error_summary(sections: list[dict[str, Any]]) -> list[QuestionView]:
    return [v for s in sections for v in s["questions"] if v.error]


# --- access codes ------------------------------------------------------------------------------


def _draft_key_for_code(code: str) -> str:
    """The browser's key of the draft typed for a code (the code as code_lookup reads it)."""
    return "dtss:survey:code:" + "".join(code.split()).upper().replace("-", "")


def _unavailable(request: HttpRequest, *, draft_key: str = "") -> HttpResponse:
    return render(request, "surveys/answer/unavailable.html", {"draft_key": draft_key}, status=404)


@never_cache
def code_entry(request: HttpRequest) -> HttpResponse:
    """Type the code printed on a slip; go on to the questionnaire."""
    form = CodeEntryForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ac = services.code_lookup(form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", _flat_code_error(exc))
            status = 404
        else:
            return redirect("surveys:answer_code", code=ac.code)
    elif request.method == "POST":
        status = 400
    return render(request, "surveys/answer/code.html", {"form": form}, status=status)


def _flat_code_error(exc: ValidationError) -> str:
    del exc  # the same words whatever went wrong with a code
    return _("This code is not valid, has been used or the survey is closed.")


def _lookup(code: str) -> AccessCode | None:
    try:
        return services.code_lookup(code)
    except ValidationError:
        return None


@never_cache
def answer_code(request: HttpRequest, code: str) -> HttpResponse:
    """Answer an anonymous run with a one-time code or a class link, signed in or not; nothing
    about the person is passed on or stored."""
    ac = _lookup(code)
    if ac is None:
        return _unavailable(request, draft_key=_draft_key_for_code(code))
    if ac.code != code:
        return redirect("surveys:answer_code", code=ac.code)
    part = ac.part
    run, questionnaire = part.run, part.questionnaire
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _raw_answers(request, _questions(questionnaire))
        try:
            services.submission_anonymous(code=ac.code, answers=values)
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {}
            if "code" in found or not found:
                return _unavailable(request, draft_key=_draft_key_for_code(ac.code))
            errors = {k: v[0] for k, v in found.items()}
            status = 400
        else:
            return redirect("surveys:answer_thanks")
    sections, spec = _page(questionnaire, values=values, errors=errors)
    language = get_language() or ""
    return render(
        request,
        "surveys/answer/form.html",
        {
            "anonymous": True,
            "run": run,
            "questionnaire": questionnaire,
            "title": questionnaire.title(language),
            "intro": _intro(questionnaire, language),
            "where": ac.school_class or ac.school,
            "school": ac.school,
            "sections": sections,
            "spec": spec,
            "error_summary": _error_summary(sections),
            "draft_key": _draft_key_for_code(ac.code),
            "restore": request.method != "POST",
            "multipart": False,
            "action": reverse("surveys:answer_code", args=[ac.code]),
        },
        status=status,
    )


def _intro(questionnaire: Questionnaire, language: str) -> str:
    if language.startswith("en") and questionnaire.intro_en:
        return questionnaire.intro_en
    return questionnaire.intro_zh


@never_cache
def answer_thanks(request: HttpRequest) -> HttpResponse:
    """After sending: the same page for everyone, saying nothing about what was answered."""
    return render(request, "surveys/answer/thanks.html")


# --- named runs ----------------------------------------------------------------------------------


def _my_invitation(request: HttpRequest, public_id: UUID) -> Invitation:
    """The signed-in person's own invitation; anybody else's is a 404."""
    person_id = scope_for(request.user).person_id
    inv = (
        Invitation.objects.filter(public_id=public_id, person_id=person_id)
        .select_related("run", "part", "part__questionnaire", "about", "school", "school_class")
        .first()
        if person_id
        else None
    )
    if inv is None:
        raise Http404
    return inv


def _stored_answers(inv: Invitation) -> tuple[dict[str, Any], dict[str, str]]:
    """(values to show by code, names of files sent) of the invitation's submission."""
    values: dict[str, Any] = {}
    files: dict[str, str] = {}
    submission = getattr(inv, "submission", None)
    if submission is None:
        return values, files
    for a in submission.answers.select_related("question"):
        q = a.question
        if q.kind == Kind.FILE:
            if a.file:
                files[q.code] = str(a.value or a.file.name)
            continue
        v = a.value
        if q.kind == Kind.MULTIPLE:
            values[q.code] = [str(x) for x in (v or [])]
        elif v is None:
            values[q.code] = ""
        else:
            values[q.code] = str(v)
    return values, files


def _display(view: QuestionView) -> str:
    """An answer as text, for the read-only page of a closed run."""
    if view.kind == Kind.FILE:
        return view.file_name
    if view.options:
        return "、".join(o.label for o in view.options if o.checked)
    return view.value if isinstance(view.value, str) else ""


@login_required
@never_cache
def answer_invitation(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A named run: the invited person answers, or changes the answer while the run is open."""
    inv = _my_invitation(request, public_id)
    run, questionnaire = inv.run, inv.part.questionnaire
    stored, stored_files = _stored_answers(inv)
    open_now = run.is_open_at(timezone.now())
    values, errors, status = stored, {}, 200
    form_error = ""
    if request.method == "POST":
        if not open_now:
            messages.error(request, _("The survey is not open."))
            return redirect("surveys:answer_invitation", public_id=inv.public_id)
        questions = _questions(questionnaire)
        values = _raw_answers(request, questions)
        files = {}
        for q in questions:
            if q.kind != Kind.FILE:
                continue
            upload = request.FILES.get(q.code)
            if upload is not None:
                files[q.code] = upload
            elif q.code in stored_files and not request.POST.get(f"{q.code}-remove"):
                values[q.code] = stored_files[q.code]  # keep the file sent earlier
        try:
            services.submission_named(
                invitation=inv, user=request.user, answers=values, files=files
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: v[0] for k, v in exc.message_dict.items() if k != NON_FIELD_ERRORS}
                form_error = " ".join(exc.message_dict.get(NON_FIELD_ERRORS, []))
            else:
                form_error = " ".join(exc.messages)
            status = 400
        else:
            messages.success(
                request,
                _("Thank you: your answers were saved. You may change them until %(when)s.")
                % {"when": f"{timezone.localtime(run.closes_at):%Y-%m-%d %H:%M}"},
            )
            return redirect(reverse("surveys:my_surveys") + "?sent=1")
    sections, spec = _page(questionnaire, values=values, errors=errors, files=stored_files)
    language = get_language() or ""
    answered_at = inv.answered_at
    return render(
        request,
        "surveys/answer/form.html",
        {
            "anonymous": False,
            "invitation": inv,
            "run": run,
            "questionnaire": questionnaire,
            "title": questionnaire.title(language),
            "intro": _intro(questionnaire, language),
            "where": inv.school_class or inv.school,
            "school": inv.school,
            "about": inv.about,
            "sections": sections,
            "spec": spec,
            "error_summary": _error_summary(sections),
            "form_error": form_error,
            "draft_key": f"dtss:survey:invitation:{inv.public_id}",
            "restore": request.method != "POST",
            "server_at": int(answered_at.timestamp() * 1000) if answered_at else 0,
            "multipart": any(q.kind == Kind.FILE for s in sections for q in s["questions"]),
            "file_accept": FILE_ACCEPT,
            "action": reverse("surveys:answer_invitation", args=[inv.public_id]),
            "readonly": not open_now,
            "answers": [(v, _display(v)) for s in sections for v in s["questions"]]
            if not open_now
            else [],
        },
        status=status,
    )
