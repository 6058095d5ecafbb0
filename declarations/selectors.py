"""Reads of declarations that pages, the API, the dashboard and reports share.

A signature is *valid on a day* when it was signed on or before that day (by the date of
``signed_at`` in the portal's time zone) and has no revocation effective on or before
that day. Everything that counts declarations asks ``valid_signatures_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from procurement_portal import access
from procurement_portal.fiscal import FiscalYear
from suppliers.models import Supplier, SupplierStatus

from .models import (
    Audience,
    DeclarationKind,
    DeclarationVersion,
    Revocation,
    Signature,
    VersionStatus,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

COVERING_FLAGS = {"environmental": "covers_environmental", "social": "covers_social"}


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the portal's time zone (signed_at < this)."""
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start, zone) if zone else start


def valid_signatures_on(day: dt.date) -> QuerySet[Signature]:
    """Signatures signed on or before ``day`` and not revoked with effect on or before it."""
    revoked = Revocation.objects.filter(signature=OuterRef("pk"), effective_date__lte=day)
    return Signature.objects.filter(signed_at__lt=_end_of_day(day)).exclude(Exists(revoked))


def suppliers_with_valid_declaration(day: dt.date, *, covering: str | None = None) -> QuerySet:
    """Ids (``values_list``) of suppliers holding a valid declaration on ``day``; with
    ``covering`` ("environmental" or "social") only of a kind that covers those criteria."""
    signatures = valid_signatures_on(day)
    if covering is not None:
        if covering not in COVERING_FLAGS:
            raise ValueError(f"covering must be one of {sorted(COVERING_FLAGS)} or None")
        signatures = signatures.filter(**{f"version__kind__{COVERING_FLAGS[covering]}": True})
    return signatures.values_list("supplier_id", flat=True).distinct()


def kinds_visible_to(user: User | None) -> QuerySet[DeclarationKind]:
    return DeclarationKind.objects.visible_to(user)


def versions_visible_to(user: User | None) -> QuerySet[DeclarationVersion]:
    """Versions a user may read: every one for staff, published and retired ones (the texts
    suppliers signed) for supplier users; never a draft outside the company."""
    versions = DeclarationVersion.objects.visible_to(user).select_related("kind")
    if not access.sees_all_suppliers(user):
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return versions


def signatures_visible_to(user: User | None) -> QuerySet[Signature]:
    return (
        Signature.objects.visible_to(user)
        .select_related("supplier", "version__kind", "revocation")
        .order_by("-signed_at", "-sequence")
    )


def current_versions() -> QuerySet[DeclarationVersion]:
    """The published version of each kind (the only ones that can be signed)."""
    return (
        DeclarationVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("kind")
        .order_by("kind__code", "-number")
    )


def audience_suppliers(version: DeclarationVersion) -> QuerySet[Supplier]:
    """The suppliers a version asks to sign: by its audience rule and regions, active or
    onboarding (a suspended or inactive supplier is asked nothing)."""
    suppliers = Supplier.objects.filter(
        status__in=[SupplierStatus.ACTIVE, SupplierStatus.ONBOARDING]
    )
    if version.audience == Audience.NEW_SUPPLIERS:
        year = FiscalYear(version.audience_fiscal_year)
        suppliers = suppliers.filter(
            transactions_started_on__gte=year.start, transactions_started_on__lte=year.end
        )
    elif version.audience == Audience.CRITICAL_SUPPLIERS:
        suppliers = suppliers.filter(
            critical_designations__fiscal_year=version.audience_fiscal_year
        )
    if version.audience_regions:
        suppliers = suppliers.filter(region__in=version.audience_regions)
    return suppliers


def supplier_asked(version: DeclarationVersion, supplier: Supplier) -> bool:
    return audience_suppliers(version).filter(pk=supplier.pk).exists()


def declarations_for_supplier(supplier: Supplier) -> tuple[list, list]:
    """What the supplier's page shows: the current versions it is asked to sign and has
    not signed, and its signatures (newest first) with their revocation if any."""
    signatures = list(
        Signature.objects.filter(supplier=supplier)
        .select_related("version__kind", "revocation")
        .order_by("-signed_at", "-sequence")
    )
    signed_versions = {s.version_id for s in signatures}
    to_sign = [
        version
        for version in current_versions()
        if version.pk not in signed_versions and supplier_asked(version, supplier)
    ]
    return to_sign, signatures


def new_suppliers_of_year(fiscal_year: int) -> QuerySet[Supplier]:
    """Suppliers whose transactions started inside the fiscal year (the new suppliers)."""
    year = FiscalYear(fiscal_year)
    return Supplier.objects.filter(
        transactions_started_on__gte=year.start, transactions_started_on__lte=year.end
    )


def coverage_day(fiscal_year: int) -> dt.date:
    """The day a year's coverage is measured on: its last day, or today while it runs."""
    return min(FiscalYear(fiscal_year).end, timezone.localdate())


def covered_filter(kind: DeclarationKind, day: dt.date) -> Q:
    """A filter on suppliers: holding a valid signature of ``kind`` on ``day``."""
    valid = valid_signatures_on(day).filter(supplier=OuterRef("pk"), version__kind=kind)
    return Q(Exists(valid))


@dataclass(frozen=True)
class RegionCoverage:
    region: str
    label: str
    total: int
    covered: int

    @property
    def missing(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


@dataclass(frozen=True)
class Coverage:
    """New suppliers of a fiscal year and how many hold a valid declaration of a kind."""

    fiscal_year: int
    kind: DeclarationKind
    day: dt.date
    regions: list[RegionCoverage]
    missing: QuerySet  # new suppliers without a valid declaration, by region and code

    @property
    def total(self) -> int:
        return sum(r.total for r in self.regions)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.regions)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0

    @property
    def missing_count(self) -> int:
        return self.total - self.covered

    def missing_pages(self) -> CountedRows:
        """The missing list for a Paginator, which then asks no COUNT query of its own
        (the regions' figures already hold it)."""
        return CountedRows(self.missing, self.missing_count)


class CountedRows:
    """A queryset with its length known beforehand (sliced lazily, never counted)."""

    def __init__(self, queryset: QuerySet, count: int):
        self.queryset, self._count = queryset, count
        self.ordered = queryset.ordered

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def coverage(*, user: User | None, fiscal_year: int, kind: DeclarationKind) -> Coverage:
    """The coverage page's figures: one grouped query for the regions (however many
    suppliers), and the missing suppliers as a lazy queryset the page slices."""
    from suppliers.regions import Region

    day = coverage_day(fiscal_year)
    year = FiscalYear(fiscal_year)
    suppliers = (
        Supplier.objects.visible_to(user)
        .filter(transactions_started_on__gte=year.start, transactions_started_on__lte=year.end)
        .annotate(covered=covered_filter(kind, day))
    )
    rows = (
        suppliers.order_by()
        .values("region")
        .annotate(total=Count("pk"), covered_count=Count("pk", filter=Q(covered=True)))
    )
    by_region = {row["region"]: row for row in rows}
    regions = [
        RegionCoverage(
            region=region.value,
            label=str(region.label),
            total=by_region.get(region.value, {}).get("total", 0),
            covered=by_region.get(region.value, {}).get("covered_count", 0),
        )
        for region in Region
    ]
    missing = suppliers.filter(covered=False).order_by("region", "code")
    return Coverage(fiscal_year=fiscal_year, kind=kind, day=day, regions=regions, missing=missing)
