"""Questionnaires, their runs (distribution), access codes, invitations, submissions, answers.

Anonymity (DESIGN.md rule 6) is structural, not a filter:
- an anonymous `Submission` has no person, no user, no timestamp finer than the day, and no
  link to the `AccessCode` that let it in; an `AccessCode` has no timestamps either, so the
  order or time of use of a code cannot be matched with an answer;
- results are read only through `selectors.run_results`, which suppresses every group smaller
  than the run's minimum size (default 5, never lower) and any group that could be recovered
  by subtracting one published figure from another (`suppression.py`).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtss.core.models import BaseModel, TenantModel, TenantQuerySet

MIN_GROUP_SIZE = 5  # the smallest group whose results are shown; a run may only raise it

# Unambiguous characters for printed access codes (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Group(models.TextChoices):
    """Respondent groups: each answers the questionnaire written for it; results compare them."""

    LEADERS = "leaders", _("School leaders")
    TEACHERS = "teachers", _("Teachers")
    STUDENTS = "students", _("Students")
    PARENTS = "parents", _("Parents")
    COUNTY_STAFF = "county_staff", _("County office staff")
    OTHERS = "others", _("Others")


class Kind(models.TextChoices):
    SCALE5 = "scale5", _("Agreement scale (1–5, with N/A)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    DATE = "date", _("Date")
    FILE = "file", _("File")


TEXT_KINDS = {Kind.SHORT_TEXT, Kind.LONG_TEXT}
CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE}


class BankQuestion(BaseModel):
    """A question of the bank: built-in (no county) or added by a county or a school."""

    county = models.ForeignKey(
        "orgs.County", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=40, blank=True, help_text="Stable id of built-in questions")
    item = models.CharField(_("item"), max_length=4, blank=True)
    strategies = models.JSONField(_("strategies"), default=list, blank=True)
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    primary = models.BooleanField(_("simpler wording for primary pupils"), default=False)
    pair = models.CharField(
        _("comparison key"),
        max_length=40,
        blank=True,
        help_text=_("Questions with the same key are compared across respondent groups."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help_zh = models.CharField(_("help (Chinese)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    active = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    class Meta:
        ordering = ["item", "group", "key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="bank_question_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.key or self.text_zh[:40]

    @classmethod
    def tenant_q(cls, scope: Any, *, write: bool) -> Q:
        """Built-in questions are read by every signed-in user; a county's or school's own
        questions by that county or school (and a county's by its schools)."""
        county_ids = scope.admin_county_ids if write else scope.county_ids
        school_ids = scope.admin_school_ids if write else scope.staff_school_ids
        q = Q(pk__in=[])
        if not write and scope.authenticated:
            q |= Q(county__isnull=True)
        if county_ids:
            q |= Q(county_id__in=county_ids)
        if school_ids:
            q |= Q(school_id__in=school_ids)
            if not write:
                from dtss.orgs.models import School

                q |= Q(
                    school__isnull=True,
                    county_id__in=School.objects.filter(pk__in=school_ids).values("county_id"),
                )
        return q


class Questionnaire(TenantModel):
    """A questionnaire (or a form) owned by a county (school null) or a school."""

    class Purpose(models.TextChoices):
        SURVEY = "survey", _("Survey (may be anonymous)")
        FORM = "form", _("Form (named, e.g. 調查表)")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.SURVEY
    )
    group = models.CharField(
        _("written for"), max_length=20, choices=Group.choices, default=Group.TEACHERS
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title_zh

    def title(self, language: str = "") -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_zh

    @property
    def is_locked(self) -> bool:
        """A questionnaire that has answers is never changed: copy it to change it."""
        return Answer.objects.filter(question__questionnaire=self).exists()


class Section(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    # Skip logic: the section is shown only when every condition holds (see logic.py).
    show_if = models.JSONField(_("show only if"), default=list, blank=True)

    class Meta:
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.title_zh or f"#{self.order}"


class Question(BaseModel):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("code"), max_length=20)  # "Q1", "Q2" … unique per questionnaire
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help_zh = models.CharField(_("help (Chinese)"), max_length=300, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)  # [{value, zh, en}]
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    strategies = models.JSONField(_("strategies"), default=list, blank=True)
    pair = models.CharField(_("comparison key"), max_length=40, blank=True)
    bank = models.ForeignKey(
        BankQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if = models.JSONField(_("show only if"), default=list, blank=True)

    class Meta:
        ordering = ["questionnaire", "section__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text_zh[:40]}"

    def text(self, language: str = "") -> str:
        return self.text_en if language.startswith("en") and self.text_en else self.text_zh

    def help(self, language: str = "") -> str:
        return self.help_en if language.startswith("en") and self.help_en else self.help_zh

    def option_label(self, value: str, language: str = "") -> str:
        for o in self.options:
            if o.get("value") == value:
                en = language.startswith("en")
                return (o.get("en") if en and o.get("en") else o.get("zh")) or value
        return value


class Run(TenantModel):
    """One distribution of questionnaires: who answers which, when, anonymous or named."""

    class Mode(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous (access codes, no identity stored)")
        NAMED = "named", _("Named (who answered is recorded)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size"),
        default=MIN_GROUP_SIZE,
        validators=[MinValueValidator(MIN_GROUP_SIZE)],
        help_text=_("Results of any group smaller than this are not shown (at least 5)."),
    )
    # A county run reaches these schools (none: the county's own staff only).
    schools = models.ManyToManyField("orgs.School", blank=True, related_name="+")
    # A school run may be limited to some classes (students and parents); none: every class.
    classes = models.ManyToManyField("orgs.SchoolClass", blank=True, related_name="+")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compare with"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_group_size__gte=5), name="run_min_group_size"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, when: Any) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= when < self.closes_at


class RunPart(BaseModel):
    """Which questionnaire one respondent group of a run answers."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="parts")
    group = models.CharField(_("respondent group"), max_length=20, choices=Group.choices)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="run_parts"
    )

    class Meta:
        ordering = ["run", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "group"], name="run_part_unique")]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_group_display()}"


class AccessCode(models.Model):
    """A code (or a class link) that lets someone answer an anonymous run without signing in.

    Deliberately without timestamps and without any link to the submission it produced."""

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    part = models.ForeignKey(RunPart, on_delete=models.CASCADE, related_name="codes")
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=16, unique=True)
    uses_left = models.PositiveIntegerField(default=1)
    reusable = models.BooleanField(default=False)  # a class link rather than a one-time code
    issued = models.PositiveIntegerField(default=1)  # how many answers it was issued for

    objects = TenantQuerySet.as_manager()
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    class Meta:
        ordering = ["school", "school_class", "id"]

    def __str__(self) -> str:
        return self.code


class Invitation(TenantModel):
    """Named runs: one person asked to answer (a parent once per child when `about` is set)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="invitations")
    part = models.ForeignKey(RunPart, on_delete=models.CASCADE, related_name="invitations")
    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    about = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "school", "school_class", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person", "about"], name="invitation_unique_about"
            ),
            models.UniqueConstraint(
                fields=["run", "person"],
                condition=Q(about__isnull=True),
                name="invitation_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.person}"

    @classmethod
    def personal_q(cls, scope: Any) -> Q | None:
        return Q(person_id=scope.person_id) if scope.person_id else None


class Submission(models.Model):
    """One completed questionnaire. Anonymous: no person, no user, the day only."""

    public_id = models.UUIDField(unique=True, editable=False, default=uuid.uuid4)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="submissions")
    part = models.ForeignKey(RunPart, on_delete=models.CASCADE, related_name="submissions")
    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField()
    # Named runs only:
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="submission"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()
    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invitation__isnull=True, submitted_at__isnull=True)
                | Q(invitation__isnull=False),
                name="submission_anonymous_has_no_time",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # scale5: 1–5, or 0 for N/A; single: "value"; multiple: ["v", …]; number: float;
    # text: str; date: "YYYY-MM-DD"; file: the original name (the file is in `file`).
    value = models.JSONField(null=True, blank=True)
    file = models.FileField(upload_to="surveys/%Y/%m/", blank=True)

    class Meta:
        ordering = ["submission", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.value!r}"
