"""Demo data for the dashboard and the annual figures, made through the registry's own
services: the yearly currency rates the spend is converted with, the CDP Supply Chain
participants of each demo year, and one terminated relationship."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from procurement_portal.accounts.models import Role, User
from suppliers import services
from suppliers.demo import JPY_PER_UNIT, fiscal_years
from suppliers.models import CdpParticipation, CurrencyRate, Supplier, SupplierStatus

SEED = 14
CDP_PER_YEAR = 25


def build_reports_demo(*, seed: int = SEED) -> str:
    """Rates, CDP participants and a termination, once (nothing when they exist)."""
    admin = User.objects.filter(role=Role.ADMIN, email="admin@demo.example").first()
    if admin is None or CurrencyRate.objects.exists():
        return "nothing to add"
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    years = fiscal_years()
    for year in years:
        for currency, per_unit in JPY_PER_UNIT.items():
            if currency == "JPY":
                continue
            drift = Decimal(rng.randrange(95, 106)) / 100
            services.currency_rate_set(
                actor=admin,
                fiscal_year=year,
                currency=currency,
                rate=(Decimal(str(per_unit)) * drift).quantize(Decimal("0.0001")),
            )
    hardware = list(
        Supplier.objects.filter(categories__code="hardware").order_by("code")[: CDP_PER_YEAR * 3]
    )
    participants = 0
    for n, year in enumerate(years):
        for supplier in rng.sample(hardware, min(len(hardware), CDP_PER_YEAR + 20 * n)):
            if not CdpParticipation.objects.filter(supplier=supplier, fiscal_year=year).exists():
                services.cdp_participation_create(actor=admin, supplier=supplier, fiscal_year=year)
                participants += 1
    ended = Supplier.objects.filter(status=SupplierStatus.INACTIVE).order_by("code").first()
    if ended is not None:
        services.supplier_terminate(
            actor=admin,
            supplier=ended,
            terminated_on=dt.date.fromordinal(dt.date.today().toordinal() - 40),
            reason="Significant findings not remedied after the improvement deadline.",
        )
    return f"{len(years)} years of currency rates, {participants} CDP participations"
