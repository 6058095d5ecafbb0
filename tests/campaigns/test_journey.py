"""Browser journey: staff build a campaign for the critical suppliers of Asia, preview the
exact list, launch it, and watch the progress page fill in (on a desktop and a phone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from assessments.models import Assessment
from tests.factories import ContactFactory, DesignationFactory, SupplierFactory

from .helpers import the_version

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))


def test_staff_launch_a_campaign_for_critical_suppliers_of_asia(
    page, phone_page, live_server, ui_login, buyer
):
    # given: critical suppliers in Asia and elsewhere, and one Asian supplier not critical
    from procurement_portal.fiscal import current_fiscal_year

    year = current_fiscal_year().year
    version = the_version()
    for code, country, critical in [
        ("SG-01", "SG", True),
        ("VN-02", "VN", True),
        ("TH-03", "TH", False),
        ("DE-04", "DE", True),
    ]:
        supplier = SupplierFactory(code=code, country=country)
        ContactFactory(supplier=supplier, email=f"{code.lower()}@supplier.example")
        if critical:
            DesignationFactory(supplier=supplier, fiscal_year=year)
    pg = ui_login(page, buyer)
    # when: staff fill in the form
    pg.goto(f"{live_server.url}/assessments/campaigns/new/")
    pg.fill("#id_name", "Critical Asia")
    pg.select_option("#id_version", str(version.pk))
    pg.select_option("#id_fiscal_year", str(year))
    # (a date people enter lies within ten years: procurement_portal/core/text.py)
    pg.fill("#id_due_date", (timezone.localdate() + timezone.timedelta(days=60)).isoformat())
    pg.check("#id_critical_only")
    pg.check("input[name=regions][value=asia]")
    pg.click("button[type=submit].primary")
    # then: the preview lists exactly the critical Asian suppliers
    pg.wait_for_selector("text=2 suppliers")
    body = pg.inner_text("main")
    assert "SG-01" in body and "VN-02" in body
    assert "TH-03" not in body and "DE-04" not in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / "campaign-preview.png"), full_page=True)
    # when: launched, after confirming with the count
    pg.click("[data-testid=launch-confirm] summary")
    assert "Invite 2 suppliers now?" in pg.inner_text("[data-testid=launch-confirm]")
    pg.click("text=Yes, launch for 2 suppliers")
    # then: the progress page shows the invitations and assessments
    pg.wait_for_selector("#count-invited")
    assert pg.inner_text("#count-suppliers") == "2"
    assert pg.inner_text("#count-invited") == "2"
    assert pg.inner_text("#count-delivered") == "2"
    assert Assessment.objects.filter(version=version).count() == 2
    pg.screenshot(path=str(SHOTS / "campaign-progress.png"), full_page=True)
    # and on a phone the page fits the screen
    phone = ui_login(phone_page, buyer)
    phone.goto(pg.url)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    phone.screenshot(path=str(SHOTS / "campaign-progress-phone.png"), full_page=True)
