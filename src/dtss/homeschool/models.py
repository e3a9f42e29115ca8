"""The parent–teacher–student platform (issue 10; strategies L7.M1 and item S2).

- School settings (`HomeschoolSettings`), its leave types (`LeaveType`: 事假, 病假, 公假 …), its
  periods (`Period`: 升旗, 早自習, 第一節 …) and the classes' timetables (`TimetableSlot`: which
  subject and teacher a class has in a period of a weekday, so that subject teachers hear of
  leave in their periods).
- The electronic contact book (電子聯絡簿): one `ContactEntry` per class and school day, its
  attachments, and a `ContactSignature` per student when a parent signs (with an optional reply
  to the teacher and the teacher's answer).
- Online leave (線上請假): `LeaveRequest` for a student over dates and periods, its attachments,
  approved by the homeroom teacher (and a second approver for long leave); approved leave
  becomes `AttendanceRecord`s per day and period; the school also records unexcused absence
  (曠課) there.
- `Announcement`s from a county, school or class to chosen audiences with read receipts
  (`AnnouncementRead`).
- `Conversation`s between a teacher and a parent (about a child) made of `Message`s that are
  never deleted.
- `Notification`s in the app and by email, held back by the recipient's quiet hours
  (`NotificationPreference`).

Every row carries its county, and its school where it belongs to one. Leave, attendance,
messages and notifications are about minors: the MOE viewer never reads them
(`MOE_READS = False`), nor does the county's office read them row by row (its reports count).
Who may do what — the homeroom teacher posts the class's entries and approves its leave — is in
`access.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel

if TYPE_CHECKING:
    from dtss.core.tenancy import Scope


def _own_ids(scope: Scope) -> set[int]:
    """The people a student or parent acts for: themselves and their children."""
    ids = set(scope.child_ids)
    if scope.person_id:
        ids.add(scope.person_id)
    return ids


def _family_school_ids(scope: Scope) -> frozenset[int]:
    return scope.student_school_ids | scope.parent_school_ids


def _family_class_ids(scope: Scope) -> models.QuerySet:
    from dtss.orgs.models import Enrollment

    return Enrollment.objects.filter(student_id__in=_own_ids(scope)).values("school_class_id")


class _Bilingual(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


# --- a school's settings ----------------------------------------------------------------------


class HomeschoolSettings(TenantModel):
    """One school's rules for leave and messages. A school without a row uses the defaults."""

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    school = models.OneToOneField(
        "orgs.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    students_may_request_leave = models.BooleanField(
        _("students request their own leave"),
        default=False,
        help_text=_("Senior high schools may let students request leave themselves."),
    )
    second_approval_days = models.PositiveSmallIntegerField(
        _("second approval from (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "Leave of this many school days or more also needs the second approver; "
            "empty: the homeroom teacher's approval is enough."
        ),
    )
    second_approver = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("second approver"),
        help_text=_(
            "For example the director of student affairs (學務主任); empty: any of the "
            "school's administrators."
        ),
    )
    count_in_days = models.BooleanField(
        _("count absence in days"),
        default=False,
        help_text=_(
            "Elementary schools usually count in days, junior and senior high schools in periods."
        ),
    )
    quiet_start = models.TimeField(
        _("quiet hours start"),
        default=dt.time(21, 0),
        help_text=_(
            "The school's default: notifications of messages wait until quiet hours "
            "end. Each person may set their own."
        ),
    )
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(7, 0))

    class Meta:
        verbose_name = _("contact book settings")
        verbose_name_plural = _("contact book settings")

    def __str__(self) -> str:
        return f"{self.school_id}"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = _family_school_ids(scope)
        return Q(school_id__in=ids) if ids else None


class LeaveType(TenantModel, _Bilingual):
    """假別 of one school (事假, 病假, 公假, 喪假, 生理假, 防疫假 …)."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    code = models.SlugField(_("code"), max_length=20)
    needs_attachment = models.BooleanField(
        _("needs a document"),
        default=False,
        help_text=_("For example a doctor's note or an official letter."),
    )
    needs_reason = models.BooleanField(_("needs a reason"), default=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["school", "order", "id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["school", "code"], name="homeschool_leavetype_code"),
        ]
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = _family_school_ids(scope)
        return Q(school_id__in=ids) if ids else None


class Period(TenantModel, _Bilingual):
    """節次 of one school's day: 升旗, 早自習, 第一節 … 第八節, in order."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    code = models.SlugField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts = models.TimeField(_("starts"), null=True, blank=True)
    ends = models.TimeField(_("ends"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["school", "order", "id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["school", "code"], name="homeschool_period_code"),
        ]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = _family_school_ids(scope)
        return Q(school_id__in=ids) if ids else None


class TimetableSlot(TenantModel):
    """What a class has in one period of one weekday, and who teaches it."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("class"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="slots", verbose_name=_("period")
    )
    subject = models.CharField(_("subject"), max_length=50)
    teacher = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("teacher"),
    )

    class Meta:
        ordering = ["school_class", "weekday", "period__order"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["school_class", "weekday", "period"], name="homeschool_slot_unique"
            ),
        ]
        verbose_name = _("timetable slot")
        verbose_name_plural = _("timetable")

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.weekday} {self.period_id} {self.subject}"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        if not (scope.student_school_ids or scope.parent_school_ids):
            return None
        return Q(school_class_id__in=_family_class_ids(scope))


def _student_rows_q(scope: Scope, *, write: bool) -> Q:
    """Rows about one student (leave, attendance): the school's administrators, the class's
    homeroom teacher, the student and their parents. Never the county's office row by row."""
    q = Q(pk__in=[])
    if scope.admin_school_ids:
        q |= Q(school_id__in=scope.admin_school_ids)
    if write:
        return q
    if scope.teacher_school_ids and scope.person_id:
        q |= Q(
            school_id__in=scope.teacher_school_ids,
            school_class__homeroom_teacher_id=scope.person_id,
        )
    own = _own_ids(scope)
    if own:
        q |= Q(student_id__in=own)
    return q


# --- the contact book -------------------------------------------------------------------------


def _class_rows_q(scope: Scope, *, write: bool) -> Q:
    """Class-level rows (entries, announcements' reads aside): the school's staff and the
    county's office read them; administrators write; students and parents of the class read."""
    q = Q(pk__in=[])
    counties = scope.admin_county_ids if write else scope.county_ids
    schools = scope.admin_school_ids if write else scope.staff_school_ids
    if counties:
        q |= Q(county_id__in=counties)
    if schools:
        q |= Q(school_id__in=schools)
    if not write and (scope.student_school_ids or scope.parent_school_ids):
        q |= Q(school_class_id__in=_family_class_ids(scope))
    return q


class ContactEntry(TenantModel):
    """One day's contact book of one class, written by the homeroom teacher."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("class"),
    )
    date = models.DateField(_("date"))
    homework = models.TextField(_("homework"), blank=True)
    notices = models.TextField(_("notices"), blank=True)
    bring = models.TextField(_("things to bring"), blank=True)
    author = models.ForeignKey(
        "orgs.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "school_class"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["school_class", "date"], name="homeschool_entry_unique"
            ),
        ]
        verbose_name = _("contact book entry")
        verbose_name_plural = _("contact book entries")

    def __str__(self) -> str:
        return f"{self.school_class} {self.date}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _class_rows_q(scope, write=write)
        if not write:
            # Students and parents see an entry once it is published.
            staff = Q(pk__in=[])
            if scope.county_ids:
                staff |= Q(county_id__in=scope.county_ids)
            if scope.staff_school_ids:
                staff |= Q(school_id__in=scope.staff_school_ids)
            q = staff | (q & Q(published_at__isnull=False))
        return q


class ContactAttachment(TenantModel):
    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("orgs.SchoolClass", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(ContactEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="homeschool/contact/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _class_rows_q(scope, write=write)
        if not write:
            staff = Q(pk__in=[])
            if scope.county_ids:
                staff |= Q(county_id__in=scope.county_ids)
            if scope.staff_school_ids:
                staff |= Q(school_id__in=scope.staff_school_ids)
            q = staff | (q & Q(entry__published_at__isnull=False))
        return q


class ContactSignature(TenantModel):
    """A parent's signature (家長簽名) on one day's entry for one child, with a reply."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("orgs.SchoolClass", on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(ContactEntry, on_delete=models.CASCADE, related_name="signatures")
    student = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("student")
    )
    signed_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed"))
    reply = models.TextField(_("reply to the teacher"), blank=True)
    answer = models.TextField(_("teacher's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "student"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["entry", "student"], name="homeschool_sign_unique"),
        ]
        verbose_name = _("contact book signature")
        verbose_name_plural = _("contact book signatures")

    def __str__(self) -> str:
        return f"{self.entry} {self.student_id}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """About one student, with the parent's reply: the school's administrators, the
        class's homeroom teacher, the student and their parents (see `_student_rows_q`)."""
        return _student_rows_q(scope, write=write)


# --- leave and attendance ---------------------------------------------------------------------


class LeaveRequest(TenantModel):
    """A request for a student's leave over one or more days and some (or all) periods."""

    MOE_READS: ClassVar[bool] = False

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the homeroom teacher")
        SECOND = "second", _("Waiting for the second approver")
        APPROVED = "approved", pgettext_lazy("leave", "Approved")
        DECLINED = "declined", pgettext_lazy("leave", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("leave", "Cancelled")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online (parent or student)")
        STAFF = "staff", _("Entered by the school (paper form)")

    OPEN_STATUSES: ClassVar[tuple[str, ...]] = ("pending", "second")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("class")
    )
    student = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    requested_by = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    leave_type = models.ForeignKey(
        LeaveType, on_delete=models.PROTECT, related_name="+", verbose_name=_("leave type")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    # Empty: the whole day (every period of the school's day).
    periods = models.ManyToManyField(
        Period, blank=True, related_name="+", verbose_name=_("periods")
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    days = models.PositiveSmallIntegerField(_("school days"), default=1)
    decided_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    second_decided_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    second_decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes: ClassVar[list] = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["school_class", "status"]),
            models.Index(fields=["student"]),
        ]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")

    def __str__(self) -> str:
        return f"{self.student} {self.start_date}–{self.end_date}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _student_rows_q(scope, write=write)
        if not write and scope.person_id:
            q |= Q(requested_by_id=scope.person_id)
        return q


class LeaveAttachment(TenantModel):
    """A document for a leave request (a doctor's note, an official letter)."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("orgs.SchoolClass", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    leave = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="homeschool/leave/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["leave", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _student_rows_q(scope, write=write)
        if not write and scope.person_id:
            q |= Q(leave__requested_by_id=scope.person_id)
        return q


class AttendanceRecord(TenantModel):
    """A student's absence in one period of one day: on leave (of a type) or unexcused (曠課).
    No row: present."""

    MOE_READS: ClassVar[bool] = False

    class Status(models.TextChoices):
        LEAVE = "leave", _("On leave")
        UNEXCUSED = "unexcused", _("Unexcused absence (曠課)")
        LATE = "late", _("Late")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "orgs.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("class")
    )
    student = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    date = models.DateField(_("date"))
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    leave_type = models.ForeignKey(
        LeaveType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("leave type"),
    )
    leave = models.ForeignKey(
        LeaveRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    recorded_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "period__order", "student"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["student", "date", "period"], name="homeschool_attendance_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="leave", leave_type__isnull=False) | ~Q(status="leave"),
                name="homeschool_attendance_leave_has_type",
            ),
        ]
        indexes: ClassVar[list] = [
            models.Index(fields=["school", "date"]),
            models.Index(fields=["school_class", "date"]),
        ]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.period_id} {self.status}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = _student_rows_q(scope, write=write)
        if not write and scope.teacher_school_ids:
            # Subject teachers take attendance in their periods: the school's teachers read it.
            q |= Q(school_id__in=scope.teacher_school_ids)
        return q


# --- announcements ----------------------------------------------------------------------------


class Announcement(TenantModel):
    """From a county (to its schools), a school or a class, to chosen audiences."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: from the county to every school."),
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("class"),
    )
    author = models.ForeignKey(
        "orgs.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(pgettext_lazy("announcement", "Title"), max_length=200)
    body = models.TextField(_("text"))
    to_staff = models.BooleanField(_("school staff"), default=False)
    to_students = models.BooleanField(_("students"), default=False)
    to_parents = models.BooleanField(_("parents"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    expires_on = models.DateField(_("shown until"), null=True, blank=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        indexes: ClassVar[list] = [models.Index(fields=["county", "school", "published_at"])]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """The author's office or school see every announcement of theirs (drafts too);
        everyone else sees the published ones addressed to their role where they belong."""
        from dtss.orgs.models import School

        q = Q(pk__in=[])
        counties = scope.admin_county_ids if write else scope.county_ids
        if counties:
            q |= Q(county_id__in=counties)
        schools = scope.admin_school_ids if write else scope.staff_school_ids
        if schools:
            q |= Q(school_id__in=schools)
        if write:
            return q
        published = Q(published_at__isnull=False)
        if scope.staff_school_ids:
            counties_of = School.objects.filter(pk__in=scope.staff_school_ids).values("county_id")
            q |= published & Q(school__isnull=True, county_id__in=counties_of, to_staff=True)
        for ids, flag in (
            (scope.student_school_ids, "to_students"),
            (scope.parent_school_ids, "to_parents"),
        ):
            if not ids:
                continue
            counties_of = School.objects.filter(pk__in=ids).values("county_id")
            q |= (
                published
                & Q(**{flag: True})
                & (
                    Q(school__isnull=True, county_id__in=counties_of)
                    | Q(school_id__in=ids, school_class__isnull=True)
                    | Q(school_class_id__in=_family_class_ids(scope))
                )
            )
        return q


class AnnouncementRead(TenantModel):
    """A read receipt: who read an announcement, and when (first time)."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["announcement", "read_at"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(fields=["announcement", "person"], name="homeschool_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} {self.person_id}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """The announcement's owners see its receipts; a reader sees their own."""
        q = Q(pk__in=[])
        counties = scope.admin_county_ids if write else scope.county_ids
        schools = scope.admin_school_ids if write else scope.staff_school_ids
        if counties:
            q |= Q(announcement__county_id__in=counties)
        if schools:
            q |= Q(announcement__school_id__in=schools)
        if not write and scope.person_id:
            q |= Q(person_id=scope.person_id)
        return q


# --- messages ---------------------------------------------------------------------------------


class Conversation(TenantModel):
    """A teacher and a parent, about one child. Kept as a record: never deleted."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher")
    )
    parent = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("parent")
    )
    student = models.ForeignKey(
        "orgs.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("student")
    )
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints: ClassVar[list] = [
            models.UniqueConstraint(
                fields=["teacher", "parent", "student"], name="homeschool_conversation_unique"
            ),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"{self.teacher} ↔ {self.parent} ({self.student})"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """The two people in it; the school's administrators read it as the school's record."""
        q = Q(pk__in=[])
        if scope.admin_school_ids:
            q |= Q(school_id__in=scope.admin_school_ids)
        if not write and scope.person_id:
            q |= Q(teacher_id=scope.person_id) | Q(parent_id=scope.person_id)
        return q


class Message(TenantModel):
    """One message of a conversation. There is no way to edit or delete it."""

    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="messages"
    )
    sender = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    urgent = models.BooleanField(_("urgent"), default=False)
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "sent_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.conversation_id} {self.sent_at:%Y-%m-%d %H:%M}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        q = Q(pk__in=[])
        if scope.admin_school_ids:
            q |= Q(school_id__in=scope.admin_school_ids)
        if not write and scope.person_id:
            q |= Q(conversation__teacher_id=scope.person_id) | Q(
                conversation__parent_id=scope.person_id
            )
        return q


# --- notifications ----------------------------------------------------------------------------


class NotificationPreference(TenantModel):
    """One person's quiet hours and whether they want email. No row: the school's defaults."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None
    MOE_READS: ClassVar[bool] = False

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    person = models.OneToOneField("orgs.Person", on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(_("also by email"), default=True)
    quiet_enabled = models.BooleanField(_("quiet hours"), default=True)
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(7, 0))

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.person_id}"

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """A person's own settings (changed through the services, by that person only)."""
        if write or not scope.person_id:
            return Q(pk__in=[])
        return Q(person_id=scope.person_id)


class Notification(TenantModel):
    """Something for one person to know, shown in the app from `deliver_at` (after the
    recipient's quiet hours for messages) and emailed then if they want email."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = "school"
    MOE_READS: ClassVar[bool] = False

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact book")
        LEAVE = "leave", _("Leave")
        ATTENDANCE = "attendance", _("Attendance")
        ANNOUNCEMENT = "announcement", _("Announcement")
        MESSAGE = "message", _("Message")
        FORM = "form", _("Form")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("notification", "Title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    deliver_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_due = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deliver_at", "-id"]
        indexes: ClassVar[list] = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_due", "deliver_at"]),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool = False) -> Q:
        """A notification is its recipient's alone (marked read through the services)."""
        if write or not scope.person_id:
            return Q(pk__in=[])
        return Q(recipient_id=scope.person_id)
