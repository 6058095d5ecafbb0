"""Every registry list costs the same number of queries for 1 row and for 50, and no
page is bigger than API_MAX_PAGE_SIZE whatever page_size asks for."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suppliers.models import Category, PriorityRisk, Site, Supplier, SupplierSpend
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _suppliers(n: int) -> None:
    for _ in range(n):
        supplier = SupplierFactory()
        supplier.categories.add(*Category.objects.all()[:2])
        DesignationFactory(supplier=supplier, designated_by=UserFactory())


def _parts(factory) -> Callable[[int], None]:
    def make(n: int) -> None:
        for _ in range(n):
            factory(supplier=SupplierFactory())

    return make


_serial = itertools.count()


def _categories(n: int) -> None:
    for i in itertools.islice(_serial, n):
        Category.objects.create(code=f"extra-{i}", name_en=f"Extra {i}", name_ja=f"追加{i}")


def _risks(n: int) -> None:
    for i in itertools.islice(_serial, n):
        PriorityRisk.objects.create(code=f"extra-{i}", name_en=f"Extra {i}", name_ja=f"追加{i}")


LISTS = {
    "/api/v1/suppliers/": _suppliers,
    "/api/v1/sites/": _parts(SiteFactory),
    "/api/v1/contacts/": _parts(ContactFactory),
    "/api/v1/spend/": _parts(SpendFactory),
    "/api/v1/critical-designations/": _parts(
        lambda supplier: DesignationFactory(supplier=supplier, designated_by=UserFactory())
    ),
    "/api/v1/categories/": _categories,
    "/api/v1/priority-risks/": _risks,
}


def _queries(client, url: str, expected_rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected_rows
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_rows(api_client, csco, url):
    api_client.force_authenticate(csco)
    make = LISTS[url]
    baseline = {"/api/v1/categories/": 5, "/api/v1/priority-risks/": 6}.get(url, 0)
    make(1)
    one = _queries(api_client, url, baseline + 1)

    make(49)
    many = _queries(api_client, url, baseline + 50)

    assert many == one, f"{url}: {one} queries for 1 row, {many} for 50"


@pytest.mark.parametrize("url", ["/api/v1/suppliers/", "/api/v1/sites/"])
def test_list_query_count_is_the_same_for_a_supplier_user(api_client, supplier_user, url):
    api_client.force_authenticate(supplier_user)
    own = supplier_user.memberships.get().supplier
    SiteFactory(supplier=own)
    one = _queries(api_client, url, 1)

    for _ in range(20):
        SiteFactory(supplier=SupplierFactory())
    SiteFactory(supplier=own)

    assert _queries(api_client, url, 1 if url == "/api/v1/suppliers/" else 2) == one


def test_supplier_detail_query_count_does_not_grow_with_parts(api_client, csco, supplier):
    api_client.force_authenticate(csco)
    SiteFactory(supplier=supplier)
    url = f"/api/v1/suppliers/{supplier.pk}/"
    with CaptureQueriesContext(connection) as few:
        api_client.get(url)
    for year in range(2000, 2020):
        SiteFactory(supplier=supplier)
        ContactFactory(supplier=supplier)
        SpendFactory(supplier=supplier, fiscal_year=year)
        DesignationFactory(supplier=supplier, fiscal_year=year, designated_by=UserFactory())

    with CaptureQueriesContext(connection) as many:
        response = api_client.get(url)

    assert len(response.json()["sites"]) == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def _bulk_suppliers(n: int) -> list[Supplier]:
    return Supplier.objects.bulk_create(
        Supplier(code=f"BULK-{i:04d}", legal_name=f"Bulk {i}", country="JP") for i in range(n)
    )


def _bulk(url: str, n: int) -> None:
    if url == "/api/v1/suppliers/":
        _bulk_suppliers(n)
    elif url == "/api/v1/sites/":
        supplier = SupplierFactory()
        Site.objects.bulk_create(
            Site(supplier=supplier, name=f"Plant {i}", country="JP") for i in range(n)
        )
    elif url == "/api/v1/spend/":
        SupplierSpend.objects.bulk_create(
            SupplierSpend(supplier=s, fiscal_year=2020, amount=1) for s in _bulk_suppliers(n)
        )
    elif url == "/api/v1/categories/":
        Category.objects.bulk_create(
            Category(code=f"bulk-{i}", name_en=f"Bulk {i}", name_ja=f"一括{i}") for i in range(n)
        )


@pytest.mark.parametrize(
    "url", ["/api/v1/suppliers/", "/api/v1/sites/", "/api/v1/spend/", "/api/v1/categories/"]
)
def test_page_size_is_capped(api_client, csco, url):
    api_client.force_authenticate(csco)
    _bulk(url, settings.API_MAX_PAGE_SIZE + 5)

    body = api_client.get(f"{url}?page_size=100000").json()

    assert body["count"] >= settings.API_MAX_PAGE_SIZE + 5
    assert len(body["results"]) == settings.API_MAX_PAGE_SIZE
    assert body["next"]


@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_paginated_with_the_capped_paginator(api_client, csco, url, monkeypatch):
    """The cap itself is proven above; here each list shows it uses that paginator, by
    lowering the cap and watching the page shrink."""
    from procurement_portal.core.api import Pagination

    monkeypatch.setattr(Pagination, "max_page_size", 2)
    api_client.force_authenticate(csco)
    LISTS[url](3)

    body = api_client.get(f"{url}?page_size=100000").json()

    assert len(body["results"]) == 2
    assert body["count"] >= 3
