"""Pages of the questionnaire builder: the list, creating (blank or from the bank), the editor
(sections, questions, skip logic), the bank browser and the preview.

Every view starts from `selectors.questionnaires` / `get_visible_or_404`: another county's or
school's questionnaire is a 404, the same as a missing one, and its sections and questions are
looked up inside it. Students, parents and accounts without a staff role get 403; staff who may
see a questionnaire but not manage it (`services.may_manage`) read it and get 403 on changes.
A questionnaire with answers (`is_locked`) is read-only: copy it to change it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtss.core.tenancy import get_visible_or_404, scope_for
from dtss.surveys import selectors, services
from dtss.surveys.builder_forms import (
    BANK_GROUPS,
    AddFromBankForm,
    BankQuestionForm,
    FromBankForm,
    QuestionForm,
    QuestionnaireForm,
    SectionForm,
    describe_condition,
    option_label,
    options_to_text,
)
from dtss.surveys.labels import scale_labels
from dtss.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Group,
    Kind,
    Question,
    Questionnaire,
    Section,
)

Owner = tuple[str, str, Any, Any]
LOCKED = gettext_lazy(
    "This questionnaire already has answers and cannot be changed. Make a copy to change it."
)


# --- helpers ------------------------------------------------------------------------------------


def _language() -> str:
    return get_language() or ""


def _staff_only(request: HttpRequest) -> None:
    if not scope_for(request.user).is_staff_level:
        raise PermissionDenied


def _may_manage(user: Any, qn: Questionnaire) -> bool:
    return services.may_manage(user, county_id=qn.county_id, school_id=qn.school_id)


def _questionnaire(request: HttpRequest, public_id: Any, *, manage: bool = False) -> Questionnaire:
    """The questionnaire if the user may see it (404 otherwise); with `manage`, 403 unless the
    user may change it."""
    _staff_only(request)
    qn = get_visible_or_404(Questionnaire, request.user, public_id)
    if manage and not _may_manage(request.user, qn):
        raise PermissionDenied
    return qn


def _section(qn: Questionnaire, section_id: Any) -> Section:
    return get_object_or_404(qn.sections.all(), public_id=section_id)


def _question(qn: Questionnaire, question_id: Any) -> Question:
    return get_object_or_404(qn.questions.select_related("section"), public_id=question_id)


def editor_url(qn: Questionnaire, anchor: str = "") -> str:
    url = reverse("surveys:questionnaire_detail", args=[qn.public_id])
    return f"{url}#{anchor}" if anchor else url


def _locked(request: HttpRequest, qn: Questionnaire) -> HttpResponse:
    messages.error(request, LOCKED)
    return redirect(editor_url(qn))


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    """A service's errors on the form: on the field it names when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _owner_choices(user: Any) -> list[Owner]:
    """Where the user may create a questionnaire or a bank question: the county (its
    administrators), then the schools the user administers."""
    from dtss.orgs.models import County, School

    scope = scope_for(user)
    counties = (
        County.objects.all()
        if scope.superuser
        else County.objects.filter(pk__in=scope.admin_county_ids)
    )
    out: list[Owner] = [
        (f"county:{c.public_id}", _("%(county)s (county)") % {"county": c.name}, c, None)
        for c in counties.order_by("code")
    ]
    schools = School.objects.filter(pk__in=scope.admin_school_ids, active=True)
    for s in schools.select_related("county").order_by("code"):
        out.append((f"school:{s.public_id}", f"{s.code} {s.name}", s.county, s))
    return out


def _item_choices() -> list[tuple[str, str]]:
    """The items of the current framework version, schools' (S) first, then counties' (L)."""
    from dtss.framework.models import Item

    items = sorted(
        Item.objects.filter(version__is_current=True), key=lambda i: (i.level != "school", i.order)
    )
    return [(i.code, f"{i.code} {i.title}") for i in items]


def _ordered_questions(qn: Questionnaire) -> list[Question]:
    return list(
        qn.questions.select_related("section").order_by(
            "section__order", "section_id", "order", "id"
        )
    )


def _section_key(section: Section) -> tuple[int, int]:
    return (section.order, section.pk)


def _earlier_than_question(qn: Questionnaire, question: Question) -> list[Question]:
    ordered = _ordered_questions(qn)
    return ordered[: next(i for i, q in enumerate(ordered) if q.pk == question.pk)]


def _earlier_than_new_question(qn: Questionnaire, section: Section) -> list[Question]:
    """A new question goes last in its section."""
    return [q for q in _ordered_questions(qn) if _section_key(q.section) <= _section_key(section)]


def _earlier_than_section(qn: Questionnaire, section: Section | None) -> list[Question]:
    """A section's conditions may use the questions of the sections before it (a new section
    goes last)."""
    ordered = _ordered_questions(qn)
    if section is None:
        return ordered
    return [q for q in ordered if _section_key(q.section) < _section_key(section)]


def _shown(zh: str, en: str, language: str) -> str:
    return en if language.startswith("en") and en else zh


def _section_label(n: int, title: str) -> str:
    label = _("Section %(n)d") % {"n": n}
    return f"{label}: {title}" if title else label


def _section_title(qn: Questionnaire, section: Section) -> str:
    """ "Section 2: title", numbered by position as in the editor."""
    ids = list(qn.sections.order_by("order", "id").values_list("pk", flat=True))
    title = _shown(section.title_zh, section.title_en, _language())
    return _section_label(ids.index(section.pk) + 1, title)


def _outline(qn: Questionnaire, language: str) -> tuple[list[Section], list[Question]]:
    """Sections in order, each with `.items` (its questions in order) and texts for the
    language; every section and question with `.conditions` described for people."""
    sections = list(qn.sections.order_by("order", "id"))
    questions = _ordered_questions(qn)
    by_code = {q.code: q for q in questions}
    by_section: dict[int, list[Question]] = defaultdict(list)
    labels = scale_labels(language)
    for q in questions:
        q.shown_text = q.text(language)  # type: ignore[attr-defined]
        q.shown_help = q.help(language)  # type: ignore[attr-defined]
        q.shown_options = [  # type: ignore[attr-defined]
            (str(o.get("value")), option_label(o, language)) for o in q.options
        ]
        if q.kind == Kind.SCALE5:
            q.shown_options = [(str(n), labels[n]) for n in (1, 2, 3, 4, 5, 0)]  # type: ignore[attr-defined]
        q.conditions = [describe_condition(c, by_code, language) for c in q.show_if or []]  # type: ignore[attr-defined]
        by_section[q.section_id].append(q)
    for s in sections:
        s.shown_title = _shown(s.title_zh, s.title_en, language)  # type: ignore[attr-defined]
        s.shown_intro = _shown(s.intro_zh, s.intro_en, language)  # type: ignore[attr-defined]
        s.conditions = [describe_condition(c, by_code, language) for c in s.show_if or []]  # type: ignore[attr-defined]
        s.items = by_section.get(s.pk, [])  # type: ignore[attr-defined]
        for n, q in enumerate(s.items):  # type: ignore[attr-defined]
            q.first = n == 0  # type: ignore[attr-defined]
            q.last = n == len(s.items) - 1  # type: ignore[attr-defined]
    return sections, questions


# --- the list --------------------------------------------------------------------------------


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    language = _language()
    params = {
        k: request.GET.get(k, "").strip() for k in ("q", "owner", "group", "purpose", "archived")
    }
    visible = selectors.questionnaires(user=request.user)
    qs = visible
    if params["q"]:
        qs = qs.filter(Q(title_zh__icontains=params["q"]) | Q(title_en__icontains=params["q"]))
    if params["owner"] == "county":
        qs = qs.filter(school__isnull=True)
    elif params["owner"]:
        try:
            qs = qs.filter(school__public_id=uuid.UUID(params["owner"]))
        except ValueError:
            qs = qs.none()
    if params["group"] in Group.values:
        qs = qs.filter(group=params["group"])
    if params["purpose"] in Questionnaire.Purpose.values:
        qs = qs.filter(purpose=params["purpose"])
    if params["archived"] == "1":
        qs = qs.filter(archived=True)
    elif params["archived"] != "all":
        qs = qs.filter(archived=False)
    qs = qs.annotate(
        question_count=Count("questions", distinct=True),
        has_answers=Exists(Answer.objects.filter(question__questionnaire=OuterRef("pk"))),
    ).order_by("-created_at", "-id")
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for qn in page.object_list:
        qn.shown_title = qn.title(language)  # type: ignore[attr-defined]
    from dtss.orgs.models import School

    schools = School.objects.filter(pk__in=visible.values("school_id")).order_by("code")
    filtered = any(params.values())
    return render(
        request,
        "surveys/builder/questionnaire_list.html",
        {
            "page": page,
            "params": params,
            "filtered": filtered,
            "schools": schools,
            "groups": Group.choices,
            "purposes": Questionnaire.Purpose.choices,
            "can_create": bool(_owner_choices(request.user)),
            "querystring": _querystring(request),
        },
    )


# --- creating ----------------------------------------------------------------------------------


@login_required
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    owners = _owner_choices(request.user)
    if not owners:
        raise PermissionDenied
    form = QuestionnaireForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        county, school = form.owners[form.cleaned_data["owner"]]
        data = form.cleaned_data
        try:
            qn = services.questionnaire_create(
                actor=request.user,
                county=county,
                school=school,
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                intro_zh=data["intro_zh"],
                intro_en=data["intro_en"],
                purpose=data["purpose"],
                group=data["group"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Questionnaire created. Add its questions."))
            return redirect(editor_url(qn))
    return render(
        request,
        "surveys/builder/questionnaire_form.html",
        {"form": form, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def questionnaire_from_bank(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    owners = _owner_choices(request.user)
    if not owners:
        raise PermissionDenied
    items = _item_choices()
    form = FromBankForm(request.POST or None, owners=owners, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        county, school = form.owners[data["owner"]]
        chosen = set(data["items"])
        try:
            qn = services.questionnaire_from_bank(
                actor=request.user,
                county=county,
                school=school,
                group=data["group"],
                items=[code for code, _label in items if code in chosen],
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                primary=data["primary"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            n = qn.questions.count()
            messages.success(
                request,
                ngettext(
                    "Questionnaire made from the bank with %(n)d question. Review and adapt it.",
                    "Questionnaire made from the bank with %(n)d questions. Review and adapt it.",
                    n,
                )
                % {"n": n},
            )
            return redirect(editor_url(qn))
    return render(
        request,
        "surveys/builder/from_bank.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- the editor --------------------------------------------------------------------------------


@login_required
def questionnaire_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id)
    sections, questions = _outline(qn, _language())
    can_manage = _may_manage(request.user, qn)
    locked = qn.is_locked
    return render(
        request,
        "surveys/builder/editor.html",
        {
            "qn": qn,
            "title": qn.title(_language()),
            "sections": sections,
            "question_count": len(questions),
            "can_manage": can_manage,
            "locked": locked,
            "editable": can_manage and not locked,
            "intro": _shown(qn.intro_zh, qn.intro_en, _language()),
        },
    )


@login_required
def questionnaire_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Title, introduction, purpose and group. A locked questionnaire keeps its purpose and
    group but may still be retitled."""
    qn = _questionnaire(request, public_id, manage=True)
    locked = qn.is_locked
    fields = ["title_zh", "title_en", "intro_zh", "intro_en", "purpose", "group"]
    form = QuestionnaireForm(request.POST or None, initial={f: getattr(qn, f) for f in fields})
    if locked:
        form.lock()
    if request.method == "POST" and form.is_valid():
        changes = {
            f: form.cleaned_data[f] for f in fields if not (locked and f in ("purpose", "group"))
        }
        try:
            services.questionnaire_update(questionnaire=qn, actor=request.user, **changes)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(editor_url(qn))
    return render(
        request,
        "surveys/builder/questionnaire_form.html",
        {"form": form, "qn": qn, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def questionnaire_archive(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    archived = request.POST.get("archived") == "1"
    services.questionnaire_update(questionnaire=qn, actor=request.user, archived=archived)
    if archived:
        messages.success(request, _("Archived: it is hidden from the list and from new runs."))
    else:
        messages.success(request, _("Restored from the archive."))
    return redirect(editor_url(qn))


@login_required
@require_POST
def questionnaire_copy(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    try:
        copy = services.questionnaire_copy(questionnaire=qn, actor=request.user)
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect(editor_url(qn))
    messages.success(request, _("This is a copy, without answers: you can change it."))
    return redirect(editor_url(copy))


@login_required
def questionnaire_preview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The questionnaire as a respondent sees it, in the interface language, read-only, with
    its skip logic written out."""
    qn = _questionnaire(request, public_id)
    language = _language()
    sections, questions = _outline(qn, language)
    return render(
        request,
        "surveys/builder/preview.html",
        {
            "qn": qn,
            "title": qn.title(language),
            "intro": _shown(qn.intro_zh, qn.intro_en, language),
            "sections": sections,
            "question_count": len(questions),
            "choice_kinds": [k.value for k in CHOICE_KINDS],
        },
    )


# --- sections ----------------------------------------------------------------------------------


@login_required
def section_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    if qn.is_locked:
        return _locked(request, qn)
    form = SectionForm(
        request.POST or None, earlier=_earlier_than_section(qn, None), language=_language()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            section = services.section_create(
                questionnaire=qn,
                actor=request.user,
                title_zh=data["title_zh"],
                title_en=data["title_en"],
                intro_zh=data["intro_zh"],
                intro_en=data["intro_en"],
                show_if=data["show_if"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Section added."))
            return redirect(editor_url(qn, f"section-{section.public_id}"))
    return render(
        request,
        "surveys/builder/section_form.html",
        {"form": form, "qn": qn, "section": None},
        status=400 if form.errors else 200,
    )


@login_required
def section_edit(request: HttpRequest, public_id: uuid.UUID, section_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    section = _section(qn, section_id)
    if qn.is_locked:
        return _locked(request, qn)
    fields = ["title_zh", "title_en", "intro_zh", "intro_en"]
    form = SectionForm(
        request.POST or None,
        initial={f: getattr(section, f) for f in fields},
        earlier=_earlier_than_section(qn, section),
        conditions=section.show_if or [],
        language=_language(),
    )
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in [*fields, "show_if"]}
        try:
            services.section_update(section=section, actor=request.user, **changes)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(editor_url(qn, f"section-{section.public_id}"))
    return render(
        request,
        "surveys/builder/section_form.html",
        {"form": form, "qn": qn, "section": section},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_delete(
    request: HttpRequest, public_id: uuid.UUID, section_id: uuid.UUID
) -> HttpResponse:
    """GET: the section and the questions that go with it; POST: delete them."""
    qn = _questionnaire(request, public_id, manage=True)
    section = _section(qn, section_id)
    if qn.is_locked:
        return _locked(request, qn)
    language = _language()
    questions = list(section.questions.order_by("order", "id"))
    section_title = _section_title(qn, section)  # before deleting: a refusal leaves no pk
    error = ""
    if request.method == "POST":
        try:
            services.section_delete(section=section, actor=request.user)
        except ValidationError as exc:
            error = " ".join(_messages(exc))
        else:
            messages.success(request, _("Section deleted."))
            return redirect(editor_url(qn))
    for q in questions:
        q.shown_text = q.text(language)  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/builder/confirm_delete.html",
        {
            "qn": qn,
            "section": section,
            "section_title": section_title,
            "questions": questions,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def section_move(request: HttpRequest, public_id: uuid.UUID, section_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    section = _section(qn, section_id)
    if qn.is_locked:
        return _locked(request, qn)
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is None:
        messages.error(request, _("Move the section up or down."))
    else:
        try:
            services.section_move(section=section, actor=request.user, direction=direction)
        except ValidationError as exc:
            for e in _messages(exc):
                messages.error(request, e)
    return redirect(editor_url(qn, f"section-{section.public_id}"))


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


# --- questions ---------------------------------------------------------------------------------


@login_required
def question_create(
    request: HttpRequest, public_id: uuid.UUID, section_id: uuid.UUID
) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    section = _section(qn, section_id)
    if qn.is_locked:
        return _locked(request, qn)
    form = QuestionForm(
        request.POST or None,
        earlier=_earlier_than_new_question(qn, section),
        language=_language(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            q = services.question_create(
                section=section, actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Question %(code)s added.") % {"code": q.code})
            if "another" in request.POST:
                return redirect(
                    "surveys:question_create", public_id=qn.public_id, section_id=section.public_id
                )
            return redirect(editor_url(qn, f"q-{q.public_id}"))
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            "form": form,
            "qn": qn,
            "section": section,
            "section_title": _section_title(qn, section),
            "question": None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def question_edit(
    request: HttpRequest, public_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    question = _question(qn, question_id)
    if qn.is_locked:
        return _locked(request, qn)
    language = _language()
    sections = list(qn.sections.order_by("order", "id"))
    section_choices = [
        (str(s.public_id), _section_label(n, _shown(s.title_zh, s.title_en, language)))
        for n, s in enumerate(sections, start=1)
    ]
    initial = {
        "kind": question.kind,
        "text_zh": question.text_zh,
        "text_en": question.text_en,
        "help_zh": question.help_zh,
        "help_en": question.help_en,
        "required": question.required,
        "options": options_to_text(question.options),
        "min_value": question.min_value,
        "max_value": question.max_value,
        "strategies": ", ".join(question.strategies or []),
        "pair": question.pair,
        "section": str(question.section.public_id),
    }
    form = QuestionForm(
        request.POST or None,
        initial=initial,
        earlier=_earlier_than_question(qn, question),
        conditions=question.show_if or [],
        language=language,
        sections=section_choices,
    )
    if request.method == "POST" and form.is_valid():
        changes = form.service_fields()
        target = form.cleaned_data.get("section")
        if target and target != str(question.section.public_id):
            new_section = next(s for s in sections if str(s.public_id) == target)
            last = new_section.questions.aggregate(m=Max("order"))["m"] or 0
            changes.update(section=new_section, order=last + 1)  # last in its new section
        try:
            services.question_update(question=question, actor=request.user, **changes)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(editor_url(qn, f"q-{question.public_id}"))
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            "form": form,
            "qn": qn,
            "section": question.section,
            "section_title": _section_title(qn, question.section),
            "question": question,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(
    request: HttpRequest, public_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    question = _question(qn, question_id)
    if qn.is_locked:
        return _locked(request, qn)
    error = ""
    if request.method == "POST":
        try:
            services.question_delete(question=question, actor=request.user)
        except ValidationError as exc:
            error = " ".join(_messages(exc))
        else:
            messages.success(request, _("Question %(code)s deleted.") % {"code": question.code})
            return redirect(editor_url(qn, f"section-{question.section.public_id}"))
    question.shown_text = question.text(_language())  # type: ignore[attr-defined]
    return render(
        request,
        "surveys/builder/confirm_delete.html",
        {"qn": qn, "question": question, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def question_move(
    request: HttpRequest, public_id: uuid.UUID, question_id: uuid.UUID
) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    question = _question(qn, question_id)
    if qn.is_locked:
        return _locked(request, qn)
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is None:
        messages.error(request, _("Move the question up or down."))
    else:
        try:
            services.question_move(question=question, actor=request.user, direction=direction)
        except ValidationError as exc:
            for e in _messages(exc):
                messages.error(request, e)
    return redirect(editor_url(qn, f"q-{question.public_id}"))


# --- the bank ----------------------------------------------------------------------------------


def _render_bank(
    request: HttpRequest,
    *,
    target: Questionnaire | None,
    add_form: AddFromBankForm | None = None,
    status: int = 200,
) -> HttpResponse:
    language = _language()
    params = {
        k: request.GET.get(k, "").strip() for k in ("group", "item", "strategy", "q", "source")
    }
    if target is not None and "group" not in request.GET and target.group in Group.values:
        params["group"] = target.group  # start from the questionnaire's respondents
    qs = selectors.bank(
        user=request.user,
        group=params["group"] if params["group"] in Group.values else "",
        item=params["item"],
        strategy=params["strategy"].upper(),
        text=params["q"],
    ).select_related("county", "school")
    if params["source"] == "builtin":
        qs = qs.filter(county__isnull=True)
    elif params["source"] == "own":
        qs = qs.filter(county__isnull=False)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    for b in page.object_list:
        b.shown_text = _shown(b.text_zh, b.text_en, language)  # type: ignore[attr-defined]
        b.shown_options = [option_label(o, language) for o in b.options]  # type: ignore[attr-defined]
    chosen: set[str] = set()
    if target is not None and add_form is None:
        add_form = AddFromBankForm(
            sections=target.sections.order_by("order", "id"),
            bank=qs,
            initial={"section": request.GET.get("section", "")},
        )
    if add_form is not None and add_form.is_bound:
        chosen = set(add_form.data.getlist("bank"))
    return render(
        request,
        "surveys/builder/bank_list.html",
        {
            "page": page,
            "params": params,
            "groups": BANK_GROUPS,
            "items": _item_choices(),
            "target": target,
            "target_title": target.title(language) if target else "",
            "add_form": add_form,
            "chosen": chosen,
            "can_add": bool(_owner_choices(request.user)),
            "querystring": _querystring(request),
        },
        status=status,
    )


@login_required
def bank_list(request: HttpRequest) -> HttpResponse:
    """The question bank (built-in and the county's and school's own), with `?to=<questionnaire>`
    the page to pick questions for that questionnaire."""
    _staff_only(request)
    target = None
    if request.GET.get("to"):
        try:
            to = uuid.UUID(request.GET["to"])
        except ValueError:
            raise Http404 from None
        target = _questionnaire(request, to, manage=True)
        if target.is_locked:
            messages.error(request, LOCKED)
            target = None
    return _render_bank(request, target=target)


@login_required
@require_POST
def questionnaire_add_from_bank(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    qn = _questionnaire(request, public_id, manage=True)
    if qn.is_locked:
        return _locked(request, qn)
    form = AddFromBankForm(
        request.POST,
        sections=qn.sections.order_by("order", "id"),
        bank=selectors.bank(user=request.user),
    )
    if form.is_valid():
        section = form.cleaned_data["section"]
        try:
            added = services.questions_add_from_bank(
                section=section, actor=request.user, bank_questions=form.cleaned_data["bank"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(n)d question added.", "%(n)d questions added.", len(added))
                % {"n": len(added)},
            )
            return redirect(editor_url(qn, f"section-{section.public_id}"))
    return _render_bank(request, target=qn, add_form=form, status=400)


@login_required
def bank_question_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    owners = _owner_choices(request.user)
    if not owners:
        raise PermissionDenied
    form = BankQuestionForm(request.POST or None, owners=owners, items=_item_choices())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        county, school = form.owners[d["owner"]]
        try:
            services.bank_question_create(
                actor=request.user,
                county=county,
                school=school,
                group=d["group"],
                kind=d["kind"],
                text_zh=d["text_zh"],
                text_en=d["text_en"],
                item=d["item"],
                strategies=d["strategies"],
                pair=d["pair"],
                options=d["options"],
                help_zh=d["help_zh"],
                help_en=d["help_en"],
                min_value=d["min_value"],
                max_value=d["max_value"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Question added to your bank."))
            return redirect(f"{reverse('surveys:bank_list')}?source=own")
    return render(
        request,
        "surveys/builder/bank_question_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
