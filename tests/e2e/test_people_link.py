"""Issue 10.1 in Chromium: staff reach a supplier's people page from the supplier page.
The link sits under the open invitations, clear of their table (a table followed by more
content used to reach down over it), in both languages and at phone size."""

from __future__ import annotations

import pytest

from procurement_portal.accounts import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "language"), [(1024, "ja"), (1280, "en"), (375, "ja")], ids=str)
def test_staff_open_the_people_page_from_the_supplier_page(
    browser, live_server, ui_login, settings, buyer, supplier, supplier_user, width, language
):
    services.invitation_create(
        actor=buyer, supplier=supplier, email="hanako.takahashi@sanwa-electric.example.jp"
    )
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        ui_login(page, buyer)
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/suppliers/{supplier.pk}/")
        panel = page.locator("#people")
        link = panel.locator(f"a[href='/accounts/suppliers/{supplier.pk}/people/']")
        tables = panel.locator("table")
        assert tables.count() == 2  # the portal users and the open invitations
        link_box = link.bounding_box()
        for i in range(tables.count()):
            table_box = tables.nth(i).bounding_box()
            assert table_box["y"] + table_box["height"] <= link_box["y"], (i, table_box, link_box)
        heading = panel.locator("#invitations-title").bounding_box()
        users = tables.nth(0).bounding_box()
        assert users["y"] + users["height"] <= heading["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        link.click()
        page.wait_for_url(f"{live_server.url}/accounts/suppliers/{supplier.pk}/people/")
        assert "hanako.takahashi@sanwa-electric.example.jp" in page.locator("main").inner_text()
    finally:
        context.close()
