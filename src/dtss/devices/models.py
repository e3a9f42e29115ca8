"""Devices and the digital environment (issue 8; items L3 and S1, strategy S5.D1).

The register (`Device`, `Licence`), who holds what (`Assignment`: assignments, take-home loans
with a parent-signed agreement, loaners, and the event history `DeviceEvent`), equity
(`StudentSupport`: the sensitive support categories and home access of a student, and
`LoanRequest`), needs and procurement (`NeedsCollection` → `NeedSubmission` → `NeedLine`;
`ProcurementPlan` → `ProcurementLine` → `ProcurementAllocation`, received into the register),
MDM and file imports (`DeviceImport`), and the review: stocktakes with QR scans
(`Stocktake`, `StocktakeScan`).

Every row carries its county, and its school where it belongs to one (a device in the county's
own stock has no school). Who may see and change what is decided in `access.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel

if TYPE_CHECKING:
    from dtss.core.tenancy import Scope


class DeviceKind(models.TextChoices):
    TABLET = "tablet", _("Tablet")
    LAPTOP = "laptop", _("Laptop")
    CHROMEBOOK = "chromebook", _("Chromebook")
    HOTSPOT = "hotspot", _("Hotspot / mobile data card")
    DISPLAY = "display", _("Interactive display")
    PROJECTOR = "projector", _("Projector")
    NETWORK = "network", _("Network equipment")
    OTHER = "other", _("Other")


# Kinds a student can take home and learn with (devices per student, loans, coverage).
STUDENT_DEVICE_KINDS = (DeviceKind.TABLET, DeviceKind.LAPTOP, DeviceKind.CHROMEBOOK)
CONNECTIVITY_KINDS = (DeviceKind.HOTSPOT,)


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Central government (MOE)")
    COUNTY = "county", _("County/city budget")
    SCHOOL = "school", _("School budget")
    DONATION = "donation", _("Donation")
    OTHER = "other", _("Other")


class Device(TenantModel):
    """One piece of equipment in the register."""

    class Status(models.TextChoices):
        IN_STOCK = "in_stock", _("In stock")
        ASSIGNED = "assigned", _("Assigned")
        ON_LOAN = "on_loan", _("On loan")
        IN_REPAIR = "in_repair", _("In repair")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("Retired")

    class MdmSource(models.TextChoices):
        NONE = "", _("—")
        JAMF = "jamf", _("Jamf School")
        GOOGLE = "google", _("Google Admin (Chromebooks)")
        INTUNE = "intune", _("Microsoft Intune")

    county = models.ForeignKey(
        "orgs.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("county/city")
    )
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("school"),
        help_text=_("Empty for the county's own stock."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    asset_tag = models.CharField(
        _("asset tag"),
        max_length=40,
        help_text=_("Unique in the county; printed on the QR label."),
    )
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=80, blank=True)
    model_name = models.CharField(_("model"), max_length=120, blank=True)
    os = models.CharField(_("operating system"), max_length=60, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices, blank=True
    )
    programme = models.CharField(
        _("programme"), max_length=120, blank=True, help_text=_("For example 生生用平板.")
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost (NT$)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_STOCK
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # BYOD: a device the family owns, registered so that it can be supported and counted.
    byod = models.BooleanField(_("own device (BYOD)"), default=False)
    owner = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner (BYOD)"),
    )
    # Who or where holds it now: kept in step with the open Assignment by the services.
    holder = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_devices",
        verbose_name=_("held by"),
    )
    holder_class = models.ForeignKey(
        "orgs.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("classroom"),
    )
    # The management system that last reported it.
    mdm_source = models.CharField(
        _("MDM"), max_length=16, choices=MdmSource.choices, blank=True, default=""
    )
    mdm_id = models.CharField(_("MDM device ID"), max_length=120, blank=True)
    mdm_last_contact = models.DateTimeField(_("last MDM contact"), null=True, blank=True)
    mdm_user = models.CharField(_("MDM user"), max_length=200, blank=True)
    procurement_line = models.ForeignKey(
        "devices.ProcurementLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
        verbose_name=_("procurement line"),
    )
    last_seen_at = models.DateTimeField(
        _("last stocktake"), null=True, blank=True, help_text=_("When a stocktake last found it.")
    )

    class Meta:
        ordering = ["asset_tag", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "asset_tag"], name="device_tag_unique"),
            models.UniqueConstraint(
                fields=["county", "serial"],
                condition=~Q(serial=""),
                name="device_serial_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["county", "serial"]),
        ]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.asset_tag} {self.model_name}".strip()

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        """Students see the devices they hold or own; parents those of their children."""
        own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        if not own:
            return None
        return Q(holder_id__in=own) | Q(owner_id__in=own, byod=True)


class DeviceEvent(TenantModel):
    """One line of a device's history. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Registered")
        UPDATED = "updated", _("Edited")
        IMPORTED = "imported", _("Imported")
        MDM = "mdm", _("Reported by the MDM")
        ASSIGNED = "assigned", _("Assigned")
        LOAN_CREATED = "loan_created", _("Loan prepared")
        LOAN_SIGNED = "loan_signed", _("Borrowing agreement signed")
        LOAN_CANCELLED = "loan_cancelled", _("Loan cancelled")
        LOANED = "loaned", _("Lent")
        RECALLED = "recalled", _("Recalled")
        RETURNED = "returned", _("Returned")
        REPAIR_OUT = "repair_out", _("Sent for repair")
        REPAIR_BACK = "repair_back", _("Back from repair")
        LOST = "lost", _("Reported lost")
        RETIRED = "retired", _("Retired")
        TRANSFERRED = "transferred", _("Moved to another school")
        RECEIVED = "received", _("Received from procurement")
        STOCKTAKE = "stocktake", _("Found in a stocktake")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("device event")
        verbose_name_plural = _("device history")

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.at:%Y-%m-%d}"


class Assignment(TenantModel):
    """A device given to a person or a classroom: an assignment at school, a take-home loan
    (with a borrowing agreement signed by a parent), or a loaner while the person's own device
    is in repair. Open while `ended_at` is empty."""

    class Kind(models.TextChoices):
        ASSIGN = "assign", _("Assignment at school")
        LOAN = "loan", _("Take-home loan")
        LOANER = "loaner", _("Loaner during repair")

    class Status(models.TextChoices):
        AWAITING_SIGNATURE = "awaiting", _("Awaiting the agreement")
        ACTIVE = "active", _("Active")
        RECALLED = "recalled", _("Recalled")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    person = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="device_assignments",
        verbose_name=_("person"),
    )
    school_class = models.ForeignKey(
        "orgs.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("classroom"),
    )
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("expected return"), null=True, blank=True)
    accessories = models.CharField(
        _("accessories"), max_length=200, blank=True, help_text=_("Charger, case, keyboard …")
    )
    condition_out = models.CharField(_("condition when lent"), max_length=200, blank=True)
    condition_in = models.CharField(_("condition when returned"), max_length=200, blank=True)
    # The borrowing agreement (借用切結書): the text as shown, and who signed it, when.
    agreement_text = models.TextField(_("borrowing agreement"), blank=True)
    signed_by = models.ForeignKey(
        "orgs.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_name = models.CharField(_("name as signed"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recall_reason = models.CharField(_("reason for the recall"), max_length=300, blank=True)
    recall_due_on = models.DateField(_("return by"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # A loaner stands in for the person's own device while that one is in repair.
    replaces = models.ForeignKey(
        Device,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("stands in for"),
    )
    request = models.ForeignKey(
        "devices.LoanRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_open_per_device",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(school_class__isnull=False),
                name="assignment_has_holder",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"])]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments and loans")

    def __str__(self) -> str:
        return f"{self.device_id} → {self.person_id or self.school_class_id} ({self.kind})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        """A student sees their own loans; a parent their children's (and signs them)."""
        own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        return Q(person_id__in=own) if own else None


class Licence(TenantModel):
    """A software licence or subscription with seats, of the county or one school."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("Empty for a county-wide licence."),
    )
    name = models.CharField(_("software"), max_length=160)
    vendor = models.CharField(_("vendor"), max_length=120, blank=True)
    seats = models.PositiveIntegerField(_("seats"))
    starts_on = models.DateField(_("from"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost (NT$)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices, blank=True
    )
    licence_key = models.CharField(_("licence key or contract"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self) -> str:
        return self.name


class LicenceSeat(TenantModel):
    """One seat of a licence in use by a person or on a device."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="seat_rows")
    person = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.CASCADE, related_name="licence_seats"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["licence", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(device__isnull=False),
                name="seat_has_holder",
            ),
            models.UniqueConstraint(
                fields=["licence", "person"],
                condition=Q(person__isnull=False),
                name="seat_person_unique",
            ),
            models.UniqueConstraint(
                fields=["licence", "device"],
                condition=Q(device__isnull=False),
                name="seat_device_unique",
            ),
        ]
        verbose_name = _("licence seat")
        verbose_name_plural = _("licence seats")

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.person_id or self.device_id}"


class StudentSupport(TenantModel):
    """Equity (L3.M1, S1.M1): a student's support categories and access at home.

    The categories are sensitive: only authorised staff see them (`access.may_see_equity`);
    everyone else sees at most counts. Home access (device, internet) is less sensitive but
    shown to the same staff, and to the student's own parents.
    """

    class Access(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        YES = "yes", _("Yes")
        SHARED = "shared", _("Shared / limited")
        NO = "no", _("No")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    student = models.OneToOneField(
        "orgs.Person", on_delete=models.CASCADE, related_name="device_support"
    )
    low_income = models.BooleanField(_("low-income household"), default=False)
    middle_low_income = models.BooleanField(_("middle-low-income household"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    indigenous = models.BooleanField(_("indigenous"), default=False)
    remote = models.BooleanField(_("remote area"), default=False)
    other = models.BooleanField(_("other need"), default=False)
    other_note = models.CharField(_("other need: details"), max_length=200, blank=True)
    device_at_home = models.CharField(
        _("device at home"), max_length=8, choices=Access.choices, blank=True, default=""
    )
    internet_at_home = models.CharField(
        _("internet at home"), max_length=8, choices=Access.choices, blank=True, default=""
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    MOE_READS: ClassVar[bool] = False  # the MOE viewer sees counts, never a student's row
    CATEGORY_FIELDS: ClassVar[tuple[str, ...]] = (
        "low_income",
        "middle_low_income",
        "disability",
        "indigenous",
        "remote",
        "other",
    )

    class Meta:
        ordering = ["school", "student"]
        verbose_name = _("student support record")
        verbose_name_plural = _("student support records")

    def __str__(self) -> str:
        return f"support {self.student_id}"

    @property
    def needs_support(self) -> bool:
        return any(getattr(self, f) for f in self.CATEGORY_FIELDS)

    @classmethod
    def tenant_q(cls, scope: Scope, *, write: bool) -> Q:
        """Authorised staff only: the school's administrators and the county's office.
        Teachers, students, parents and the MOE viewer see no row (aggregates only). As for
        every model, `write=True` means administrators; the devices services decide who
        changes a record with `access.may_see_equity` (county staff too)."""
        county_ids = scope.admin_county_ids if write else scope.county_ids
        school_ids = scope.admin_school_ids
        q = Q(pk__in=[])
        if county_ids:
            q |= Q(county_id__in=county_ids)
        if school_ids:
            q |= Q(school_id__in=school_ids)
        return q


class LoanRequest(TenantModel):
    """A request for a take-home device or connection for a student, from a parent, the
    student, a teacher or the school; served from the priority queue."""

    class Need(models.TextChoices):
        DEVICE = "device", _("A device")
        CONNECTION = "connection", _("A connection (hotspot / data card)")
        BOTH = "both", _("A device and a connection")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        FULFILLED = "fulfilled", _("Lent")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="loan_requests"
    )
    need = models.CharField(_("needs"), max_length=12, choices=Need.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    requested_by = models.ForeignKey(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("loan request")
        verbose_name_plural = _("loan requests")

    def __str__(self) -> str:
        return f"loan request {self.student_id} ({self.need})"

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        own = set(scope.child_ids) | ({scope.person_id} if scope.person_id else set())
        return Q(student_id__in=own) if own else None


class NeedsCollection(TenantModel):
    """The county asks its schools what they need (L3.D1, S1.D2)."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("name of the collection"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    kinds = models.JSONField(
        _("kinds asked for"), default=list, blank=True, help_text=_("Empty for every kind.")
    )
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("needs collection")
        verbose_name_plural = _("needs collections")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        """School administrators see their county's open and closed collections."""
        if not scope.admin_school_ids:
            return None
        from dtss.orgs.models import School

        county_ids = School.objects.filter(pk__in=scope.admin_school_ids).values("county_id")
        return Q(county_id__in=county_ids) & ~Q(status="draft")


class NeedSubmission(TenantModel):
    """One school's answer to a needs collection."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    collection = models.ForeignKey(
        NeedsCollection, on_delete=models.CASCADE, related_name="submissions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    county_comment = models.TextField(_("county's comment"), blank=True)

    class Meta:
        ordering = ["collection", "school"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "school"], name="need_submission_unique")
        ]
        verbose_name = _("needs submission")
        verbose_name_plural = _("needs submissions")

    def __str__(self) -> str:
        return f"{self.collection_id} / {self.school_id}"


class NeedLine(TenantModel):
    """One item a school asks for, with its justification."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(NeedSubmission, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("item"), max_length=16, choices=DeviceKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(
        _("estimated unit cost (NT$)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    justification = models.TextField(_("justification"))

    class Meta:
        ordering = ["submission", "priority", "id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.kind} × {self.quantity}"


class ProcurementPlan(TenantModel):
    """The county's consolidated purchase, by item, quantity, budget and funding source."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        ORDERED = "ordered", _("Ordered")
        COMPLETED = "completed", _("Completed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    collection = models.ForeignKey(
        NeedsCollection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        verbose_name=_("from the needs collection"),
    )
    title = models.CharField(_("name of the plan"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (ROC)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("procurement plan")
        verbose_name_plural = _("procurement plans")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def personal_q(cls, scope: Scope) -> Q | None:
        """School administrators see the approved plans that allocate to their school."""
        if not scope.admin_school_ids:
            return None
        planned = ProcurementAllocation.objects.filter(school_id__in=scope.admin_school_ids).values(
            "line__plan_id"
        )
        return Q(pk__in=planned) & ~Q(status="draft")


class ProcurementLine(TenantModel):
    """One item of a plan."""

    TENANT_SCHOOL_FIELD: ClassVar[str | None] = None

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ProcurementPlan, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("item"), max_length=16, choices=DeviceKind.choices)
    description = models.CharField(_("specification"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost (NT$)"), max_digits=12, decimal_places=0)
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices
    )
    programme = models.CharField(_("programme"), max_length=120, blank=True)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=36)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("procurement line")
        verbose_name_plural = _("procurement lines")

    def __str__(self) -> str:
        return f"{self.kind} × {self.quantity}"

    @property
    def budget(self) -> int:
        return int(self.quantity * self.unit_cost)


class ProcurementAllocation(TenantModel):
    """How many of a line go to one school, and how many have arrived."""

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ProcurementLine, on_delete=models.CASCADE, related_name="allocations")
    quantity = models.PositiveIntegerField(_("quantity"))
    received = models.PositiveIntegerField(_("received"), default=0)

    class Meta:
        ordering = ["line", "school"]
        constraints = [
            models.UniqueConstraint(fields=["line", "school"], name="allocation_unique"),
            models.CheckConstraint(
                condition=Q(received__lte=models.F("quantity")), name="allocation_received_le"
            ),
        ]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")

    def __str__(self) -> str:
        return f"{self.line_id} → {self.school_id}: {self.received}/{self.quantity}"


class DeviceImport(TenantModel):
    """A register import from a CSV/XLSX file or an MDM export, run in the worker."""

    class Source(models.TextChoices):
        REGISTER = "register", _("DTSS register file (CSV/XLSX)")
        JAMF = "jamf", _("Jamf School export")
        GOOGLE = "google", _("Google Admin Chromebook list")
        INTUNE = "intune", _("Microsoft Intune export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed: nothing was changed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "orgs.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The school new devices belong to (files with a school column may be empty)."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file = models.FileField(upload_to="device-imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    # {"created": n, "updated": n, "unchanged": n, "errors": [{"row": r, "field": f, "message": m}]}
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("device import")
        verbose_name_plural = _("device imports")

    def __str__(self) -> str:
        return self.filename


class Stocktake(TenantModel):
    """A count of one school's devices (S1.A1): scan every QR label, see what is missing."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        CLOSED = "closed", _("Closed")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("name of the stocktake"), max_length=200)
    location = models.CharField(
        _("location"), max_length=120, blank=True, help_text=_("Empty for the whole school.")
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Frozen when closed: the ids of the devices expected and not found.
    missing_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")

    def __str__(self) -> str:
        return self.title


class StocktakeScan(TenantModel):
    """One code read during a stocktake."""

    class Result(models.TextChoices):
        FOUND = "found", _("Found")
        UNEXPECTED = "unexpected", _("Not expected here")
        UNKNOWN = "unknown", _("Not in the register")
        REPEAT = "repeat", _("Already scanned")

    county = models.ForeignKey("orgs.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    code = models.CharField(_("code read"), max_length=200)
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(max_length=12, choices=Result.choices)
    at = models.DateTimeField(auto_now_add=True)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")

    def __str__(self) -> str:
        return f"{self.code} ({self.result})"
