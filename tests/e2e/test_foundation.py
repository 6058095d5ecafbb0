"""Browser journeys of the foundation: log in, find suppliers, switch language, phones.

Screenshots go to /tmp/shots/ (outside the repository) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from procurement_portal.fiscal import current_fiscal_year
from suppliers.models import Category
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _category(code: str, en: str, ja: str) -> Category:
    # Browser tests run on a flushed database, so seeded rows may be gone.
    return Category.objects.get_or_create(code=code, defaults={"name_en": en, "name_ja": ja})[0]


@pytest.fixture
def registry(supplier, other_supplier):
    """A small registry across regions, with categories and a designation."""
    hw = _category("hardware", "Hardware", "ハードウェア")
    sw = _category("software", "Software", "ソフトウェア")
    svc = _category("services", "Services", "サービス")
    supplier.categories.add(hw, svc)
    supplier.is_strategic_partner = True
    supplier.save(update_fields=["is_strategic_partner"])
    other_supplier.categories.add(sw)
    DesignationFactory(supplier=supplier, fiscal_year=current_fiscal_year().year)
    rows = [
        ("JP-210", "Kansai Precision Components K.K.", "関西精密部品株式会社", "JP", "active"),
        ("CN-330", "Shenzhen Bright Circuit Co., Ltd.", "", "CN", "onboarding"),
        ("US-410", "Cascade Software Systems Inc.", "", "US", "active"),
        ("DE-520", "Rheinland Logistik GmbH", "", "DE", "suspended"),
        ("MX-610", "Monterrey Ensambles S.A. de C.V.", "", "MX", "active"),
        ("VN-720", "Hanoi Cable Works JSC", "", "VN", "inactive"),
    ]
    for code, name, local, country, status in rows:
        s = SupplierFactory(
            code=code, legal_name=name, local_name=local, country=country, status=status
        )
        s.categories.add(hw if country in {"JP", "CN", "VN"} else sw)
    SiteFactory(supplier=supplier, name="Kawasaki Plant", city="Kawasaki")
    ContactFactory(supplier=supplier, name="Hanako Sato", email="hanako.sato@acme.example")
    SpendFactory(supplier=supplier, fiscal_year=current_fiscal_year().year - 1)
    return supplier


def test_user_logs_in_through_the_form(page, ui_login, live_server, buyer, registry):
    ui_login(page, buyer)
    assert page.url == f"{live_server.url}/suppliers/"
    assert page.locator(".whoami-name").inner_text() == "Bunta Buyer"
    assert page.locator("table.suppliers-table tbody tr").count() == 8


def test_wrong_password_shows_the_error(page, live_server, buyer):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", buyer.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert (
        "The e-mail address or password is not correct." in page.locator(".errorbox").inner_text()
    )
    shot(page, "login-error-desktop")


def test_staff_filter_by_region_see_only_that_region(page, ui_login, live_server, buyer, registry):
    ui_login(page, buyer)
    with page.expect_response(lambda r: "region=asia" in r.url):
        page.select_option("select[name=region]", "asia")
    page.wait_for_url("**/suppliers/?*region=asia*")
    rows = page.locator("table.suppliers-table tbody tr")
    assert rows.count() == 3
    regions = {r.strip() for r in page.locator("td[data-label=Region]").all_inner_texts()}
    assert regions == {"Asia"}
    assert "OTHER-002" in page.locator("#results").inner_text()
    assert "ACME-001" not in page.locator("#results").inner_text()
    assert page.locator(".filters").count() == 1  # a fragment was swapped in, not a page
    shot(page, "suppliers-list-asia-desktop")

    # The pushed URL is shareable: opening it directly gives the same rows.
    page.goto(page.url)
    assert page.locator("table.suppliers-table tbody tr").count() == 3
    assert page.locator("select[name=region]").input_value() == "asia"

    # Back returns to the unfiltered list.
    page.go_back()
    page.wait_for_url(f"{live_server.url}/suppliers/")
    assert page.locator("table.suppliers-table tbody tr").count() == 8


def test_search_as_you_type(page, ui_login, buyer, registry):
    ui_login(page, buyer)
    page.fill("input[name=q]", "rheinland")
    page.wait_for_url("**q=rheinland*")
    assert page.locator("table.suppliers-table tbody tr").count() == 1
    assert "DE-520" in page.locator("#results").inner_text()


def test_language_switch_turns_the_page_japanese(page, ui_login, live_server, buyer, registry):
    ui_login(page, buyer)
    shot(page, "suppliers-list-desktop")
    with page.expect_response(lambda r: "region=japan" in r.url):
        page.select_option("select[name=region]", "japan")
    page.wait_for_url("**region=japan*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "アクメ部品株式会社" not in page.locator("#results").inner_text()

    page.click(".langswitch button[value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    # The switch kept the page and its filters (pushed by htmx after the first load).
    assert "/suppliers/?region=japan" in page.url
    assert "q=" not in page.url  # empty filters are left out of shared URLs
    results = page.locator("#results").inner_text()
    assert "アクメ部品株式会社" in results
    assert "関西精密部品株式会社" in results
    # The portal's own words are Japanese too (from the compiled catalogue).
    assert "その他" in page.locator("header").inner_text()  # the "More" menu
    page.click(".accountmenu summary")
    assert "ログアウト" in page.locator("header").inner_text()  # inside the account menu
    assert page.locator("h1").inner_text() == "サプライヤー"
    assert "日本" in results  # the region column, translated
    shot(page, "suppliers-list-ja-desktop")

    page.click(".langswitch button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def test_supplier_user_gets_404_for_another_suppliers_page(
    page, ui_login, live_server, supplier_user, registry, other_supplier
):
    ui_login(page, supplier_user)
    assert page.url == f"{live_server.url}/"  # the supplier's home, which links the company
    page.click(f"a[href='/suppliers/{registry.pk}/']")
    page.wait_for_load_state()
    assert "Kawasaki Plant" in page.content()
    response = page.goto(f"{live_server.url}/suppliers/{other_supplier.pk}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert "Other Components" not in page.content()
    shot(page, "404-desktop")


def test_detail_page_desktop(page, ui_login, live_server, buyer, registry):
    ui_login(page, buyer)
    page.goto(f"{live_server.url}/suppliers/{registry.pk}/")
    assert "Hanako Sato" in page.locator("body").inner_text()
    shot(page, "supplier-detail-desktop")


@pytest.mark.parametrize("path", ["/suppliers/", "detail", "/accounts/login/"])
def test_phone_pages_do_not_overflow(phone_page, ui_login, live_server, buyer, registry, path):
    if path == "/accounts/login/":
        phone_page.goto(f"{live_server.url}{path}")
    else:
        ui_login(phone_page, buyer)
        if path == "detail":
            path = f"/suppliers/{registry.pk}/"
        phone_page.goto(f"{live_server.url}{path}")
    scroll_width, inner_width = phone_page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    # A mobile browser widens its layout viewport to fit overflowing content, so the
    # viewport must also still be the phone's own 375 px.
    assert inner_width == 375
    assert scroll_width <= inner_width
    name = "supplier-detail" if path.startswith("/suppliers/") and path != "/suppliers/" else None
    name = name or path.strip("/").replace("/", "-")
    shot(phone_page, f"{name}-phone")
    if path == "/suppliers/":
        # Rows are stacked cards: no table header visible, labels on each cell.
        assert not phone_page.locator("table.suppliers-table thead").is_visible()
        # The menu folds away and opens from its button.
        assert not phone_page.locator(".mainnav").is_visible()
        phone_page.click(".nav-toggle-label")
        assert phone_page.locator(".mainnav").is_visible()
        shot(phone_page, "suppliers-phone-menu-open")
        # The filters fold behind a button; search stays in view.
        assert phone_page.locator("input[name=q]").is_visible()
        assert not phone_page.locator("select[name=region]").is_visible()
        phone_page.click(".filters-toggle-label")
        assert phone_page.locator("select[name=region]").is_visible()
        with phone_page.expect_response(lambda r: "region=asia" in r.url):
            phone_page.select_option("select[name=region]", "asia")
        phone_page.wait_for_url("**region=asia*")
        assert phone_page.locator("table.suppliers-table tbody tr").count() == 3
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
        shot(phone_page, "suppliers-phone-filtered")


# --- The top bar fits: 1024 px and up in both languages, and on a phone -------------------


def _bar_boxes(pg) -> dict:
    """Boxes of the bar's items, and the height of a one-line item for comparison."""
    return pg.evaluate(
        """() => {
          const box = (el) => { const r = el.getBoundingClientRect();
            return {text: el.innerText.trim(), top: r.top, bottom: r.bottom, left: r.left,
                    right: r.right, height: r.height}; };
          const visible = (el) => el.getClientRects().length > 0;
          const items = [...document.querySelectorAll(
            '.topbar .brand, .mainnav > a, .mainnav > details > summary, .langswitch, '
            + '.accountmenu > summary'
          )].filter(visible).map(box);
          return {items, bar: box(document.querySelector('.topbar')),
                  width: window.innerWidth, scroll: document.documentElement.scrollWidth};
        }"""
    )


def _one_line_height(pg, selector: str) -> float:
    """Height the element would have with its text kept on one line."""
    return pg.evaluate(
        """(sel) => { const el = document.querySelector(sel); const before = el.style.whiteSpace;
             el.style.whiteSpace = 'nowrap'; const h = el.getBoundingClientRect().height;
             el.style.whiteSpace = before; return h; }""",
        selector,
    )


@pytest.mark.parametrize("width", [1024, 1280])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_top_bar_fits_on_one_line(
    browser, live_server, ui_login, settings, admin_user, width, language
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    try:
        ui_login(pg, admin_user)
        pg.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        pg.goto(f"{live_server.url}/suppliers/")
        assert pg.locator("html").get_attribute("lang") == language
        boxes = _bar_boxes(pg)
        items = boxes["items"]
        labels = [i["text"] for i in items]
        # every primary item, the "More" menu, the language switch and the account are there
        assert len(items) >= 7, labels
        # no page wider than the window, nothing past the right edge
        assert boxes["scroll"] <= width
        assert all(i["right"] <= width for i in items), labels
        # one row: every item is centred on the same line, and none is taller than a line
        middles = {round((i["top"] + i["bottom"]) / 2) for i in items}
        assert max(middles) - min(middles) <= 2, items
        link_heights = pg.evaluate(
            "() => [...document.querySelectorAll('.mainnav > a, .mainnav summary')]"
            ".map(e => e.getBoundingClientRect().height)"
        )
        assert max(link_heights) - min(link_heights) <= 1, link_heights
        assert max(link_heights) <= _one_line_height(pg, ".mainnav > a") + 1
        # the bar is one line high (brand mark plus padding), not two
        assert boxes["bar"]["height"] < 70, boxes["bar"]
        # the secondary items and "Log out" live in menus that open in the window
        pg.click(".mainnav details summary")
        panel = pg.locator(".mainnav .navmenu-panel")
        assert panel.is_visible()
        for link in panel.locator("a").all():
            box = link.bounding_box()
            assert box["x"] + box["width"] <= width
            assert box["height"] <= _one_line_height(pg, ".mainnav .navmenu-panel a") + 1
        pg.click(".accountmenu summary")
        assert not panel.is_visible()  # opening one menu closes the other
        logout = pg.locator(".accountmenu .logout button")
        assert logout.is_visible()
        box = logout.bounding_box()
        assert box["x"] + box["width"] <= width
        assert box["height"] < 48
        shot(pg, f"topbar-{width}-{language}")
    finally:
        context.close()


def test_top_bar_menus_work_from_the_keyboard(page, ui_login, live_server, buyer):
    ui_login(page, buyer)
    page.goto(f"{live_server.url}/suppliers/")
    more = page.locator(".mainnav details summary")
    more.focus()
    page.keyboard.press("Enter")
    assert page.locator(".mainnav .navmenu-panel").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.closest('.navmenu-panel') !== null")
    assert focused  # Tab moves into the open menu
    page.keyboard.press("Escape")
    assert not page.locator(".mainnav .navmenu-panel").is_visible()
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    # Campaigns moved into "More" and is reached from there
    more.click()
    page.locator(".mainnav .navmenu-panel a", has_text="Campaigns").click()
    page.wait_for_url("**/assessments/campaigns/")
    assert page.locator(".mainnav details summary").evaluate(
        "e => getComputedStyle(e).color"
    ) == page.locator(".mainnav .navmenu-panel a[aria-current=page]").evaluate(
        "e => getComputedStyle(e).color"
    )  # the menu holding the current page is marked
    # the account menu holds Log out; it logs out
    page.locator(".accountmenu summary").click()
    page.locator(".accountmenu .logout button").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url or page.locator("input[name=username]").count()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_top_bar_on_a_phone(phone_page, ui_login, live_server, settings, admin_user, language):
    ui_login(phone_page, admin_user)
    phone_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    phone_page.goto(f"{live_server.url}/suppliers/")
    assert not phone_page.locator(".mainnav").is_visible()
    phone_page.click(".nav-toggle-label")
    phone_page.click(".mainnav details summary")
    phone_page.click(".accountmenu summary")
    line = _one_line_height(phone_page, ".mainnav > a")
    heights = phone_page.evaluate(
        "() => [...document.querySelectorAll('.mainnav a, .mainnav summary, .navmenu-panel a,"
        " .accountmenu .logout button')].filter(e => e.getClientRects().length)"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return [e.innerText, r.height, r.right]; })"
    )
    assert len(heights) >= 9
    for text, height, right in heights:
        assert height < line * 1.4, (text, height)  # a wrapped label is twice as tall
        assert right <= 375, (text, right)
    scroll, inner = phone_page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll <= inner == 375
    shot(phone_page, f"topbar-phone-{language}")


# --- Import problems: every row whole, with the value found --------------------------------


@pytest.mark.parametrize("width", [1280, 375])
def test_import_problems_are_all_shown_whole(
    browser, live_server, ui_login, buyer, width, tmp_path
):
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    try:
        ui_login(pg, buyer)
        rows = "".join(f"X-{n},Name {n},Planet{n}\n" for n in range(7))
        path = tmp_path / "suppliers.csv"
        path.write_text("code,legal_name,country\n" + rows, encoding="utf-8")
        pg.goto(f"{live_server.url}/suppliers/import/")
        pg.set_input_files("input[type=file]", str(path))
        pg.click("form button[type=submit].primary")
        pg.wait_for_selector("[data-testid=import-errors]")
        table = pg.locator("[data-testid=import-errors]")
        body_rows = table.locator("tbody tr")
        assert body_rows.count() == 7
        for n in range(7):
            assert f"Planet{n}" in body_rows.nth(n).inner_text()
        # nothing clips the table: no ancestor hides part of it, nothing sits on its last row
        clipped = pg.evaluate(
            """() => {
              const table = document.querySelector('[data-testid=import-errors]');
              const t = table.getBoundingClientRect();
              const out = [];
              for (let el = table.parentElement; el && el !== document.body;
                   el = el.parentElement) {
                const s = getComputedStyle(el);
                if (s.overflowY !== 'visible' || s.overflowX !== 'visible') {
                  const r = el.getBoundingClientRect();
                  if (t.bottom > r.bottom + 0.5 || el.scrollHeight > el.clientHeight + 1)
                    out.push(el.className);
                }
              }
              const next = table.nextElementSibling;
              if (next && next.getBoundingClientRect().top < t.bottom - 0.5) out.push('overlap');
              const last = table.querySelector('tbody tr:last-child').getBoundingClientRect();
              const card = table.closest('section').getBoundingClientRect();
              if (last.bottom > card.bottom + 0.5) out.push('past the card');
              return out;
            }"""
        )
        assert clipped == []
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= width
        shot(pg, f"import-errors-{width}")
    finally:
        context.close()


# --- The staff supplier page shows the supplier whole --------------------------------------


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (375, "ja")])
def test_supplier_page_panels(
    browser, live_server, ui_login, settings, buyer, supplier, width, language
):
    import secrets
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from assessments.models import ImprovementItem, InformationSecurityLevel
    from procurement_portal.accounts.models import Invitation
    from suppliers.models import PriorityRisk
    from tests.assessments.builders import build_assessment, build_version
    from tests.factories import MembershipFactory, UserFactory

    year = current_fiscal_year().year
    version = build_version(code="isec", kind="information_security")
    build_assessment(
        supplier=supplier,
        version=version,
        fiscal_year=year,
        status="accepted",
        overall_score=Decimal("81.5"),
        rating="low",
    )
    InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=year, level=2)
    risk = PriorityRisk.objects.get_or_create(
        code="human_rights", defaults={"name_en": "Human rights", "name_ja": "人権", "position": 1}
    )[0]
    ImprovementItem.objects.create(
        supplier=supplier,
        risk=risk,
        description="No written policy against forced labour",
        required_action="Write one",
        due_date=timezone.localdate() - timedelta(days=2),
    )
    MembershipFactory(
        supplier=supplier,
        user=UserFactory(email="yui@acme.example", full_name="Yui Tanaka", role="supplier"),
    )
    Invitation.objects.create(
        supplier=supplier,
        email="newcomer@acme.example",
        token_hash=secrets.token_hex(32),
        expires_at=timezone.now() + timedelta(days=7),
        invited_by=buyer,
    )
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width < 500, accept_downloads=True
    )
    pg = context.new_page()
    try:
        ui_login(pg, buyer)
        pg.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        pg.goto(f"{live_server.url}/suppliers/{supplier.pk}/")
        for testid in ("supplier-assessments", "supplier-infosec-level", "supplier-open-items"):
            assert pg.locator(f"[data-testid={testid}]").is_visible(), testid
        text = pg.inner_text("main")
        for expected in ("81.5", "No written policy", "Yui Tanaka", "newcomer@acme.example"):
            assert expected in text, expected
        assert pg.locator("[data-testid=supplier-infosec-level] .overall-value").inner_text() == "2"
        assert pg.evaluate("document.documentElement.scrollWidth") <= width
        shot(pg, f"supplier-panels-{width}-{language}")
        # the profile PDF downloads from the page
        with pg.expect_download() as download:
            pg.locator(".pageactions a[download]").click()
        assert download.value.suggested_filename == f"supplier-profile-{supplier.code}.pdf"
        # and the people page is one click away
        pg.locator(".pageactions a[href$='/people/']").click()
        pg.wait_for_url(f"**/accounts/suppliers/{supplier.pk}/people/")
        assert "newcomer@acme.example" in pg.inner_text("main")
    finally:
        context.close()
