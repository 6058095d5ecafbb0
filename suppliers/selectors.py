"""Reads of the supplier registry that pages, the API, exports and reports share.

Every function starts from ``visible_to(user)``, so what it returns is already scoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from procurement_portal import access
from procurement_portal.accounts.models import Invitation, SupplierMembership
from procurement_portal.fiscal import current_fiscal_year

from .models import (
    Category,
    CdpParticipation,
    Contact,
    CriticalDesignation,
    CurrencyRate,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

# The orderings a caller may ask for, by public name. Anything else falls back to the
# default, so a query-string value can never reach ``order_by`` unchecked. ``code`` is
# unique and ends every ordering, which keeps pagination stable.
SUPPLIER_SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "-code": ("-code",),
    "name": ("legal_name", "code"),
    "-name": ("-legal_name", "-code"),
    "country": ("country", "code"),
    "-country": ("-country", "-code"),
}
DEFAULT_SUPPLIER_SORT = "code"


def supplier_list(
    *,
    user: User,
    search: str = "",
    region: str = "",
    country: str = "",
    category: str = "",
    status: str = "",
    critical_in: int | None = None,
    sort: str = DEFAULT_SUPPLIER_SORT,
) -> QuerySet[Supplier]:
    """Suppliers the user may see, filtered, each annotated with ``is_critical_now``.

    ``search`` matches the code (exact or prefix) and either name (substring).
    ``critical_in`` keeps only suppliers designated critical in that fiscal year.
    ``sort`` is a key of ``SUPPLIER_SORTS``; unknown keys sort by code.
    Categories are prefetched, so the page costs the same few queries at any size.
    """
    qs = Supplier.objects.visible_to(user)
    term = (search or "").strip()
    if term:
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
    ordering = SUPPLIER_SORTS.get(sort, SUPPLIER_SORTS[DEFAULT_SUPPLIER_SORT])
    return (
        qs.annotate(
            is_critical_now=Exists(
                CriticalDesignation.objects.filter(
                    supplier_id=OuterRef("pk"), fiscal_year=this_year
                )
            )
        )
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("code")))
        .order_by(*ordering)
    )


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


@dataclass(frozen=True)
class SupplierPeople:
    """Who acts for a supplier in the portal, and who has been invited but not joined."""

    members: list[SupplierMembership]
    invitations: list[Invitation]  # neither accepted nor withdrawn; may have expired


PEOPLE_INVITATIONS_SHOWN = 20


def supplier_people(*, user: User, supplier: Supplier) -> SupplierPeople | None:
    """The supplier's portal users and open invitations (two queries), or ``None`` when
    the user may not see who else acts for the supplier: staff see everyone's people, a
    supplier user only when the supplier's administrator."""
    if not access.sees_all_suppliers(user):
        is_admin = SupplierMembership.objects.filter(
            user_id=user.pk, supplier_id=supplier.pk, is_supplier_admin=True
        ).exists()
        if not is_admin:
            return None
    members = list(
        SupplierMembership.objects.filter(supplier_id=supplier.pk)
        .select_related("user")
        .order_by("-user__is_active", "-is_supplier_admin", "user__email")
    )
    invitations = list(
        Invitation.objects.visible_to(user)
        .pending()
        .filter(supplier_id=supplier.pk)
        .select_related("invited_by")
        .order_by("-created_at", "-id")[:PEOPLE_INVITATIONS_SHOWN]
    )
    return SupplierPeople(members=members, invitations=invitations)


COUNTRIES_IN_USE_CACHE_SECONDS = 300
COUNTRIES_IN_USE_KEY = "suppliers:countries-in-use"


def forget_countries_in_use() -> None:
    """After suppliers were added or moved (an import): the next list asks again."""
    cache.delete(COUNTRIES_IN_USE_KEY)


def countries_in_use(*, user: User) -> frozenset[str]:
    """Country codes of the suppliers the user may see (one grouped query).

    The company side sees every supplier, so its answer is shared and kept for a few
    minutes (a country that just appeared can wait that long to move up the filter).
    """
    if access.sees_all_suppliers(user):
        key = COUNTRIES_IN_USE_KEY
        codes = cache.get(key)
        if codes is None:
            codes = sorted(Supplier.objects.order_by().values_list("country", flat=True).distinct())
            cache.set(key, codes, COUNTRIES_IN_USE_CACHE_SECONDS)
        return frozenset(codes)
    return frozenset(
        Supplier.objects.visible_to(user).order_by().values_list("country", flat=True).distinct()
    )


def category_choices() -> list[tuple[str, str]]:
    """Every category as (code, name in the active language), for filters: one query."""
    return [(c.code, c.name) for c in Category.objects.order_by("code")]


def priority_risks() -> QuerySet[PriorityRisk]:
    return PriorityRisk.objects.order_by("position", "code")


# --- Lists for the API (added with the REST API; each starts from visible_to) ----------


def site_list(*, user: User) -> QuerySet[Site]:
    """Sites of the suppliers the user may see, each with its supplier loaded."""
    return Site.objects.visible_to(user).select_related("supplier").order_by("supplier_id", "name")


def contact_list(*, user: User) -> QuerySet[Contact]:
    """Contacts of the suppliers the user may see, primary contacts first."""
    return (
        Contact.objects.visible_to(user)
        .select_related("supplier")
        .order_by("supplier_id", "-is_primary", "name", "pk")
    )


def spend_list(*, user: User) -> QuerySet[SupplierSpend]:
    """Yearly spend of the suppliers the user may see, newest year first per supplier."""
    return (
        SupplierSpend.objects.visible_to(user)
        .select_related("supplier")
        .order_by("supplier_id", "-fiscal_year")
    )


def designation_list(*, user: User) -> QuerySet[CriticalDesignation]:
    """Critical-supplier designations the user may see, newest fiscal year first."""
    return (
        CriticalDesignation.objects.visible_to(user)
        .select_related("supplier", "designated_by")
        .order_by("-fiscal_year", "supplier_id")
    )


def cdp_participation_list(*, user: User) -> QuerySet[CdpParticipation]:
    """CDP Supply Chain participations the user may see, newest fiscal year first."""
    return (
        CdpParticipation.objects.visible_to(user)
        .select_related("supplier")
        .order_by("-fiscal_year", "supplier__code")
    )


def currency_rate_list() -> QuerySet[CurrencyRate]:
    return CurrencyRate.objects.order_by("-fiscal_year", "currency")


def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("code")
