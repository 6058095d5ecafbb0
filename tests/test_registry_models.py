"""Invariants of the registry held by the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from suppliers.models import PriorityRisk, Supplier
from suppliers.regions import Region, region_for_country
from tests.factories import DesignationFactory, SpendFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("JP", Region.JAPAN),
        ("CN", Region.ASIA),
        ("SG", Region.ASIA),
        ("AU", Region.ASIA),
        ("US", Region.NORTH_AMERICA),
        ("CA", Region.NORTH_AMERICA),
        ("MX", Region.LATAM),
        ("BR", Region.LATAM),
        ("DE", Region.EMEA),
        ("AE", Region.EMEA),
        ("ZA", Region.EMEA),
    ],
)
def test_region_is_derived_from_country_by_the_database(country, region):
    supplier = SupplierFactory(country=country)
    supplier.refresh_from_db()
    assert supplier.region == region == region_for_country(country)


def test_region_follows_a_change_of_country():
    supplier = SupplierFactory(country="JP")
    supplier.country = "DE"
    supplier.save()
    supplier.refresh_from_db()
    assert supplier.region == Region.EMEA
    assert Supplier.objects.filter(region=Region.EMEA).count() == 1


def test_the_six_priority_risks_are_seeded_in_both_languages():
    risks = list(PriorityRisk.objects.values_list("code", "name_ja"))
    assert [c for c, _ in risks] == [
        "human_rights",
        "health_safety",
        "fair_trade",
        "environment",
        "information_security",
        "quality_safety",
    ]
    assert dict(risks)["information_security"] == "情報セキュリティ"


def test_designation_needs_a_reason_and_is_once_per_year():
    with pytest.raises(IntegrityError), transaction.atomic():
        DesignationFactory(large_procurement_amount=False)
    d = DesignationFactory(fiscal_year=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        DesignationFactory(supplier=d.supplier, fiscal_year=2020)
    assert d.reasons == ["large procurement amount"]


def test_spend_is_once_per_year_and_never_negative():
    spend = SpendFactory(fiscal_year=2020)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendFactory(supplier=spend.supplier, fiscal_year=2020)
    bad = SpendFactory.build(supplier=spend.supplier, fiscal_year=2021, amount=-1)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "amount" in exc.value.message_dict


def test_supplier_code_is_unique_and_validated():
    SupplierFactory(code="ABC-1")
    dup = SupplierFactory.build(code="ABC-1")
    with pytest.raises(ValidationError) as exc:
        dup.full_clean()
    assert "code" in exc.value.message_dict
    spaced = SupplierFactory.build(code="has space")
    with pytest.raises(ValidationError) as exc:
        spaced.full_clean()
    assert "code" in exc.value.message_dict


def test_currency_must_be_a_real_iso_code():
    spend = SpendFactory.build(supplier=SupplierFactory(), fiscal_year=2021, currency="YEN")
    with pytest.raises(ValidationError) as exc:
        spend.full_clean()
    assert "not an ISO 4217 currency code" in exc.value.message_dict["currency"][0]
    spend.currency = "JPY"
    spend.full_clean()
