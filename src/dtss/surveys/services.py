"""Writes of the surveys app: questionnaires, the bank, runs, codes, answers, reminders.

Keyword-only, atomic, validating before saving (DESIGN.md rule 2). Permission: a county's
questionnaires and runs are managed by its county administrators, a school's by its school
administrators (and the county's administrators).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dtss.core.services import audit_record
from dtss.core.tenancy import scope_for
from dtss.surveys import logic
from dtss.surveys.models import (
    CHOICE_KINDS,
    MIN_GROUP_SIZE,
    AccessCode,
    Answer,
    BankQuestion,
    Group,
    Invitation,
    Kind,
    Question,
    Questionnaire,
    Run,
    RunPart,
    Section,
    Submission,
    new_code,
)

logger = logging.getLogger(__name__)

MAX_CODES = 2000  # per request
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".heic", ".docx", ".xlsx", ".odt", ".txt"}


# --- permissions ------------------------------------------------------------------------------


def may_manage(user: Any, *, county_id: int, school_id: int | None) -> bool:
    scope = scope_for(user)
    if scope.superuser or county_id in scope.admin_county_ids:
        return True
    return school_id is not None and school_id in scope.admin_school_ids


def _require_manager(actor: Any, *, county_id: int, school_id: int | None) -> None:
    if actor is not None and not may_manage(actor, county_id=county_id, school_id=school_id):
        raise PermissionDenied(_("Only the administrators of its county or school may do this."))


def _require_unlocked(questionnaire: Questionnaire) -> None:
    if questionnaire.is_locked:
        raise ValidationError(
            _("This questionnaire already has answers and cannot be changed; make a copy.")
        )


# --- the bank ---------------------------------------------------------------------------------


def _check_options(kind: str, options: Any) -> list[dict[str, str]]:
    if kind not in CHOICE_KINDS:
        return []
    if not isinstance(options, list) or len(options) < 2:
        raise ValidationError({"options": _("A choice question needs at least two options.")})
    out, seen = [], set()
    for i, o in enumerate(options, start=1):
        if isinstance(o, str):
            o = {"zh": o}
        if not isinstance(o, dict) or not str(o.get("zh", "")).strip():
            raise ValidationError({"options": _("Option %(n)d has no Chinese text.") % {"n": i}})
        value = str(o.get("value") or i)
        if value in seen:
            raise ValidationError({"options": _("Option %(n)d repeats a value.") % {"n": i}})
        seen.add(value)
        out.append({"value": value, "zh": str(o["zh"]).strip(), "en": str(o.get("en", "")).strip()})
    return out


def _check_strategies(codes: Any) -> list[str]:
    from dtss.framework.models import Strategy

    if not codes:
        return []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.replace("，", ",").split(",") if c.strip()]
    codes = list(dict.fromkeys(str(c).strip() for c in codes))
    known = set(Strategy.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError(
            {"strategies": _("Unknown strategy ID: %(code)s") % {"code": ", ".join(unknown)}}
        )
    return codes


def _check_range(kind: str, min_value: float | None, max_value: float | None) -> None:
    if (
        kind == Kind.NUMBER
        and min_value is not None
        and max_value is not None
        and min_value > max_value
    ):
        raise ValidationError({"max_value": _("The maximum is below the minimum.")})


@transaction.atomic
def bank_question_create(
    *,
    actor: Any,
    county: Any,
    school: Any = None,
    group: str,
    kind: str,
    text_zh: str,
    text_en: str = "",
    item: str = "",
    strategies: Any = None,
    pair: str = "",
    options: Any = None,
    help_zh: str = "",
    help_en: str = "",
    min_value: float | None = None,
    max_value: float | None = None,
) -> BankQuestion:
    _require_manager(actor, county_id=county.pk, school_id=school.pk if school else None)
    if group not in Group.values:
        raise ValidationError({"group": _("Choose a respondent group.")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of question.")})
    if not text_zh.strip():
        raise ValidationError({"text_zh": _("Write the question in Chinese.")})
    _check_range(kind, min_value, max_value)
    q = BankQuestion(
        county=county,
        school=school,
        group=group,
        kind=kind,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        item=item,
        strategies=_check_strategies(strategies),
        pair=pair.strip(),
        options=_check_options(kind, options or []),
        help_zh=help_zh.strip(),
        help_en=help_en.strip(),
        min_value=min_value,
        max_value=max_value,
    )
    q.full_clean()
    q.save()
    audit_record(actor=actor, action="survey.bank_add", obj=q, county=county, school=school)
    return q


# --- questionnaires ----------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(
    *,
    actor: Any,
    county: Any,
    school: Any = None,
    title_zh: str,
    title_en: str = "",
    intro_zh: str = "",
    intro_en: str = "",
    purpose: str = Questionnaire.Purpose.SURVEY,
    group: str = Group.TEACHERS,
) -> Questionnaire:
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school is not in this county.")})
    _require_manager(actor, county_id=county.pk, school_id=school.pk if school else None)
    if not title_zh.strip():
        raise ValidationError({"title_zh": _("Give the questionnaire a Chinese title.")})
    qn = Questionnaire(
        county=county,
        school=school,
        title_zh=title_zh.strip(),
        title_en=title_en.strip(),
        intro_zh=intro_zh,
        intro_en=intro_en,
        purpose=purpose,
        group=group,
        created_by=actor,
    )
    qn.full_clean()
    qn.save()
    Section.objects.create(questionnaire=qn, order=1)
    audit_record(actor=actor, action="survey.questionnaire_create", obj=qn)
    return qn


@transaction.atomic
def questionnaire_update(
    *, questionnaire: Questionnaire, actor: Any, **fields: Any
) -> Questionnaire:
    _require_manager(actor, county_id=questionnaire.county_id, school_id=questionnaire.school_id)
    allowed = {"title_zh", "title_en", "intro_zh", "intro_en", "archived", "group", "purpose"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if ("group" in fields or "purpose" in fields) and questionnaire.is_locked:
        _require_unlocked(questionnaire)
    for key, value in fields.items():
        setattr(questionnaire, key, value.strip() if isinstance(value, str) else value)
    if not questionnaire.title_zh:
        raise ValidationError({"title_zh": _("Give the questionnaire a Chinese title.")})
    questionnaire.full_clean()
    questionnaire.save()
    audit_record(actor=actor, action="survey.questionnaire_update", obj=questionnaire)
    return questionnaire


@transaction.atomic
def questionnaire_copy(
    *, questionnaire: Questionnaire, actor: Any, county: Any = None, school: Any = None
) -> Questionnaire:
    """A full copy (sections, questions, skip logic) owned by `school`/`county` (default: the
    same owner), titled "… (copy)"; the way to change a questionnaire that has answers."""
    county = county or questionnaire.county
    if school is None and county.pk == questionnaire.county_id:
        school = questionnaire.school
    copy = questionnaire_create(
        actor=actor,
        county=county,
        school=school,
        title_zh=f"{questionnaire.title_zh}（複本）",
        title_en=f"{questionnaire.title_en} (copy)" if questionnaire.title_en else "",
        intro_zh=questionnaire.intro_zh,
        intro_en=questionnaire.intro_en,
        purpose=questionnaire.purpose,
        group=questionnaire.group,
    )
    copy.sections.all().delete()
    for section in questionnaire.sections.order_by("order", "id"):
        new_section = Section.objects.create(
            questionnaire=copy,
            order=section.order,
            title_zh=section.title_zh,
            title_en=section.title_en,
            intro_zh=section.intro_zh,
            intro_en=section.intro_en,
            show_if=section.show_if,
        )
        for q in section.questions.order_by("order", "id"):
            q.pk = None
            q.id = None
            q.public_id = Question._meta.get_field("public_id").get_default()
            q.questionnaire = copy
            q.section = new_section
            q._state.adding = True
            q.save()
    audit_record(
        actor=actor,
        action="survey.questionnaire_copy",
        obj=copy,
        detail={"from": str(questionnaire.public_id)},
    )
    return copy


def _logic_questions(questionnaire: Questionnaire) -> list[logic.Q]:
    out = []
    for q in questionnaire.questions.select_related("section").order_by(
        "section__order", "section_id", "order", "id"
    ):
        out.append(
            logic.Q(
                code=q.code,
                kind=q.kind,
                required=q.required,
                options=q.options,
                min_value=q.min_value,
                max_value=q.max_value,
                show_if=q.show_if,
                section_show_if=q.section.show_if,
            )
        )
    return out


def _check_skip_logic(questionnaire: Questionnaire) -> None:
    """Every condition refers to an earlier question with a fitting operator and value."""
    problems: list[str] = []
    earlier: dict[str, logic.Q] = {}
    seen_sections: set[int] = set()
    for q in questionnaire.questions.select_related("section").order_by(
        "section__order", "section_id", "order", "id"
    ):
        if q.section_id not in seen_sections:
            seen_sections.add(q.section_id)
            problems += logic.check_conditions(q.section.show_if, earlier, str(q.section))
        lq = logic.Q(code=q.code, kind=q.kind, options=q.options)
        problems += logic.check_conditions(q.show_if, earlier, q.code)
        earlier[q.code] = lq
    for section in questionnaire.sections.exclude(pk__in=seen_sections):
        problems += logic.check_conditions(section.show_if, earlier, str(section))
    if problems:
        raise ValidationError({"show_if": problems})


@transaction.atomic
def section_create(
    *,
    questionnaire: Questionnaire,
    actor: Any,
    title_zh: str = "",
    title_en: str = "",
    intro_zh: str = "",
    intro_en: str = "",
    show_if: list[dict[str, Any]] | None = None,
) -> Section:
    _require_manager(actor, county_id=questionnaire.county_id, school_id=questionnaire.school_id)
    _require_unlocked(questionnaire)
    last = questionnaire.sections.aggregate(m=Max("order"))["m"] or 0
    section = Section.objects.create(
        questionnaire=questionnaire,
        order=last + 1,
        title_zh=title_zh.strip(),
        title_en=title_en.strip(),
        intro_zh=intro_zh,
        intro_en=intro_en,
        show_if=show_if or [],
    )
    _check_skip_logic(questionnaire)
    return section


@transaction.atomic
def section_update(*, section: Section, actor: Any, **fields: Any) -> Section:
    qn = section.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    _require_unlocked(qn)
    for key in ("title_zh", "title_en", "intro_zh", "intro_en", "show_if", "order"):
        if key in fields:
            value = fields[key]
            setattr(section, key, value.strip() if isinstance(value, str) else value)
    section.save()
    _check_skip_logic(qn)
    return section


@transaction.atomic
def section_delete(*, section: Section, actor: Any) -> None:
    qn = section.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    _require_unlocked(qn)
    if qn.sections.count() == 1:
        raise ValidationError(_("A questionnaire keeps at least one section."))
    section.delete()
    _check_skip_logic(qn)


def section_move(*, section: Section, actor: Any, direction: int) -> Section:
    """Swap with the section above (-1) or below (+1) in its questionnaire. The skip logic
    must still point backwards afterwards (else ValidationError, nothing changed)."""
    qn = section.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    with transaction.atomic():
        _require_unlocked(qn)
        siblings = list(qn.sections.order_by("order", "id"))
        i = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
        j = i + (1 if direction > 0 else -1)
        if 0 <= j < len(siblings):
            siblings[i], siblings[j] = siblings[j], siblings[i]
        for n, s in enumerate(siblings, start=1):
            if s.order != n:
                Section.objects.filter(pk=s.pk).update(order=n)
        section.refresh_from_db()
        _check_skip_logic(qn)
    return section


def _next_code(questionnaire: Questionnaire) -> str:
    taken = set(questionnaire.questions.values_list("code", flat=True))
    n = len(taken) + 1
    while f"Q{n}" in taken:
        n += 1
    return f"Q{n}"


@transaction.atomic
def question_create(
    *,
    section: Section,
    actor: Any,
    kind: str,
    text_zh: str,
    text_en: str = "",
    help_zh: str = "",
    help_en: str = "",
    required: bool = False,
    options: Any = None,
    min_value: float | None = None,
    max_value: float | None = None,
    strategies: Any = None,
    pair: str = "",
    show_if: list[dict[str, Any]] | None = None,
    bank: BankQuestion | None = None,
) -> Question:
    qn = section.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    _require_unlocked(qn)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of question.")})
    if not text_zh.strip():
        raise ValidationError({"text_zh": _("Write the question in Chinese.")})
    _check_range(kind, min_value, max_value)
    last = section.questions.aggregate(m=Max("order"))["m"] or 0
    q = Question(
        questionnaire=qn,
        section=section,
        order=last + 1,
        code=_next_code(qn),
        kind=kind,
        text_zh=text_zh.strip(),
        text_en=text_en.strip(),
        help_zh=help_zh.strip(),
        help_en=help_en.strip(),
        required=required,
        options=_check_options(kind, options or []),
        min_value=min_value if kind == Kind.NUMBER else None,
        max_value=max_value if kind == Kind.NUMBER else None,
        strategies=_check_strategies(strategies),
        pair=pair.strip(),
        show_if=show_if or [],
        bank=bank,
    )
    q.save()
    _check_skip_logic(qn)
    return q


@transaction.atomic
def question_update(*, question: Question, actor: Any, **fields: Any) -> Question:
    qn = question.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    _require_unlocked(qn)
    allowed = {
        "kind",
        "text_zh",
        "text_en",
        "help_zh",
        "help_en",
        "required",
        "options",
        "min_value",
        "max_value",
        "strategies",
        "pair",
        "show_if",
        "order",
        "section",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in fields.items():
        if key == "section" and value.questionnaire_id != qn.pk:
            raise ValidationError({"section": _("That section belongs to another questionnaire.")})
        setattr(question, key, value.strip() if isinstance(value, str) else value)
    if not question.text_zh:
        raise ValidationError({"text_zh": _("Write the question in Chinese.")})
    if question.kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind of question.")})
    question.options = _check_options(question.kind, question.options)
    question.strategies = _check_strategies(question.strategies)
    _check_range(question.kind, question.min_value, question.max_value)
    question.save()
    _check_skip_logic(qn)
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: Any) -> None:
    qn = question.questionnaire
    _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
    _require_unlocked(qn)
    used_by = [
        q.code
        for q in qn.questions.exclude(pk=question.pk)
        if any(c.get("q") == question.code for c in q.show_if or [])
    ] + [
        str(s)
        for s in qn.sections.all()
        if any(c.get("q") == question.code for c in s.show_if or [])
    ]
    if used_by:
        raise ValidationError(
            _("%(code)s is used by the skip logic of %(others)s; change that first.")
            % {"code": question.code, "others": ", ".join(used_by)}
        )
    question.delete()


def question_move(*, question: Question, actor: Any, direction: int) -> Question:
    """Swap with the neighbour above (-1) or below (+1) in its section."""
    with transaction.atomic():
        siblings = list(question.section.questions.order_by("order", "id"))
        i = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        j = i + (1 if direction > 0 else -1)
        if 0 <= j < len(siblings):
            siblings[i], siblings[j] = siblings[j], siblings[i]
        for n, q in enumerate(siblings, start=1):
            if q.order != n:
                Question.objects.filter(pk=q.pk).update(order=n)
        question.refresh_from_db()
        qn = question.questionnaire
        _require_manager(actor, county_id=qn.county_id, school_id=qn.school_id)
        _require_unlocked(qn)
        _check_skip_logic(qn)
    return question


@transaction.atomic
def questions_add_from_bank(
    *, section: Section, actor: Any, bank_questions: Iterable[BankQuestion]
) -> list[Question]:
    out = []
    for b in bank_questions:
        out.append(
            question_create(
                section=section,
                actor=actor,
                kind=b.kind,
                text_zh=b.text_zh,
                text_en=b.text_en,
                help_zh=b.help_zh,
                help_en=b.help_en,
                required=False,
                options=b.options,
                min_value=b.min_value,
                max_value=b.max_value,
                strategies=b.strategies,
                pair=b.pair,
                bank=b,
            )
        )
    return out


@transaction.atomic
def questionnaire_from_bank(
    *,
    actor: Any,
    county: Any,
    school: Any = None,
    group: str,
    items: list[str],
    title_zh: str,
    title_en: str = "",
    primary: bool = False,
) -> Questionnaire:
    """A ready questionnaire for one respondent group: one section per item, the built-in
    questions of that group (the simpler primary-pupil wording when `primary`)."""
    from dtss.framework.models import Item

    qn = questionnaire_create(
        actor=actor,
        county=county,
        school=school,
        title_zh=title_zh,
        title_en=title_en,
        group=group,
    )
    titles = {i.code: i for i in Item.objects.filter(version__is_current=True, code__in=items)}
    first = qn.sections.get()
    for n, code in enumerate(items):
        bank = BankQuestion.objects.filter(
            county__isnull=True, item=code, group=group, active=True, primary=primary
        ).order_by("key")
        if not bank.exists():
            continue
        item = titles.get(code)
        if n == 0:
            section = first
            section.title_zh = f"{code} {item.title_zh}" if item else code
            section.title_en = f"{code} {item.title_en}" if item else code
            section.save()
        else:
            section = section_create(
                questionnaire=qn,
                actor=actor,
                title_zh=f"{code} {item.title_zh}" if item else code,
                title_en=f"{code} {item.title_en}" if item else code,
            )
        questions_add_from_bank(section=section, actor=actor, bank_questions=bank)
    if not qn.questions.exists():
        raise ValidationError(
            {"items": _("The bank has no questions for this group and these items.")}
        )
    return qn


# --- runs -----------------------------------------------------------------------------------


@transaction.atomic
def run_create(
    *,
    actor: Any,
    county: Any,
    school: Any = None,
    title: str,
    mode: str,
    opens_at: datetime,
    closes_at: datetime,
    parts: Mapping[str, Questionnaire],
    schools: Iterable[Any] = (),
    classes: Iterable[Any] = (),
    min_group_size: int = MIN_GROUP_SIZE,
    previous: Run | None = None,
) -> Run:
    """A run in draft: for each respondent group the questionnaire it answers."""
    if school is not None and school.county_id != county.pk:
        raise ValidationError({"school": _("The school is not in this county.")})
    _require_manager(actor, county_id=county.pk, school_id=school.pk if school else None)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the run a title.")
    if mode not in Run.Mode.values:
        errors["mode"] = _("Choose anonymous or named.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The closing time must come after the opening time.")
    if min_group_size < MIN_GROUP_SIZE:
        errors["min_group_size"] = _("The minimum group size is at least %(n)d.") % {
            "n": MIN_GROUP_SIZE
        }
    if not parts:
        errors["parts"] = _("Choose a questionnaire for at least one respondent group.")
    for group, qn in parts.items():
        if group not in Group.values:
            errors["parts"] = _("Unknown respondent group: %(g)s") % {"g": group}
        elif qn.county_id != county.pk or (
            qn.school_id and qn.school_id != getattr(school, "pk", None)
        ):
            errors["parts"] = _("A questionnaire of another county or school cannot be used.")
        elif not qn.questions.exists():
            errors["parts"] = _("The questionnaire %(t)s has no questions.") % {"t": qn.title_zh}
        elif mode == Run.Mode.ANONYMOUS and qn.questions.filter(kind=Kind.FILE).exists():
            errors["parts"] = _("An anonymous run cannot ask for files (they may identify people).")
    schools = list(schools)
    classes = list(classes)
    if school is not None and schools:
        errors["schools"] = _("A school's run reaches its own school only.")
    if any(s.county_id != county.pk for s in schools):
        errors["schools"] = _("Every school must be in this county.")
    if classes and (school is None or any(c.school_id != school.pk for c in classes)):
        errors["classes"] = _("Classes must be of this school.")
    if previous is not None and (
        previous.county_id != county.pk or previous.school_id != getattr(school, "pk", None)
    ):
        errors["previous"] = _("Compare only with an earlier run of the same owner.")
    if errors:
        raise ValidationError(errors)
    run = Run.objects.create(
        county=county,
        school=school,
        title=title.strip(),
        mode=mode,
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=min_group_size,
        previous=previous,
        created_by=actor,
    )
    run.schools.set(schools)
    run.classes.set(classes)
    for group, qn in parts.items():
        RunPart.objects.create(run=run, group=group, questionnaire=qn)
    audit_record(actor=actor, action="survey.run_create", obj=run)
    return run


def run_current_classes(run: Run, school: Any) -> list[Any]:
    """The classes a run reaches at one school: the chosen ones, else every class of the
    latest term that has classes there."""
    from dtss.orgs.models import SchoolClass

    chosen = [c for c in run.classes.all() if c.school_id == school.pk]
    if chosen:
        return chosen
    latest = (
        SchoolClass.objects.filter(school=school)
        .order_by("-term__roc_year", "-term__semester")
        .values_list("term_id", flat=True)
        .first()
    )
    return list(SchoolClass.objects.filter(school=school, term_id=latest)) if latest else []


def run_schools(run: Run) -> list[Any]:
    if run.school_id is not None:
        return [run.school]
    return list(run.schools.all())


def _audience(run: Run, part: RunPart) -> list[tuple[Any, Any, Any, Any]]:
    """(person, school, class, about) for everyone a named run asks in one group."""
    from dtss.orgs.models import Enrollment, Guardianship, Membership, Role

    out: list[tuple[Any, Any, Any, Any]] = []
    if part.group == Group.COUNTY_STAFF:
        for m in Membership.objects.filter(
            county_id=run.county_id,
            school__isnull=True,
            role__in=[Role.COUNTY_ADMIN, Role.COUNTY_STAFF],
            person__active=True,
        ).select_related("person"):
            out.append((m.person, None, None, None))
        return out
    for school in run_schools(run):
        if part.group in (Group.LEADERS, Group.TEACHERS):
            role = Role.SCHOOL_ADMIN if part.group == Group.LEADERS else Role.TEACHER
            for m in Membership.objects.filter(
                school=school, role=role, person__active=True
            ).select_related("person"):
                out.append((m.person, school, None, None))
        elif part.group in (Group.STUDENTS, Group.PARENTS):
            classes = run_current_classes(run, school)
            enrolments = Enrollment.objects.filter(
                school_class__in=classes, student__active=True
            ).select_related("student", "school_class")
            if part.group == Group.STUDENTS:
                out += [(e.student, school, e.school_class, None) for e in enrolments]
            else:
                by_child = {e.student_id: e for e in enrolments}
                for g in Guardianship.objects.filter(
                    child_id__in=by_child, parent__active=True
                ).select_related("parent"):
                    e = by_child[g.child_id]
                    out.append((g.parent, school, e.school_class, e.student))
    seen: set[tuple[int, int | None]] = set()
    unique = []
    for person, school, klass, about in out:
        key = (person.pk, about.pk if about else None)
        if key not in seen:
            seen.add(key)
            unique.append((person, school, klass, about))
    return unique


@transaction.atomic
def run_open(*, run: Run, actor: Any) -> Run:
    """Open a draft run. A named run invites everyone in its groups now (people added later
    are invited with `run_invite`)."""
    _require_manager(actor, county_id=run.county_id, school_id=run.school_id)
    if run.status != Run.Status.DRAFT:
        raise ValidationError(_("Only a draft run can be opened."))
    if run.mode == Run.Mode.NAMED:
        for part in run.parts.all():
            _invite(run, part, _audience(run, part))
    run.status = Run.Status.OPEN
    run.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="survey.run_open", obj=run, detail={"invited": run.invitations.count()}
    )
    return run


def _invite(run: Run, part: RunPart, people: list[tuple[Any, Any, Any, Any]]) -> int:
    existing = set(run.invitations.values_list("person_id", "about_id"))
    new = [
        Invitation(
            run=run,
            part=part,
            county_id=run.county_id,
            school=school,
            school_class=klass,
            person=person,
            about=about,
        )
        for person, school, klass, about in people
        if (person.pk, about.pk if about else None) not in existing
    ]
    Invitation.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def run_invite(*, run: Run, actor: Any, group: str, people: Iterable[Any] = ()) -> int:
    """Named runs: invite a list of people to one group's questionnaire (or, with no list,
    everyone of the group who is not invited yet). Returns how many were added."""
    _require_manager(actor, county_id=run.county_id, school_id=run.school_id)
    if run.mode != Run.Mode.NAMED:
        raise ValidationError(_("Only a named run has invitations."))
    if run.status == Run.Status.CLOSED:
        raise ValidationError(_("The run is closed."))
    part = run.parts.filter(group=group).first()
    if part is None:
        raise ValidationError({"group": _("This run has no questionnaire for that group.")})
    people = list(people)
    if not people:
        return _invite(run, part, _audience(run, part))
    from dtss.orgs.models import Person

    allowed = (
        set(
            Person.objects.visible_to(actor)
            .filter(pk__in=[p.pk for p in people])
            .values_list("pk", flat=True)
        )
        if actor is not None
        else {p.pk for p in people}
    )
    outside = [p.name for p in people if p.pk not in allowed]
    if outside or any(p.county_id != run.county_id for p in people):
        raise ValidationError({"people": _("Only people of this county or school can be invited.")})
    return _invite(run, part, [(p, run.school, None, None) for p in people])


@transaction.atomic
def codes_generate(
    *,
    run: Run,
    actor: Any,
    group: str,
    school: Any = None,
    school_class: Any = None,
    count: int = 0,
    reusable: bool = False,
) -> list[AccessCode]:
    """Anonymous runs: `count` one-time codes (or one class link good for `count` answers)
    for one group at one school (and class). With count 0: as many as there are people."""
    _require_manager(actor, county_id=run.county_id, school_id=run.school_id)
    if run.mode != Run.Mode.ANONYMOUS:
        raise ValidationError(_("Only an anonymous run uses access codes."))
    if run.status == Run.Status.CLOSED:
        raise ValidationError(_("The run is closed."))
    part = run.parts.filter(group=group).first()
    if part is None:
        raise ValidationError({"group": _("This run has no questionnaire for that group.")})
    schools = run_schools(run)
    if group != Group.COUNTY_STAFF:
        if school is None and len(schools) == 1:
            school = schools[0]
        if school is None or school.pk not in {s.pk for s in schools}:
            raise ValidationError({"school": _("Choose one of the run's schools.")})
    else:
        school = None
    if school_class is not None:
        if group not in (Group.STUDENTS, Group.PARENTS):
            raise ValidationError(
                {"school_class": _("Only students and parents answer per class.")}
            )
        if school_class.pk not in {c.pk for c in run_current_classes(run, school)}:
            raise ValidationError({"school_class": _("That class is not part of this run.")})
    if count <= 0:
        people = [
            p
            for p in _audience(run, part)
            if p[1] == school and (school_class is None or p[2] == school_class)
        ]
        count = len(people)
    if count <= 0:
        raise ValidationError({"count": _("Nobody in this group: give the number of codes.")})
    if count > MAX_CODES:
        raise ValidationError({"count": _("At most %(n)d codes at a time.") % {"n": MAX_CODES}})
    made = []
    for _i in range(1 if reusable else count):
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    made.append(
                        AccessCode.objects.create(
                            part=part,
                            county_id=run.county_id,
                            school=school,
                            school_class=school_class,
                            code=new_code(),
                            uses_left=count if reusable else 1,
                            issued=count if reusable else 1,
                            reusable=reusable,
                        )
                    )
                break
            except IntegrityError:
                continue  # the random code existed already: draw another
    audit_record(
        actor=actor,
        action="survey.codes_generate",
        obj=run,
        detail={
            "group": group,
            "count": count,
            "reusable": reusable,
            "school": school.code if school else "",
            "class": str(school_class or ""),
        },
    )
    return made


@transaction.atomic
def run_close(*, run: Run, actor: Any, now: datetime | None = None) -> Run:
    """Close an open run: no more answers. Its results become evidence on the strategies its
    questions are tagged with (see `feed.run_to_evidence`)."""
    _require_manager(actor, county_id=run.county_id, school_id=run.school_id)
    if run.status != Run.Status.OPEN:
        raise ValidationError(_("Only an open run can be closed."))
    run.status = Run.Status.CLOSED
    run.closed_at = now or timezone.now()
    run.save(update_fields=["status", "closed_at", "updated_at"])
    # unused codes are worthless now (the rows stay: they count what was issued)
    AccessCode.objects.filter(part__run=run).update(uses_left=0)
    audit_record(actor=actor, action="survey.run_close", obj=run)
    from dtss.surveys.feed import run_closed

    run_closed(run=run, actor=actor)  # never fails the close (logged)
    return run


# --- answering --------------------------------------------------------------------------------


def _store(
    *,
    run: Run,
    part: RunPart,
    cleaned: dict[str, Any],
    files: Mapping[str, Any],
    submission: Submission,
) -> None:
    questions = {q.code: q for q in part.questionnaire.questions.all()}
    answers = []
    for code, value in cleaned.items():
        q = questions[code]
        a = Answer(submission=submission, question=q, value=value)
        if q.kind == Kind.FILE:
            upload = files.get(code)
            if upload is None:
                continue
            a.file = upload
            a.value = upload.name
        answers.append(a)
    for a in answers:
        a.save()


def _clean(part: RunPart, raw: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, Any]:
    qs = _logic_questions(part.questionnaire)
    data = dict(raw)
    errors: dict[str, str] = {}
    for q in qs:
        if q.kind == Kind.FILE and q.code in files:
            f = files[q.code]
            name = (f.name or "").lower()
            ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
            if ext not in FILE_TYPES:
                errors[q.code] = "PDF, images or Office documents only"
            elif f.size > MAX_FILE_BYTES:
                errors[q.code] = "at most 10 MB"
            data[q.code] = f.name
    try:
        cleaned = logic.clean_answers(qs, data)
    except logic.AnswerError as exc:
        errors.update(exc.errors)
        cleaned = {}
    if errors:
        raise ValidationError({code: msg for code, msg in errors.items()})
    return cleaned


def code_lookup(code: str, *, now: datetime | None = None) -> AccessCode:
    """The live access code typed or linked, or ValidationError (never says more than
    "not valid" about a code of a closed run or a used one)."""
    now = now or timezone.now()
    normal = "".join(code.split()).upper().replace("-", "")
    ac = (
        AccessCode.objects.filter(code=normal, uses_left__gt=0)
        .select_related("part", "part__run", "part__questionnaire", "school", "school_class")
        .first()
    )
    if ac is None or not ac.part.run.is_open_at(now):
        raise ValidationError(
            {"code": _("This code is not valid, has been used or the survey is closed.")}
        )
    return ac


def submission_anonymous(
    *,
    code: str,
    answers: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Submission:
    """Answer an anonymous run with an access code. Nothing about the person is stored: the
    submission keeps the group, school, class and day; the code loses one use and keeps no
    trace of which submission it became."""
    now = now or timezone.now()
    files = files or {}
    with transaction.atomic():
        ac = code_lookup(code, now=now)
        cleaned = _clean(ac.part, answers, files)
        used = AccessCode.objects.filter(pk=ac.pk, uses_left__gt=0).update(
            uses_left=F("uses_left") - 1
        )
        if not used:
            raise ValidationError(
                {"code": _("This code is not valid, has been used or the survey is closed.")}
            )
        submission = Submission.objects.create(
            run=ac.part.run,
            part=ac.part,
            county_id=ac.county_id,
            school=ac.school,
            school_class=ac.school_class,
            submitted_on=timezone.localdate(now),
        )
        _store(run=ac.part.run, part=ac.part, cleaned=cleaned, files=files, submission=submission)
    return submission


def submission_named(
    *,
    invitation: Invitation,
    user: Any,
    answers: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Submission:
    """Answer (or change the answer to) a named run's invitation, while the run is open."""
    now = now or timezone.now()
    files = files or {}
    person = getattr(user, "person", None)
    if person is None or person.pk != invitation.person_id:
        raise PermissionDenied(_("This invitation is for someone else."))
    with transaction.atomic():
        inv = (
            Invitation.objects.select_for_update()
            .select_related("run", "part")
            .get(pk=invitation.pk)
        )
        if not inv.run.is_open_at(now):
            raise ValidationError(_("The survey is not open."))
        cleaned = _clean(inv.part, answers, files)
        submission = Submission.objects.filter(invitation=inv).first()
        if submission is None:
            submission = Submission(
                run=inv.run,
                part=inv.part,
                county_id=inv.county_id,
                school_id=inv.school_id,
                school_class_id=inv.school_class_id,
                invitation=inv,
            )
        else:
            keep_files = {
                a.question.code: a
                for a in submission.answers.select_related("question")
                if a.file and a.question.code in cleaned and a.question.code not in files
            }
            submission.answers.exclude(pk__in=[a.pk for a in keep_files.values()]).delete()
            cleaned = {c: v for c, v in cleaned.items() if c not in keep_files}
        submission.submitted_on = timezone.localdate(now)
        submission.submitted_at = now
        submission.save()
        _store(run=inv.run, part=inv.part, cleaned=cleaned, files=files, submission=submission)
        inv.answered_at = now
        inv.save(update_fields=["answered_at", "updated_at"])
    return submission


# --- reminders --------------------------------------------------------------------------------


def invitations_remind(
    *,
    run: Run,
    actor: Any,
    now: datetime | None = None,
    min_interval: timedelta = timedelta(hours=20),
) -> dict[str, int]:
    """Email everyone invited to a named run who has not answered (and was not reminded in the
    last `min_interval`). Returns {"sent", "no_email", "skipped"}."""
    from django.conf import settings
    from django.core.mail import send_mass_mail
    from django.urls import reverse

    if actor is not None:
        _require_manager(actor, county_id=run.county_id, school_id=run.school_id)
    now = now or timezone.now()
    if run.mode != Run.Mode.NAMED or not run.is_open_at(now):
        raise ValidationError(_("Reminders go only to a named run that is open."))
    pending = run.invitations.filter(answered_at__isnull=True).select_related("person", "about")
    messages_, sent_ids = [], []
    counts = {"sent": 0, "no_email": 0, "skipped": 0}
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    link = site + reverse("surveys:my_surveys")
    for inv in pending:
        if inv.reminded_at and now - inv.reminded_at < min_interval:
            counts["skipped"] += 1
            continue
        email = inv.person.email
        if not email:
            counts["no_email"] += 1
            continue
        about = f"（{inv.about.name}）" if inv.about else ""
        closes = f"{timezone.localtime(run.closes_at):%Y-%m-%d %H:%M}"
        body = (
            f"{inv.person.name} 您好：\n\n請於 {closes} 前填寫「{run.title}」{about}。\n{link}\n\n"
            f'Please answer "{run.title}" before {closes}.\n'
        )
        messages_.append((f"[DTSS] 請填寫：{run.title}", body, None, [email]))
        sent_ids.append(inv.pk)
    if messages_:
        send_mass_mail(messages_, fail_silently=False)
        Invitation.objects.filter(pk__in=sent_ids).update(
            reminded_at=now, reminders=F("reminders") + 1
        )
        counts["sent"] = len(sent_ids)
    audit_record(actor=actor, action="survey.remind", obj=run, detail=counts)
    return counts


def runs_remind_due(*, now: datetime | None = None, days_before: int = 2) -> dict[str, int]:
    """For the scheduled command: remind the named runs that close within `days_before` days."""
    now = now or timezone.now()
    total = {"runs": 0, "sent": 0, "no_email": 0, "skipped": 0}
    for run in Run.objects.filter(
        mode=Run.Mode.NAMED,
        status=Run.Status.OPEN,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + timedelta(days=days_before),
    ):
        try:
            counts = invitations_remind(run=run, actor=None, now=now)
        except Exception:
            logger.exception("reminders failed for survey run %s", run.pk)
            continue
        total["runs"] += 1
        for key in ("sent", "no_email", "skipped"):
            total[key] += counts[key]
    return total


def runs_close_due(*, now: datetime | None = None) -> int:
    """For the scheduled command: close the open runs whose closing time has passed."""
    now = now or timezone.now()
    n = 0
    for run in Run.objects.filter(status=Run.Status.OPEN, closes_at__lte=now):
        run_close(run=run, actor=None, now=now)
        n += 1
    return n
