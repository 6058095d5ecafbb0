"""Issue 10, item 8 in Chromium: a reviewer follows the score page's "Improvement items"
link to that supplier's items only, narrows the list to overdue site-visit findings with
the filters, and finds one supplier's self-assessment in the review queue by typing part
of its name, on a 375 px phone in Japanese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessments.models import ImprovementItem, ImprovementSource
from assessments.review import services
from suppliers.models import PriorityRisk
from tests.assessments.test_review_services import submitted
from tests.factories import SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WEAK = {"forced-labour-policy": "no", "working-hours": "never", "ems": ["none"]}


def test_reviewer_reaches_one_suppliers_items_and_filters_lists(
    page, phone_page, live_server, ui_login, buyer, supplier, other_supplier, settings
):
    accepted = {}
    for s in (supplier, other_supplier):
        a = submitted(s, answers=WEAK)
        services.assessment_accept(actor=buyer, assessment_id=a.pk)
        accepted[s.code] = a
    ImprovementItem.objects.create(
        supplier=other_supplier,
        risk=PriorityRisk.objects.get(code="health_safety"),
        source=ImprovementSource.SITE_VISIT,
        description="Fire exit blocked",
        required_action="Clear it",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    third = SupplierFactory(code="THIRD-003", legal_name="Third Metals", country="JP")
    submitted(third)
    submitted(SupplierFactory(code="FOURTH-004", legal_name="Fourth Plastics", country="JP"))
    own = ImprovementItem.objects.filter(supplier=supplier).count()

    # the score page's link opens this supplier's items, not the whole list
    pg = ui_login(page, buyer)
    pg.goto(f"{live_server.url}/assessments/review/{accepted[supplier.code].pk}/scores/")
    pg.click("[data-testid=supplier-items]")
    pg.wait_for_selector("#items-count")
    assert "supplier=ACME-001" in pg.url
    assert pg.inner_text("#items-count").strip() == f"{own} items"
    listed = pg.inner_text("main")
    assert "ACME-001" in listed and "OTHER-002" not in listed
    assert pg.input_value("#id_supplier") == "ACME-001"

    # every supplier's overdue site-visit findings: one
    pg.fill("#id_supplier", "")
    pg.select_option("#id_source", "site_visit")
    pg.wait_for_url("**source=site_visit**")
    pg.check("#id_overdue")
    pg.click("form.review-filters button[type=submit]")
    pg.wait_for_url("**overdue=on**")
    assert pg.inner_text("#items-count").strip() == "1 item"
    assert "Fire exit blocked" in pg.inner_text("main")

    # the review queue on a phone, in Japanese: part of a name finds one supplier
    phone = ui_login(phone_page, buyer)
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    phone.goto(f"{live_server.url}/assessments/review/")
    assert phone.inner_text("#queue-count").strip() == "審査待ち2件"
    phone.fill("#id_supplier", "third met")
    phone.click("form.review-filters button[type=submit]")
    phone.wait_for_url("**supplier=third**")
    assert phone.inner_text("#queue-count").strip() == "審査待ち1件"
    rows = phone.inner_text("main")
    assert "THIRD-003" in rows and "FOURTH-004" not in rows
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # the "late only" tick box stays a box beside its label, not a bar across the phone
    box = phone.locator("#id_overdue").bounding_box()
    label = phone.locator("label:has(#id_overdue)").bounding_box()
    assert box["width"] < 30 and box["height"] < 30
    assert label["height"] < 40
