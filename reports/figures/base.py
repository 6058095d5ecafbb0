"""What every figure shares: the fiscal year's boundaries (from ``fiscal.py`` only), the
regions, spend converted to the reporting currency, and the models of the stages above
the registry, looked up through the apps registry so a stage that is not installed
leaves its figures out instead of breaking the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from procurement_portal.fiscal import FiscalYear
from suppliers.models import CurrencyRate
from suppliers.regions import Region

# The priority risks whose findings and scores are "environmental" and "social" in the
# GRI sense (308: environment; 414: human rights, health and safety, fair trade).
# Information security and product quality are neither.
ENVIRONMENTAL_RISKS = ("environment",)
SOCIAL_RISKS = ("human_rights", "health_safety", "fair_trade")
CRITERIA_RISKS = {"environmental": ENVIRONMENTAL_RISKS, "social": SOCIAL_RISKS}

REGIONS = [r.value for r in Region]


def reporting_currency() -> str:
    """The one currency the figures are stated in (setting ``REPORTING_CURRENCY``)."""
    return getattr(settings, "REPORTING_CURRENCY", "JPY")


@dataclass(frozen=True)
class Period:
    """A fiscal year's boundaries as the queries need them: its first and last day, and
    the first instant after it in the portal's time zone (for datetime columns)."""

    year: int

    @property
    def fiscal(self) -> FiscalYear:
        return FiscalYear(self.year)

    @property
    def start(self) -> dt.date:
        return self.fiscal.start

    @property
    def end(self) -> dt.date:
        return self.fiscal.end

    @property
    def start_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def after_at(self) -> dt.datetime:
        """Midnight after the last day: ``signed_at < after_at`` is "on or before it"."""
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )

    @property
    def as_of(self) -> dt.date:
        """The day ages are measured on: the year's last day, or today inside the year."""
        return min(self.end, timezone.localdate())


def model(label: str):
    """A model of another stage, or ``None`` when that stage has not got it (the figures
    that need it are then left out)."""
    app_label, name = label.split(".")
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def has(*labels: str) -> bool:
    return all(model(label) is not None for label in labels)


def converted_amount(year_field: str = "fiscal_year", prefix: str = ""):
    """The spend row's amount in the reporting currency, by the rate of the row's own
    fiscal year; ``NULL`` when the currency has no rate that year (counted apart, never
    guessed)."""
    rate = CurrencyRate.objects.filter(
        fiscal_year=OuterRef(prefix + year_field), currency=OuterRef(prefix + "currency")
    ).values("rate")[:1]
    return Case(
        When(
            **{prefix + "currency": reporting_currency()},
            then=F(prefix + "amount"),
        ),
        default=ExpressionWrapper(
            F(prefix + "amount") * Subquery(rate),
            output_field=DecimalField(max_digits=30, decimal_places=8),
        ),
        output_field=DecimalField(max_digits=30, decimal_places=8),
    )


def has_rate_q() -> Q:
    """Spend rows the figures can convert."""
    rate = CurrencyRate.objects.filter(
        fiscal_year=OuterRef("fiscal_year"), currency=OuterRef("currency")
    )
    return Q(currency=reporting_currency()) | Q(Exists(rate))


def percent(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal; ``None`` when there is no whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


ZERO = Value(0)
