"""Filters, search and ordering of the registry API, on data where a wrong answer shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from suppliers.models import Category, Supplier
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(api_client, csco):
    api_client.force_authenticate(csco)
    return api_client


@pytest.fixture
def registry(db):
    """Four suppliers whose code, name, country and update order all disagree."""
    suppliers = {
        "B-200": SupplierFactory(
            code="B-200", legal_name="Delta Metals", local_name="デルタ金属", country="JP"
        ),
        "A-100": SupplierFactory(
            code="A-100",
            legal_name="Charlie Boards",
            local_name="",
            country="SG",
            status="suspended",
        ),
        "D-400": SupplierFactory(
            code="D-400", legal_name="Alpha Logistics", local_name="", country="DE"
        ),
        "C-300": SupplierFactory(
            code="C-300", legal_name="Bravo Software", local_name="", country="US"
        ),
    }
    suppliers["A-100"].categories.add(Category.objects.get(code="hardware"))
    suppliers["C-300"].categories.add(Category.objects.get(code="software"))
    DesignationFactory(supplier=suppliers["D-400"], fiscal_year=2020)
    DesignationFactory(supplier=suppliers["B-200"], fiscal_year=2019)
    # updated_at: oldest first C, A, D, B (neither code nor name order)
    base = timezone.now() - dt.timedelta(days=10)
    for offset, code in enumerate(["C-300", "A-100", "D-400", "B-200"]):
        Supplier.objects.filter(code=code).update(updated_at=base + dt.timedelta(days=offset))
    return suppliers


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=asia", ["A-100"]),
        ("region=japan", ["B-200"]),
        ("country=de", ["D-400"]),
        ("country=US", ["C-300"]),
        ("category=hardware", ["A-100"]),
        ("status=suspended", ["A-100"]),
        ("status=active", ["B-200", "C-300", "D-400"]),
        ("critical_in=2020", ["D-400"]),
        ("critical_in=2019", ["B-200"]),
        ("search=bravo", ["C-300"]),
        ("search=デルタ", ["B-200"]),
        ("search=d-4", ["D-400"]),
        ("search=a-100", ["A-100"]),
        ("region=emea&critical_in=2020", ["D-400"]),
        ("region=asia&critical_in=2020", []),
    ],
)
def test_supplier_filters(staff_client, registry, query, expected):
    assert _codes(staff_client.get(f"/api/v1/suppliers/?{query}")) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["A-100", "B-200", "C-300", "D-400"]),
        ("code", ["A-100", "B-200", "C-300", "D-400"]),
        ("-code", ["D-400", "C-300", "B-200", "A-100"]),
        ("legal_name", ["D-400", "C-300", "A-100", "B-200"]),
        ("-legal_name", ["B-200", "A-100", "C-300", "D-400"]),
        ("country", ["D-400", "B-200", "A-100", "C-300"]),
        ("updated_at", ["C-300", "A-100", "D-400", "B-200"]),
        ("-updated_at", ["B-200", "D-400", "A-100", "C-300"]),
    ],
)
def test_supplier_ordering(staff_client, registry, ordering, expected):
    assert _codes(staff_client.get(f"/api/v1/suppliers/?ordering={ordering}")) == expected


def test_unknown_ordering_field_is_ignored(staff_client, registry):
    codes = _codes(staff_client.get("/api/v1/suppliers/?ordering=local_name"))

    assert codes == ["A-100", "B-200", "C-300", "D-400"]


def test_filters_never_widen_what_a_supplier_user_sees(api_client, supplier_user, registry):
    api_client.force_authenticate(supplier_user)

    assert _codes(api_client.get("/api/v1/suppliers/?region=asia")) == []
    assert _codes(api_client.get("/api/v1/suppliers/?search=acme")) == ["ACME-001"]


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/sites/", SiteFactory),
        ("/api/v1/contacts/", ContactFactory),
        ("/api/v1/spend/", SpendFactory),
        ("/api/v1/critical-designations/", DesignationFactory),
    ],
)
def test_parts_filter_by_supplier_id_and_code(staff_client, registry, url, factory):
    wanted = factory(supplier=registry["C-300"])
    factory(supplier=registry["A-100"])

    by_id = staff_client.get(f"{url}?supplier={registry['C-300'].pk}").json()["results"]
    by_code = staff_client.get(f"{url}?supplier_code=C-300").json()["results"]
    everything = staff_client.get(url).json()["results"]

    assert [row["id"] for row in by_id] == [wanted.pk]
    assert [row["id"] for row in by_code] == [wanted.pk]
    assert len(everything) >= 2


@pytest.mark.parametrize(
    ("url", "factory"),
    [("/api/v1/spend/", SpendFactory), ("/api/v1/critical-designations/", DesignationFactory)],
)
def test_yearly_parts_filter_by_fiscal_year(staff_client, registry, url, factory):
    supplier = registry["A-100"]
    factory(supplier=supplier, fiscal_year=2020)
    wanted = factory(supplier=supplier, fiscal_year=2021)

    rows = staff_client.get(f"{url}?fiscal_year=2021&supplier_code=A-100").json()["results"]

    assert [(row["id"], row["fiscal_year"]) for row in rows] == [(wanted.pk, 2021)]


@pytest.mark.parametrize("url", ["/api/v1/categories/", "/api/v1/priority-risks/"])
def test_reference_names_follow_the_request_language(staff_client, url):
    english = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    japanese = staff_client.get(url, HTTP_ACCEPT_LANGUAGE="ja").json()["results"]

    assert all(row["name"] == row["name_en"] for row in english)
    assert all(row["name"] == row["name_ja"] for row in japanese)
    assert any(row["name_en"] != row["name_ja"] for row in japanese)


def test_priority_risks_come_in_their_fixed_order(staff_client):
    rows = staff_client.get("/api/v1/priority-risks/").json()["results"]

    assert [row["code"] for row in rows][:2] == ["human_rights", "health_safety"]
    assert len(rows) == 6
