"""Journey (issue 10.1): a supplier contact with no account reads the campaign e-mail in
Japanese from a real SMTP server, follows its link on a 375 px phone, creates the account
and lands on the self-assessment the e-mail was about."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from assessments.campaigns import services as campaigns
from assessments.models import Assessment
from procurement_portal.accounts.models import User
from tests.campaigns.helpers import draft
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))
PASSWORD = "a-long passphrase for the portal"


def test_contact_follows_the_campaign_email_creates_an_account_and_lands_on_the_assessment(
    phone_page, live_server, smtp_server, settings, buyer, supplier
):
    # given: a campaign sent to a supplier whose contact has no account, in Japanese
    settings.PORTAL_BASE_URL = live_server.url
    ContactFactory(supplier=supplier, name="山田 花子", email="hanako@acme.example", language="ja")
    campaign = draft(buyer)
    campaigns.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    assessment = Assessment.objects.get(supplier=supplier)

    # when: she reads the e-mail that reached the mail server
    [mail] = smtp_server.wait_for(1, timeout=20)
    assert mail["To"] == "hanako@acme.example"
    body = mail.get_body(("plain",)).get_content()
    assert "山田 花子" in body and "アカウント" in body  # Japanese, and says it makes one
    link = re.search(re.escape(live_server.url) + r"/accounts/invitation/\S+/", body).group(0)

    # and follows its link on her phone
    page = phone_page
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "invitation-join-ja-375.png"), full_page=True)
    page.fill("#id_full_name", "山田 花子")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/assessments/{assessment.pk}/")

    # then: she is logged in on the assessment she was invited to, in Japanese, on a phone
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SHOTS / "invitation-landed-ja-375.png"), full_page=True)
    user = User.objects.get(email="hanako@acme.example")
    assert user.role == "supplier" and user.memberships.filter(supplier=supplier).exists()

    # and the link cannot be used a second time
    page.goto(link)
    assert "/accounts/login/" in page.locator("main a.button").first.get_attribute("href")
