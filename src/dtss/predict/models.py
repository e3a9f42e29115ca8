"""The AI data model of strategy L6.M1 (issue 7): model versions with their evaluation (the
model card), the scores they give each student with reasons, the teachers' intervention log,
and students' weekly-activity patterns.

A model is trained per county × stage group (elementary, junior high, senior high) from the
analytics rollups; only a version whose evaluation on later held-out weeks passed may be
enabled, and one version per county × stage is enabled at a time.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel, TenantQuerySet


class StageGroup(models.TextChoices):
    """School stages as the model groups them (orgs.School.Stage → one of these)."""

    ELEMENTARY = "elementary", _("Elementary school")
    JUNIOR = "junior", _("Junior high school")
    SENIOR = "senior", _("Senior high school")


STAGE_GROUP = {  # orgs.School.Stage value → StageGroup value
    "elementary": "elementary",
    "special": "elementary",
    "junior": "junior",
    "senior": "senior",
    "vocational": "senior",
    "complete": "senior",
}


class ModelVersion(TenantModel):
    """One trained model of a county and stage group, with its evaluation report (`card`)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Status(models.TextChoices):
        TRAINED = "trained", _("Trained")
        ENABLED = "enabled", _("In use")
        RETIRED = "retired", _("Retired")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    stage = models.CharField(_("school stage"), max_length=16, choices=StageGroup.choices)
    number = models.PositiveIntegerField(_("version"))
    # what is predicted: {"metric": "correct_rate"|"mean_score"|"completions", "threshold": float,
    # "horizon_weeks": int, "min_answers": int, "subject": "" | code, "platform_id": 0 | id}
    target = models.JSONField(_("target"), default=dict)
    features = models.JSONField(_("features"), default=list)  # names, in the model's order
    # cut-off dates (Mondays) whose examples trained it, and the later ones that tested it
    train_cutoffs = models.JSONField(default=list)
    test_cutoffs = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.TRAINED
    )
    passed = models.BooleanField(_("passed its evaluation"), default=False)
    # the model card: metrics overall, against the baseline, at the flagged share, calibration,
    # and the same broken down by stage, gender and disadvantaged status; the training setup
    card = models.JSONField(_("evaluation report"), default=dict)
    artifact = models.BinaryField(_("fitted model"))  # joblib dump of the fitted estimator
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trained by"),
    )
    enabled_at = models.DateTimeField(_("enabled"), null=True, blank=True)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("enabled by"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["county", "stage", "-number"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["county", "stage", "number"], name="predict_version_number"
            ),
            models.UniqueConstraint(
                fields=["county", "stage"],
                condition=models.Q(status="enabled"),
                name="predict_one_enabled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.stage} v{self.number}"


class RiskScore(TenantModel):
    """A version's prediction for one student as of a cut-off date (a Monday): the calibrated
    probability of not reaching the expected level over the target's horizon, the band, and
    the main reasons. `band` "insufficient" means too little data: no probability is shown."""

    class Band(models.TextChoices):
        HIGH = "high", _("High risk")
        MEDIUM = "medium", _("Some risk")
        LOW = "low", _("Low risk")
        INSUFFICIENT = "insufficient", _("Not enough data")

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="scores")
    as_of = models.DateField()  # the cut-off: features use only what happened before it
    probability = models.FloatField(null=True)
    band = models.CharField(max_length=16, choices=Band.choices)
    rank = models.PositiveIntegerField(null=True)  # 1 = highest risk in the class
    # [{"code": "activity_drop", "value": 0.6, "reference": ..., "weight": ...}, …], most
    # important first; rendered in plain language by `reasons.describe`
    reasons = models.JSONField(default=list)
    features = models.JSONField(default=dict)  # the values the model saw

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["person", "version", "as_of"], name="predict_score_key"
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school_class", "as_of"], name="predict_score_class"),
            models.Index(fields=["school", "as_of"], name="predict_score_school"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.as_of} {self.band}"


class Intervention(TenantModel):
    """What a teacher did for a student, and when: drawn beside the student's trend."""

    class Kind(models.TextChoices):
        TALK = "talk", _("Talked with the student")
        PARENT = "parent", _("Contacted the parents")
        REMEDIAL = "remedial", _("Remedial teaching")
        PEER = "peer", _("Peer or tutor support")
        DEVICE = "device", _("Device or connection help")
        REFERRAL = "referral", _("Referred to counselling or support")
        OTHER = "other", _("Other")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("what was done"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes: ClassVar[list] = [
            models.Index(fields=["person", "date"], name="predict_intervention_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.date} {self.kind}"


class PatternRun(TenantModel):
    """One clustering of a county × stage group's students' weekly activity over a span of
    weeks: the clusters' centres and the pattern each was named (`card`)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=StageGroup.choices)
    first_week = models.DateField()
    last_week = models.DateField()
    # {"features": [...], "clusters": [{"pattern": code, "centre": {...}, "size": n}], ...}
    card = models.JSONField(default=dict)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-last_week", "-id"]

    def __str__(self) -> str:
        return f"{self.county_id} {self.stage} {self.first_week}–{self.last_week}"


class StudentPattern(TenantModel):
    """The pattern of one student's weekly activity in a pattern run."""

    class Pattern(models.TextChoices):
        STEADY = "steady", _("Steady")
        WEEKEND = "weekend", _("Mostly at weekends")
        FADING = "fading", _("Fading")
        RISING = "rising", _("Picking up")
        BURSTY = "bursty", _("In bursts")
        LIGHT = "light", _("Light use")
        INACTIVE = "inactive", _("Not active")

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(PatternRun, on_delete=models.CASCADE, related_name="students")
    pattern = models.CharField(max_length=16, choices=Pattern.choices)
    features = models.JSONField(default=dict)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["run", "person"], name="predict_pattern_key"),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school_class", "run"], name="predict_pattern_class"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.pattern}"
