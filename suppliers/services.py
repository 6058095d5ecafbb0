"""Writes to the supplier registry: suppliers, sites, contacts, spend, designations.

Every function is keyword-only, runs in one transaction, checks the actor's capability
through ``procurement_portal.access`` and validates the whole row with ``full_clean()``
before saving, so model validators and database constraints come back as Django
``ValidationError``s keyed by field, and a rejected write leaves nothing behind. The API,
admin, imports and pages all call these; none of them saves these models directly.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.access import Action

from .models import (
    Category,
    CdpParticipation,
    Contact,
    CriticalDesignation,
    CurrencyRate,
    Site,
    Supplier,
    SupplierSpend,
    SupplierStatus,
)

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

M = TypeVar("M", bound=models.Model)

SUPPLIER_UPDATE_FIELDS = frozenset(
    {
        "legal_name",
        "local_name",
        "country",
        "preferred_language",
        "status",
        "transactions_started_on",
        "is_strategic_partner",
        "handles_confidential_info",
    }
)
SITE_UPDATE_FIELDS = frozenset({"name", "address", "city", "country"})
CONTACT_UPDATE_FIELDS = frozenset({"name", "email", "phone", "job_title", "language", "is_primary"})
SPEND_UPDATE_FIELDS = frozenset({"fiscal_year", "amount", "currency"})
DESIGNATION_UPDATE_FIELDS = frozenset({"fiscal_year", "note"})
CDP_UPDATE_FIELDS = frozenset({"fiscal_year", "responded", "note"})
# The reasons a supplier can be critical, as the names of the designation's flags.
DESIGNATION_REASONS = ("large_procurement_amount", "rare_product", "hard_to_replace")


# --- helpers -------------------------------------------------------------------------


def _require(actor: User, action: Action) -> None:
    access.require_capability(actor, action, _("You are not allowed to make this change."))


def _require_visible_supplier(actor: User, supplier: Supplier) -> None:
    """A supplier the actor cannot see is, to them, a supplier that does not exist."""
    if not Supplier.objects.visible_to(actor).filter(pk=supplier.pk).exists():
        raise ValidationError({"supplier": _("Unknown supplier.")})


def _full_clean(instance: models.Model, *, whole_row_field: str | None = None) -> None:
    """``full_clean()``; errors about the whole row (multi-column unique constraints) are
    reported on ``whole_row_field``, the field a person would change to fix them."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        errors = exc.update_error_dict({})
        if whole_row_field and NON_FIELD_ERRORS in errors:
            errors.setdefault(whole_row_field, []).extend(errors.pop(NON_FIELD_ERRORS))
        raise ValidationError(errors) from exc


def _validate_and_save(
    instance: M,
    *,
    update_fields: Iterable[str] | None = None,
    whole_row_field: str | None = None,
) -> M:
    _full_clean(instance, whole_row_field=whole_row_field)
    if update_fields is None:
        instance.save()
    else:
        instance.save(update_fields=[*update_fields, "updated_at"])
    return instance


def _apply_changes(instance: M, allowed: frozenset[str], changes: dict[str, Any]) -> list[str]:
    """Set the allowed attributes that differ; return the names of those that changed."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot update {', '.join(sorted(unknown))} of {type(instance).__name__}")
    changed = []
    for field, value in changes.items():
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def _categories_by_code(codes: Iterable[str]) -> list[Category]:
    wanted = list(dict.fromkeys(codes))
    found = {c.code: c for c in Category.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError(
            {"categories": _("Unknown category code: %(codes)s.") % {"codes": ", ".join(missing)}}
        )
    return [found[code] for code in wanted]


# --- suppliers -----------------------------------------------------------------------


@transaction.atomic
def supplier_create(
    *,
    actor: User,
    code: str,
    legal_name: str,
    country: str,
    local_name: str = "",
    preferred_language: str = "en",
    status: str = "active",
    transactions_started_on: date | None = None,
    is_strategic_partner: bool = False,
    handles_confidential_info: bool = False,
    categories: Iterable[str] = (),
) -> Supplier:
    """Register a supplier under its external ``code``; ``categories`` are category codes."""
    _require(actor, Action.MANAGE_SUPPLIERS)
    category_rows = _categories_by_code(categories)
    supplier = Supplier(
        code=code,
        legal_name=legal_name,
        local_name=local_name,
        country=country,
        preferred_language=preferred_language,
        status=status,
        transactions_started_on=transactions_started_on,
        is_strategic_partner=is_strategic_partner,
        handles_confidential_info=handles_confidential_info,
    )
    _validate_and_save(supplier)
    supplier.categories.set(category_rows)
    return supplier


@transaction.atomic
def supplier_update(
    *,
    actor: User,
    supplier: Supplier,
    categories: Iterable[str] | None = None,
    **changes: Any,
) -> Supplier:
    """Change a supplier. ``code`` is its external key and cannot change; region follows
    the country in the database. ``categories`` (codes), when given, replaces the set."""
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, supplier)
    code = changes.pop("code", supplier.code)
    if code != supplier.code:
        raise ValidationError({"code": _("The supplier code cannot be changed.")})
    category_rows = None if categories is None else _categories_by_code(categories)
    changed = _apply_changes(supplier, SUPPLIER_UPDATE_FIELDS, changes)
    _validate_and_save(supplier, update_fields=changed)
    if category_rows is not None:
        supplier.categories.set(category_rows)
    return supplier


# --- sites and contacts ----------------------------------------------------------------


@transaction.atomic
def site_create(
    *,
    actor: User,
    supplier: Supplier,
    name: str,
    country: str,
    address: str = "",
    city: str = "",
) -> Site:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, supplier)
    site = Site(supplier=supplier, name=name, country=country, address=address, city=city)
    return _validate_and_save(site, whole_row_field="name")


@transaction.atomic
def site_update(*, actor: User, site: Site, **changes: Any) -> Site:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, site.supplier)
    changed = _apply_changes(site, SITE_UPDATE_FIELDS, changes)
    return _validate_and_save(site, update_fields=changed, whole_row_field="name")


@transaction.atomic
def site_delete(*, actor: User, site: Site) -> None:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, site.supplier)
    site.delete()


@transaction.atomic
def contact_create(
    *,
    actor: User,
    supplier: Supplier,
    name: str,
    email: str,
    phone: str = "",
    job_title: str = "",
    language: str = "en",
    is_primary: bool = False,
) -> Contact:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, supplier)
    contact = Contact(
        supplier=supplier,
        name=name,
        email=email,
        phone=phone,
        job_title=job_title,
        language=language,
        is_primary=is_primary,
    )
    return _validate_and_save(contact, whole_row_field="email")


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, **changes: Any) -> Contact:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, contact.supplier)
    changed = _apply_changes(contact, CONTACT_UPDATE_FIELDS, changes)
    return _validate_and_save(contact, update_fields=changed, whole_row_field="email")


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, contact.supplier)
    contact.delete()


# --- spend -----------------------------------------------------------------------------


@transaction.atomic
def spend_create(
    *,
    actor: User,
    supplier: Supplier,
    fiscal_year: int,
    amount: Decimal,
    currency: str = "JPY",
) -> SupplierSpend:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, supplier)
    spend = SupplierSpend(
        supplier=supplier, fiscal_year=fiscal_year, amount=amount, currency=currency
    )
    return _validate_and_save(spend, whole_row_field="fiscal_year")


@transaction.atomic
def spend_update(*, actor: User, spend: SupplierSpend, **changes: Any) -> SupplierSpend:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, spend.supplier)
    changed = _apply_changes(spend, SPEND_UPDATE_FIELDS, changes)
    return _validate_and_save(spend, update_fields=changed, whole_row_field="fiscal_year")


@transaction.atomic
def spend_delete(*, actor: User, spend: SupplierSpend) -> None:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, spend.supplier)
    spend.delete()


# --- critical designations ------------------------------------------------------------------


def _reason_flags(reasons: Collection[str]) -> dict[str, bool]:
    unknown = sorted(set(reasons) - set(DESIGNATION_REASONS))
    if unknown:
        raise ValidationError(
            {"reasons": _("Unknown reason: %(reasons)s.") % {"reasons": ", ".join(unknown)}}
        )
    if not reasons:
        raise ValidationError({"reasons": _("Give at least one reason for the designation.")})
    return {field: field in reasons for field in DESIGNATION_REASONS}


@transaction.atomic
def designation_create(
    *,
    actor: User,
    supplier: Supplier,
    fiscal_year: int,
    reasons: Collection[str],
    note: str = "",
) -> CriticalDesignation:
    """Designate a supplier critical for a fiscal year; ``reasons`` names the flags
    (:data:`DESIGNATION_REASONS`) and needs at least one. The actor is recorded."""
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, supplier)
    designation = CriticalDesignation(
        supplier=supplier,
        fiscal_year=fiscal_year,
        note=note,
        designated_by=actor,
        **_reason_flags(reasons),
    )
    # Reasons are checked above, so a whole-row error here is the one-per-year rule.
    return _validate_and_save(designation, whole_row_field="fiscal_year")


@transaction.atomic
def designation_update(
    *,
    actor: User,
    designation: CriticalDesignation,
    reasons: Collection[str] | None = None,
    **changes: Any,
) -> CriticalDesignation:
    """Change a designation's year, note or reasons (``reasons`` replaces the set).
    ``designated_by`` keeps the person who made the designation."""
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, designation.supplier)
    if reasons is not None:
        changes.update(_reason_flags(reasons))
    allowed = DESIGNATION_UPDATE_FIELDS | frozenset(DESIGNATION_REASONS)
    changed = _apply_changes(designation, allowed, changes)
    return _validate_and_save(designation, update_fields=changed, whole_row_field="fiscal_year")


@transaction.atomic
def designation_delete(*, actor: User, designation: CriticalDesignation) -> None:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, designation.supplier)
    designation.delete()


# --- termination ------------------------------------------------------------------------------


@transaction.atomic
def supplier_terminate(
    *, actor: User, supplier: Supplier, terminated_on: date, reason: str
) -> Supplier:
    """End the relationship with a supplier on a date, for a reason (both kept: the annual
    figures count terminations after significant negative impacts, GRI 308-2 / 414-2).
    Terminating again only corrects the date or the reason."""
    _require(actor, Action.MANAGE_SUPPLIERS)
    _require_visible_supplier(actor, supplier)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the termination.")})
    if terminated_on is None:
        raise ValidationError({"terminated_on": _("Give the date of the termination.")})
    supplier.status = SupplierStatus.TERMINATED
    supplier.terminated_on = terminated_on
    supplier.termination_reason = reason
    _full_clean(supplier)
    supplier.save(update_fields=["status", "terminated_on", "termination_reason", "updated_at"])
    return supplier


# --- CDP Supply Chain participation and currency rates ----------------------------------------


@transaction.atomic
def cdp_participation_create(
    *,
    actor: User,
    supplier: Supplier,
    fiscal_year: int,
    responded: bool = True,
    note: str = "",
) -> CdpParticipation:
    """Record that a supplier took part in the CDP Supply Chain programme in a year."""
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, supplier)
    record = CdpParticipation(
        supplier=supplier, fiscal_year=fiscal_year, responded=responded, note=note
    )
    return _validate_and_save(record, whole_row_field="fiscal_year")


@transaction.atomic
def cdp_participation_update(
    *, actor: User, record: CdpParticipation, **changes: Any
) -> CdpParticipation:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, record.supplier)
    changed = _apply_changes(record, CDP_UPDATE_FIELDS, changes)
    return _validate_and_save(record, update_fields=changed, whole_row_field="fiscal_year")


@transaction.atomic
def cdp_participation_delete(*, actor: User, record: CdpParticipation) -> None:
    _require(actor, Action.MANAGE_SPEND)
    _require_visible_supplier(actor, record.supplier)
    record.delete()


@transaction.atomic
def currency_rate_set(
    *, actor: User, fiscal_year: int, currency: str, rate: Decimal
) -> CurrencyRate:
    """Set (or change) a currency's rate to the reporting currency for a fiscal year."""
    _require(actor, Action.MANAGE_SPEND)
    record = (
        CurrencyRate.objects.select_for_update()
        .filter(fiscal_year=fiscal_year, currency=currency)
        .first()
    ) or CurrencyRate(fiscal_year=fiscal_year, currency=currency)
    record.rate = rate
    return _validate_and_save(record, whole_row_field="currency")
