"""Import jobs: one row per uploaded file, its progress and its outcome."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal import access
from procurement_portal.core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    SUPPLIERS = "suppliers", _("Suppliers")
    SPEND = "spend", _("Procurement spend")
    CDP = "cdp", _("CDP Supply Chain participation")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = frozenset({ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED})


def import_upload_to(instance: ImportJob, filename: str) -> str:
    # The user's file name is display-only; the stored name is the job's uuid, so no
    # path or extension chosen by the user ever reaches the file system.
    return f"imports/{instance.uuid}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """Imports are shared work: every user who may import sees every job."""
        if access.can(user, access.Action.IMPORT_DATA):
            return self.all()
        return self.none()


class ImportJob(TimeStampedModel):
    """One uploaded import file: who sent it, what it holds, how far it got, what came out."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    original_name = models.CharField(
        _("file name"), max_length=255, blank=True, help_text=_("As uploaded; shown only.")
    )
    file = models.FileField(_("stored file"), upload_to=import_upload_to, max_length=200)
    dry_run = models.BooleanField(_("validate only"), default=False)
    # Messages are written in the uploader's language, also when a worker runs the job.
    language = models.CharField(_("language"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImportStatus]),
                name="importjob_status_valid",
                violation_error_message=_("Unknown import status."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in ImportKind]),
                name="importjob_kind_valid",
                violation_error_message=_("Unknown import kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.is_finished else 0
        return min(100, self.rows_processed * 100 // self.rows_total)

    @property
    def error_count(self) -> int:
        return len(self.errors or [])
