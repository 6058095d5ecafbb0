"""The guidelines library on a 375 px phone in Japanese: a supplier user opens it from the
menu and acknowledges the new version with one explicit action; staff see coverage rise.
Every dissemination page fits the screen."""

from __future__ import annotations

import pytest

from dissemination import services
from tests.dissemination.builders import published_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _japanese(page, live_server, settings):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )


def _fits(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_supplier_acknowledges_on_a_phone_and_staff_see_coverage_rise(
    browser, phone_page, ui_login, live_server, settings, buyer, supplier_user, other_supplier
):
    # given a published version asked of the supplier and of one other
    version = published_version(actor=buyer)
    _japanese(phone_page, live_server, settings)
    ui_login(phone_page, supplier_user)

    # when the supplier user opens the library from the menu
    phone_page.click("label.nav-toggle-label")
    phone_page.get_by_role("link", name="ガイドライン", exact=True).click()
    phone_page.wait_for_load_state()

    # then the version is there in Japanese with its Japanese PDF, within the screen
    assert phone_page.locator("h1").inner_text() == "ガイドライン集"
    row = phone_page.locator("[data-testid=library-row]")
    assert "グリーン調達ガイドライン" in row.inner_text()
    assert "日本語" in row.locator("[data-testid=file-link]").inner_text()
    assert _fits(phone_page) <= 375

    # when they acknowledge it with the one button
    row.locator("[data-testid=acknowledge]").click()
    phone_page.wait_for_load_state()

    # then it is recorded and shown as acknowledged
    assert "確認を記録しました" in phone_page.locator(".messages").inner_text()
    assert "確認済み" in phone_page.locator("[data-testid=library-row]").inner_text()
    assert phone_page.locator("[data-testid=acknowledge]").count() == 0

    # and staff, on their phone, see one of two acknowledged
    staff = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP").new_page()
    _japanese(staff, live_server, settings)
    ui_login(staff, buyer)
    staff.goto(f"{live_server.url}/dissemination/versions/{version.pk}/")
    assert staff.locator("[data-testid=asked]").inner_text() == "2"
    assert staff.locator("[data-testid=acknowledged]").inner_text().startswith("1")
    assert "OTHER-002" in staff.locator("[data-testid=missing-list]").inner_text()
    assert _fits(staff) <= 375
    staff.context.close()


def test_every_dissemination_page_fits_a_phone_in_japanese(
    phone_page, ui_login, live_server, settings, buyer, supplier
):
    version = published_version(actor=buyer)
    meeting = services.meeting_create(
        actor=buyer, date="2026-06-01", title="パートナーズミーティング"
    )
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=["ACME-001"])
    services.award_create(
        actor=buyer, meeting_id=meeting.pk, supplier_code="ACME-001", category="environment"
    )
    _japanese(phone_page, live_server, settings)
    ui_login(phone_page, buyer)
    problems = []
    for path in (
        "/dissemination/",
        "/dissemination/documents/new/",
        f"/dissemination/documents/{version.document_id}/",
        f"/dissemination/documents/{version.document_id}/versions/new/",
        f"/dissemination/versions/{version.pk}/",
        "/dissemination/meetings/",
        "/dissemination/meetings/new/",
        f"/dissemination/meetings/{meeting.pk}/",
        f"/suppliers/{supplier.pk}/",
    ):
        response = phone_page.goto(f"{live_server.url}{path}")
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
        elif phone_page.locator("html").get_attribute("lang") != "ja":
            problems.append(f"{path}: not in Japanese")
        elif _fits(phone_page) > 375:
            problems.append(f"{path}: {_fits(phone_page)}px wide")
    assert not problems, "\n".join(problems)
