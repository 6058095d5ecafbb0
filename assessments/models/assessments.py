"""One supplier answering one questionnaire for one fiscal year, and what hangs off it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.fiscal import FiscalYear, validate_fiscal_year
from procurement_portal.uploads import get_private_storage
from suppliers.models import Supplier

from .questionnaires import Question, Questionnaire, QuestionnaireVersion


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for clarification")
    ACCEPTED = "accepted", _("Accepted")


# The supplier may change answers only in these states.
EDITABLE_STATUSES = frozenset(
    {AssessmentStatus.NOT_STARTED, AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED}
)
# Waiting for a reviewer.
REVIEWABLE_STATUSES = frozenset({AssessmentStatus.SUBMITTED})


class Assessment(TimeStampedModel):
    """A supplier's self-assessment: one questionnaire version, one fiscal year.

    Unique per (supplier, questionnaire, fiscal year): a supplier answers a questionnaire
    once a year, whichever version it was given. ``questionnaire`` repeats the version's
    questionnaire so that the database can hold that rule.
    """

    supplier_path = "supplier"

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("supplier")
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("questionnaire version"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.NOT_STARTED,
    )
    due_date = fields.DateField(_("due date"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    carried_over_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pre-filled from"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # Scores as of the last scoring (submission or acceptance): 0-100, null until scored.
    overall_score = models.DecimalField(
        _("overall score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    rating = models.CharField(_("rating"), max_length=16, blank=True)
    scoring_policy = models.ForeignKey(
        "assessments.ScoringPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scoring policy"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "supplier_id", "questionnaire_id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "questionnaire", "fiscal_year"],
                name="assessment_unique_per_supplier_questionnaire_year",
                violation_error_message=_(
                    "This supplier already has this questionnaire for this fiscal year."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AssessmentStatus]),
                name="assessment_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="assessment_review_queue"),
            models.Index(fields=["fiscal_year", "status"], name="assessment_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier.code} {self.version} {FiscalYear(self.fiscal_year)}"

    @property
    def fiscal_year_label(self) -> str:
        return str(FiscalYear(self.fiscal_year))

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Answer(TimeStampedModel):
    """The supplier's answer to one question of one assessment.

    ``value`` holds the answer in JSON: a choice code (yes/no and single choice), a list of
    codes (multiple choice), a number as a string (exact decimals), an ISO date, or text.
    ``revision`` goes up by one on every save, so that two people editing the same answer
    find out instead of overwriting each other unseen.
    """

    supplier_path = "assessment__supplier"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    carried_over = models.BooleanField(
        _("carried over"),
        default=False,
        help_text=_("Copied from last year's answer and not yet confirmed by the supplier."),
    )
    # Who confirmed a carried-over answer, and when (by saving it or "confirm all").
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "question_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                name="answer_unique_per_question",
                violation_error_message=_("This question is already answered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.question.code}"

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.value not in (None, "", [])


class Evidence(TimeStampedModel):
    """A file a supplier attached to an answer (stored privately; served by a checked view)."""

    supplier_path = "answer__assessment__supplier"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), storage=get_private_storage, max_length=200)
    original_name = fields.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["answer_id", "created_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class AnswerComment(TimeStampedModel):
    """A reviewer's comment on one answer, or a reply in its thread.

    A thread is a reviewer's comment (``parent`` empty) and its replies, from the supplier
    or the reviewers, in order. A reviewer may mark the thread resolved (on the first
    comment); it stays readable to both sides.
    """

    supplier_path = "answer__assessment__supplier"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = fields.TextField(_("comment"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["answer_id", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class AssessmentEvent(models.Model):
    """One step of an assessment's status history: who moved it, when, from what to what."""

    supplier_path = "assessment__supplier"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=16, choices=AssessmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=AssessmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = fields.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"
