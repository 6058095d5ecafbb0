"""Scoring settings and results: the versioned policy, per-risk scores, and each supplier's
information-security level per fiscal year.

The information-security level lives here rather than in ``suppliers``: it is a result of
an assessment (and points at it), and ``suppliers`` must not depend on ``assessments``.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.access import ScopedQuerySet
from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel
from procurement_portal.fiscal import validate_fiscal_year
from suppliers.models import PriorityRisk, Supplier

_PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Rating(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


def validate_infosec_levels(value) -> None:
    """``[{"level": 3, "min_score": 80}, ...]``: whole levels >= 1, scores 0-100, a higher
    level needs a higher score."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_('Give at least one level as {"level": 1, "min_score": 0}.'))
    seen = []
    for n, row in enumerate(value, start=1):
        if not isinstance(row, dict) or set(row) != {"level", "min_score"}:
            raise ValidationError(
                _("Level %(n)s: give exactly “level” and “min_score”."), params={"n": n}
            )
        level, score = row["level"], row["min_score"]
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise ValidationError(
                _("Level %(n)s: “level” must be a whole number from 1."), params={"n": n}
            )
        if not isinstance(score, int | float) or isinstance(score, bool) or not 0 <= score <= 100:
            raise ValidationError(
                _("Level %(n)s: “min_score” must be a number from 0 to 100."), params={"n": n}
            )
        seen.append((level, score))
    seen.sort()
    for (l1, s1), (l2, s2) in itertools.pairwise(seen):
        if l1 == l2 or s1 >= s2:
            raise ValidationError(_("Each higher level must need a strictly higher score."))


class ScoringPolicy(TimeStampedModel):
    """The rules a score is judged by, as versioned settings rather than constants.

    The newest active policy applies when an assessment is scored, and the assessment keeps
    a link to the policy it was judged by, so changing the bands never rewrites history.
    """

    name = fields.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    low_risk_min = models.DecimalField(
        _("low risk from score"), max_digits=5, decimal_places=1, default=80, validators=_PERCENT
    )
    medium_risk_min = models.DecimalField(
        _("medium risk from score"), max_digits=5, decimal_places=1, default=50, validators=_PERCENT
    )
    improvement_below = models.DecimalField(
        _("improvement item below answer score"),
        max_digits=5,
        decimal_places=1,
        default=50,
        validators=_PERCENT,
        help_text=_("An answer scoring below this raises an improvement item."),
    )
    improvement_due_days = models.PositiveSmallIntegerField(
        _("days to fix an improvement item"), default=90
    )
    infosec_levels = models.JSONField(
        _("information-security levels"),
        default=list,
        validators=[validate_infosec_levels],
        help_text=_('Lowest score for each level, e.g. [{"level": 1, "min_score": 0}, ...].'),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(medium_risk_min__lte=models.F("low_risk_min")),
                name="scoring_policy_bands_ordered",
                violation_error_message=_(
                    "The medium-risk threshold must not be above the low-risk threshold."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def rating_for(self, score: Decimal | None) -> str:
        if score is None:
            return ""
        if score >= self.low_risk_min:
            return Rating.LOW
        if score >= self.medium_risk_min:
            return Rating.MEDIUM
        return Rating.HIGH

    def infosec_level_for(self, score: Decimal | None) -> int | None:
        if score is None:
            return None
        reached = [
            row["level"] for row in self.infosec_levels if score >= Decimal(str(row["min_score"]))
        ]
        return max(reached) if reached else None


class RiskScore(models.Model):
    """An assessment's score for one priority risk (0-100), with what it was made of."""

    supplier_path = "assessment__supplier"

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="risk_scores"
    )
    risk = models.ForeignKey(PriorityRisk, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True)
    earned = models.DecimalField(_("points earned"), max_digits=10, decimal_places=2)
    possible = models.DecimalField(_("points possible"), max_digits=10, decimal_places=2)
    rating = models.CharField(_("rating"), max_length=16, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assessment_id", "risk__position"]
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "risk"], name="risk_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.risk.code}: {self.score}"


class InformationSecurityLevel(TimeStampedModel):
    """A supplier's information-security level for a fiscal year.

    Set from the information-security self-assessment's score; staff may override it with
    a reason (kept, with every change, in the audit history). Projects that outsource work
    pick suppliers at or above the level they require.
    """

    supplier_path = "supplier"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="infosec_levels")
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[validate_fiscal_year]
    )
    level = models.PositiveSmallIntegerField(_("level"))
    computed_level = models.PositiveSmallIntegerField(
        _("level from the assessment"), null=True, blank=True
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    overridden = models.BooleanField(_("set by staff"), default=False)
    override_reason = fields.TextField(_("reason for the override"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "supplier_id"]
        verbose_name = _("information-security level")
        verbose_name_plural = _("information-security levels")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "fiscal_year"],
                name="infosec_level_unique_per_year",
                violation_error_message=_("This supplier already has a level for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(overridden=False) | ~models.Q(override_reason=""),
                name="infosec_level_override_has_reason",
                violation_error_message=_("An override needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "level"], name="infosec_level_year_level")]

    def __str__(self) -> str:
        return f"{self.supplier_id} FY{self.fiscal_year}: {self.level}"
