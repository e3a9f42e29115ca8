"""The organisation tree and its people.

County → district → school → class; people hold roles through memberships; students sit in
classes through enrolments; parents are linked to children through guardianships. Every
tenant-owned row carries its county (and school, where it belongs to one) directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dtss.core.models import BaseModel, TenantModel, TenantQuerySet

if TYPE_CHECKING:
    from dtss.core.tenancy import Scope


class BilingualName(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class County(BaseModel, BilingualName):
    """縣市. `code` is the Ministry of the Interior's administrative area code."""

    code = models.CharField(_("code"), max_length=5, unique=True)

    TENANT_COUNTY_FIELD = "pk"
    TENANT_SCHOOL_FIELD = None
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("county/city")
        verbose_name_plural = _("counties/cities")

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
        return Q(pk__in=School.objects.filter(id__in=ids).values("county_id")) if ids else None


class District(TenantModel, BilingualName):
    """區/鄉鎮市."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=16)

    TENANT_SCHOOL_FIELD = None

    class Meta:
        ordering = ["county", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="district_code_unique"),
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = scope.staff_school_ids | scope.student_school_ids | scope.parent_school_ids
        return Q(pk__in=School.objects.filter(id__in=ids).values("district_id")) if ids else None


class School(TenantModel, BilingualName):
    class Stage(models.TextChoices):
        ELEMENTARY = "elementary", _("Elementary school")
        JUNIOR = "junior", _("Junior high school")
        SENIOR = "senior", _("Senior high school")
        VOCATIONAL = "vocational", _("Vocational high school")
        COMPLETE = "complete", _("Complete high school")
        SPECIAL = "special", _("Special education school")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    class Area(models.TextChoices):
        GENERAL = "general", _("General")
        REMOTE = "remote", _("Remote")
        VERY_REMOTE = "very_remote", _("Very remote")
        EXTREMELY_REMOTE = "extremely_remote", _("Extremely remote")
        NON_MOUNTAIN_NON_CITY = "non_mountain_non_city", _("Neither mountain nor city")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="schools")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    code = models.CharField(_("MOE school code"), max_length=6, unique=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    ownership = models.CharField(
        _("public/private"), max_length=8, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    area = models.CharField(
        _("area category"), max_length=24, choices=Area.choices, default=Area.GENERAL
    )
    student_count = models.PositiveIntegerField(_("students"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    TENANT_SCHOOL_FIELD = "pk"

    class Meta:
        ordering = ["county", "code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = scope.student_school_ids | scope.parent_school_ids
        return Q(pk__in=ids) if ids else None


class AcademicTerm(BaseModel):
    """學年度/學期, shared by every school (the national school calendar)."""

    roc_year = models.PositiveSmallIntegerField(_("academic year (ROC)"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "1"), (2, "2")])
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))

    class Meta:
        ordering = ["-roc_year", "-semester"]
        constraints = [
            models.UniqueConstraint(fields=["roc_year", "semester"], name="term_unique"),
        ]
        verbose_name = _("academic term")
        verbose_name_plural = _("academic terms")

    def __str__(self) -> str:
        if (get_language() or "").startswith("en"):
            return f"{self.roc_year + 1911}-{self.roc_year + 1912} semester {self.semester}"
        return f"{self.roc_year}學年度第{self.semester}學期"


class Person(TenantModel):
    """Anyone DTSS knows: staff, teachers, students, parents. One person may hold several roles."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(_("name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        blank=True,
        help_text=_("The identifier used by imports (student number, staff number …)."),
    )
    openid_sub = models.CharField(
        _("Education Cloud OpenID sub"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The person's subject identifier at the MOE Education Cloud OpenID."),
    )
    active = models.BooleanField(_("active"), default=True)

    TENANT_SCHOOL_FIELD = None
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "external_id"],
                condition=~Q(external_id=""),
                name="person_external_id_unique",
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool) -> Q:
        """A person is visible where they hold a membership inside the viewer's scope (or have
        their home county there), to themselves, and to their parents/guardians."""
        county_ids = scope.admin_county_ids if write else scope.county_ids
        school_ids = scope.admin_school_ids if write else scope.staff_school_ids
        inside = Q(pk__in=[])
        if county_ids:
            inside |= Q(county_id__in=county_ids)
        if school_ids:
            inside |= Q(school_id__in=school_ids)
        q = Q(Exists(Membership.objects.filter(inside, person=OuterRef("pk"))))
        if county_ids:
            q |= Q(county_id__in=county_ids)
        if not write:
            own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
            if own:
                q |= Q(pk__in=own)
        return q


class Role(models.TextChoices):
    MOE_VIEWER = "moe_viewer", _("MOE viewer")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    COUNTY_STAFF = "county_staff", _("County office staff")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent/guardian")


COUNTY_ROLES = {Role.COUNTY_ADMIN, Role.COUNTY_STAFF}
SCHOOL_ROLES = {Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT}


class Membership(TenantModel):
    """A role held by a person in a county or a school."""

    class Title(models.TextChoices):
        NONE = "", _("—")
        PRINCIPAL = "principal", _("Principal")
        DIRECTOR = "director", _("Director")
        IT_HEAD = "it_head", _("IT head")
        CONVENER = "convener", _("Convener")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    county = models.ForeignKey(
        County, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    title = models.CharField(_("title"), max_length=16, choices=Title.choices, blank=True)

    class Meta:
        ordering = ["county", "school", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "county", "school"], name="membership_unique"
            ),
            models.UniqueConstraint(
                fields=["person", "role", "county"],
                condition=Q(school__isnull=True),
                name="membership_county_unique",
            ),
            models.CheckConstraint(
                condition=Q(role="moe_viewer", county__isnull=True, school__isnull=True)
                | Q(
                    role__in=["county_admin", "county_staff"],
                    county__isnull=False,
                    school__isnull=True,
                )
                | Q(
                    role__in=["school_admin", "teacher", "student", "parent"],
                    county__isnull=False,
                    school__isnull=False,
                ),
                name="membership_role_level",
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        where = self.school or self.county or "MOE"
        return f"{self.person} · {self.get_role_display()} · {where}"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        return Q(person_id__in=ids) if ids else None


class SchoolClass(TenantModel):
    """班級: one class of one school in one term."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="classes")
    term = models.ForeignKey(AcademicTerm, on_delete=models.PROTECT, related_name="classes")
    grade = models.PositiveSmallIntegerField(_("grade"))
    number = models.PositiveSmallIntegerField(_("class number"))
    name = models.CharField(_("class name"), max_length=50, blank=True)
    homeroom_teacher = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
        verbose_name=_("homeroom teacher"),
    )

    class Meta:
        ordering = ["school", "term", "grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "term", "grade", "number"], name="class_unique"
            ),
        ]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self) -> str:
        if self.name:
            return self.name
        return f"{self.grade}年{self.number:02d}班"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        if not ids:
            return None
        return Q(pk__in=Enrollment.objects.filter(student_id__in=ids).values("school_class_id"))


class Enrollment(TenantModel):
    """A student's seat in a class."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    seat_number = models.PositiveSmallIntegerField(_("seat number"))

    class Meta:
        ordering = ["school_class", "seat_number"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "seat_number"], name="seat_unique"),
            models.UniqueConstraint(fields=["school_class", "student"], name="enrolled_once"),
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self) -> str:
        return f"{self.school_class} {self.seat_number:02d} {self.student}"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        ids = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        return Q(student_id__in=ids) if ids else None


class Guardianship(TenantModel):
    """A parent or guardian of a child. A child may have several; a parent several children."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian")
        OTHER = "other", _("Other")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="children_links")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_links")
    relation = models.CharField(
        _("relation"), max_length=16, choices=Relation.choices, default=Relation.GUARDIAN
    )

    TENANT_SCHOOL_FIELD = None

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="guardianship_unique"),
        ]
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")

    def __str__(self) -> str:
        return f"{self.parent} → {self.child}"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        # A parent sees their own links to their children; a student their own guardians.
        q = (
            Q(parent_id=scope.person_id) | Q(child_id=scope.person_id)
            if scope.person_id
            else Q(pk__in=[])
        )
        if scope.staff_school_ids:
            at_school = Membership.objects.filter(
                person=OuterRef("child"), school_id__in=scope.staff_school_ids
            )
            q |= Q(Exists(at_school))
        return q


# --- The county's Digital Learning Promotion Office (L2.D1, L2.M1) --------------------------


class PromotionOffice(TenantModel):
    """數位學習推動辦公室 of one county."""

    county = models.OneToOneField(County, on_delete=models.PROTECT, related_name="office")
    name = models.CharField(_("name"), max_length=100)
    convener = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("convener"),
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    mission = models.TextField(_("mission and tasks"), blank=True)

    TENANT_SCHOOL_FIELD = None

    class Meta:
        verbose_name = _("digital learning promotion office")
        verbose_name_plural = _("digital learning promotion offices")

    def __str__(self) -> str:
        return self.name


class OfficeGroup(TenantModel):
    """A group of the office: 行政推動組, 資訊設備組, 教學輔導組, 督導考核組 or the county's own."""

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Administration and promotion")
        EQUIPMENT = "equipment", _("IT equipment")
        TEACHING = "teaching", _("Teaching guidance")
        SUPERVISION = "supervision", _("Supervision and evaluation")
        OTHER = "other", _("Other")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="office_groups")
    office = models.ForeignKey(PromotionOffice, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    duties = models.TextField(_("duties"), blank=True)
    lead = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("group lead"),
    )
    members = models.ManyToManyField(Person, blank=True, related_name="office_groups")

    TENANT_SCHOOL_FIELD = None

    class Meta:
        ordering = ["office", "created_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="office_group_unique"),
        ]
        verbose_name = _("office group")
        verbose_name_plural = _("office groups")

    def __str__(self) -> str:
        return self.name


class WorkPlan(TenantModel):
    """The office's work plan for one academic year."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="work_plans")
    office = models.ForeignKey(PromotionOffice, on_delete=models.CASCADE, related_name="plans")
    roc_year = models.PositiveSmallIntegerField(_("academic year (ROC)"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    TENANT_SCHOOL_FIELD = None

    class Meta:
        ordering = ["-roc_year", "title"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")

    def __str__(self) -> str:
        return self.title


class OfficeTask(TenantModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(
        OfficeGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
        verbose_name=_("group"),
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )

    TENANT_SCHOOL_FIELD = None

    class Meta:
        ordering = ["plan", "due_date", "title"]
        verbose_name = _("office task")
        verbose_name_plural = _("office tasks")

    def __str__(self) -> str:
        return self.title
