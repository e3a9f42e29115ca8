"""Import jobs: one uploaded CSV/XLSX file of schools, classes or people, and what became of it.

The file itself is kept in the row (`content`), so a job survives a restart and the worker
process can read it without a shared file system. The default manager never loads it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dtss.core.models import TenantModel, TenantQuerySet


class ImportJobManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Lists and status polls must not drag up to 10 MB of file content along."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().defer("content")


class ImportJob(TenantModel):
    class Kind(models.TextChoices):
        SCHOOLS = "schools", _("Schools")
        CLASSES = "classes", _("Classes")
        PEOPLE = "people", _("People")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking")
        FAILED = "failed", _("Failed")
        SAVING = "saving", _("Saving")
        DONE = "done", _("Done")

    ACTIVE = frozenset({Status.QUEUED, Status.VALIDATING, Status.SAVING})

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
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"))
    size = models.PositiveIntegerField(_("file size"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
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

    objects = ImportJobManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "-created_at"], name="importjob_county_recent")]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        """How far the checking has got (100 once saving starts). The progress of the saving is
        kept in the cache, see `selectors.import_job_progress`."""
        if self.status in (self.Status.SAVING, self.Status.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))
