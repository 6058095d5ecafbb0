"""Every staff page of the self-assessment and the campaigns, in Japanese on a 375 px
phone: the page is translated and nothing is wider than the screen."""

from __future__ import annotations

import pytest

from assessments.models import Answer, Question
from assessments.review import services as review
from assessments.workflow import assessment_transition
from tests.assessments.builders import build_assessment, build_version
from tests.campaigns.helpers import draft, suppliers_with_contacts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_pages_fit_a_phone_in_japanese(
    phone_page, ui_login, live_server, settings, buyer, supplier
):
    # given a submitted and an accepted assessment, an improvement item and a campaign
    version = build_version(code="isec", kind="information_security")
    waiting = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    assessment_transition(assessment_id=waiting.pk, to="submitted", actor=None)
    done_supplier = suppliers_with_contacts(1, prefix="DONE")[0]
    done = build_assessment(supplier=done_supplier, version=version, fiscal_year=2026)
    Answer.objects.create(
        assessment=done,
        question=Question.objects.get(version=version, code="forced-labour-policy"),
        value="no",
    )
    assessment_transition(assessment_id=done.pk, to="submitted", actor=None)
    review.assessment_accept(actor=buyer, assessment_id=done.pk)  # "no" raises an item
    campaign = draft(buyer, version=version)
    ui_login(phone_page, buyer)
    phone_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    item = done.improvement_items.first()
    pages = [
        "/assessments/review/",
        f"/assessments/review/{waiting.pk}/",
        f"/assessments/review/{done.pk}/",
        "/assessments/review/items/",
        f"/assessments/review/items/{item.pk}/",
        "/assessments/review/levels/?fiscal_year=2026",
        f"/assessments/review/levels/suppliers/{done_supplier.pk}/",
        "/assessments/assign/",
        "/assessments/campaigns/",
        "/assessments/campaigns/new/",
        f"/assessments/campaigns/{campaign.pk}/",
        f"/assessments/campaigns/{campaign.pk}/progress/",
    ]
    problems = []
    for path in pages:
        # when staff open the page on the phone
        response = phone_page.goto(f"{live_server.url}{path}")
        # then it answers, in Japanese, within the screen's width
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
            continue
        if phone_page.locator("html").get_attribute("lang") != "ja":
            problems.append(f"{path}: not in Japanese")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide = phone_page.evaluate(
                "[...document.querySelectorAll('main *')]"
                ".filter(e => e.getBoundingClientRect().right > 376)"
                ".map(e => e.tagName + '.' + e.className).slice(0, 3)"
            )
            problems.append(f"{path}: {width}px wide ({wide})")
    assert not problems, "\n".join(problems)


def test_campaign_launch_asks_for_confirmation_with_the_count(
    phone_page, ui_login, live_server, settings, buyer
):
    from assessments.models import CampaignStatus

    # given a draft campaign for three suppliers, on a phone in Japanese
    suppliers_with_contacts(3, prefix="CONF")
    campaign = draft(buyer)
    ui_login(phone_page, buyer)
    phone_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    phone_page.goto(f"{live_server.url}/assessments/campaigns/{campaign.pk}/")
    confirm = phone_page.locator("[data-testid=launch-confirm]")
    # when the launch button is pressed, nothing is sent: the confirmation shows the count
    confirm.locator("summary").click()
    assert "3 社を今すぐ招待しますか" in confirm.inner_text()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    # and Cancel folds it again, still nothing sent
    confirm.locator("[data-close-details]").click()
    assert not confirm.locator(".confirm-panel").is_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    # then from the keyboard: open, and confirm with the count on the button
    confirm.locator("summary").focus()
    phone_page.keyboard.press("Enter")
    yes = confirm.locator("button[type=submit]")
    assert "はい、3 社に開始します" in yes.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    yes.click()
    phone_page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.status != CampaignStatus.DRAFT
