"""The supplier list and detail pages: who sees what, filters, sorting, paging, htmx."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement_portal.fiscal import current_fiscal_year
from suppliers.models import Category
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/suppliers/"
HTMX = {"HX-Request": "true", "HX-Target": "results"}
STAFF_ROLES = ["buyer", "csco", "compliance_officer", "infosec_assessor", "admin_user"]


def codes(response) -> list[str]:
    return [s.code for s in response.context["suppliers"]]


def category(code: str) -> Category:
    return Category.objects.get(code=code)


@pytest.fixture
def world(supplier, other_supplier):
    """Suppliers that differ in every filtered attribute, one difference at a time."""
    this_year = current_fiscal_year().year
    hw, sw = category("hardware"), category("software")
    jp = supplier  # ACME-001, Japan, アクメ部品株式会社
    sg = other_supplier  # OTHER-002, Singapore
    us = SupplierFactory(code="US-100", legal_name="Yankee Logic Inc.", country="US", local_name="")
    de = SupplierFactory(
        code="DE-200",
        legal_name="Berlin Werke GmbH",
        country="DE",
        local_name="",
        status="suspended",
    )
    jp.categories.add(hw)
    sg.categories.add(sw)
    us.categories.add(hw, sw)
    DesignationFactory(supplier=jp, fiscal_year=this_year)
    DesignationFactory(supplier=us, fiscal_year=this_year - 1)
    return {"jp": jp, "sg": sg, "us": us, "de": de, "this_year": this_year}


# --- Who sees what ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/suppliers/")
    detail = client.get(f"/suppliers/{world['jp'].pk}/")
    assert detail.status_code == 302
    assert "/accounts/login/" in detail["Location"]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_company_side_roles_see_every_supplier(request, login, world, role):
    user = request.getfixturevalue(role)
    response = login(user).get(LIST_URL)
    assert response.status_code == 200
    assert codes(response) == ["ACME-001", "DE-200", "OTHER-002", "US-100"]
    assert login(user).get(f"/suppliers/{world['sg'].pk}/").status_code == 200


def test_supplier_user_sees_only_own_supplier_in_list(login, supplier_user, world):
    response = login(supplier_user).get(LIST_URL)
    assert response.status_code == 200
    assert codes(response) == ["ACME-001"]
    assert b"OTHER-002" not in response.content


def test_supplier_user_sees_own_detail_and_404_for_another(login, supplier_user, world):
    client = login(supplier_user)
    assert client.get(f"/suppliers/{world['jp'].pk}/").status_code == 200
    other = client.get(f"/suppliers/{world['sg'].pk}/")
    assert other.status_code == 404
    assert b"Other Components" not in other.content
    assert b"Page not found" in other.content  # the portal's own 404 page


def test_user_without_role_scope_sees_nothing(login, world):
    # A supplier user with no membership at all: no rows, no error.
    lonely = UserFactory(email="lonely@example.com", role="supplier")
    response = login(lonely).get(LIST_URL)
    assert response.status_code == 200
    assert codes(response) == []
    assert login(lonely).get(f"/suppliers/{world['jp'].pk}/").status_code == 404


# --- Filters, search, sort ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"region": "asia"}, ["OTHER-002"]),
        ({"region": "japan"}, ["ACME-001"]),
        ({"region": "emea"}, ["DE-200"]),
        ({"country": "US"}, ["US-100"]),
        ({"country": "us"}, ["US-100"]),
        ({"category": "hardware"}, ["ACME-001", "US-100"]),
        ({"category": "software"}, ["OTHER-002", "US-100"]),
        ({"category": "logistics"}, []),
        ({"status": "suspended"}, ["DE-200"]),
        ({"status": "active"}, ["ACME-001", "OTHER-002", "US-100"]),
        ({"region": "north_america", "category": "software"}, ["US-100"]),
        ({"region": "asia", "category": "hardware"}, []),
    ],
)
def test_each_filter_keeps_only_matching_suppliers(login, buyer, world, query, expected):
    response = login(buyer).get(LIST_URL, query)
    assert response.status_code == 200
    assert codes(response) == expected
    assert not response.context["filter_errors"]


def test_region_and_country_are_shown_by_name(login, buyer, world):
    html = login(buyer).get(LIST_URL, {"region": "asia"}).content.decode()
    assert '<td data-label="Region">Asia</td>' in html
    assert '<td data-label="Country">Singapore</td>' in html


def test_critical_in_filters_by_designation_year(login, buyer, world):
    client = login(buyer)
    this_year = world["this_year"]
    assert codes(client.get(LIST_URL, {"critical_in": this_year})) == ["ACME-001"]
    assert codes(client.get(LIST_URL, {"critical_in": this_year - 1})) == ["US-100"]
    assert codes(client.get(LIST_URL, {"critical_in": this_year - 2})) == []


def test_critical_this_year_badge_only_on_current_designation(login, buyer, world):
    response = login(buyer).get(LIST_URL)
    flags = {s.code: s.is_critical_now for s in response.context["suppliers"]}
    assert flags == {"ACME-001": True, "DE-200": False, "OTHER-002": False, "US-100": False}
    assert response.content.count(b'class="badge critical"') == 1


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ACME-001", ["ACME-001"]),  # exact code
        ("us-", ["US-100"]),  # code prefix, any case
        ("werke", ["DE-200"]),  # legal name substring
        ("アクメ", ["ACME-001"]),  # local-script name
        ("  yankee  ", ["US-100"]),  # surrounding spaces ignored
        ("nothing-like-this", []),
    ],
)
def test_search_matches_code_and_both_names(login, buyer, world, term, expected):
    assert codes(login(buyer).get(LIST_URL, {"q": term})) == expected


def test_search_does_not_match_code_in_the_middle(login, buyer, world):
    # "100" is inside US-100's code but code matching is exact or prefix only.
    assert codes(login(buyer).get(LIST_URL, {"q": "100"})) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["ACME-001", "DE-200", "OTHER-002", "US-100"]),
        ("-code", ["US-100", "OTHER-002", "DE-200", "ACME-001"]),
        ("name", ["ACME-001", "DE-200", "OTHER-002", "US-100"]),
        ("-name", ["US-100", "OTHER-002", "DE-200", "ACME-001"]),
        ("country", ["DE-200", "ACME-001", "OTHER-002", "US-100"]),
        ("-country", ["US-100", "OTHER-002", "ACME-001", "DE-200"]),
    ],
)
def test_sorting(login, buyer, world, sort, expected):
    response = login(buyer).get(LIST_URL, {"sort": sort})
    assert codes(response) == expected


def test_sort_by_name_differs_from_code(login, buyer, world):
    # Names ordered differently from codes, so a sort that ignored "name" would show.
    SupplierFactory(code="AAA-9", legal_name="Zulu Trading", country="JP")
    SupplierFactory(code="ZZZ-9", legal_name="Alpha Trading", country="JP")
    names = codes(login(buyer).get(LIST_URL, {"sort": "name", "q": "trading"}))
    assert names == ["ZZZ-9", "AAA-9"]


def test_sort_header_links_toggle_direction_and_keep_filters(login, buyer, world):
    response = login(buyer).get(LIST_URL, {"region": "asia", "sort": "code"})
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?region=asia&amp;sort=-code" in html  # clicking Code again reverses it


@pytest.mark.parametrize(
    ("param", "value", "label"),
    [
        ("region", "mars", "Region"),
        ("status", "bogus", "Status"),
        ("category", "no-such-category", "Category"),
        ("critical_in", "abc", "Critical in fiscal year"),
        ("critical_in", "1850", "Critical in fiscal year"),
        ("country", "XX", "Country"),
        ("sort", "password", "Sort by"),
        ("per_page", "lots", "Rows per page"),
    ],
)
def test_bad_filter_value_names_the_filter_and_is_ignored(login, buyer, world, param, value, label):
    query = {param: value} if param == "region" else {param: value, "region": "japan"}
    response = login(buyer).get(LIST_URL, query)
    assert response.status_code == 200
    errors = response.context["filter_errors"]
    assert len(errors) == 1
    assert errors[0].startswith(f"{label}:")
    assert label.encode() + b":" in response.content
    assert b'role="alert"' in response.content
    if param != "region":
        # The valid filter still applies.
        assert codes(response) == ["ACME-001"]
    else:
        assert len(codes(response)) == 4


def test_several_bad_filters_each_get_a_message(login, buyer, world):
    response = login(buyer).get(LIST_URL, {"region": "x", "status": "y", "critical_in": "z"})
    assert response.status_code == 200
    assert len(response.context["filter_errors"]) == 3


# --- Paging -------------------------------------------------------------------------------


def test_pagination_with_page_size_and_total(login, buyer):
    SupplierFactory.create_batch(30, country="JP")
    client = login(buyer)
    first = client.get(LIST_URL)
    assert len(codes(first)) == 25
    assert b"30 suppliers" in first.content
    assert b"Page 1 of 2" in first.content
    second = client.get(LIST_URL, {"page": 2})
    assert len(codes(second)) == 5
    assert set(codes(first)).isdisjoint(codes(second))
    assert len(codes(client.get(LIST_URL, {"per_page": 50}))) == 30
    assert len(codes(client.get(LIST_URL, {"per_page": 10, "page": 3}))) == 10


def test_page_size_is_capped_and_bad_page_numbers_are_harmless(login, buyer):
    SupplierFactory.create_batch(3, country="JP")
    client = login(buyer)
    response = client.get(LIST_URL, {"per_page": 100000})
    assert response.context["page"].paginator.per_page == 100
    assert not response.context["filter_errors"]
    assert client.get(LIST_URL, {"page": "zzz"}).status_code == 200
    assert client.get(LIST_URL, {"page": "999"}).context["page"].number == 1


def test_page_links_keep_the_filters(login, buyer):
    SupplierFactory.create_batch(3, country="SG")
    response = login(buyer).get(LIST_URL, {"region": "asia", "per_page": 2})
    assert b'href="?region=asia&amp;per_page=2&amp;page=2"' in response.content


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_request_gets_only_the_results_partial(login, buyer, world):
    response = login(buyer).get(LIST_URL, {"region": "asia"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="filters' not in html
    assert "OTHER-002" in html
    assert "ACME-001" not in html
    assert 'name="sort"' in html  # sort and page size travel with the results
    assert "HX-Request" in response["Vary"]


def test_bare_hx_request_header_is_enough_for_the_partial(login, buyer, world):
    response = login(buyer).get(LIST_URL, headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b"ACME-001" in response.content


def test_full_page_for_plain_boosted_and_history_restore_requests(login, buyer, world):
    client = login(buyer)
    plain = client.get(LIST_URL)
    assert b"<html" in plain.content
    assert b'hx-target="#results"' in plain.content
    assert b'hx-push-url="true"' in plain.content
    restore = client.get(LIST_URL, headers=HTMX | {"HX-History-Restore-Request": "true"})
    assert b"<html" in restore.content
    boosted = client.get(LIST_URL, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert b"<html" in boosted.content


def test_htmx_partial_reports_bad_filters_too(login, buyer, world):
    response = login(buyer).get(LIST_URL, {"status": "nope"}, headers=HTMX)
    assert b"Status:" in response.content
    assert b"<html" not in response.content


# --- Names in the Japanese interface --------------------------------------------------------


def test_japanese_ui_shows_local_script_name(login, buyer, world):
    client = login(buyer)
    english = client.get(LIST_URL, {"region": "japan"})
    assert "アクメ部品株式会社" not in english.content.decode()
    client.cookies["django_language"] = "ja"
    japanese = client.get(LIST_URL, {"region": "japan"}).content.decode()
    assert '<html lang="ja">' in japanese
    assert "アクメ部品株式会社" in japanese
    assert "Acme Parts Co., Ltd." in japanese  # the legal name stays visible underneath


# --- Detail -------------------------------------------------------------------------------


def test_detail_shows_facts_sites_contacts_spend_and_designations(login, buyer, supplier):
    this_year = current_fiscal_year().year
    supplier.categories.add(category("components"))
    supplier.is_strategic_partner = True
    supplier.save(update_fields=["is_strategic_partner"])
    SiteFactory(supplier=supplier, name="Osaka Plant", city="Osaka")
    ContactFactory(supplier=supplier, name="Hanako Sato", email="hanako@acme.example")
    SpendFactory(supplier=supplier, fiscal_year=2020, amount=Decimal("1234567.00"))
    SpendFactory(supplier=supplier, fiscal_year=2021, amount=Decimal("9876.5"), currency="USD")
    designator = UserFactory(email="d@portal.example", full_name="Daisuke Designator")
    DesignationFactory(
        supplier=supplier,
        fiscal_year=this_year,
        rare_product=True,
        large_procurement_amount=False,
        designated_by=designator,
        note="Sole source of the sensor",
    )
    response = login(buyer).get(f"/suppliers/{supplier.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "ACME-001",
        "Acme Parts Co., Ltd.",
        "アクメ部品株式会社",
        "<dd>Japan</dd>",  # country and region
        "Components",
        "Osaka Plant",
        "Hanako Sato",
        "hanako@acme.example",
        "FY2020",
        "1,234,567",
        "JPY",
        "9,876.50",
        "USD",
        f"FY{this_year}",
        f"Critical in FY{this_year}",  # the badge in the page head
        "Supplier of rare products",
        "Daisuke Designator",
        "Sole source of the sensor",
        "Strategic partner",
    ):
        assert text in html, text
    assert "arge procurement amount" not in html
    assert "1234567" not in html
    assert html.index("FY2021") < html.index("FY2020")  # newest year first


def test_detail_of_unknown_id_is_404(login, buyer):
    response = login(buyer).get("/suppliers/999999/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Bunta Buyer" in response.content  # the portal's layout, still logged in


def test_403_page_uses_the_portal_layout(rf, buyer):
    from django.contrib.sessions.backends.base import SessionBase
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/somewhere/")
    request.user = buyer
    request.session = SessionBase()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert b"Access denied" in response.content
    assert b'class="topbar"' in response.content


# --- Query counts -----------------------------------------------------------------------------


def _populate_list(n: int) -> None:
    this_year = current_fiscal_year().year
    hw, sw = category("hardware"), category("software")
    for i in range(n):
        s = SupplierFactory(country=["SG", "JP", "US", "DE"][i % 4])
        s.categories.add(hw, sw)
        DesignationFactory(supplier=s, fiscal_year=this_year)


def _count_queries(client, url, params=None) -> int:
    # A first request may write the session (last-seen time); count a steady request.
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    if "suppliers" in response.context:
        assert response.context["suppliers"], "a query count over an empty page proves nothing"
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"region": "asia", "category": "hardware", "q": "Sup"}])
def test_list_query_count_does_not_grow_with_rows(login, buyer, params):
    client = login(buyer)
    _populate_list(1)
    one = _count_queries(client, LIST_URL, params | {"per_page": 50})
    _populate_list(60)
    many = _count_queries(client, LIST_URL, params | {"per_page": 50})
    assert one == many
    # session, user, categories for the filter, count, page, categories of the page
    assert many <= 6


def test_list_query_count_for_supplier_user(login, supplier_user, supplier):
    client = login(supplier_user)
    one = _count_queries(client, LIST_URL)
    supplier.categories.add(category("hardware"), category("software"))
    assert _count_queries(client, LIST_URL) == one <= 6


def test_detail_query_count_does_not_grow_with_rows(login, buyer, supplier):
    client = login(buyer)
    url = f"/suppliers/{supplier.pk}/"
    SiteFactory(supplier=supplier)
    ContactFactory(supplier=supplier)
    SpendFactory(supplier=supplier, fiscal_year=2020)
    DesignationFactory(supplier=supplier, fiscal_year=2020, designated_by=buyer)
    one = _count_queries(client, url)
    SiteFactory.create_batch(15, supplier=supplier)
    ContactFactory.create_batch(15, supplier=supplier)
    for year in range(2005, 2020):
        SpendFactory(supplier=supplier, fiscal_year=year)
        DesignationFactory(supplier=supplier, fiscal_year=year, designated_by=buyer)
    supplier.categories.add(category("hardware"), category("software"))
    many = _count_queries(client, url)
    assert one == many
    # session, user, supplier, then one each: categories, sites, contacts, spend,
    # designations, portal users, invitations, and the assessment panel's assessments,
    # levels and open items (tests/suppliers/test_supplier_page.py grows those), the
    # declarations panel's signatures and versions, the dissemination panel's asked
    # versions, acknowledgements and meetings: a fixed number, whatever the rows
    assert many <= 18


# --- Home -----------------------------------------------------------------------------------


def test_home_lets_a_user_of_two_suppliers_choose(login, supplier_user, other_supplier):
    from tests.factories import MembershipFactory

    MembershipFactory(user=supplier_user, supplier=other_supplier)
    response = login(supplier_user).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the company you act for" in html
    assert f'href="/suppliers/{other_supplier.pk}/"' in html


def test_home_explains_a_missing_link_to_any_supplier(login):
    lonely = UserFactory(email="nobody@example.com", full_name="Nobody", role="supplier")
    response = login(lonely).get("/")
    assert response.status_code == 200
    assert b"not linked to any supplier yet" in response.content
