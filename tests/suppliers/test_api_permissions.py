"""The permission matrix of every registry endpoint: who reads and who writes what.

Anonymous callers are refused; a supplier user reads its own supplier's objects and
gets 404 for anyone else's; every company role reads everything; only procurement
staff and administrators write, and a refused write changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from suppliers.models import Contact, CriticalDesignation, Site, Supplier, SupplierSpend
from tests.factories import ContactFactory, DesignationFactory, SiteFactory, SpendFactory

pytestmark = pytest.mark.django_db

DENIED_ANONYMOUS = {401, 403}
READERS = ["supplier_user", "buyer", "csco", "infosec_assessor", "compliance_officer", "admin_user"]
ROLES = ["anonymous", *READERS]
WRITERS = {"buyer", "admin_user"}


@dataclass
class Endpoint:
    url: str
    model: type
    make: Callable[[Supplier], object]
    create: Callable[[Supplier], dict]
    field: str  # changed by PUT and PATCH
    value: str
    put: dict = field(default_factory=dict)
    deletable: bool = True


ENDPOINTS = {
    "suppliers": Endpoint(
        url="/api/v1/suppliers/",
        model=Supplier,
        make=lambda supplier: supplier,
        create=lambda supplier: {
            "code": "NEW-001",
            "legal_name": "New Co.",
            "country": "DE",
            "categories": ["hardware"],
        },
        field="legal_name",
        value="Renamed Co., Ltd.",
        put={"legal_name": "Renamed Co., Ltd.", "country": "SG"},
        deletable=False,
    ),
    "sites": Endpoint(
        url="/api/v1/sites/",
        model=Site,
        make=lambda supplier: SiteFactory(supplier=supplier),
        create=lambda supplier: {"supplier": supplier.pk, "name": "New plant", "country": "VN"},
        field="name",
        value="Renamed plant",
        put={"name": "Renamed plant", "country": "TH", "city": "Bangkok"},
    ),
    "contacts": Endpoint(
        url="/api/v1/contacts/",
        model=Contact,
        make=lambda supplier: ContactFactory(supplier=supplier),
        create=lambda supplier: {
            "supplier": supplier.pk,
            "name": "New Person",
            "email": "new.person@supplier.example",
        },
        field="name",
        value="Renamed Person",
        put={"name": "Renamed Person", "email": "renamed@supplier.example", "language": "en"},
    ),
    "spend": Endpoint(
        url="/api/v1/spend/",
        model=SupplierSpend,
        make=lambda supplier: SpendFactory(supplier=supplier),
        create=lambda supplier: {
            "supplier": supplier.pk,
            "fiscal_year": 2019,
            "amount": "10.00",
            "currency": "USD",
        },
        field="amount",
        value="42.00",
        put={"fiscal_year": 2021, "amount": "42.00", "currency": "EUR"},
    ),
    "critical-designations": Endpoint(
        url="/api/v1/critical-designations/",
        model=CriticalDesignation,
        make=lambda supplier: DesignationFactory(supplier=supplier),
        create=lambda supplier: {
            "supplier": supplier.pk,
            "fiscal_year": 2019,
            "reasons": ["hard_to_replace"],
        },
        field="note",
        value="Sole source of the controller board.",
        put={
            "fiscal_year": 2021,
            "reasons": ["rare_product"],
            "note": "Sole source of the controller board.",
        },
    ),
}


@pytest.fixture
def as_role(request, api_client):
    """The API client authenticated as the named role; 'anonymous' stays out.

    ``force_authenticate`` puts the user on the API request itself, so what is tested is
    the API's own rules, not the session layer in front of it (see test_api_auth.py)."""

    def _as(role: str):
        if role != "anonymous":
            api_client.force_authenticate(request.getfixturevalue(role))
        return api_client

    return _as


@pytest.fixture
def own_and_other(supplier, other_supplier):
    """Given one object of the supplier user's own supplier and one of another supplier."""

    def _make(endpoint: Endpoint):
        return endpoint.make(supplier), endpoint.make(other_supplier)

    return _make


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_read_matrix(name, role, as_role, own_and_other, supplier_user):
    endpoint = ENDPOINTS[name]
    own, other = own_and_other(endpoint)
    client = as_role(role)

    listing = client.get(endpoint.url)
    own_detail = client.get(f"{endpoint.url}{own.pk}/")
    other_detail = client.get(f"{endpoint.url}{other.pk}/")

    if role == "anonymous":
        assert listing.status_code in DENIED_ANONYMOUS
        assert own_detail.status_code in DENIED_ANONYMOUS
        assert other_detail.status_code in DENIED_ANONYMOUS
    elif role == "supplier_user":
        assert listing.status_code == 200
        assert _ids(listing) == {own.pk}
        assert own_detail.status_code == 200
        assert own_detail.json()["id"] == own.pk
        assert other_detail.status_code == 404
    else:
        assert listing.status_code == 200
        assert _ids(listing) == {own.pk, other.pk}
        assert own_detail.status_code == 200
        assert other_detail.status_code == 200


def _expected_write(role: str, success: int, target: str = "own") -> set[int]:
    if role == "anonymous":
        return DENIED_ANONYMOUS
    if role == "supplier_user" and target == "other":
        return {404}  # scope first: another supplier's object is not there at all
    return {success} if role in WRITERS else {403}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_create_matrix(name, role, as_role, supplier_user, supplier, other_supplier):
    endpoint = ENDPOINTS[name]
    before = endpoint.model.objects.count()
    client = as_role(role)

    response = client.post(endpoint.url, endpoint.create(supplier), format="json")

    assert response.status_code in _expected_write(role, 201), response.content
    created = 1 if role in WRITERS else 0
    assert endpoint.model.objects.count() == before + created


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_update_matrix(name, role, method, target, as_role, own_and_other, supplier_user):
    endpoint = ENDPOINTS[name]
    own, other = own_and_other(endpoint)
    obj = own if target == "own" else other
    payload = endpoint.put if method == "put" else {endpoint.field: endpoint.value}
    client = as_role(role)

    response = getattr(client, method)(f"{endpoint.url}{obj.pk}/", payload, format="json")

    assert response.status_code in _expected_write(role, 200, target), response.content
    obj.refresh_from_db()
    changed = str(getattr(obj, endpoint.field)) == endpoint.value
    assert changed == (role in WRITERS)
    if role in WRITERS:
        assert str(response.json()[endpoint.field]) == endpoint.value


@pytest.mark.parametrize("target", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [n for n, e in ENDPOINTS.items() if e.deletable])
def test_delete_matrix(name, role, target, as_role, own_and_other, supplier_user):
    endpoint = ENDPOINTS[name]
    own, other = own_and_other(endpoint)
    obj = own if target == "own" else other
    client = as_role(role)

    response = client.delete(f"{endpoint.url}{obj.pk}/")

    assert response.status_code in _expected_write(role, 204, target), response.content
    assert endpoint.model.objects.filter(pk=obj.pk).exists() == (role not in WRITERS)


def test_suppliers_cannot_be_deleted_through_the_api(as_role, supplier):
    response = as_role("admin_user").delete(f"/api/v1/suppliers/{supplier.pk}/")

    assert response.status_code == 405
    assert Supplier.objects.filter(pk=supplier.pk).exists()


@pytest.mark.parametrize("url", ["/api/v1/priority-risks/", "/api/v1/categories/"])
@pytest.mark.parametrize("role", ROLES)
def test_reference_lists_are_read_by_every_signed_in_user_and_written_by_none(
    url, role, as_role, supplier_user
):
    client = as_role(role)

    listing = client.get(url)
    write = client.post(url, {"code": "new", "name_en": "New", "name_ja": "新"}, format="json")

    if role == "anonymous":
        assert listing.status_code in DENIED_ANONYMOUS
        assert write.status_code in DENIED_ANONYMOUS
    else:
        assert listing.status_code == 200
        assert listing.json()["count"] >= 5
        assert write.status_code in {403, 405}
    assert not any(row["code"] == "new" for row in (listing.json().get("results") or []))


def test_designation_records_the_requesting_user(as_role, buyer, supplier):
    response = as_role("buyer").post(
        "/api/v1/critical-designations/",
        {"supplier": supplier.pk, "fiscal_year": 2021, "reasons": ["rare_product"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    designation = CriticalDesignation.objects.get(pk=response.json()["id"])
    assert designation.designated_by == buyer
    assert response.json()["designated_by"] == buyer.pk
    assert designation.rare_product and not designation.large_procurement_amount


def test_designation_update_keeps_the_original_designator(as_role, buyer, admin_user, supplier):
    designation = DesignationFactory(supplier=supplier, designated_by=buyer)

    response = as_role("admin_user").patch(
        f"/api/v1/critical-designations/{designation.pk}/",
        {"reasons": ["rare_product", "hard_to_replace"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    designation.refresh_from_db()
    assert designation.designated_by == buyer
    assert response.json()["reasons"] == ["rare_product", "hard_to_replace"]
    assert not designation.large_procurement_amount


def test_supplier_detail_carries_its_parts_for_the_owner(as_role, supplier, other_supplier):
    SiteFactory(supplier=supplier, name="Own plant")
    SiteFactory(supplier=other_supplier, name="Foreign plant")
    SpendFactory(supplier=supplier, amount=Decimal("5.00"))

    response = as_role("supplier_user").get(f"/api/v1/suppliers/{supplier.pk}/")

    body = response.json()
    assert [s["name"] for s in body["sites"]] == ["Own plant"]
    assert [s["amount"] for s in body["spend"]] == ["5.00"]
    assert body["region"] == "japan"
