"""Tables 6 and 7 as versioned data, assessment cycles, self-assessments, evidence and reviews.

The official 102 strategies are loaded by migration from data/framework-2025.json and never
edited in place; a later framework version carries a StrategyMapping from the old IDs. A county
may add local strategies to an item (`county` set).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dtss.core.models import BaseModel, TenantModel


def _bilingual(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") and en else zh


class Stage(models.TextChoices):
    DEVELOPMENT = "D", _("Development")
    ACCELERATION = "A", _("Acceleration")
    MATURITY = "M", _("Maturity")


class Level(models.TextChoices):
    COUNTY = "county", _("County/city (Table 6)")
    SCHOOL = "school", _("School (Table 7)")


class FrameworkVersion(BaseModel):
    code = models.CharField(_("version"), max_length=20, unique=True)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    is_current = models.BooleanField(default=False)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-code"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_framework"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return _bilingual(self.title_zh, self.title_en)


class Item(BaseModel):
    """要項: L1–L7 for counties, S1–S5 for schools."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("item"), max_length=8)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return _bilingual(self.title_zh, self.title_en)


class Strategy(BaseModel):
    """An example strategy of one item and stage. Official ones have no county."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="strategies")
    code = models.CharField(_("strategy ID"), max_length=16)
    stage = models.CharField(_("stage"), max_length=1, choices=Stage.choices)
    text_zh = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    county = models.ForeignKey(
        "orgs.County",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="local_strategies",
        help_text=_("Set for a county's own local strategy; empty for the official ones."),
    )
    inferred = models.BooleanField(
        default=False, help_text=_("The seed's table layout left this assignment uncertain.")
    )

    class Meta:
        ordering = ["item__order", "stage", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="strategy_code_unique"),
        ]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)

    @property
    def is_local(self) -> bool:
        return self.county_id is not None


class StrategyMapping(BaseModel):
    """How a strategy of an older framework version continues in a newer one."""

    old = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="mapped_to")
    new = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="mapped_from")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="strategy_mapping_unique")
        ]


class Cycle(TenantModel):
    """An assessment cycle opened by a county, e.g. 114學年度第1學期."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="cycles")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.PROTECT, related_name="+")
    term = models.ForeignKey(
        "orgs.AcademicTerm", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    rule_share = models.DecimalField(
        _("share of strategies required"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1"))],
        help_text=_("1 = every strategy of the stage and below; e.g. 0.667 = two-thirds."),
    )
    require_evidence = models.BooleanField(_("evidence required"), default=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    TENANT_SCHOOL_FIELD = None

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="cycle_name_unique"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("opens_on")), name="cycle_deadline_after_open"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def personal_q(cls, scope: Any) -> Q | None:
        """School staff see the cycles their school takes part in."""
        if not scope.staff_school_ids:
            return None
        return Q(
            pk__in=Assessment.objects.filter(school_id__in=scope.staff_school_ids).values(
                "cycle_id"
            )
        )


class Assessment(TenantModel):
    """One organisation's self-assessment in one cycle: the county's (Table 6, no school) or a
    school's (Table 7)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    sampled = models.BooleanField(
        _("sampled for verification"),
        default=False,
        help_text=_("Drawn by the county for an evidence check or visit."),
    )
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Frozen copy of the stages and answers on acceptance."),
    )
    stages = models.JSONField(
        default=dict, blank=True, help_text=_("Computed stage per item code, kept up to date.")
    )

    class Meta:
        ordering = ["cycle", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school"], name="assessment_unique"),
            models.UniqueConstraint(
                fields=["cycle"], condition=Q(school__isnull=True), name="county_assessment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.school or self.county}"

    @property
    def level(self) -> str:
        return Level.COUNTY if self.school_id is None else Level.SCHOOL

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.ACCEPTED


class Response(TenantModel):
    """The state of one strategy in one assessment."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        IMPLEMENTED = "implemented", _("Implemented")
        EMBEDDED = "embedded", _("Embedded in routine")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    owner = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["assessment", "strategy__item__order", "strategy__stage", "strategy__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "strategy"], name="response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.strategy.code}"


class Evidence(TenantModel):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        TEXT = "text", _("Text")
        INDICATOR = "indicator", _("Indicator value")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("link"), blank=True, max_length=500)
    text = models.TextField(_("text"), blank=True)
    indicator_id = models.CharField(max_length=64, blank=True)
    indicator_value = models.FloatField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class AssessmentEvent(TenantModel):
    """Every status change of an assessment or a response, and every review comment:
    who, when and the note."""

    class Action(models.TextChoices):
        STATUS = "status", _("Strategy status changed")
        SUBMIT = "submit", _("Submitted")
        COMMENT = "comment", _("Review comment")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        ANSWER = "answer", _("School answered")
        ACCEPT = "accept", _("Accepted")
        REOPEN = "reopen", _("Reopened")
        SAMPLE = "sample", _("Drawn for verification")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} {self.action}"


# --- Action plans (短中長程計畫) -------------------------------------------------------------


class Plan(TenantModel):
    """A county's or a school's plan: goals linked to strategies, actions with owners, dates
    and budgets. Plans carry across cycles."""

    class Horizon(models.TextChoices):
        SHORT = "short", _("Short term (1 year)")
        MID = "mid", _("Mid term (2–3 years)")
        LONG = "long", _("Long term (4+ years)")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    horizon = models.CharField(
        _("horizon"), max_length=8, choices=Horizon.choices, default=Horizon.SHORT
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    cycle = models.ForeignKey(
        Cycle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text=_("The cycle whose results the plan answers, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Goal(TenantModel):
    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    strategies = models.ManyToManyField(
        Strategy, blank=True, related_name="goals", verbose_name=_("strategies")
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Action(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Funding(models.TextChoices):
        CENTRAL = "central", _("Central government")
        LOCAL = "local", _("Local government")
        SCHOOL = "school", _("School budget")
        PROGRAMME = "programme", _("Named programme")
        OTHER = "other", _("Other")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (NT$)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    funding = models.CharField(
        _("funding source"), max_length=10, choices=Funding.choices, blank=True
    )
    programme = models.CharField(
        _("programme"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 生生用平板 or 數位學習精進方案"),
    )
    success_measure = models.CharField(_("success measure"), max_length=300, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["goal", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="action_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Good practice (案例, S2.M3, L5.A2) ------------------------------------------------------


class Case(TenantModel):
    """A piece of evidence published as a good-practice case. Published cases are readable by
    the staff of every school and county (sharing is the point); only the owner edits them."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="cases")
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    stage = models.CharField(_("stage"), max_length=1, choices=Stage.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    subject = models.CharField(_("subject/domain"), max_length=60, blank=True)
    tags = models.CharField(
        _("tags"),
        max_length=300,
        blank=True,
        help_text=_("Separated by commas, e.g. 因材網, 平板, 家長日"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def personal_q(cls, scope: Any) -> Q | None:
        # Every staff member, of any school or county, reads published cases.
        return Q(pk__isnull=False) if scope.is_staff_level else None

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]


# --- Indicator history ----------------------------------------------------------------------


class IndicatorValue(TenantModel):
    """An indicator's value for one org, recorded for a cycle (or on a date)."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator_id = models.CharField(max_length=64)
    as_of = models.DateField()
    value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["indicator_id", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_id", "cycle", "county", "school"],
                name="indicator_value_per_cycle",
            ),
        ]
        indexes = [models.Index(fields=["county", "school", "indicator_id"])]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"
