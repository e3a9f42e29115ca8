"""API schemas of the surveys app: the question bank, questionnaires with their sections,
questions and skip logic, runs, access codes, invitations, results and answering.

Objects are named by their ``public_id`` (a UUID), counties by their MOI ``code``. Access codes
are shown only to the run's managers, and only while they can still be used; nothing here links
an anonymous answer to a person or to a code. Every field carries a description, so the OpenAPI
document at /api/v1/openapi.json explains itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from dtss.orgs.schemas import ClassRef, CountyRef, PersonRef, SchoolRef
from dtss.surveys.models import Group, Kind, Questionnaire, Run

Op = Literal["answered", "not_answered", "eq", "ne", "in", "not_in", "gte", "lte"]


def _user(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


def _no_nulls(value: Any) -> Any:
    if value is None:
        raise ValueError(_("may be left out but not null"))
    return value


# --- shared pieces ------------------------------------------------------------------------


class Option(Schema):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(
        "", max_length=40, description="The stored value (default: the option's number, 1, 2 …)."
    )
    zh: str = Field(min_length=1, max_length=300, description="The option in Chinese.")
    en: str = Field("", max_length=300, description="The option in English (may be empty).")


class OptionOut(Schema):
    value: str = Field(description="The stored value of the option.")
    zh: str = Field(description="The option in Chinese.")
    en: str = Field("", description="The option in English (may be empty).")


class ConditionOut(Schema):
    """One skip-logic condition; a section or question is shown only when all hold."""

    q: str = Field(description="The code of an earlier question, e.g. Q2.")
    op: str = Field(
        description="answered, not_answered, eq, ne, in, not_in, gte or lte (see the request "
        "schema)."
    )
    value: Any = Field(None, description="What the answer is compared with.")


class Condition(Schema):
    """One skip-logic condition; a section or question is shown only when all hold."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(max_length=20, description="The code of an earlier question, e.g. Q2.")
    op: Op = Field(
        description="answered, not_answered, eq, ne (a multiple choice 'equals' when it "
        "contains the value), in, not_in (value is a list), gte, lte (numbers and the 1–5 "
        "scale; N/A never satisfies them)."
    )
    value: Any = Field(
        None, description="What the answer is compared with (an option value, a number, a list)."
    )


class QuestionnaireRef(Schema):
    public_id: UUID = Field(description="The questionnaire's id.")
    title_zh: str = Field(description="Title in Chinese.")
    title_en: str = Field(description="Title in English (may be empty).")
    group: Group = Field(description="The respondent group it is written for.")
    purpose: Questionnaire.Purpose = Field(description="survey (may be anonymous) or form.")


class RunRef(Schema):
    public_id: UUID = Field(description="The run's id.")
    title: str = Field(description="The run's title.")
    mode: Run.Mode = Field(description="anonymous (access codes) or named (invitations).")
    status: Run.Status = Field(description="draft, open or closed.")


class ScalePoint(Schema):
    value: int = Field(description="5 strongly agree … 1 strongly disagree; 0 not applicable.")
    label: str = Field(description="The point's label in the request's language.")


# --- the bank -----------------------------------------------------------------------------


class BankQuestionOut(Schema):
    public_id: UUID = Field(description="The bank question's id.")
    key: str = Field(description="Stable id of a built-in question (empty for added ones).")
    item: str = Field(description="The framework item it concerns (e.g. S2; may be empty).")
    strategies: list[str] = Field(description="Strategy IDs the question evidences.")
    group: Group = Field(description="The respondent group it is written for.")
    primary: bool = Field(description="True for the simpler wording for primary pupils.")
    pair: str = Field(description="Comparison key: equal keys are compared across groups.")
    kind: Kind = Field(description="The kind of question.")
    text_zh: str = Field(description="The question in Chinese.")
    text_en: str = Field(description="The question in English (may be empty).")
    help_zh: str = Field(description="Help text in Chinese.")
    help_en: str = Field(description="Help text in English.")
    options: list[OptionOut] = Field(description="Options of a choice question ([] otherwise).")
    min_value: float | None = Field(description="Smallest allowed number (number questions).")
    max_value: float | None = Field(description="Largest allowed number (number questions).")
    built_in: bool = Field(description="True for the built-in bank; false for an added one.")
    county: CountyRef | None = Field(description="The county that added it (null: built-in).")
    school: SchoolRef | None = Field(description="The school that added it, if a school did.")

    @staticmethod
    def resolve_built_in(obj: Any) -> bool:
        return obj.county_id is None


class BankQuery(Schema):
    group: Group | None = Field(None, description="Only questions for this respondent group.")
    item: str = Field("", description="Only questions of this framework item (e.g. S2).")
    strategy: str = Field("", description="Only questions tagged with this strategy ID.")
    text: str = Field("", description="Only questions whose wording contains this text.")
    primary: bool | None = Field(
        None, description="true: only the primary-pupil wording; false: only the standard one."
    )


class _QuestionFields(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field(description="The kind of question.")
    text_zh: str = Field(min_length=1, max_length=2000, description="The question in Chinese.")
    text_en: str = Field("", max_length=2000, description="The question in English.")
    help_zh: str = Field("", max_length=300, description="Help text in Chinese.")
    help_en: str = Field("", max_length=300, description="Help text in English.")
    options: list[Option] = Field(
        default_factory=list, description="Options of a choice question (at least two)."
    )
    min_value: float | None = Field(None, description="Smallest allowed number.")
    max_value: float | None = Field(None, description="Largest allowed number.")
    strategies: list[str] = Field(
        default_factory=list, description="Strategy IDs the question evidences (e.g. S2.D4)."
    )
    pair: str = Field(
        "", max_length=40, description="Comparison key: equal keys are compared across groups."
    )


class BankQuestionIn(_QuestionFields):
    county: str | None = Field(
        None, description="County code, for a county's own question (you must administer it)."
    )
    school: UUID | None = Field(
        None, description="The school's id, for a school's own question (you must administer it)."
    )
    group: Group = Field(description="The respondent group it is written for.")
    item: str = Field("", max_length=4, description="The framework item it concerns (e.g. S2).")


# --- questionnaires -----------------------------------------------------------------------


class QuestionOut(Schema):
    public_id: UUID = Field(description="The question's id.")
    section: UUID = Field(description="The id of the section it is in.")
    code: str = Field(description="The question's code, unique in the questionnaire (Q1, Q2 …).")
    order: int = Field(description="Position in its section (1 first).")
    kind: Kind = Field(description="The kind of question.")
    text_zh: str = Field(description="The question in Chinese.")
    text_en: str = Field(description="The question in English (may be empty).")
    help_zh: str = Field(description="Help text in Chinese.")
    help_en: str = Field(description="Help text in English.")
    required: bool = Field(description="Whether an answer is required (when it is shown).")
    options: list[OptionOut] = Field(description="Options of a choice question ([] otherwise).")
    min_value: float | None = Field(description="Smallest allowed number (number questions).")
    max_value: float | None = Field(description="Largest allowed number (number questions).")
    strategies: list[str] = Field(description="Strategy IDs the question evidences.")
    pair: str = Field(description="Comparison key: equal keys are compared across groups.")
    show_if: list[ConditionOut] = Field(description="Shown only when every condition holds.")
    bank: UUID | None = Field(description="The bank question it was taken from, if any.")

    @staticmethod
    def resolve_section(obj: Any) -> UUID:
        return obj.section.public_id

    @staticmethod
    def resolve_bank(obj: Any) -> UUID | None:
        return obj.bank.public_id if obj.bank_id else None


class SectionOut(Schema):
    public_id: UUID = Field(description="The section's id.")
    order: int = Field(description="Position in the questionnaire (1 first).")
    title_zh: str = Field(description="Title in Chinese (may be empty).")
    title_en: str = Field(description="Title in English (may be empty).")
    intro_zh: str = Field(description="Introduction in Chinese.")
    intro_en: str = Field(description="Introduction in English.")
    show_if: list[ConditionOut] = Field(description="Shown only when every condition holds.")
    questions: list[QuestionOut] = Field(description="The section's questions, in order.")


class QuestionnaireOut(QuestionnaireRef):
    county: CountyRef = Field(description="The county that owns it.")
    school: SchoolRef | None = Field(description="The school that owns it (null: the county).")
    archived: bool = Field(description="Archived questionnaires are kept but not offered.")
    created_at: datetime = Field(description="When it was made.")
    question_total: int = Field(description="How many questions it has.")
    locked: bool = Field(
        description="True once it has answers: it is never changed then (copy it to change it)."
    )
    can_edit: bool = Field(description="Whether you may change it (and use it in runs).")

    @staticmethod
    def resolve_question_total(obj: Any) -> int:
        total = getattr(obj, "question_total", None)
        return total if total is not None else obj.questions.count()

    @staticmethod
    def resolve_locked(obj: Any) -> bool:
        answered = getattr(obj, "answered", None)
        return bool(answered) if answered is not None else obj.is_locked

    @staticmethod
    def resolve_can_edit(obj: Any, context: Any) -> bool:
        from dtss.surveys.services import may_manage

        return may_manage(_user(context), county_id=obj.county_id, school_id=obj.school_id)


class QuestionnaireDetailOut(QuestionnaireOut):
    intro_zh: str = Field(description="Introduction in Chinese.")
    intro_en: str = Field(description="Introduction in English.")
    sections: list[SectionOut] = Field(description="Sections in order, with their questions.")

    @staticmethod
    def resolve_sections(obj: Any) -> list[Any]:
        return obj.sections_out


class QuestionnaireQuery(Schema):
    q: str = Field("", description="Search in the titles.")
    group: Group | None = Field(None, description="Only questionnaires for this group.")
    purpose: Questionnaire.Purpose | None = Field(None, description="Only surveys or forms.")
    archived: bool = Field(False, description="true: the archived ones instead of the others.")


class _Owner(Schema):
    model_config = ConfigDict(extra="forbid")

    county: str | None = Field(
        None,
        description="County code, for the county's own (you must administer it). Leave out "
        "county and school if you administer exactly one county or school.",
    )
    school: UUID | None = Field(
        None, description="The school's id, for a school's own (you must administer it)."
    )


class QuestionnaireIn(_Owner):
    title_zh: str = Field(min_length=1, max_length=200, description="Title in Chinese.")
    title_en: str = Field("", max_length=200, description="Title in English.")
    intro_zh: str = Field("", max_length=5000, description="Introduction in Chinese.")
    intro_en: str = Field("", max_length=5000, description="Introduction in English.")
    purpose: Questionnaire.Purpose = Field(
        Questionnaire.Purpose.SURVEY, description="survey (may be anonymous) or form (named)."
    )
    group: Group = Field(Group.TEACHERS, description="The respondent group it is written for.")


class QuestionnaireFromBankIn(_Owner):
    group: Group = Field(description="The respondent group: its built-in questions are used.")
    items: list[str] = Field(
        min_length=1, description="Framework items (e.g. S1, S2): one section per item."
    )
    title_zh: str = Field(min_length=1, max_length=200, description="Title in Chinese.")
    title_en: str = Field("", max_length=200, description="Title in English.")
    primary: bool = Field(False, description="Use the simpler wording for primary pupils.")


class QuestionnairePatch(Schema):
    """Only the fields sent are changed. Group and purpose cannot change once it has answers."""

    model_config = ConfigDict(extra="forbid")

    title_zh: str | None = Field(None, min_length=1, max_length=200, description="Chinese title.")
    title_en: str | None = Field(None, max_length=200, description="English title.")
    intro_zh: str | None = Field(None, max_length=5000, description="Chinese introduction.")
    intro_en: str | None = Field(None, max_length=5000, description="English introduction.")
    purpose: Questionnaire.Purpose | None = Field(None, description="survey or form.")
    group: Group | None = Field(None, description="The respondent group it is written for.")
    archived: bool | None = Field(None, description="Archive (true) or bring back (false).")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


class CopyIn(_Owner):
    """The owner of the copy; leave both out for the same owner as the original."""


class SectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title_zh: str = Field("", max_length=200, description="Title in Chinese.")
    title_en: str = Field("", max_length=200, description="Title in English.")
    intro_zh: str = Field("", max_length=5000, description="Introduction in Chinese.")
    intro_en: str = Field("", max_length=5000, description="Introduction in English.")
    show_if: list[Condition] = Field(
        default_factory=list, description="Shown only when every condition holds."
    )


class SectionPatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title_zh: str | None = Field(None, max_length=200, description="Title in Chinese.")
    title_en: str | None = Field(None, max_length=200, description="Title in English.")
    intro_zh: str | None = Field(None, max_length=5000, description="Introduction in Chinese.")
    intro_en: str | None = Field(None, max_length=5000, description="Introduction in English.")
    show_if: list[Condition] | None = Field(None, description="The skip-logic conditions.")

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    direction: Literal["up", "down"] = Field(description="Swap with the one above or below.")


class QuestionIn(_QuestionFields):
    required: bool = Field(False, description="Whether an answer is required when shown.")
    show_if: list[Condition] = Field(
        default_factory=list, description="Shown only when every condition holds."
    )


class QuestionPatch(Schema):
    """Only the fields sent are changed; min_value and max_value may be null to clear them."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = Field(None, description="The kind of question.")
    text_zh: str | None = Field(None, min_length=1, max_length=2000, description="Chinese text.")
    text_en: str | None = Field(None, max_length=2000, description="English text.")
    help_zh: str | None = Field(None, max_length=300, description="Help text in Chinese.")
    help_en: str | None = Field(None, max_length=300, description="Help text in English.")
    required: bool | None = Field(None, description="Whether an answer is required when shown.")
    options: list[Option] | None = Field(None, description="Options of a choice question.")
    min_value: float | None = Field(None, description="Smallest allowed number; null clears.")
    max_value: float | None = Field(None, description="Largest allowed number; null clears.")
    strategies: list[str] | None = Field(None, description="Strategy IDs it evidences.")
    pair: str | None = Field(None, max_length=40, description="Comparison key.")
    show_if: list[Condition] | None = Field(None, description="The skip-logic conditions.")
    section: UUID | None = Field(
        None, description="Move it to this section of the same questionnaire (id)."
    )

    @field_validator(
        "kind",
        "text_zh",
        "text_en",
        "help_zh",
        "help_en",
        "required",
        "options",
        "strategies",
        "pair",
        "show_if",
        "section",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        return _no_nulls(value)


class BankPickIn(Schema):
    model_config = ConfigDict(extra="forbid")

    bank: list[UUID] = Field(
        min_length=1, max_length=200, description="Ids of bank questions, added in this order."
    )


# --- runs -----------------------------------------------------------------------------------


class PartOut(Schema):
    group: Group = Field(description="A respondent group of the run.")
    label: str = Field(description="The group's name in the request's language.")
    questionnaire: QuestionnaireRef = Field(description="The questionnaire the group answers.")


class RunOut(RunRef):
    county: CountyRef = Field(description="The county that owns the run.")
    school: SchoolRef | None = Field(description="The school that owns it (null: the county).")
    opens_at: datetime = Field(description="When answering opens.")
    closes_at: datetime = Field(description="When answering closes.")
    closed_at: datetime | None = Field(description="When it was closed (null while not closed).")
    min_group_size: int = Field(
        description="Results of a group smaller than this are suppressed (at least 5)."
    )
    open_now: bool = Field(description="Whether answers are accepted right now.")
    parts: list[PartOut] = Field(description="Which questionnaire each respondent group answers.")
    can_manage: bool = Field(
        description="Whether you manage it: open, close, codes, invitations, reminders."
    )
    can_read_results: bool = Field(description="Whether you may read its results.")

    @staticmethod
    def resolve_open_now(obj: Run) -> bool:
        return obj.is_open_at(timezone.now())

    @staticmethod
    def resolve_parts(obj: Run) -> list[dict[str, Any]]:
        labels = dict(Group.choices)
        return [
            {
                "group": p.group,
                "label": str(labels.get(p.group, p.group)),
                "questionnaire": p.questionnaire,
            }
            for p in sorted(obj.parts.all(), key=lambda p: p.pk)
        ]

    @staticmethod
    def resolve_can_manage(obj: Run, context: Any) -> bool:
        from dtss.surveys.services import may_manage

        return may_manage(_user(context), county_id=obj.county_id, school_id=obj.school_id)

    @staticmethod
    def resolve_can_read_results(obj: Run, context: Any) -> bool:
        from dtss.surveys.selectors import may_read_results

        return may_read_results(_user(context), obj)


class CodeTotalOut(Schema):
    group: Group = Field(description="The respondent group.")
    issued: int = Field(description="How many answers the codes of this group were issued for.")
    unused: int = Field(description="How many of those can still be used.")


class RunDetailOut(RunOut):
    schools: list[SchoolRef] = Field(
        description="The schools a county's run reaches ([] for a school's run)."
    )
    classes: list[ClassRef] = Field(
        description="The classes a school's run is limited to ([]: every class)."
    )
    previous: RunRef | None = Field(description="The earlier run its results are compared with.")
    codes: list[CodeTotalOut] = Field(
        description="Anonymous runs: codes issued and still unused per group (never the codes "
        "themselves; see /codes)."
    )
    invited_total: int = Field(description="Named runs: how many invitations (0 if anonymous).")
    answered_total: int = Field(description="How many questionnaires were answered.")

    @staticmethod
    def resolve_schools(obj: Run) -> list[Any]:
        return sorted(obj.schools.all(), key=lambda s: s.code)

    @staticmethod
    def resolve_classes(obj: Run) -> list[Any]:
        return list(obj.classes.all())

    @staticmethod
    def resolve_codes(obj: Any) -> list[dict[str, Any]]:
        return obj.codes_out


class RunQuery(Schema):
    q: str = Field("", description="Search in the titles.")
    status: Run.Status | None = Field(None, description="Only runs in this status.")
    mode: Run.Mode | None = Field(None, description="Only anonymous or only named runs.")


class RunIn(_Owner):
    title: str = Field(min_length=1, max_length=200, description="The run's title.")
    mode: Run.Mode = Field(description="anonymous (access codes) or named (invitations).")
    opens_at: datetime = Field(description="When answering opens (ISO 8601; Asia/Taipei if naive).")
    closes_at: datetime = Field(description="When answering closes (after opens_at).")
    parts: dict[str, UUID] = Field(
        description='For each respondent group the id of its questionnaire, e.g. {"teachers": '
        '"…", "students": "…"}; the questionnaires must be the same owner\'s.'
    )
    schools: list[UUID] = Field(
        default_factory=list, description="A county's run: the ids of the schools it reaches."
    )
    classes: list[UUID] = Field(
        default_factory=list,
        description="A school's run: limit students and parents to these classes (ids).",
    )
    min_group_size: int = Field(
        5, ge=5, le=1000, description="Suppress results of groups smaller than this (≥ 5)."
    )
    previous: UUID | None = Field(
        None, description="An earlier run of the same owner to compare the results with."
    )


class CodesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    group: Group = Field(description="The respondent group the codes are for.")
    school: UUID | None = Field(
        None,
        description="One of the run's schools (may be left out when the run has one school; "
        "ignored for county office staff).",
    )
    school_class: UUID | None = Field(
        None, description="A class of the run (students and parents only)."
    )
    count: int = Field(
        0,
        ge=0,
        le=2000,
        description="How many one-time codes (or answers a class link is good for); 0: as many "
        "as there are people in the group, school and class.",
    )
    reusable: bool = Field(
        False, description="One class link good for `count` answers instead of one-time codes."
    )


class CodeOut(Schema):
    code: str = Field(description="The access code to print or hand out.")
    group: Group = Field(description="The respondent group it is for.")
    school: SchoolRef | None = Field(description="The school it counts towards.")
    school_class: ClassRef | None = Field(description="The class it counts towards, if any.")
    reusable: bool = Field(description="True for a class link good for several answers.")
    uses_left: int = Field(description="How many answers it can still be used for.")

    @staticmethod
    def resolve_group(obj: Any) -> str:
        return obj.part.group


class CodesOut(Schema):
    codes: list[CodeOut] = Field(
        description="The new codes. Print them now: used codes are never shown again."
    )
    issued: int = Field(description="How many answers the new codes were issued for.")


class ProgressRowOut(Schema):
    group: Group = Field(description="The respondent group.")
    label: str = Field(description="The group's name in the request's language.")
    school: SchoolRef | None = Field(description="The school (null: county office staff).")
    invited: int = Field(description="Invitations (named) or answers codes were issued for.")
    answered: int = Field(description="Questionnaires answered.")
    rate: int | None = Field(description="Answered as a percentage of invited (null: none).")


class ProgressOut(Schema):
    run: RunRef = Field(description="The run.")
    rows: list[ProgressRowOut] = Field(
        description="Per group (and school): invited and answered. Counts of respondents are "
        "not results, so they are shown whatever their size."
    )
    invited_total: int = Field(description="Invited (or issued) in total.")
    answered_total: int = Field(description="Answered in total.")


class RunInvitationOut(Schema):
    public_id: UUID = Field(description="The invitation's id.")
    person: PersonRef = Field(description="Who is asked to answer.")
    about: PersonRef | None = Field(description="For parents: the child it is about.")
    group: Group = Field(description="The respondent group.")
    school: SchoolRef | None = Field(description="The school it counts towards.")
    school_class: ClassRef | None = Field(description="The class it counts towards, if any.")
    answered_at: datetime | None = Field(description="When they answered (null: not yet).")
    reminded_at: datetime | None = Field(description="When they were last reminded.")
    reminders: int = Field(description="How many reminders were sent.")

    @staticmethod
    def resolve_group(obj: Any) -> str:
        return obj.part.group


class InvitationQuery(Schema):
    answered: bool | None = Field(
        None, description="true: only those who answered; false: only those who have not."
    )
    group: Group | None = Field(None, description="Only this respondent group.")


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    group: Group = Field(description="The respondent group (its questionnaire).")
    people: list[UUID] = Field(
        default_factory=list,
        description="Ids of people of the run's county or school to invite; [] invites "
        "everyone of the group not invited yet.",
    )


class InvitedOut(Schema):
    added: int = Field(description="How many invitations were added.")
    invited_total: int = Field(description="The run's invitations now.")


class RemindOut(Schema):
    sent: int = Field(description="Reminders emailed.")
    no_email: int = Field(description="People not answered yet who have no email address.")
    skipped: int = Field(description="People reminded within the last 20 hours.")


# --- results --------------------------------------------------------------------------------


class CountOut(Schema):
    value: str = Field(description="The option value (or scale point, or date).")
    label: str = Field(description="Its label in the request's language.")
    count: int = Field(description="How many answers chose it.")


class CellOut(Schema):
    """One question's answers from one respondent group. A suppressed cell carries no figure."""

    group: Group = Field(description="The respondent group.")
    question: str = Field(description="The question's code in that group's questionnaire.")
    suppressed: bool = Field(
        description="True when the group (or the answers to this question) is smaller than "
        "the minimum, or the filter could reveal a small group: every figure is null then."
    )
    n: int | None = Field(description="Answers (N/A included for the scale); null if suppressed.")
    mean: float | None = Field(
        description="Scale: mean of 1–5 (N/A excluded); number: mean. Null if suppressed."
    )
    agree: float | None = Field(
        description="Scale: % agree or strongly agree among non-N/A answers; null otherwise."
    )
    na: int | None = Field(description="Scale: 'not applicable' answers; null otherwise.")
    counts: list[CountOut] | None = Field(
        description="Scale, choice and date questions: answers per value; null if suppressed."
    )
    texts: list[str] | None = Field(
        description="Text questions: the answers, sorted (their order says nothing about who "
        "answered when); null if suppressed."
    )
    previous_mean: float | None = Field(
        description="The mean in the run compared with; null if suppressed."
    )
    change: float | None = Field(description="mean − previous_mean; null if suppressed.")


class ResultRowOut(Schema):
    key: str = Field(
        description="The comparison key, or group:code for a question asked of one group."
    )
    kind: Kind = Field(description="The kind of question.")
    text: str = Field(description="The question in the request's language.")
    strategies: list[str] = Field(description="Strategy IDs the question evidences.")
    cells: list[CellOut] = Field(description="One cell per group the question was asked of.")
    gap: float | None = Field(
        description="Scale: the largest difference of the groups' means (shown groups only)."
    )
    gap_flag: bool = Field(description="True when the gap is 1 point or more.")


class GroupResultOut(Schema):
    group: Group = Field(description="The respondent group.")
    label: str = Field(description="The group's name in the request's language.")
    suppressed: bool = Field(description="True when the group's results are not shown.")
    respondents: int = Field(
        description="Respondents in the filter. Counts of respondents are not results: they "
        "are given (as on the results page) even when the group's figures are suppressed."
    )


class ResultsOut(Schema):
    run: RunRef = Field(description="The run.")
    min_group_size: int = Field(description="The minimum group size applied (k, at least 5).")
    school: SchoolRef | None = Field(description="The school filter, if any.")
    school_class: ClassRef | None = Field(description="The class filter, if any.")
    blocked: bool = Field(
        description="True when the filter would let a small group be recovered by "
        "subtraction: nothing is shown."
    )
    previous: RunRef | None = Field(description="The earlier run compared with, if any.")
    groups: list[GroupResultOut] = Field(description="The respondent groups.")
    rows: list[ResultRowOut] = Field(description="One row per statement or question.")


class ResultsQuery(Schema):
    school: UUID | None = Field(None, description="Only the answers of one of the run's schools.")
    school_class: UUID | None = Field(
        None,
        alias="class",
        description="Only the answers of one class of the run (its school is implied).",
    )


class BreakdownCellOut(Schema):
    group: Group = Field(description="The respondent group.")
    suppressed: bool = Field(
        description="True when this school's group is too small (or would reveal another "
        "small school by subtraction): no figure is shown."
    )
    respondents: int = Field(
        description="Respondents (a count, given as on the results page even when suppressed)."
    )
    mean: float | None = Field(
        description="Mean agreement (1–5) over all scale questions; null if suppressed."
    )


class BreakdownRowOut(Schema):
    school: SchoolRef = Field(description="The school.")
    groups: list[BreakdownCellOut] = Field(description="One cell per respondent group.")


class BreakdownOut(Schema):
    run: RunRef = Field(description="The run.")
    min_group_size: int = Field(description="The minimum group size applied (k, at least 5).")
    schools: list[BreakdownRowOut] = Field(description="Schools in code order.")


class NamedAnswerOut(Schema):
    invitation: UUID = Field(description="The invitation's id.")
    person: PersonRef = Field(description="Who was asked.")
    about: PersonRef | None = Field(description="For parents: the child it is about.")
    group: Group = Field(description="The respondent group.")
    school: SchoolRef | None = Field(description="The school it counts towards.")
    school_class: ClassRef | None = Field(description="The class, if any.")
    answered_at: datetime | None = Field(description="When they answered (null: not yet).")
    answers: dict[str, Any] = Field(
        description="Answers by question code (scale 0–5, option value(s), number, text, date "
        "or a file's name); {} when not answered."
    )


# --- answering ------------------------------------------------------------------------------


class FormQuestionOut(Schema):
    code: str = Field(description="The question's code: the key of its answer.")
    kind: Kind = Field(description="The kind of question.")
    text_zh: str = Field(description="The question in Chinese.")
    text_en: str = Field(description="The question in English (may be empty).")
    help_zh: str = Field(description="Help text in Chinese.")
    help_en: str = Field(description="Help text in English.")
    required: bool = Field(description="Whether an answer is required when it is shown.")
    options: list[OptionOut] = Field(description="Options of a choice question ([] otherwise).")
    min_value: float | None = Field(description="Smallest allowed number.")
    max_value: float | None = Field(description="Largest allowed number.")
    show_if: list[ConditionOut] = Field(description="Shown only when every condition holds.")


class FormSectionOut(Schema):
    order: int = Field(description="Position (1 first).")
    title_zh: str = Field(description="Title in Chinese (may be empty).")
    title_en: str = Field(description="Title in English (may be empty).")
    intro_zh: str = Field(description="Introduction in Chinese.")
    intro_en: str = Field(description="Introduction in English.")
    show_if: list[ConditionOut] = Field(description="Shown only when every condition holds.")
    questions: list[FormQuestionOut] = Field(description="Its questions, in order.")


class FormOut(Schema):
    """A questionnaire to render and answer."""

    run_title: str = Field(description="The run's title.")
    closes_at: datetime = Field(description="Answers are accepted until then.")
    group: Group = Field(description="The respondent group answering.")
    title_zh: str = Field(description="The questionnaire's title in Chinese.")
    title_en: str = Field(description="The questionnaire's title in English (may be empty).")
    intro_zh: str = Field(description="Introduction in Chinese.")
    intro_en: str = Field(description="Introduction in English.")
    school: str = Field(description="The school's name (empty for county office staff).")
    sections: list[FormSectionOut] = Field(description="Sections in order.")
    scale: list[ScalePoint] = Field(description="The points of the agreement scale.")


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        min_length=1, max_length=32, description="The access code (spaces and dashes ignored)."
    )
    answers: dict[str, Any] = Field(
        description="Answers by question code: scale 1–5 or 0 (N/A), an option value, a list "
        "of option values, a number, a text or a date (YYYY-MM-DD). Hidden questions are "
        "ignored."
    )


class AnswerReceivedOut(Schema):
    received: bool = Field(description="Always true: the answers were stored.")
    answered: int = Field(description="How many questions were answered.")


class MyInvitationOut(Schema):
    public_id: UUID = Field(description="The invitation's id.")
    run_title: str = Field(description="The run's title.")
    closes_at: datetime = Field(description="Answers are accepted (and may be changed) until then.")
    group: Group = Field(description="The respondent group you answer as.")
    questionnaire: str = Field(description="The questionnaire's title in the request's language.")
    about: PersonRef | None = Field(description="For parents: the child it is about.")
    school: SchoolRef | None = Field(description="The school it concerns.")
    answered_at: datetime | None = Field(description="When you answered (null: not yet).")


class MyInvitationDetailOut(MyInvitationOut):
    form: FormOut = Field(description="The questionnaire to render.")
    answers: dict[str, Any] = Field(description="Your answers so far, by question code.")


class InvitationAnswersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        description="All your answers by question code (they replace earlier ones); see "
        "POST /surveys/answer for the values."
    )
