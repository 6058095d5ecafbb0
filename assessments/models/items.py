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
from procurement_portal.uploads import get_private_storage
from suppliers.models import PriorityRisk, Supplier

from ._text import in_language

# The languages a free text can be written in (settings.LANGUAGES, as plain choices so
# that a migration does not depend on the settings).
TEXT_LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]


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
    # In English, with the Japanese beside it, when the source has both languages (the
    # questionnaire's texts); otherwise a free text in the language ``written_in`` names.
    description = fields.TextField(_("finding"), max_length=LONG_TEXT_MAX_LENGTH)
    description_ja = fields.TextField(
        _("finding (Japanese)"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    required_action = fields.TextField(_("required action"), max_length=LONG_TEXT_MAX_LENGTH)
    required_action_ja = fields.TextField(
        _("required action (Japanese)"), max_length=LONG_TEXT_MAX_LENGTH, blank=True
    )
    written_in = models.CharField(
        _("written in"),
        max_length=8,
        choices=TEXT_LANGUAGES,
        blank=True,
        help_text=_("The language of a finding written in one language only."),
    )
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

    @property
    def finding(self) -> str:
        """The finding in the reader's language where it exists in both."""
        return in_language(self.description, self.description_ja)

    @property
    def action_text(self) -> str:
        return in_language(self.required_action, self.required_action_ja)


class ImprovementItemEvent(models.Model):
    """One step of an item's history: raised, plan sent, verified, closed, reopened, with
    the note or plan written at that step (every note is kept, not only the latest) and
    the language it was written in."""

    supplier_path = "item__supplier"

    item = models.ForeignKey(ImprovementItem, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=24, choices=ImprovementStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=24, choices=ImprovementStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = fields.TextField(_("note"), blank=True)
    note_language = models.CharField(
        _("written in"), max_length=8, choices=TEXT_LANGUAGES, blank=True
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "at", "id"]
        verbose_name = _("improvement item step")
        verbose_name_plural = _("improvement item history")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status} → {self.to_status}"


class ImprovementEvidence(TimeStampedModel):
    """A file the supplier sent with an action plan (stored privately, served by a
    checked view, accepted only by the one upload check)."""

    supplier_path = "item__supplier"

    item = models.ForeignKey(ImprovementItem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(
        ImprovementItemEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    file = models.FileField(_("file"), storage=get_private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["item_id", "created_at", "id"]
        verbose_name = _("action plan evidence")
        verbose_name_plural = _("action plan evidence")

    def __str__(self) -> str:
        return self.original_name
