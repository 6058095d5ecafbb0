"""The supplier list's country filter lists the countries in use first."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _groups(html: str) -> dict[str, list[str]]:
    select = html[html.index('name="country"') :]
    select = select[: select.index("</select>")]
    return {
        label: re.findall(r'<option value="([A-Z]{2})"', body)
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    }


def test_countries_in_use_come_first_sorted_by_name(login, buyer, supplier, other_supplier):
    SupplierFactory(country="US")
    SupplierFactory(country="DE")
    html = login(buyer).get("/suppliers/").content.decode()
    groups = _groups(html)
    assert list(groups) == ["Countries of your suppliers", "Other countries"]
    assert groups["Countries of your suppliers"] == ["DE", "JP", "SG", "US"]  # by name
    assert "JP" not in groups["Other countries"]
    assert len(groups["Other countries"]) > 200  # every other country still offered
    assert html.index("All countries") < html.index("Countries of your suppliers")


def test_the_chosen_country_stays_selected_and_filters(login, buyer, supplier, other_supplier):
    response = login(buyer).get("/suppliers/", {"country": "sg"})
    html = response.content.decode()
    assert [s.code for s in response.context["suppliers"]] == ["OTHER-002"]
    assert '<option value="SG" selected>' in html


def test_japanese_names_sort_in_japanese(login, buyer, supplier, other_supplier):
    client = login(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = client.get("/suppliers/").content.decode()
    assert "日本" in html and "シンガポール" in html
    groups = _groups(html)
    assert set(next(iter(groups.values()))) == {"JP", "SG"}


def test_supplier_user_sees_only_their_own_countries_first(login, supplier_user, other_supplier):
    html = login(supplier_user).get("/suppliers/").content.decode()
    assert next(iter(_groups(html).values())) == ["JP"]


def test_a_new_country_shows_up_after_the_cache_is_cleared(login, buyer, supplier):
    from django.core.cache import cache

    client = login(buyer)
    assert next(iter(_groups(client.get("/suppliers/").content.decode()).values())) == ["JP"]
    SupplierFactory(country="BR")
    cache.delete("suppliers:countries-in-use")
    first = next(iter(_groups(client.get("/suppliers/").content.decode()).values()))
    assert first == ["BR", "JP"]


def test_an_import_brings_its_countries_to_the_top_at_once(login, buyer, supplier, tmp_path):
    from suppliers.imports.service import import_file

    client = login(buyer)
    assert next(iter(_groups(client.get("/suppliers/").content.decode()).values())) == ["JP"]
    path = tmp_path / "s.csv"
    path.write_text("code,legal_name,country\nBR-1,Brasil Ltda,BR\n", encoding="utf-8")
    assert import_file(kind="suppliers", path=path).ok
    first = next(iter(_groups(client.get("/suppliers/").content.decode()).values()))
    assert first == ["BR", "JP"]
