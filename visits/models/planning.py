"""The visit plan's settings: how a supplier's priority score is made, as versioned data.

Which suppliers get visited is chosen on the scale of transactions, the criticality of the
information they handle, the confidentiality level of the work, the self-assessment
results and the time since the last visit (DOMAIN.md). Each becomes a component from 0 to
100 by a threshold written here, and the score is their weighted mean; the plan page shows
every component, so the ranking can be explained and questioned by a person. A changed
policy is a new version; a planned visit keeps the version and the score it was planned
with, so changing the weights never rewrites why an earlier visit was chosen.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import fields
from procurement_portal.core.models import TimeStampedModel

_WEIGHT = [MinValueValidator(0), MaxValueValidator(100)]


def _weight(label):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=1, validators=_WEIGHT)


class VisitPlanPolicy(TimeStampedModel):
    """One version of the weights and thresholds of the visit plan's priority score.
    The newest active version applies."""

    staff_only = True

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = fields.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    weight_spend = _weight(_("weight of spend"))
    weight_information = _weight(_("weight of information handled"))
    weight_confidentiality = _weight(_("weight of confidentiality level"))
    weight_self_assessment = _weight(_("weight of self-assessment result"))
    weight_time_since_visit = _weight(_("weight of time since the last visit"))
    # Spend at or above this (in the spend's currency, per fiscal year) counts 100.
    spend_full_amount = models.DecimalField(
        _("spend counting in full"),
        max_digits=18,
        decimal_places=2,
        default=1_000_000_000,
        validators=[MinValueValidator(1)],
    )
    # The information-security level counting in full (a supplier cleared for the most
    # confidential work is the one whose lapses cost most).
    top_confidentiality_level = models.PositiveSmallIntegerField(
        _("level counting in full"), default=3, validators=[MinValueValidator(1)]
    )
    # Points for a supplier with no accepted self-assessment (nothing known is a risk).
    no_assessment_points = models.DecimalField(
        _("points without a self-assessment"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=_WEIGHT,
    )
    # Months since the last visit that count in full (never visited counts in full).
    months_full = models.PositiveSmallIntegerField(
        _("months since the last visit counting in full"),
        default=36,
        validators=[MinValueValidator(1)],
    )
    # Rows at or above this score are marked as recommended for a visit.
    recommend_from = models.DecimalField(
        _("recommend a visit from score"),
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=_WEIGHT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("visit plan policy")
        verbose_name_plural = _("visit plan policies")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(weight_spend__gt=0)
                    | models.Q(weight_information__gt=0)
                    | models.Q(weight_confidentiality__gt=0)
                    | models.Q(weight_self_assessment__gt=0)
                    | models.Q(weight_time_since_visit__gt=0)
                ),
                name="visit_plan_policy_some_weight",
                violation_error_message=_("Give at least one weight above zero."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def weights(self) -> dict[str, object]:
        return {
            "spend": self.weight_spend,
            "information": self.weight_information,
            "confidentiality": self.weight_confidentiality,
            "self_assessment": self.weight_self_assessment,
            "time_since_visit": self.weight_time_since_visit,
        }
