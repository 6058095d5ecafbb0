"""Bad input to the registry API: a 400 naming the field, and nothing saved."""

from __future__ import annotations

import pytest

from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend
from tests.factories import DesignationFactory, SiteFactory, SpendFactory

pytestmark = pytest.mark.django_db

COUNTED = [Supplier, Supplier.categories.through, Site, Contact, SupplierSpend, CriticalDesignation]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def staff_client(api_client, buyer):
    api_client.force_authenticate(buyer)
    return api_client


def _post_rejected(client, url: str, payload: dict, field: str):
    """When the payload is posted, then it is refused naming ``field`` and nothing changes."""
    before = _counts()
    response = client.post(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert _counts() == before
    return response.json()[field]


def _supplier(**overrides) -> dict:
    return {"code": "NEW-001", "legal_name": "New Co.", "country": "DE", **overrides}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_supplier(country="XX"), "country"),
        (_supplier(code="ACME-001"), "code"),
        (_supplier(code="NEW 001"), "code"),
        (_supplier(code=""), "code"),
        (_supplier(legal_name=""), "legal_name"),
        (_supplier(categories=["hardware", "no-such-category"]), "categories"),
        (_supplier(status="dormant"), "status"),
        ({"legal_name": "No code Co.", "country": "DE"}, "code"),
    ],
    ids=[
        "unknown-country",
        "duplicate-code",
        "code-with-space",
        "empty-code",
        "empty-name",
        "unknown-category",
        "unknown-status",
        "missing-code",
    ],
)
def test_bad_supplier_is_refused(staff_client, supplier, payload, field):
    _post_rejected(staff_client, "/api/v1/suppliers/", payload, field)


def test_unknown_category_message_names_the_code(staff_client):
    messages = _post_rejected(
        staff_client, "/api/v1/suppliers/", _supplier(categories=["nope"]), "categories"
    )
    assert "nope" in " ".join(messages)


def test_supplier_code_cannot_change_and_region_follows_country(staff_client, supplier):
    refused = staff_client.patch(
        f"/api/v1/suppliers/{supplier.pk}/", {"code": "RENAMED-1"}, format="json"
    )
    moved = staff_client.patch(
        f"/api/v1/suppliers/{supplier.pk}/", {"country": "DE", "region": "japan"}, format="json"
    )

    assert refused.status_code == 400
    assert "code" in refused.json()
    assert moved.status_code == 200, moved.content
    supplier.refresh_from_db()
    assert supplier.code == "ACME-001"
    assert moved.json()["region"] == "emea"
    assert Supplier.objects.get(pk=supplier.pk).region == "emea"


def test_bad_update_leaves_the_supplier_and_its_categories_as_they_were(staff_client, supplier):
    staff_client.patch(
        f"/api/v1/suppliers/{supplier.pk}/", {"categories": ["hardware"]}, format="json"
    )

    response = staff_client.patch(
        f"/api/v1/suppliers/{supplier.pk}/",
        {"legal_name": "Half-saved Ltd.", "categories": ["software", "nope"]},
        format="json",
    )

    assert response.status_code == 400
    supplier.refresh_from_db()
    assert supplier.legal_name == "Acme Parts Co., Ltd."
    assert [c.code for c in supplier.categories.all()] == ["hardware"]


def _spend(supplier, **overrides) -> dict:
    return {"supplier": supplier.pk, "fiscal_year": 2021, "amount": "10.00", **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"fiscal_year": 1800}, "fiscal_year"),
        ({"currency": "yen"}, "currency"),
        ({"fiscal_year": 2020}, "fiscal_year"),  # already recorded for that year
    ],
    ids=["negative-amount", "not-a-number", "fiscal-year-1800", "currency-yen", "duplicate-year"],
)
def test_bad_spend_is_refused(staff_client, supplier, overrides, field):
    SpendFactory(supplier=supplier, fiscal_year=2020)

    _post_rejected(staff_client, "/api/v1/spend/", _spend(supplier, **overrides), field)


def test_negative_amount_on_update_is_refused(staff_client, supplier):
    spend = SpendFactory(supplier=supplier)

    response = staff_client.patch(f"/api/v1/spend/{spend.pk}/", {"amount": "-5"}, format="json")

    assert response.status_code == 400
    assert "amount" in response.json()
    spend.refresh_from_db()
    assert spend.amount > 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fiscal_year": 2021, "reasons": []}, "reasons"),
        ({"fiscal_year": 2021}, "reasons"),
        ({"fiscal_year": 2021, "reasons": ["cheap"]}, "reasons"),
        ({"fiscal_year": 1800, "reasons": ["rare_product"]}, "fiscal_year"),
        ({"fiscal_year": 2020, "reasons": ["rare_product"]}, "fiscal_year"),
    ],
    ids=["no-reason", "reasons-missing", "unknown-reason", "fiscal-year-1800", "duplicate-year"],
)
def test_bad_designation_is_refused(staff_client, supplier, payload, field):
    DesignationFactory(supplier=supplier, fiscal_year=2020)

    _post_rejected(
        staff_client, "/api/v1/critical-designations/", {"supplier": supplier.pk, **payload}, field
    )


def test_designation_cannot_lose_all_its_reasons(staff_client, supplier):
    designation = DesignationFactory(supplier=supplier)

    response = staff_client.patch(
        f"/api/v1/critical-designations/{designation.pk}/", {"reasons": []}, format="json"
    )

    assert response.status_code == 400
    assert "reasons" in response.json()
    designation.refresh_from_db()
    assert designation.large_procurement_amount


@pytest.mark.parametrize("supplier_id", [999_999, "abc", None])
def test_site_for_a_supplier_the_user_cannot_see_is_refused(staff_client, supplier_id):
    _post_rejected(
        staff_client,
        "/api/v1/sites/",
        {"supplier": supplier_id, "name": "Ghost plant", "country": "JP"},
        "supplier",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Plant 1", "country": "JP"}, "name"),  # the supplier already has it
        ({"name": "Plant 2", "country": "ZZ"}, "country"),
    ],
    ids=["duplicate-name", "unknown-country"],
)
def test_bad_site_is_refused(staff_client, supplier, payload, field):
    SiteFactory(supplier=supplier, name="Plant 1")

    _post_rejected(staff_client, "/api/v1/sites/", {"supplier": supplier.pk, **payload}, field)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": "A", "email": "a@x.example", "language": "fr"}, "language"),
        ({"name": "", "email": "a@x.example"}, "name"),
    ],
    ids=["bad-email", "unknown-language", "empty-name"],
)
def test_bad_contact_is_refused(staff_client, supplier, payload, field):
    _post_rejected(staff_client, "/api/v1/contacts/", {"supplier": supplier.pk, **payload}, field)


@pytest.mark.parametrize(
    "query",
    ["critical_in=abc", "critical_in=1800", "region=mars", "status=dormant", "country=JPN"],
)
def test_bad_supplier_filter_is_a_400_naming_it(staff_client, query):
    response = staff_client.get(f"/api/v1/suppliers/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("url", ["/api/v1/sites/?supplier=abc", "/api/v1/spend/?fiscal_year=next"])
def test_bad_part_filter_is_a_400(staff_client, url):
    response = staff_client.get(url)

    assert response.status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/v1/suppliers/abc/", "/api/v1/sites/abc/", "/api/v1/suppliers/99999999/"]
)
def test_unknown_or_malformed_id_is_404(staff_client, url):
    assert staff_client.get(url).status_code == 404
