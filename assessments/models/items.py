"""Improvement items: something a supplier must fix, followed until it is closed.

Raised by self-assessment answers below the policy's threshold now, and by on-site visits
later (the same model, another ``source``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH
from suppliers.models import PriorityRisk, Supplier


class ImprovementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTION_PLAN_SUBMITTED = "action_plan_submitted", _("Action plan submitted")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


class ImprovementSource(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    SITE_VISIT = "site_visit", _("On-site visit")


class ImprovementItem(TimeStampedModel):
    """One thing to improve: the risk, what is wrong, what must be done and by when."""

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="improvement_items"
    )
    risk = models.ForeignKey(PriorityRisk, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ImprovementSource.choices,
        default=ImprovementSource.SELF_ASSESSMENT,
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="improvement_items",
    )
    answer = models.ForeignKey(
        "assessments.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_items",
    )
    description = fields.TextField(_("finding"), max_length=LONG_TEXT_MAX_LENGTH)
    required_action = fields.TextField(_("required action"), max_length=LONG_TEXT_MAX_LENGTH)
    due_date = fields.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ImprovementStatus.choices,
        default=ImprovementStatus.OPEN,
    )
    action_plan = fields.TextField(_("supplier's action plan"), blank=True)
    action_plan_submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's latest word to the supplier (why it was reopened, what was verified);
    # earlier notes stay in the audit history.
    review_note = fields.TextField(_("reviewer's note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("improvement item")
        verbose_name_plural = _("improvement items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImprovementStatus]),
                name="improvement_status_valid",
            ),
            # One item per answer: re-scoring an assessment never raises the same item twice.
            models.UniqueConstraint(
                fields=["answer"],
                condition=models.Q(answer__isnull=False),
                name="improvement_one_per_answer",
            ),
        ]
        indexes = [models.Index(fields=["supplier", "status"], name="improvement_supplier_status")]

    def __str__(self) -> str:
        return f"{self.supplier_id} {self.risk.code}: {self.description[:50]}"
