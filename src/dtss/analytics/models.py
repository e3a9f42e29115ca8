"""Learning analytics: platforms, actor identities, learner groups and the rollups.

The rollups are three levels kept in step with the LRS, incrementally (see `rollups.py`):

- `StudentDay`: one row per actor × day × platform × subject, summed from statements;
- `StudentWeek`: one row per resolved student × week (Monday), derived from their StudentDays;
- `SchoolWeek` and `SchoolWeekPart`: per school × grade × week (and × platform × subject), the
  sums of the StudentWeeks of that school, with the number of distinct active students.

`platform_id` in the rollups is a plain integer (0: records from no registered platform), so the
unique keys hold on both databases without nullable columns.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel, TenantQuerySet


class Platform(TenantModel):
    """A learning platform the county receives records from, with its data-governance record."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Kind(models.TextChoices):
        ADL = "adl", _("因材網 (Adaptive Learning)")
        COOC = "cooc", _("酷課雲 (CooC-Cloud)")
        JUNYI = "junyi", _("均一教育平台 (Junyi Academy)")
        CLASSROOM = "classroom", _("Google Classroom")
        COOL_ENGLISH = "coolenglish", _("酷英網 (Cool English)")
        OTHER = "other", _("Other")

    class IdentityScheme(models.TextChoices):
        EXTERNAL_ID = "external_id", _("School account: account name is the DTSS external ID")
        OPENID_SUB = "openid_sub", _("Education Cloud OpenID: account name is the OpenID sub")
        MAPPING = "mapping", _("Platform's own IDs: mapped by an administrator")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("platform"), max_length=16, choices=Kind.choices)
    credential = models.OneToOneField(
        "lrs.Credential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="analytics_platform",
        verbose_name=_("LRS credential"),
    )
    account_home_page = models.URLField(
        _("account home page"),
        blank=True,
        help_text=_("The homePage of the platform's actor accounts in its statements."),
    )
    identity_scheme = models.CharField(
        _("how accounts identify students"),
        max_length=16,
        choices=IdentityScheme.choices,
        default=IdentityScheme.EXTERNAL_ID,
    )
    default_subject = models.CharField(_("default subject"), max_length=16, blank=True)
    # Governance (L6.D1)
    purpose = models.TextField(_("purpose of processing"), blank=True)
    data_fields = models.TextField(_("data fields received"), blank=True)
    retention_days = models.PositiveIntegerField(_("retention period (days)"), default=730)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["county", "name"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["county", "name"], name="analytics_platform_name"),
        ]
        verbose_name = _("learning platform")
        verbose_name_plural = _("learning platforms")

    def __str__(self) -> str:
        return self.name


class FileMapping(TenantModel):
    """How one platform's export file (CSV/XLSX) becomes xAPI statements (see mapping.py)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("platform")
    )
    name = models.CharField(_("name"), max_length=120)
    spec = models.JSONField(_("column mapping"), default=dict)

    class Meta:
        ordering = ["platform", "name"]
        verbose_name = _("file mapping")
        verbose_name_plural = _("file mappings")

    def __str__(self) -> str:
        return f"{self.platform} · {self.name}"


class ActorLink(TenantModel):
    """One statement actor seen in the county's store, and the DTSS person it resolves to."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Method(models.TextChoices):
        UNRESOLVED = "", _("Unresolved")
        EXTERNAL_ID = "external_id", _("External ID")
        OPENID_SUB = "openid_sub", _("Education Cloud OpenID")
        EMAIL = "email", _("Email")
        MANUAL = "manual", _("Mapped by an administrator")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    actor_key = models.CharField(max_length=512)
    label = models.CharField(_("actor"), max_length=300)
    platform_id = models.PositiveIntegerField(default=0)
    person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    method = models.CharField(_("resolved by"), max_length=16, choices=Method.choices, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    statements = models.PositiveIntegerField(_("records"), default=0)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-statements", "id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["county", "actor_key"], name="analytics_actor_key"),
        ]
        indexes: ClassVar[list] = [models.Index(fields=["county", "person"])]
        verbose_name = _("learning-record actor")
        verbose_name_plural = _("learning-record actors")

    def __str__(self) -> str:
        return self.label


class LearnerGroup(TenantModel):
    """A student's membership of a disadvantaged group or a support programme, for a period.

    County-level views compare groups (L6.M2) and programme participants before and after they
    joined (L6.A3); they show aggregates and pseudonyms only.
    """

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Kind(models.TextChoices):
        LOW_INCOME = "low_income", _("Low or middle-low income household")
        INDIGENOUS = "indigenous", _("Indigenous")
        NEW_RESIDENT = "new_resident", _("Child of new residents")
        DISABILITY = "disability", _("Special educational needs")
        LEARNING_SUPPORT = "learning_support", _("學習扶助 (learning support programme)")
        DIGITAL_COMPANION = "digital_companion", _("數位學伴 (digital learning companion)")

    PROGRAMMES: ClassVar[frozenset[str]] = frozenset({"learning_support", "digital_companion"})

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    kind = models.CharField(_("group"), max_length=24, choices=Kind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "start_date", "id"]
        indexes: ClassVar[list] = [models.Index(fields=["county", "kind", "person"])]
        verbose_name = _("learner group membership")
        verbose_name_plural = _("learner group memberships")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.person_id}"


class RollupState(models.Model):
    """How far the rollups of one county's store have read: the last statement id processed."""

    county = models.OneToOneField("orgs.County", on_delete=models.CASCADE, related_name="+")
    last_statement_id = models.BigIntegerField(default=0)
    processed = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"county {self.county_id}: statement {self.last_statement_id}"


class _Measures(models.Model):
    seconds = models.BigIntegerField(default=0)
    events = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    attempts = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    correct = models.IntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    score_n = models.IntegerField(default=0)

    class Meta:
        abstract = True


MEASURES = (
    "seconds",
    "events",
    "completions",
    "attempts",
    "answered",
    "correct",
    "score_sum",
    "score_n",
)


class StudentDay(_Measures):
    """Level 1: what one actor did on one day on one platform in one subject."""

    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(ActorLink, on_delete=models.CASCADE, related_name="days")
    person = models.ForeignKey(
        "orgs.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(null=True)
    day = models.DateField()
    platform_id = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=16, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["actor", "day", "platform_id", "subject"], name="analytics_studentday_key"
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school_class", "day"], name="analytics_sd_class"),
            models.Index(fields=["person", "day"], name="analytics_sd_person"),
            models.Index(fields=["county", "day"], name="analytics_sd_county"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.day} {self.platform_id} {self.subject}"


class StudentWeek(_Measures):
    """Level 2: one student's week (Monday to Sunday), over all actors, platforms, subjects."""

    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    grade = models.PositiveSmallIntegerField(null=True)
    week = models.DateField()  # the Monday
    active_days = models.PositiveSmallIntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["person", "week"], name="analytics_studentweek_key"),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school", "week"], name="analytics_sw_school"),
            models.Index(fields=["school_class", "week"], name="analytics_sw_class"),
            models.Index(fields=["county", "week"], name="analytics_sw_county"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.week}"


class SchoolWeek(_Measures):
    """Level 3: a school's grade in one week: distinct active students and the sums."""

    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(default=0)  # 0: grade unknown
    week = models.DateField()
    students = models.IntegerField(default=0)
    active_days = models.IntegerField(default=0)  # summed over the students

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["school", "grade", "week"], name="analytics_schoolweek_key"
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["county", "week"], name="analytics_scw_county"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} grade {self.grade} {self.week}"


class SchoolWeekPart(_Measures):
    """Level 3 by platform and subject: `students` is distinct within the part."""

    TENANT_COUNTY_FIELD: ClassVar[str | None] = "county"
    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"

    id = models.BigAutoField(primary_key=True)
    county = models.ForeignKey("orgs.County", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(default=0)
    week = models.DateField()
    platform_id = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=16, blank=True)
    students = models.IntegerField(default=0)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["school", "grade", "week", "platform_id", "subject"],
                name="analytics_schoolweekpart_key",
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["county", "week"], name="analytics_swp_county"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} grade {self.grade} {self.week} {self.platform_id} {self.subject}"


class MappingImportManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Lists and status polls must not drag up to 10 MB of file content along."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("content")


class MappingImport(TenantModel):
    """One export file imported through a file mapping, and what became of it.

    The preview keeps the uploaded file here (`previewed`); "Import" queues it (`queued`) and
    the background task `tasks.mapping_import_run` stores it all or nothing (`running`, then
    `done` with the counts or `failed` with the problems). The file stays in the row until the
    import is done, so a restart loses nothing and a failed import can be retried; a done import
    keeps its counts and hash but not the file (its records are in the LRS). Previews never
    imported are deleted after a day (`platform_services.mapping_import_cleanup`).
    """

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        FAILED = "failed", _("Failed")
        DONE = "done", _("Done")

    ACTIVE: ClassVar[frozenset[str]] = frozenset({"queued", "running"})

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="imports", verbose_name=_("platform")
    )
    mapping = models.ForeignKey(
        FileMapping,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name=_("file mapping"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("file size"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    statements = models.PositiveIntegerField(_("records"), default=0)
    new_statements = models.PositiveIntegerField(_("new records"), default=0)
    duplicates = models.PositiveIntegerField(_("repeated rows"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = MappingImportManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar[list] = [
            models.Index(fields=["platform", "-created_at"], name="analytics_mi_platform"),
            models.Index(fields=["status", "created_at"], name="analytics_mi_status"),
        ]
        verbose_name = _("file import")
        verbose_name_plural = _("file imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
