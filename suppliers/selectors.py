"""Reads of the supplier registry that pages, the API, exports and reports share.

Every function starts from ``visible_to(user)``, so what it returns is already scoped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from procurement_portal.fiscal import current_fiscal_year

from .models import (
    Category,
    Contact,
    CriticalDesignation,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


def supplier_list(
    *,
    user: User,
    search: str = "",
    region: str = "",
    country: str = "",
    category: str = "",
    status: str = "",
    critical_in: int | None = None,
) -> QuerySet[Supplier]:
    """Suppliers the user may see, filtered, each annotated with ``is_critical_now``.

    ``critical_in`` keeps only suppliers designated critical in that fiscal year.
    Categories are prefetched, so the page costs the same few queries at any size.
    """
    qs = Supplier.objects.visible_to(user)
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(code__iexact=term)
            | Q(code__istartswith=term)
            | Q(legal_name__icontains=term)
            | Q(local_name__icontains=term)
        )
    if region:
        qs = qs.filter(region=region)
    if country:
        qs = qs.filter(country=country.upper())
    if category:
        qs = qs.filter(
            Exists(
                Supplier.categories.through.objects.filter(
                    supplier_id=OuterRef("pk"), category__code=category
                )
            )
        )
    if status:
        qs = qs.filter(status=status)
    if critical_in:
        qs = qs.filter(
            Exists(
                CriticalDesignation.objects.filter(
                    supplier_id=OuterRef("pk"), fiscal_year=critical_in
                )
            )
        )
    this_year = current_fiscal_year().year
    return qs.annotate(
        is_critical_now=Exists(
            CriticalDesignation.objects.filter(supplier_id=OuterRef("pk"), fiscal_year=this_year)
        )
    ).prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("code")))


def supplier_detail(*, user: User, pk: int) -> Supplier:
    """One supplier with everything its page shows; raises Supplier.DoesNotExist if unseen."""
    return (
        Supplier.objects.visible_to(user)
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("code")),
            Prefetch("sites", queryset=Site.objects.order_by("name")),
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name")),
            Prefetch("spend", queryset=SupplierSpend.objects.order_by("-fiscal_year")),
            Prefetch(
                "critical_designations",
                queryset=CriticalDesignation.objects.select_related("designated_by").order_by(
                    "-fiscal_year"
                ),
            ),
        )
        .get(pk=pk)
    )


def priority_risks() -> QuerySet[PriorityRisk]:
    return PriorityRisk.objects.order_by("position", "code")
