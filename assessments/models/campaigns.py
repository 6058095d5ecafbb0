"""Yearly survey campaigns: one questionnaire version sent to many suppliers at once.

A campaign is authored as a draft (what, for which year, open and due dates, whom: a
target rule, and when to remind), launched by staff, and then run by Celery workers:
they snapshot the target suppliers into ``CampaignSupplier`` rows, create the
assessments in bulk chunks and queue one invitation per supplier contact in the outbox.
Beat sends the reminders and overdue notices on the campaign's schedule.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year
from suppliers.models import Category, Supplier

from .assessments import Assessment
from .questionnaires import QuestionnaireVersion


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    LAUNCHING = "launching", _("Launching")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", _("Closed")


class TargetRule(models.TextChoices):
    FILTERS = "filters", _("Active suppliers matching the filters")
    CODES = "codes", _("An uploaded list of supplier codes")


class Campaign(TimeStampedModel):
    """A yearly survey: a questionnaire version asked of a target group of suppliers.

    The target is either the active suppliers that pass every chosen filter (critical in
    the campaign's fiscal year, handling confidential information, in one of ``regions``,
    ``countries``, ``categories``; no filter at all means every active supplier), or the
    uploaded list ``supplier_codes``, taken as given. The reminder schedule is
    ``reminder_days_before`` (e.g. [14, 3]) then an overdue notice every
    ``overdue_every_days`` after the due date; ``reminder_max`` caps the number of
    reminders and notices together.
    """

    name = fields.CharField(_("name"), max_length=200)
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("questionnaire version"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    opens_on = fields.DateField(_("opens on"))
    due_date = fields.DateField(_("due date"))
    target_rule = models.CharField(
        _("target"), max_length=16, choices=TargetRule.choices, default=TargetRule.FILTERS
    )
    critical_only = models.BooleanField(_("critical suppliers of the fiscal year"), default=False)
    confidential_only = models.BooleanField(
        _("suppliers handling confidential information"), default=False
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", verbose_name=_("categories")
    )
    supplier_codes = models.JSONField(_("supplier codes"), default=list, blank=True)
    reminder_days_before = models.JSONField(
        _("reminders (days before the due date)"), default=list, blank=True
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("overdue notice every (days)"),
        default=7,
        help_text=_("0 sends no overdue notices."),
    )
    reminder_max = models.PositiveSmallIntegerField(_("at most this many reminders"), default=5)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("launched by"),
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    targets_frozen_at = models.DateTimeField(_("target list fixed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("invitations queued at"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("suppliers targeted"), default=0)
    # Suppliers of the target that had already submitted (or had accepted) this
    # questionnaire for the fiscal year when the list was fixed: not invited again.
    skipped_count = models.PositiveIntegerField(
        _("suppliers skipped (already submitted)"), default=0
    )
    # The highest reminder step (1-based, see services.reminder_schedule) already sent.
    reminder_step = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["-fiscal_year", "-opens_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CampaignStatus]),
                name="campaign_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(target_rule__in=[r.value for r in TargetRule]),
                name="campaign_target_rule_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("due_date")),
                name="campaign_opens_before_due",
                violation_error_message=_("The due date cannot be before the open date."),
            ),
        ]
        indexes = [models.Index(fields=["status", "opens_on"], name="campaign_status_opens")]

    def __str__(self) -> str:
        return f"{self.name} ({FiscalYear(self.fiscal_year)})"

    @property
    def fiscal_year_label(self) -> str:
        return str(FiscalYear(self.fiscal_year))

    @property
    def is_editable(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def outbox_group(self) -> str:
        """The outbox group of every message of this campaign (progress counts by it)."""
        return f"campaign:{self.pk}"

    def invitation_key(self, contact_id: int) -> str:
        return f"campaign:{self.pk}:invite:{contact_id}"

    def is_overdue_on(self, day: dt.date) -> bool:
        return day > self.due_date


class CampaignSupplier(models.Model):
    """One supplier in a launched campaign's fixed target list, with its assessment.

    The rows are written once at launch (the target list as it was then), so later changes
    to the registry do not silently add or drop suppliers. ``invited_at`` is set when the
    supplier's invitations are in the outbox.
    """

    supplier_path = "supplier"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    contacts_invited = models.PositiveSmallIntegerField(_("contacts invited"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "id"]
        verbose_name = _("campaign supplier")
        verbose_name_plural = _("campaign suppliers")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "supplier"], name="campaign_supplier_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.supplier_id}"
