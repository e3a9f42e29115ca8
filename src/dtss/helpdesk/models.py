"""Help requests and the knowledge base (issue 9; strategies L7.M2, S3.A1, L2.D2).

- Requests (`HelpRequest`, with its `RequestMessage`s — replies, internal notes and events —
  and `RequestAttachment`s), raised by anyone signed in, routed to the school's IT head and
  escalated to a group of the county's office (`orgs.OfficeGroup`); `CannedReply` for handlers.
- Service targets (`ServiceTarget`, per county and category) timed in working hours
  (`HelpdeskSettings`) on the county's and school's calendar (`CalendarDay`).
- The knowledge base (`Article` in Traditional Chinese and English, its images and videos
  `ArticleMedia`, the Chinese n-gram search index `ArticleGram`, daily reads `ArticleReadDay`).
- The community of the county's office and the schools' administrators (`Thread`, `Post`).

Every row carries its county, and its school where it belongs to one. Who may see what is the
models' `tenant_q`; `visible_to(user, write=True)` is, as everywhere in DTSS, the rows the user
administers (county administrators, a school's administrators). Who may do what — county
office staff answer escalated requests, members post in the community — is `access.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dtss.core.models import TenantModel

if TYPE_CHECKING:
    from dtss.core.tenancy import Scope


class Category(models.TextChoices):
    DEVICE = "device", _("Device")
    ACCOUNT = "account", _("Account / single sign-on")
    PLATFORM = "platform", _("A learning platform")
    NETWORK = "network", _("Network")
    TEACHING = "teaching", _("Teaching with digital tools")
    OTHER = "other", _("Other")


class Platform(models.TextChoices):
    """The learning platforms people ask about (the analytics module's kinds and a few more)."""

    NONE = "", _("—")
    ADL = "adl", _("因材網 (Adaptive Learning)")
    COOC = "cooc", _("酷課雲 (CooC-Cloud)")
    JUNYI = "junyi", _("均一教育平台 (Junyi Academy)")
    COOL_ENGLISH = "coolenglish", _("酷英網 (Cool English)")
    CLASSROOM = "classroom", _("Google Classroom")
    TEAMS = "teams", _("Microsoft Teams")
    EDUCLOUD = "educloud", _("教育雲 (Education Cloud)")
    OTHER = "other", _("Other platform")


def _school_county_ids(school_ids: frozenset[int]) -> Subquery:
    from dtss.orgs.models import School

    return Subquery(School.objects.filter(pk__in=school_ids).values("county_id"))


def _handlers_q(scope: Scope, *, write: bool = False) -> Q:
    """The rows of the county's office (its administrators when writing) and of the schools
    the scope administers: the handlers' share of every request-side model."""
    q = Q(pk__in=[])
    counties = scope.admin_county_ids if write else scope.county_ids
    if counties:
        q |= Q(county_id__in=counties)
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    return q


class HelpdeskSettings(TenantModel):
    """A county's working hours for the service targets (the clock stops outside them)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.OneToOneField(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    work_days = models.CharField(
        _("working days"),
        max_length=7,
        default="12345",
        help_text=_("ISO weekdays, 1 = Monday … 7 = Sunday; for example 12345."),
    )
    work_start = models.TimeField(_("working hours start"), default=dt.time(8, 0))
    work_end = models.TimeField(_("working hours end"), default=dt.time(17, 0))
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved requests after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("A resolved request the requester does not reopen is closed after this."),
    )

    class Meta:
        verbose_name = _("helpdesk settings")
        verbose_name_plural = _("helpdesk settings")

    def __str__(self) -> str:
        return f"{self.county_id} {self.work_days} {self.work_start}-{self.work_end}"


class CalendarDay(TenantModel):
    """A day off (national holiday, typhoon day, school closure) or a make-up working day
    (補行上班), for the whole county (no school) or one school."""

    class Kind(models.TextChoices):
        CLOSED = "closed", pgettext_lazy("calendar day", "Closed")
        WORKING = "working", pgettext_lazy("calendar day", "Working day (make-up)")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty for the whole county."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLOSED)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date", "id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["county", "date"],
                condition=Q(school__isnull=True),
                name="helpdesk_calendar_county_day",
            ),
            models.UniqueConstraint(
                fields=["school", "date"],
                condition=Q(school__isnull=False),
                name="helpdesk_calendar_school_day",
            ),
        ]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ServiceTarget(TenantModel):
    """A county's targets for one category, in working minutes, and its escalation rule."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Escalate(models.TextChoices):
        NEVER = "never", _("Only by hand")
        ON_BREACH = "breach", _("When a target is missed")
        ALWAYS = "always", _("As soon as it is raised")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (working minutes)"),
        validators=[MinValueValidator(1)],
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (working minutes)"),
        validators=[MinValueValidator(1)],
    )
    escalate_when = models.CharField(
        _("escalate"), max_length=8, choices=Escalate.choices, default=Escalate.ON_BREACH
    )
    escalate_to = models.ForeignKey(
        "orgs.OfficeGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalate to"),
        help_text=_("A group of the county's office, e.g. 資訊設備組 or 教學輔導組."),
    )

    class Meta:
        ordering = ["county", "category"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["county", "category"], name="helpdesk_target_unique"),
        ]
        verbose_name = _("service target")
        verbose_name_plural = _("service targets")

    def __str__(self) -> str:
        return f"{self.category}: {self.first_response_minutes}/{self.resolution_minutes}"


class HelpRequest(TenantModel):
    """One request for help. The requester sees it and its replies (never the internal notes);
    the school's administrators handle it; the county's office sees the county's requests."""

    # Requests are often about a student (raised by them or their parent): the MOE viewer
    # reads the reports' counts, never the requests themselves.
    MOE_READS: ClassVar[bool] = False

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("In progress")
        WAITING = "waiting", _("Waiting for the requester")
        RESOLVED = "resolved", pgettext_lazy("request status", "Resolved")
        CLOSED = "closed", pgettext_lazy("request status", "Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = ("new", "open", "waiting")
    # The statuses whose clocks run (waiting for the requester stops them).
    TIMED_STATUSES: ClassVar[tuple[str, ...]] = ("new", "open")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty for a request of the county's office."),
    )
    number = models.PositiveIntegerField(_("number"))
    requester = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    platform = models.CharField(
        _("platform"), max_length=16, choices=Platform.choices, blank=True, default=""
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    device = models.ForeignKey(
        "devices.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("device"),
    )
    page_url = models.CharField(_("raised from page"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="new")
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    escalated_to = models.ForeignKey(
        "orgs.OfficeGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalated to"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    # While a request waits for its requester its clocks stop: the wait's working time is
    # added to the deadlines when it leaves the waiting status (see services._status_move).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set once by the service-target check when a target is missed (then escalated by rule).
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("comment on the service"), blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["county", "number"], name="helpdesk_request_number"),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["county", "status"]),
            models.Index(fields=["requester"]),
        ]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """The county's office: the county's requests; a school's administrators: the
        school's; everyone (read only): the requests they raised themselves."""
        q = _handlers_q(scope, write=write)
        if not write and scope.person_id:
            q |= Q(requester_id=scope.person_id)
        return q


class RequestMessage(TenantModel):
    """A reply (the requester sees it), an internal note (handlers only) or an event."""

    # Requests are often about a student (raised by them or their parent): the MOE viewer
    # reads the reports' counts, never the requests themselves.
    MOE_READS: ClassVar[bool] = False

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        EVENT = "event", _("Event")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    author = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"), blank=True)
    # Events: what happened ("status", "assigned", "escalated", "breach" …) and its values.
    event = models.CharField(max_length=24, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """Handlers see every message of their requests; a requester only the replies and
        events of their own requests."""
        q = _handlers_q(scope, write=write)
        if not write and scope.person_id:
            q |= Q(request__requester_id=scope.person_id) & ~Q(kind="note")
        return q


class RequestAttachment(TenantModel):
    """A file attached to a request or to one of its messages."""

    # Requests are often about a student (raised by them or their parent): the MOE viewer
    # reads the reports' counts, never the requests themselves.
    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        RequestMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(upload_to="helpdesk/requests/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _handlers_q(scope, write=write)
        if not write and scope.person_id:
            q |= Q(request__requester_id=scope.person_id) & (
                Q(message__isnull=True) | ~Q(message__kind="note")
            )
        return q


class CannedReply(TenantModel):
    """A ready answer handlers insert into a reply: the county's, or one school's own."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty for the whole county."),
    )
    title = models.CharField(_("name"), max_length=120)
    body = models.TextField(_("text"))
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, blank=True, default=""
    )
    created_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """Handlers: the county's office all of the county's; a school's administrators the
        county-wide replies (read) and their school's own."""
        q = _handlers_q(scope, write=write)
        if scope.admin_school_ids and not write:
            q |= Q(school__isnull=True, county_id__in=_school_county_ids(scope.admin_school_ids))
        return q


class Article(TenantModel):
    """A knowledge-base article in Traditional Chinese (and English), the county's or a
    school's addition; public (anyone, without signing in) or for signed-in people."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        SIGNED_IN = "signed_in", _("Signed-in people only")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty for the county's article; a school's own addition otherwise."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"), help_text=_("Markdown."))
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True, help_text=_("Markdown."))
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, blank=True, default=""
    )
    platform = models.CharField(
        _("platform"), max_length=16, choices=Platform.choices, blank=True, default=""
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Comma separated."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("who may read it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.SIGNED_IN,
    )
    source_request = models.ForeignKey(
        HelpRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("drafted from request"),
    )
    author = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("reads"), default=0)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes: ClassVar[list] = [models.Index(fields=["county", "status"])]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title_zh

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """Editors (the county's office; a school's administrators for the school's own)
        see drafts too; everyone signed in reads the published articles of their county and
        of their own schools. Anonymous readers go through `kb_selectors.articles_public`."""
        q = _handlers_q(scope, write=write)
        if not write:
            schools = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
            if schools:
                q |= Q(status="published") & (
                    Q(school_id__in=schools)
                    | Q(school__isnull=True, county_id__in=_school_county_ids(schools))
                )
            if scope.county_ids:
                q |= Q(status="published", county_id__in=scope.county_ids)
        return q


class ArticleMedia(TenantModel):
    """An image, a video or another file of an article, served by DTSS itself."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        FILE = "file", _("File")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(upload_to="helpdesk/kb/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article file")
        verbose_name_plural = _("article files")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        return Q(article__in=Article.objects.filter(Article.tenant_q(scope, write=write)))


class ArticleGram(models.Model):
    """The search index: the character bigrams (and Latin words) of an article, weighted by
    where they occur. Rebuilt by `search.article_index` on every save of the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="grams")
    gram = models.CharField(max_length=32)
    weight = models.FloatField()

    class Meta:
        indexes: ClassVar[list] = [models.Index(fields=["gram", "article"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.gram} {self.weight}"


class ArticleReadDay(models.Model):
    """How many times an article was read on one day (for "most read" over a period)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="read_days")
    day = models.DateField()
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["article", "day"], name="helpdesk_article_read_day"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day} {self.reads}"


def _community_q(scope: Scope, *, write: bool = False) -> Q:
    q = Q(pk__in=[])
    counties = scope.admin_county_ids if write else scope.county_ids
    if counties:
        q |= Q(county_id__in=counties)
    if scope.admin_school_ids:
        q |= Q(county_id__in=_school_county_ids(scope.admin_school_ids))
    return q


class Thread(TenantModel):
    """A discussion of the county's community (L2.D2): the office and the schools'
    administrators (principals, directors, IT heads) of the county."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("topic"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        HelpRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
        verbose_name=_("about request"),
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    solved = models.BooleanField(_("solved"), default=False)
    last_post_at = models.DateTimeField(_("last post"))
    post_count = models.PositiveIntegerField(_("posts"), default=0)

    class Meta:
        ordering = ["-pinned", "-last_post_at", "-id"]
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """Members of the county's community read and write; moderation (pin, lock) is
        checked in `access.py`."""
        return _community_q(scope, write=write)


class Post(TenantModel):
    """One contribution to a thread."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    helpful = models.BooleanField(_("marked as the answer"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self) -> str:
        return f"{self.thread_id} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        return _community_q(scope, write=write)
