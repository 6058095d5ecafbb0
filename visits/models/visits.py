"""Visit records, their answers, photos and amendments, and the letter batches.

A visit moves planned -> draft -> submitted. While a draft it is edited answer by answer,
often from a phone with a poor connection: each answer carries a revision, and each change
sent by a browser a client key, so a change sent twice is applied once and an edit made
against an older revision never overwrites a newer one (see ``VisitChange``). Once
submitted the record is read-only; staff change it only through a recorded amendment.
The overall result is derived from the answers at submission, never typed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import ImprovementItem
from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year
from procurement_portal.uploads import get_private_storage
from suppliers.models import Site, Supplier

from . import _scope  # noqa: F401  (registers who sees visits with the access policy)
from .checklists import ChecklistItem, ChecklistTemplate, GuidanceCategory, VisitKind


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class VisitResult(models.TextChoices):
    NONE = "none", _("No issues")
    MINOR = "minor", _("Minor improvements needed")
    SIGNIFICANT = "significant", _("Significant improvements needed")


class VisitMethod(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    DOCUMENT_CHECK = "document_check", _("Document check")
    INSPECTION = "inspection", _("Inspection")


class Outcome(models.TextChoices):
    UNANSWERED = "unanswered", _("Not answered yet")
    CONFORMING = "conforming", _("Conforming")
    MINOR = "minor", _("Minor finding")
    SIGNIFICANT = "significant", _("Significant finding")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


FINDING_OUTCOMES = frozenset({Outcome.MINOR, Outcome.SIGNIFICANT})


class Visit(TimeStampedModel):
    """One on-site visit to a supplier's site: who went, how they checked, what they found.

    Planned visits (from the visit plan) may still lack a date and a site; a draft or a
    submitted visit has both (a database check). ``fiscal_year`` follows the visit date
    (the plan's year while there is none) so yearly figures count visits by the year they
    happened in.
    """

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="visits", verbose_name=_("supplier")
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("site"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=VisitKind.choices)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("checklist"),
    )
    visited_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="visits_made",
        blank=True,
        verbose_name=_("visited by"),
    )
    supplier_attendees = fields.TextField(_("supplier attendees"), blank=True)
    # A list of VisitMethod values: JSON rather than an array column, so SQLite (the
    # embedded default) stores it too; the services check each value.
    methods = models.JSONField(_("methods"), default=list, blank=True)
    summary = fields.TextField(_("summary"), max_length=LONG_TEXT_MAX_LENGTH, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=VisitResult.choices, blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Where a planned visit came from: the plan policy and the score it had then.
    plan_policy = models.ForeignKey(
        "visits.VisitPlanPolicy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    plan_score = models.DecimalField(
        _("priority score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    # The improvement-guidance letter (built by visits.letters on these fields): the
    # document of the latest version, when it was issued to the supplier, its version.
    letter_document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    letter_issued_at = models.DateTimeField(_("letter issued at"), null=True, blank=True)
    letter_version = models.PositiveIntegerField(_("letter version"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-visit_date", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in VisitKind]),
                name="visit_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in VisitStatus]),
                name="visit_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=VisitStatus.PLANNED)
                | (models.Q(visit_date__isnull=False) & models.Q(site__isnull=False)),
                name="visit_dated_and_sited",
                violation_error_message=_("A visit needs a site and a date."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=VisitStatus.SUBMITTED) | ~models.Q(result=""),
                name="visit_submitted_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status"], name="visit_supplier_status"),
            models.Index(fields=["fiscal_year", "kind"], name="visit_year_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.supplier_id} {self.visit_date or ''}".strip()

    @property
    def fiscal_year_label(self) -> str:
        return str(FiscalYear(self.fiscal_year))

    @property
    def is_editable(self) -> bool:
        return self.status != VisitStatus.SUBMITTED

    @property
    def method_labels(self) -> list[str]:
        labels = dict(VisitMethod.choices)
        return [str(labels.get(m, m)) for m in self.methods or []]


class VisitAnswer(models.Model):
    """The inspector's answer to one checklist item; a minor or significant finding raises
    one improvement item (``improvement_item``, one-to-one, so never twice)."""

    supplier_path = "visit__supplier"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.UNANSWERED
    )
    note = fields.TextField(_("note"), blank=True)
    guidance_category = models.ForeignKey(
        GuidanceCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guidance category"),
    )
    required_action = fields.TextField(_("required action"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Counts the changes applied; a browser sends the revision it edited, and an edit of
    # an older revision than this is refused as a conflict.
    revision = models.PositiveIntegerField(_("revision"), default=0)
    # The key of the last change applied (the full list is in VisitChange).
    client_key = models.CharField(max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    improvement_item = models.OneToOneField(
        ImprovementItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_answer",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "item__position", "id"]
        verbose_name = _("visit answer")
        verbose_name_plural = _("visit answers")
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="visit_answer_unique"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in Outcome]),
                name="visit_answer_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.item_id}: {self.outcome}"

    @property
    def is_finding(self) -> bool:
        return self.outcome in FINDING_OUTCOMES


class VisitChange(models.Model):
    """One change a browser sent, by its client key: the key is unique per visit, so the
    same change resent (a lost answer, a second tab, the offline queue replayed) is
    recognised and applied once."""

    supplier_path = "visit__supplier"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="changes")
    answer = models.ForeignKey(
        VisitAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    client_key = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "at", "id"]
        verbose_name = _("visit change")
        verbose_name_plural = _("visit changes")
        constraints = [
            models.UniqueConstraint(fields=["visit", "client_key"], name="visit_change_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.client_key}"


class VisitPhoto(TimeStampedModel):
    """A photo taken on site, of the visit or of one answer: checked by the one upload
    check, re-encoded and stored without its metadata (no camera, no location)."""

    supplier_path = "visit__supplier"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    answer = models.ForeignKey(
        VisitAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    file = models.FileField(_("file"), storage=get_private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    caption = fields.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "created_at", "id"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.original_name


class VisitAmendment(models.Model):
    """A change to a submitted visit, by staff, with the reason and what changed
    (``changes``: ``{"field or item code": {"from": ..., "to": ...}}``)."""

    supplier_path = "visit__supplier"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="amendments")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = fields.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "at", "id"]
        verbose_name = _("visit amendment")
        verbose_name_plural = _("visit amendments")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.at:%Y-%m-%d}"


class FollowUpDecision(models.TextChoices):
    CLOSE = "close", _("Fixed: close the item")
    REOPEN = "reopen", _("Not fixed: reopen the item")


class VisitFollowUp(models.Model):
    """What a re-visit found about an earlier improvement item of the same supplier: fixed
    (the item is closed) or not (it is reopened). Applied when the visit is submitted."""

    supplier_path = "visit__supplier"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    improvement_item = models.ForeignKey(
        ImprovementItem, on_delete=models.CASCADE, related_name="visit_follow_ups"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=FollowUpDecision.choices)
    note = fields.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "id"]
        verbose_name = _("visit follow-up")
        verbose_name_plural = _("visit follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "improvement_item"], name="visit_follow_up_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=[d.value for d in FollowUpDecision]),
                name="visit_follow_up_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.improvement_item_id}: {self.decision}"


class LetterBatch(models.Model):
    """A batch of improvement-guidance letters for the visits of a period (both kinds when
    ``kind`` is empty), with its progress as counts the workers add to."""

    staff_only = True

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # Null for both kinds (the letters code and the API speak of "no kind" as null).
    kind = models.CharField(  # noqa: DJ001
        _("kind"), max_length=16, choices=VisitKind.choices, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    total = models.PositiveIntegerField(_("letters"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="letter_batch_period_ordered",
                violation_error_message=_("The period must not end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} to {self.period_end}"


__all__ = [
    "FINDING_OUTCOMES",
    "FollowUpDecision",
    "LetterBatch",
    "Outcome",
    "Visit",
    "VisitAmendment",
    "VisitAnswer",
    "VisitChange",
    "VisitFollowUp",
    "VisitMethod",
    "VisitPhoto",
    "VisitResult",
    "VisitStatus",
]
