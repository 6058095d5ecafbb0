"""Issue 10, item 6 in Chromium: a buyer previews a campaign whose target holds a supplier
that has already finished and one without a contact, launches it (the confirmation counts
only those to invite), reads on the progress page how many were skipped, which supplier
had nobody to invite and counts that add up, and sends the invitation again to one
contact from the page; the same page on a 375 px phone in Japanese."""

from __future__ import annotations

import pytest

from assessments.models import AssessmentStatus
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import SupplierFactory

from .helpers import draft, suppliers_with_contacts, the_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _finished(supplier, buyer):
    from assessments.answering.services import assessments_assign_many
    from assessments.models import Assessment

    [assessment] = assessments_assign_many(
        actor=buyer, suppliers=[supplier], version=the_version(), fiscal_year=2026
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.ACCEPTED)


def test_a_finished_supplier_is_skipped_and_the_progress_page_says_so(
    page, phone_page, live_server, ui_login, buyer, settings
):
    suppliers = suppliers_with_contacts(3)
    _finished(suppliers[0], buyer)
    SupplierFactory(code="NOBODY-1", legal_name="Nobody Home Ltd", country="JP")
    campaign = draft(buyer)

    pg = ui_login(page, buyer)
    pg.goto(f"{live_server.url}/assessments/campaigns/{campaign.pk}/")
    finished = pg.locator("#already-submitted")
    assert "1 supplier has already submitted" in finished.inner_text()
    finished_list = pg.locator("#already-submitted ~ table").inner_text()
    assert "C-00000" in finished_list and "C-00001" not in finished_list

    pg.click("[data-testid=launch-confirm] summary")
    assert "Invite 3 suppliers now?" in pg.inner_text("[data-testid=launch-confirm]")
    pg.click("text=Yes, launch for 3 suppliers")
    pg.wait_for_selector("#count-skipped")

    assert pg.inner_text("#count-skipped").strip() == "1"
    assert "NOBODY-1" in pg.inner_text("#without-contact")
    assert "Nobody Home Ltd" in pg.inner_text("#without-contact")
    invited = set(OutboxMessage.objects.values_list("to", flat=True))
    assert invited == {"c1@supplier.example", "c2@supplier.example"}

    # every supplier counted once: the parts add up to the total, the skipped one apart
    parts = [
        "count-not-invited",
        "count-not-started",
        "count-started",
        "count-submitted",
        "count-accepted",
    ]
    numbers = {
        p: int(pg.inner_text(f"#{p}").split()[0]) for p in parts if pg.locator(f"#{p}").count()
    }
    total = int(pg.inner_text("#count-total").strip())
    assert sum(numbers.values()) == total == 3  # the skipped supplier is counted apart
    assert total + int(pg.inner_text("#count-skipped")) == 4

    # one contact asks for the invitation again
    pg.fill("#resend-email", "c2@supplier.example")
    pg.click("#resend button[type=submit]")
    pg.wait_for_selector("text=Invitation queued again for c2@supplier.example")
    again = OutboxMessage.objects.filter(key__contains=":again:")
    assert list(again.values_list("to", flat=True)) == ["c2@supplier.example"]

    # the same page on a phone, in Japanese, fits the screen
    phone = ui_login(phone_page, buyer)
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    phone.goto(f"{live_server.url}/assessments/campaigns/{campaign.pk}/progress/")
    named = phone.inner_text("#without-contact")
    assert "担当者未登録のサプライヤー" in named and "NOBODY-1" in named
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
