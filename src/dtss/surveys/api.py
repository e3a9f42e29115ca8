"""JSON API of the surveys app, mounted at /api/v1/surveys/: the question bank, questionnaires
(sections, questions, skip logic), runs with their access codes and invitations, results, and
answering.

Reads start from `visible_to(request.user)` (through `dtss.surveys.selectors`); writes go through
`dtss.surveys.services`, whose permission is the pages': a county's questionnaires and runs are
managed by its county administrators, a school's by its school administrators (and the
county's). Results come only from `selectors.run_results` / `school_breakdown`, so the API
publishes exactly the suppressed figures the pages publish. See `dtss.api.access` for the rules
on 403, 404 and 422.

Answering with an access code (`/surveys/answer`) needs no authentication and never looks at
who is calling: a token or session sent along is not even read, so nothing can tie the answers
to an account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError

from dtss.api.access import ref_or_422, require_admin, require_staff, scope_of
from dtss.api.pagination import paged
from dtss.api.schemas import Message, ValidationErrorOut, responses
from dtss.orgs.models import County, Person, School, SchoolClass
from dtss.surveys import selectors, services
from dtss.surveys.labels import scale_labels
from dtss.surveys.models import (
    TEXT_KINDS,
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
)
from dtss.surveys.schemas import (
    AnswerIn,
    AnswerReceivedOut,
    BankPickIn,
    BankQuery,
    BankQuestionIn,
    BankQuestionOut,
    BreakdownOut,
    CodeOut,
    CodesIn,
    CodesOut,
    CopyIn,
    FormOut,
    InvitationAnswersIn,
    InvitationQuery,
    InvitedOut,
    InviteIn,
    MoveIn,
    MyInvitationDetailOut,
    MyInvitationOut,
    NamedAnswerOut,
    ProgressOut,
    QuestionIn,
    QuestionnaireDetailOut,
    QuestionnaireFromBankIn,
    QuestionnaireIn,
    QuestionnaireOut,
    QuestionnairePatch,
    QuestionnaireQuery,
    QuestionOut,
    QuestionPatch,
    RemindOut,
    ResultsOut,
    ResultsQuery,
    RunDetailOut,
    RunIn,
    RunInvitationOut,
    RunOut,
    RunQuery,
    SectionIn,
    SectionOut,
    SectionPatch,
)

router = Router()

QuestionnaireId = Annotated[UUID, Path(description="The questionnaire's id (its public_id).")]
SectionId = Annotated[UUID, Path(description="The section's id (its public_id).")]
QuestionId = Annotated[UUID, Path(description="The question's id (its public_id).")]
RunId = Annotated[UUID, Path(description="The run's id (its public_id).")]
InvitationId = Annotated[UUID, Path(description="The invitation's id (its public_id).")]
AccessCodeParam = Annotated[
    str, Path(description="The access code, as printed (spaces and dashes are ignored).")
]

T_BANK = ["survey bank"]
T_QN = ["questionnaires"]
T_RUNS = ["survey runs"]
T_RESULTS = ["survey results"]
T_ANSWER = ["answering surveys"]

STAFF_ONLY = "Only school staff, county staff and MOE viewers may use this (403 for others)."
NOT_FOUND = "Missing and out-of-scope objects are both 404."
MANAGE = (
    "Only the owner's managers: a county's administrators for a county's questionnaire or "
    "run, a school's administrators (and its county's administrators) for a school's (403 for "
    "others, including teachers, county staff and MOE viewers)."
)
RESULTS = (
    "Results are read by the owner's administrators, the county's staff and MOE viewers; "
    "teachers, students and parents never read them (403)."
)
LOCKED = (
    "A questionnaire that has answers is never changed (422; copy it instead); skip logic "
    "must refer to earlier questions (422 on `show_if`)."
)
OWNER = (
    "The owner is `school` (one you administer) or `county` (one you administer); leave both "
    "out if you administer exactly one. An owner outside your scope is 422 on that field."
)


# --- helpers ------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _aware(when: datetime) -> datetime:
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _query_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("query", field), "msg": message}])


def _owner(request: HttpRequest, county: str | None, school: UUID | None) -> tuple[Any, Any]:
    """(county, school) that a new questionnaire, bank question or run belongs to."""
    scope = require_admin(request)
    if school is not None:
        found = ref_or_422(
            School.objects.visible_to(request.user, write=True).select_related("county"),
            "school",
            public_id=school,
        )
        if county and county != found.county.code:
            raise ValidationError({"county": _("The school belongs to another county.")})
        return found.county, found
    if county:
        return ref_or_422(
            County.objects.visible_to(request.user, write=True), "county", code=county
        ), None
    if len(scope.admin_county_ids) == 1 and not scope.admin_school_ids:
        return County.objects.get(pk=next(iter(scope.admin_county_ids))), None
    if len(scope.admin_school_ids) == 1 and not scope.admin_county_ids:
        found = School.objects.select_related("county").get(pk=next(iter(scope.admin_school_ids)))
        return found.county, found
    raise ValidationError({"school": _("Say which school (or county) it is for.")})


def _manager(request: HttpRequest, obj: Questionnaire | Run) -> None:
    if not services.may_manage(request.user, county_id=obj.county_id, school_id=obj.school_id):
        raise PermissionDenied(_("Only the administrators of its county or school may do this."))


def _reader(request: HttpRequest, run: Run) -> None:
    if not selectors.may_read_results(request.user, run):
        raise PermissionDenied(
            _("Only the run's administrators, county staff and MOE viewers read results.")
        )


def _answer_errors(exc: ValidationError) -> ValidationError:
    """The service names each bad question by its code; in the body they are under
    `answers`."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            (key if key in ("code", "__all__") else f"answers.{key}"): messages
            for key, messages in exc.message_dict.items()
        }
    )


def _no_files(questionnaire: Questionnaire, answers: dict[str, Any]) -> None:
    files = set(
        questionnaire.questions.filter(kind=Kind.FILE, code__in=list(answers)).values_list(
            "code", flat=True
        )
    )
    if files:
        raise ValidationError(
            {
                f"answers.{code}": _("Files can be uploaded on the answering page only.")
                for code in sorted(files)
            }
        )


# --- the bank -----------------------------------------------------------------------------


@router.get(
    "/surveys/bank",
    response=responses({200: list[BankQuestionOut]}, 403, 422),
    tags=T_BANK,
    summary="Search the question bank",
    description=(
        "The built-in question bank (186 questions tagged with framework items and strategies) "
        "and the questions your county or school added, filtered by respondent group, item, "
        f"strategy and wording. {STAFF_ONLY}"
    ),
)
@paged
def bank_list(request: HttpRequest, filters: Query[BankQuery]) -> Any:
    require_staff(request)
    qs = selectors.bank(
        user=request.user,
        group=_value(filters.group) or "",
        item=filters.item.strip().upper(),
        strategy=filters.strategy.strip().upper(),
        text=filters.text.strip(),
    )
    if filters.primary is not None:
        qs = qs.filter(primary=filters.primary)
    return qs.select_related("county", "school")


@router.post(
    "/surveys/bank",
    response=responses({201: BankQuestionOut}, 403, 422),
    tags=T_BANK,
    summary="Add a question to the bank",
    description=(
        "Your county's or school's own bank question, offered to its questionnaires. "
        f"{OWNER} Only administrators (403 for others). Unknown strategy IDs, a choice "
        "question with fewer than two options or a maximum below the minimum are 422 on "
        "that field."
    ),
)
def bank_create(request: HttpRequest, payload: BankQuestionIn) -> Any:
    county, school = _owner(request, payload.county, payload.school)
    question = services.bank_question_create(
        actor=request.user,
        county=county,
        school=school,
        group=payload.group.value,
        kind=payload.kind.value,
        text_zh=payload.text_zh,
        text_en=payload.text_en,
        item=payload.item.strip().upper(),
        strategies=payload.strategies,
        pair=payload.pair,
        options=[o.model_dump() for o in payload.options],
        help_zh=payload.help_zh,
        help_en=payload.help_en,
        min_value=payload.min_value,
        max_value=payload.max_value,
    )
    return Status(201, BankQuestion.objects.select_related("county", "school").get(pk=question.pk))


# --- questionnaires -----------------------------------------------------------------------


def _annotated(qs: Any) -> Any:
    return qs.annotate(
        question_total=Count("questions", distinct=True),
        answered=Exists(Answer.objects.filter(question__questionnaire=OuterRef("pk"))),
    )


def _questionnaire(request: HttpRequest, public_id: UUID, *, manage: bool = False) -> Questionnaire:
    """A questionnaire you can see (404 otherwise); with `manage`, one you manage (403 for
    roles that never manage, and for one you may only read)."""
    if manage:
        require_admin(request)
    else:
        require_staff(request)
    qn = selectors.questionnaires(user=request.user).filter(public_id=public_id).first()
    if qn is None:
        raise Http404
    if manage:
        _manager(request, qn)
    return qn


def _section_dict(section: Section, questions: list[Question]) -> dict[str, Any]:
    return {
        "public_id": section.public_id,
        "order": section.order,
        "title_zh": section.title_zh,
        "title_en": section.title_en,
        "intro_zh": section.intro_zh,
        "intro_en": section.intro_en,
        "show_if": section.show_if or [],
        "questions": questions,
    }


def _questions_of(questionnaire: Questionnaire) -> dict[int, list[Question]]:
    by_section: dict[int, list[Question]] = defaultdict(list)
    for q in questionnaire.questions.select_related("section", "bank").order_by(
        "section__order", "section_id", "order", "id"
    ):
        by_section[q.section_id].append(q)
    return by_section


def _questionnaire_out(request: HttpRequest, questionnaire: Questionnaire) -> Questionnaire:
    qn = _annotated(selectors.questionnaires(user=request.user)).get(pk=questionnaire.pk)
    by_section = _questions_of(qn)
    qn.sections_out = [  # type: ignore[attr-defined]
        _section_dict(s, by_section.get(s.pk, [])) for s in qn.sections.order_by("order", "id")
    ]
    return qn


def _section_out(section: Section) -> dict[str, Any]:
    return _section_dict(section, _questions_of(section.questionnaire).get(section.pk, []))


@router.get(
    "/surveys/questionnaires",
    response=responses({200: list[QuestionnaireOut]}, 403, 422),
    tags=T_QN,
    summary="List questionnaires",
    description=(
        "Questionnaires and forms you can see, newest first: county staff their county's, "
        "school staff their school's; archived ones only with `archived=true`. "
        f"{STAFF_ONLY}"
    ),
)
@paged
def questionnaire_list(request: HttpRequest, filters: Query[QuestionnaireQuery]) -> Any:
    require_staff(request)
    qs = selectors.questionnaires(user=request.user).filter(archived=filters.archived)
    if filters.group is not None:
        qs = qs.filter(group=_value(filters.group))
    if filters.purpose is not None:
        qs = qs.filter(purpose=_value(filters.purpose))
    if text := filters.q.strip():
        qs = qs.filter(Q(title_zh__icontains=text) | Q(title_en__icontains=text))
    return _annotated(qs).order_by("-created_at", "-id")


@router.post(
    "/surveys/questionnaires/from-bank",
    response=responses({201: QuestionnaireDetailOut}, 403, 422),
    tags=T_QN,
    summary="Create a questionnaire from the bank",
    description=(
        "A ready questionnaire for one respondent group: one section per framework item, "
        "with the built-in bank questions of that group (the simpler wording for primary "
        f"pupils with `primary`). {OWNER} Only administrators (403 for others); items with "
        "no questions for the group are 422 on `items`."
    ),
)
def questionnaire_from_bank(request: HttpRequest, payload: QuestionnaireFromBankIn) -> Any:
    county, school = _owner(request, payload.county, payload.school)
    qn = services.questionnaire_from_bank(
        actor=request.user,
        county=county,
        school=school,
        group=payload.group.value,
        items=list(dict.fromkeys(i.strip().upper() for i in payload.items)),
        title_zh=payload.title_zh,
        title_en=payload.title_en,
        primary=payload.primary,
    )
    return Status(201, _questionnaire_out(request, qn))


@router.get(
    "/surveys/questionnaires/{public_id}",
    response=responses({200: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Get a questionnaire",
    description=(
        "One questionnaire with its sections, questions, options and skip logic, in order. "
        f"{STAFF_ONLY} {NOT_FOUND}"
    ),
)
def questionnaire_detail(request: HttpRequest, public_id: QuestionnaireId) -> Any:
    return _questionnaire_out(request, _questionnaire(request, public_id))


@router.post(
    "/surveys/questionnaires",
    response=responses({201: QuestionnaireDetailOut}, 403, 422),
    tags=T_QN,
    summary="Create a questionnaire",
    description=(
        f"A blank questionnaire (or form) with one empty section. {OWNER} Only administrators "
        "(403 for others)."
    ),
)
def questionnaire_create(request: HttpRequest, payload: QuestionnaireIn) -> Any:
    county, school = _owner(request, payload.county, payload.school)
    qn = services.questionnaire_create(
        actor=request.user,
        county=county,
        school=school,
        title_zh=payload.title_zh,
        title_en=payload.title_en,
        intro_zh=payload.intro_zh,
        intro_en=payload.intro_en,
        purpose=payload.purpose.value,
        group=payload.group.value,
    )
    return Status(201, _questionnaire_out(request, qn))


@router.patch(
    "/surveys/questionnaires/{public_id}",
    response=responses({200: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Change a questionnaire",
    description=(
        "Change the fields sent: titles, introductions, purpose, group, archived. Group and "
        f"purpose cannot change once it has answers (422). {MANAGE} {NOT_FOUND}"
    ),
)
def questionnaire_update(
    request: HttpRequest, payload: QuestionnairePatch, public_id: QuestionnaireId
) -> Any:
    qn = _questionnaire(request, public_id, manage=True)
    fields = {k: _value(v) for k, v in payload.dict(exclude_unset=True).items()}
    if not fields:
        raise ValidationError(_("Nothing to save: send at least one field."))
    services.questionnaire_update(questionnaire=qn, actor=request.user, **fields)
    return _questionnaire_out(request, qn)


@router.post(
    "/surveys/questionnaires/{public_id}/archive",
    response=responses({200: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Archive a questionnaire",
    description=(
        "Archive it: it is kept (with its runs and results) but no longer listed by default. "
        f"Bring it back with PATCH `archived: false`. {MANAGE} {NOT_FOUND}"
    ),
)
def questionnaire_archive(request: HttpRequest, public_id: QuestionnaireId) -> Any:
    qn = _questionnaire(request, public_id, manage=True)
    services.questionnaire_update(questionnaire=qn, actor=request.user, archived=True)
    return _questionnaire_out(request, qn)


@router.post(
    "/surveys/questionnaires/{public_id}/copy",
    response=responses({201: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Copy a questionnaire",
    description=(
        "A full copy (sections, questions, skip logic) titled '…（複本）' — the way to change "
        "a questionnaire that has answers. The copy belongs to the same owner, or to the "
        "`school` or `county` named (one you administer, else 422). You must be able to read "
        f"the original and administer the new owner (403 for others). {NOT_FOUND}"
    ),
)
def questionnaire_copy(request: HttpRequest, payload: CopyIn, public_id: QuestionnaireId) -> Any:
    require_admin(request)
    qn = _questionnaire(request, public_id)
    county = school = None
    if payload.county or payload.school:
        county, school = _owner(request, payload.county, payload.school)
    copy = services.questionnaire_copy(
        questionnaire=qn, actor=request.user, county=county, school=school
    )
    return Status(201, _questionnaire_out(request, copy))


# --- sections and questions ---------------------------------------------------------------


def _section(request: HttpRequest, public_id: UUID) -> Section:
    require_admin(request)
    section = (
        Section.objects.select_related("questionnaire")
        .filter(
            public_id=public_id,
            questionnaire__in=selectors.questionnaires(user=request.user),
        )
        .first()
    )
    if section is None:
        raise Http404
    _manager(request, section.questionnaire)
    return section


def _question(request: HttpRequest, public_id: UUID) -> Question:
    require_admin(request)
    question = (
        Question.objects.select_related("questionnaire", "section", "bank")
        .filter(
            public_id=public_id,
            questionnaire__in=selectors.questionnaires(user=request.user),
        )
        .first()
    )
    if question is None:
        raise Http404
    _manager(request, question.questionnaire)
    return question


def _conditions(conditions: list[Any] | None) -> list[dict[str, Any]]:
    return [c.model_dump() for c in conditions or []]


def _move(direction: str) -> int:
    return -1 if direction == "up" else 1


@router.post(
    "/surveys/questionnaires/{public_id}/sections",
    response=responses({201: SectionOut}, 403, 404, 422),
    tags=T_QN,
    summary="Add a section",
    description=f"A new section at the end of the questionnaire. {LOCKED} {MANAGE} {NOT_FOUND}",
)
def section_create(request: HttpRequest, payload: SectionIn, public_id: QuestionnaireId) -> Any:
    qn = _questionnaire(request, public_id, manage=True)
    section = services.section_create(
        questionnaire=qn,
        actor=request.user,
        title_zh=payload.title_zh,
        title_en=payload.title_en,
        intro_zh=payload.intro_zh,
        intro_en=payload.intro_en,
        show_if=_conditions(payload.show_if),
    )
    return Status(201, _section_out(section))


@router.patch(
    "/surveys/sections/{public_id}",
    response=responses({200: SectionOut}, 403, 404, 422),
    tags=T_QN,
    summary="Change a section",
    description=(
        f"Change the fields sent: titles, introductions, skip logic. {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def section_update(request: HttpRequest, payload: SectionPatch, public_id: SectionId) -> Any:
    section = _section(request, public_id)
    fields = payload.dict(exclude_unset=True)
    if "show_if" in fields:
        fields["show_if"] = _conditions(payload.show_if)
    if not fields:
        raise ValidationError(_("Nothing to save: send at least one field."))
    services.section_update(section=section, actor=request.user, **fields)
    return _section_out(section)


@router.delete(
    "/surveys/sections/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=T_QN,
    summary="Delete a section",
    description=(
        "Delete a section with its questions. A questionnaire keeps at least one section, and "
        f"no remaining skip logic may refer to a deleted question (422). {LOCKED} {MANAGE} "
        f"{NOT_FOUND}"
    ),
)
def section_delete(request: HttpRequest, public_id: SectionId) -> Any:
    section = _section(request, public_id)
    services.section_delete(section=section, actor=request.user)
    return Status(204, None)


@router.post(
    "/surveys/sections/{public_id}/move",
    response=responses({200: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Move a section",
    description=(
        "Swap the section with the one above or below; returns the whole questionnaire in "
        f"its new order. {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def section_move(request: HttpRequest, payload: MoveIn, public_id: SectionId) -> Any:
    section = _section(request, public_id)
    services.section_move(section=section, actor=request.user, direction=_move(payload.direction))
    return _questionnaire_out(request, section.questionnaire)


@router.post(
    "/surveys/sections/{public_id}/questions",
    response=responses({201: QuestionOut}, 403, 404, 422),
    tags=T_QN,
    summary="Add a question",
    description=(
        "A new question at the end of the section, coded Q1, Q2 … in the questionnaire. "
        f"{LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def question_create(request: HttpRequest, payload: QuestionIn, public_id: SectionId) -> Any:
    section = _section(request, public_id)
    question = services.question_create(
        section=section,
        actor=request.user,
        kind=payload.kind.value,
        text_zh=payload.text_zh,
        text_en=payload.text_en,
        help_zh=payload.help_zh,
        help_en=payload.help_en,
        required=payload.required,
        options=[o.model_dump() for o in payload.options],
        min_value=payload.min_value,
        max_value=payload.max_value,
        strategies=payload.strategies,
        pair=payload.pair,
        show_if=_conditions(payload.show_if),
    )
    return Status(201, Question.objects.select_related("section", "bank").get(pk=question.pk))


@router.post(
    "/surveys/sections/{public_id}/questions/from-bank",
    response=responses({201: SectionOut}, 403, 404, 422),
    tags=T_QN,
    summary="Add questions from the bank",
    description=(
        "Add bank questions (ids from GET /surveys/bank, ones you can see; else 422 on `bank`) "
        f"at the end of the section, in the order given. {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def questions_from_bank(request: HttpRequest, payload: BankPickIn, public_id: SectionId) -> Any:
    section = _section(request, public_id)
    wanted = list(dict.fromkeys(payload.bank))
    found = {
        b.public_id: b
        for b in BankQuestion.objects.visible_to(request.user).filter(
            active=True, public_id__in=wanted
        )
    }
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            {
                "bank": _("No such bank question, or not one you may use: %(ids)s")
                % {"ids": ", ".join(missing)}
            }
        )
    services.questions_add_from_bank(
        section=section, actor=request.user, bank_questions=[found[i] for i in wanted]
    )
    return Status(201, _section_out(section))


@router.patch(
    "/surveys/questions/{public_id}",
    response=responses({200: QuestionOut}, 403, 404, 422),
    tags=T_QN,
    summary="Change a question",
    description=(
        "Change the fields sent; `section` moves it (to the end of another section of the "
        f"same questionnaire). {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def question_update(request: HttpRequest, payload: QuestionPatch, public_id: QuestionId) -> Any:
    question = _question(request, public_id)
    fields = {k: _value(v) for k, v in payload.dict(exclude_unset=True).items()}
    if not fields:
        raise ValidationError(_("Nothing to save: send at least one field."))
    if "options" in fields:
        fields["options"] = [o.model_dump() for o in payload.options or []]
    if "show_if" in fields:
        fields["show_if"] = _conditions(payload.show_if)
    if "section" in fields:
        fields["section"] = ref_or_422(
            question.questionnaire.sections.all(),
            "section",
            message=_("No such section in this questionnaire."),
            public_id=payload.section,
        )
        if fields["section"].pk != question.section_id:
            last = max(fields["section"].questions.values_list("order", flat=True), default=0)
            fields.setdefault("order", last + 1)
    services.question_update(question=question, actor=request.user, **fields)
    return Question.objects.select_related("section", "bank").get(pk=question.pk)


@router.delete(
    "/surveys/questions/{public_id}",
    response=responses({204: None}, 403, 404, 422),
    tags=T_QN,
    summary="Delete a question",
    description=(
        "Delete a question; one that the skip logic of another refers to is 422 (change that "
        f"first). {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def question_delete(request: HttpRequest, public_id: QuestionId) -> Any:
    question = _question(request, public_id)
    services.question_delete(question=question, actor=request.user)
    return Status(204, None)


@router.post(
    "/surveys/questions/{public_id}/move",
    response=responses({200: QuestionnaireDetailOut}, 403, 404, 422),
    tags=T_QN,
    summary="Move a question",
    description=(
        "Swap the question with its neighbour above or below in its section; returns the "
        f"whole questionnaire in its new order. {LOCKED} {MANAGE} {NOT_FOUND}"
    ),
)
def question_move(request: HttpRequest, payload: MoveIn, public_id: QuestionId) -> Any:
    question = _question(request, public_id)
    services.question_move(
        question=question, actor=request.user, direction=_move(payload.direction)
    )
    return _questionnaire_out(request, question.questionnaire)


# --- runs -----------------------------------------------------------------------------------

type RunCheck = Callable[[HttpRequest, Run], None]


def _run(
    request: HttpRequest, public_id: UUID, check: RunCheck | None = None, *, write: bool = False
) -> Run:
    """A run you can see (404 otherwise), then `check` (403). Writes: 403 first for roles
    that never manage anything."""
    if write:
        require_admin(request)
    else:
        require_staff(request)
    run = selectors.runs(user=request.user).filter(public_id=public_id).first()
    if run is None:
        raise Http404
    if check is not None:
        check(request, run)
    return run


def _runs_query(request: HttpRequest) -> Any:
    return selectors.runs(user=request.user).prefetch_related("parts__questionnaire")


def _run_out(request: HttpRequest, run: Run) -> Run:
    """The run with its schools, classes and totals, as the run's page shows them."""
    run = (
        _runs_query(request)
        .select_related("previous")
        .prefetch_related("schools", "classes__term")
        .get(pk=run.pk)
    )
    codes = (
        AccessCode.objects.filter(part__run=run)
        .values("part__group")
        .annotate(issued=Sum("issued"), unused=Sum("uses_left"))
        .order_by("part__group")
    )
    run.codes_out = [  # type: ignore[attr-defined]
        {"group": c["part__group"], "issued": c["issued"] or 0, "unused": c["unused"] or 0}
        for c in codes
    ]
    run.invited_total = run.invitations.count()  # type: ignore[attr-defined]
    run.answered_total = run.submissions.count()  # type: ignore[attr-defined]
    return run


@router.get(
    "/surveys/runs",
    response=responses({200: list[RunOut]}, 403, 422),
    tags=T_RUNS,
    summary="List survey runs",
    description=(
        "Runs (one distribution of questionnaires to respondent groups) you can see, newest "
        "first: county staff their county's, school staff their school's. "
        f"{STAFF_ONLY}"
    ),
)
@paged
def run_list(request: HttpRequest, filters: Query[RunQuery]) -> Any:
    require_staff(request)
    qs = _runs_query(request)
    if filters.status is not None:
        qs = qs.filter(status=_value(filters.status))
    if filters.mode is not None:
        qs = qs.filter(mode=_value(filters.mode))
    if text := filters.q.strip():
        qs = qs.filter(title__icontains=text)
    return qs.order_by("-opens_at", "-id")


@router.get(
    "/surveys/runs/{public_id}",
    response=responses({200: RunDetailOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Get a survey run",
    description=(
        "One run: its questionnaires per group, schools or classes, and totals: codes issued "
        "and still unused (never the codes themselves: managers list unused ones under "
        f"/codes), invitations and answers. {STAFF_ONLY} {NOT_FOUND}"
    ),
)
def run_detail(request: HttpRequest, public_id: RunId) -> Any:
    return _run_out(request, _run(request, public_id))


@router.post(
    "/surveys/runs",
    response=responses({201: RunDetailOut}, 403, 422),
    tags=T_RUNS,
    summary="Create a survey run",
    description=(
        "A run in draft: for each respondent group the questionnaire it answers (the owner's "
        "own), anonymous (access codes, no identity stored) or named (invitations), with its "
        "opening and closing times and minimum group size (at least 5). A county's run names "
        "the schools it reaches; a school's run may be limited to some classes. "
        f"{OWNER} Only administrators (403 for others); every object named in the body must "
        "be one you can use (else 422 on that field)."
    ),
)
def run_create(request: HttpRequest, payload: RunIn) -> Any:
    county, school = _owner(request, payload.county, payload.school)
    errors: dict[str, str] = {}
    parts: dict[str, Questionnaire] = {}
    visible = selectors.questionnaires(user=request.user)
    for group, qn_id in payload.parts.items():
        if group not in Group.values:
            errors[f"parts.{group}"] = _("Unknown respondent group: %(g)s") % {"g": group}
            continue
        qn = visible.filter(public_id=qn_id).first()
        if qn is None:
            errors[f"parts.{group}"] = _("No such object, or not one you may use here.")
        else:
            parts[group] = qn
    schools = list(School.objects.visible_to(request.user).filter(public_id__in=payload.schools))
    if len(schools) != len(set(payload.schools)):
        errors["schools"] = _("No such object, or not one you may use here.")
    classes = list(
        SchoolClass.objects.visible_to(request.user).filter(public_id__in=payload.classes)
    )
    if len(classes) != len(set(payload.classes)):
        errors["classes"] = _("No such object, or not one you may use here.")
    previous = None
    if payload.previous is not None:
        previous = selectors.runs(user=request.user).filter(public_id=payload.previous).first()
        if previous is None:
            errors["previous"] = _("No such object, or not one you may use here.")
    if errors:
        raise ValidationError(errors)
    run = services.run_create(
        actor=request.user,
        county=county,
        school=school,
        title=payload.title,
        mode=payload.mode.value,
        opens_at=_aware(payload.opens_at),
        closes_at=_aware(payload.closes_at),
        parts=parts,
        schools=schools,
        classes=classes,
        min_group_size=payload.min_group_size,
        previous=previous,
    )
    return Status(201, _run_out(request, run))


@router.post(
    "/surveys/runs/{public_id}/open",
    response=responses({200: RunDetailOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Open a survey run",
    description=(
        "Open a draft run. A named run invites everyone in its groups now. Another status is "
        f"422. {MANAGE} {NOT_FOUND}"
    ),
)
def run_open(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager, write=True)
    services.run_open(run=run, actor=request.user)
    return _run_out(request, run)


@router.post(
    "/surveys/runs/{public_id}/close",
    response=responses({200: RunDetailOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Close a survey run",
    description=(
        "Close an open run: no more answers, unused codes stop working. Another status is "
        f"422. {MANAGE} {NOT_FOUND}"
    ),
)
def run_close(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager, write=True)
    services.run_close(run=run, actor=request.user)
    return _run_out(request, run)


@router.get(
    "/surveys/runs/{public_id}/progress",
    response=responses({200: ProgressOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Read a run's response rates",
    description=(
        "Per respondent group (and school of a county's run): invited or issued, answered and "
        f"the rate. {RESULTS} {NOT_FOUND}"
    ),
)
def run_progress(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _reader)
    rows = selectors.run_progress(run=run)
    schools = School.objects.in_bulk([r["school_id"] for r in rows if r["school_id"]])
    labels = dict(Group.choices)
    return {
        "run": run,
        "rows": [
            {
                **r,
                "label": str(labels.get(r["group"], r["group"])),
                "school": schools.get(r["school_id"]),
            }
            for r in rows
        ],
        "invited_total": sum(r["invited"] for r in rows),
        "answered_total": sum(r["answered"] for r in rows),
    }


@router.post(
    "/surveys/runs/{public_id}/codes",
    response=responses({201: CodesOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Generate access codes",
    description=(
        "Anonymous runs: `count` one-time codes (or one class link good for `count` answers) "
        "for one group at one of the run's schools (and class). The codes are returned now, "
        "for printing; a code once used is never shown again, and nothing records who got "
        "which code. A named or closed run is 422, a school or class outside the run 422 on "
        f"that field. {MANAGE} {NOT_FOUND}"
    ),
)
def codes_generate(request: HttpRequest, payload: CodesIn, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager, write=True)
    schools = services.run_schools(run)
    school = klass = None
    if payload.school is not None:
        school = ref_or_422(
            School.objects.filter(pk__in=[s.pk for s in schools]),
            "school",
            public_id=payload.school,
        )
    if payload.school_class is not None:
        klass = ref_or_422(
            SchoolClass.objects.filter(school__in=schools).select_related("school"),
            "school_class",
            public_id=payload.school_class,
        )
        if school is None:
            school = klass.school
    made = services.codes_generate(
        run=run,
        actor=request.user,
        group=payload.group.value,
        school=school,
        school_class=klass,
        count=payload.count,
        reusable=payload.reusable,
    )
    codes = AccessCode.objects.filter(pk__in=[c.pk for c in made]).select_related(
        "part", "school", "school_class__term"
    )
    return Status(201, {"codes": list(codes.order_by("id")), "issued": sum(c.issued for c in made)})


@router.get(
    "/surveys/runs/{public_id}/codes",
    response=responses({200: list[CodeOut]}, 403, 404, 422),
    tags=T_RUNS,
    summary="List unused access codes",
    description=(
        "The run's codes that can still be used, for reprinting. Used codes are never listed "
        f"(they leave no trace of who used them). {MANAGE} {NOT_FOUND}"
    ),
)
@paged
def codes_list(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager)
    return (
        AccessCode.objects.filter(part__run=run, uses_left__gt=0)
        .select_related("part", "school", "school_class__term")
        .order_by("part__group", "school__code", "school_class_id", "code")
    )


def _named(run: Run) -> None:
    if run.mode != Run.Mode.NAMED:
        raise ValidationError(_("Only a named run has invitations."))


@router.get(
    "/surveys/runs/{public_id}/invitations",
    response=responses({200: list[RunInvitationOut]}, 403, 404, 422),
    tags=T_RUNS,
    summary="List a named run's invitations",
    description=(
        "Named runs: who is asked to answer, who has answered and when, and the reminders "
        f"sent (not what they answered). An anonymous run is 422. {MANAGE} {NOT_FOUND}"
    ),
)
@paged
def run_invitations(request: HttpRequest, public_id: RunId, filters: Query[InvitationQuery]) -> Any:
    run = _run(request, public_id, _manager)
    _named(run)
    qs = run.invitations.select_related("person", "about", "part", "school", "school_class__term")
    if filters.answered is not None:
        qs = qs.filter(answered_at__isnull=not filters.answered)
    if filters.group is not None:
        qs = qs.filter(part__group=_value(filters.group))
    return qs.order_by("school__code", "school_class_id", "person__name", "id")


@router.post(
    "/surveys/runs/{public_id}/invitations",
    response=responses({201: InvitedOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Invite people to a named run",
    description=(
        "Invite people of the run's county or school (ids; else 422 on `people`) to one "
        "group's questionnaire, or with no list everyone of the group not invited yet (e.g. "
        f"people added since the run opened). A closed or anonymous run is 422. {MANAGE} "
        f"{NOT_FOUND}"
    ),
)
def run_invite(request: HttpRequest, payload: InviteIn, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager, write=True)
    wanted = list(dict.fromkeys(payload.people))
    people = list(Person.objects.visible_to(request.user).filter(public_id__in=wanted))
    if len(people) != len(wanted):
        raise ValidationError({"people": _("No such object, or not one you may use here.")})
    added = services.run_invite(
        run=run, actor=request.user, group=payload.group.value, people=people
    )
    return Status(201, {"added": added, "invited_total": run.invitations.count()})


@router.post(
    "/surveys/runs/{public_id}/remind",
    response=responses({200: RemindOut}, 403, 404, 422),
    tags=T_RUNS,
    summary="Remind who has not answered",
    description=(
        "Email everyone invited to an open named run who has not answered yet (not those "
        "reminded in the last 20 hours). An anonymous or not open run is 422. "
        f"{MANAGE} {NOT_FOUND}"
    ),
)
def run_remind(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager, write=True)
    return services.invitations_remind(run=run, actor=request.user)


# --- results --------------------------------------------------------------------------------


def _cell_out(cell: selectors.Cell) -> dict[str, Any]:
    out: dict[str, Any] = {
        "group": cell.group,
        "question": cell.question.code,
        "suppressed": not cell.shown,
    }
    if not cell.shown:
        return {
            **out,
            "n": None,
            "mean": None,
            "agree": None,
            "na": None,
            "counts": None,
            "texts": None,
            "previous_mean": None,
            "change": None,
        }
    kind = cell.question.kind
    return {
        **out,
        "n": cell.n,
        "mean": cell.mean,
        "agree": cell.agree,
        "na": cell.na if kind == Kind.SCALE5 else None,
        "counts": [{"value": v, "label": lab, "count": n} for v, lab, n in cell.counts],
        "texts": list(cell.texts) if kind in TEXT_KINDS else [],
        "previous_mean": cell.previous_mean,
        "change": cell.change,
    }


@router.get(
    "/surveys/runs/{public_id}/results",
    response=responses({200: ResultsOut}, 403, 404, 422),
    tags=T_RESULTS,
    summary="Read a run's results",
    description=(
        "The published results, for the whole run or one of its schools (`school`) or "
        "classes (`class`): per statement each group's mean, agreement, answers per option "
        "and texts, the gap between groups and the change since the run compared with. "
        "Exactly what the results page publishes: a group or question with fewer answers "
        "than the minimum group size, or a filtered group whose rest could be recovered by "
        "subtraction, is `suppressed` with every figure null. A school or class outside the "
        f"run is 422. {RESULTS} {NOT_FOUND}"
    ),
)
def run_results(request: HttpRequest, public_id: RunId, filters: Query[ResultsQuery]) -> Any:
    run = _run(request, public_id, _reader)
    schools = services.run_schools(run)
    school = klass = None
    if filters.school is not None:
        school = next((s for s in schools if s.public_id == filters.school), None)
        if school is None:
            raise _query_error("school", _("Not one of the run's schools."))
    if filters.school_class is not None:
        klass = (
            SchoolClass.objects.filter(school__in=schools, public_id=filters.school_class)
            .select_related("school", "term")
            .first()
        )
        if klass is None or (school is not None and klass.school_id != school.pk):
            raise _query_error("class", _("Not a class of the run's schools."))
        # A class is always compared with its own school too (rule 3 of suppression.py).
        school = klass.school
    res = selectors.run_results(
        run=run,
        school_id=school.pk if school else None,
        class_id=klass.pk if klass else None,
        language=get_language(),
    )
    return {
        "run": run,
        "min_group_size": res.k,
        "school": school,
        "school_class": klass,
        "blocked": res.blocked,
        "previous": res.previous,
        "groups": [
            {
                "group": g.group,
                "label": g.label,
                "suppressed": not g.shown,
                "respondents": g.respondents,
            }
            for g in res.groups
        ],
        "rows": [
            {
                "key": row.key,
                "kind": row.kind,
                "text": row.text,
                "strategies": row.strategies,
                "cells": [_cell_out(c) for c in row.cells.values()],
                "gap": row.gap,
                "gap_flag": row.gap_flag,
            }
            for row in res.rows
        ],
    }


@router.get(
    "/surveys/runs/{public_id}/results/schools",
    response=responses({200: BreakdownOut}, 403, 404, 422),
    tags=T_RESULTS,
    summary="Compare a run's schools",
    description=(
        "County runs: per school and group, respondents and the mean agreement over all scale "
        "questions, with small schools suppressed together so that none can be recovered "
        f"from the others and the total. {RESULTS} {NOT_FOUND}"
    ),
)
def run_breakdown(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _reader)
    groups = list(run.parts.order_by("id").values_list("group", flat=True))
    rows = []
    for row in selectors.school_breakdown(run=run, language=get_language()):
        cells = []
        for group in groups:
            cell = row["groups"].get(group, {"respondents": 0, "shown": False, "mean": None})
            hidden = cell["respondents"] > 0 and not cell["shown"]
            cells.append(
                {
                    "group": group,
                    "suppressed": hidden,
                    "respondents": cell["respondents"],
                    "mean": cell["mean"] if cell["shown"] else None,
                }
            )
        rows.append({"school": row["school"], "groups": cells})
    return {"run": run, "min_group_size": max(run.min_group_size, 5), "schools": rows}


@router.get(
    "/surveys/runs/{public_id}/answers",
    response=responses({200: list[NamedAnswerOut]}, 403, 404, 422),
    tags=T_RESULTS,
    summary="Read a named run's answers",
    description=(
        "Named runs (forms) only: each invitation with the person's answers — what a form is "
        "for (e.g. who joins the trip). An anonymous run has no named answers: 422. "
        f"{MANAGE} {NOT_FOUND}"
    ),
)
@paged
def run_answers(request: HttpRequest, public_id: RunId) -> Any:
    run = _run(request, public_id, _manager)
    if run.mode != Run.Mode.NAMED:
        raise ValidationError(_("An anonymous run has no named answers."))
    return [
        {
            "invitation": inv.public_id,
            "person": inv.person,
            "about": inv.about,
            "group": inv.part.group,
            "school": inv.school,
            "school_class": inv.school_class,
            "answered_at": inv.answered_at,
            "answers": answers,
        }
        for inv, answers in selectors.named_answers(run=run)
    ]


# --- answering ------------------------------------------------------------------------------


def _form(part: RunPart, school: Any) -> dict[str, Any]:
    qn = part.questionnaire
    by_section = _questions_of(qn)
    language = get_language() or ""
    labels = scale_labels(language)
    return {
        "run_title": part.run.title,
        "closes_at": part.run.closes_at,
        "group": part.group,
        "title_zh": qn.title_zh,
        "title_en": qn.title_en,
        "intro_zh": qn.intro_zh,
        "intro_en": qn.intro_en,
        "school": (school.name_en or school.name_zh)
        if school is not None and language.startswith("en")
        else (school.name_zh if school is not None else ""),
        "sections": [
            _section_dict(s, by_section.get(s.pk, [])) for s in qn.sections.order_by("order", "id")
        ],
        "scale": [{"value": v, "label": labels[v]} for v in (5, 4, 3, 2, 1, 0)],
    }


@router.get(
    "/surveys/answer/{code}",
    auth=None,
    response={200: FormOut, 404: Message},
    tags=T_ANSWER,
    summary="Get the questionnaire of an access code",
    description=(
        "The questionnaire an access code opens, to render it (sections, questions, options, "
        "skip logic, the scale's labels). No authentication: a learning platform or kiosk may "
        "ask on behalf of an anonymous respondent, and any credential sent is ignored. An "
        "unknown or used code, or one of a run that is not open, is 404 without saying which."
    ),
)
def answer_form(request: HttpRequest, code: AccessCodeParam) -> Any:
    try:
        access = services.code_lookup(code)
    except ValidationError as exc:
        raise Http404 from exc
    return _form(access.part, access.school)


@router.post(
    "/surveys/answer",
    auth=None,
    response={201: AnswerReceivedOut, 422: ValidationErrorOut},
    tags=T_ANSWER,
    summary="Answer with an access code",
    description=(
        "Submit the answers of an anonymous run with an access code. No authentication: a "
        "learning platform or kiosk may submit on behalf of an anonymous respondent. Nothing "
        "about the caller is read or stored — not a token or session sent along, not the "
        "time (only the day), not the code (it just loses one use): the answers cannot be "
        "traced back to a person or a code. An invalid, used or closed code is 422 on `code`; "
        "bad answers are 422 naming each question (`answers.Q3`) and use nothing up."
    ),
)
def answer_submit(request: HttpRequest, payload: AnswerIn) -> Any:
    try:
        access = services.code_lookup(payload.code)
    except ValidationError as exc:
        raise _answer_errors(exc) from exc
    _no_files(access.part.questionnaire, payload.answers)
    try:
        submission = services.submission_anonymous(code=payload.code, answers=payload.answers)
    except ValidationError as exc:
        raise _answer_errors(exc) from exc
    return Status(201, {"received": True, "answered": submission.answers.count()})


def _my_invitation(request: HttpRequest, public_id: UUID) -> Invitation:
    """An invitation of the signed-in person; anyone else's is 404."""
    scope = scope_of(request)
    invitation = (
        Invitation.objects.filter(public_id=public_id, person_id=scope.person_id)
        .select_related("run", "part", "part__run", "part__questionnaire", "about", "school")
        .first()
        if scope.person_id
        else None
    )
    if invitation is None:
        raise Http404
    return invitation


def _my_invitation_out(invitation: Invitation) -> dict[str, Any]:
    language = get_language() or ""
    answers = dict(
        Answer.objects.filter(submission__invitation=invitation).values_list(
            "question__code", "value"
        )
    )
    return {
        **_my_invitation_row(invitation, language),
        "form": _form(invitation.part, invitation.school),
        "answers": answers,
    }


def _my_invitation_row(invitation: Invitation, language: str) -> dict[str, Any]:
    return {
        "public_id": invitation.public_id,
        "run_title": invitation.run.title,
        "closes_at": invitation.run.closes_at,
        "group": invitation.part.group,
        "questionnaire": invitation.part.questionnaire.title(language),
        "about": invitation.about,
        "school": invitation.school,
        "answered_at": invitation.answered_at,
    }


@router.get(
    "/surveys/invitations",
    response=responses({200: list[MyInvitationOut]}, 422),
    tags=T_ANSWER,
    summary="List my surveys",
    description=(
        "Named runs open now that ask you to answer (a parent once per child), those not "
        "answered first; answered ones can still be changed while the run is open. Every "
        "signed-in user; [] for someone with no invitations."
    ),
)
@paged
def my_invitations(request: HttpRequest) -> Any:
    language = get_language() or ""
    return [_my_invitation_row(i, language) for i in selectors.my_invitations(user=request.user)]


@router.get(
    "/surveys/invitations/{public_id}",
    response=responses({200: MyInvitationDetailOut}, 404, 422),
    tags=T_ANSWER,
    summary="Get one of my surveys",
    description=(
        "One of your invitations with the questionnaire to render and your answers so far. "
        "Only the invitee: anyone else's invitation is 404."
    ),
)
def my_invitation(request: HttpRequest, public_id: InvitationId) -> Any:
    return _my_invitation_out(_my_invitation(request, public_id))


@router.put(
    "/surveys/invitations/{public_id}/answers",
    response=responses({200: MyInvitationDetailOut}, 404, 422),
    tags=T_ANSWER,
    summary="Answer one of my surveys",
    description=(
        "Answer a named run's invitation, or replace your earlier answers, while the run is "
        "open (else 422). Bad answers are 422 naming each question (`answers.Q3`) and change "
        "nothing. Only the invitee: anyone else's invitation is 404."
    ),
)
def my_invitation_answer(
    request: HttpRequest, payload: InvitationAnswersIn, public_id: InvitationId
) -> Any:
    invitation = _my_invitation(request, public_id)
    _no_files(invitation.part.questionnaire, payload.answers)
    try:
        services.submission_named(invitation=invitation, user=request.user, answers=payload.answers)
    except ValidationError as exc:
        raise _answer_errors(exc) from exc
    invitation.refresh_from_db()
    return _my_invitation_out(invitation)
