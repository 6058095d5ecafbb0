"""Issue 10's proof, as one journey in Chromium from the campaign to the items.

A buyer launches a campaign on a desktop in English. A supplier contact with no account
reads the invitation in Japanese from a real SMTP server, follows its link on a 375 px
phone, creates her account, answers every question and submits. The buyer returns it with
a note and a comment on one answer; she reads the note in a Japanese e-mail and on the
overview, replies in the comment's thread and submits again; the buyer hears of both in
English, accepts, and the acceptance raises improvement items, which she is told of by
e-mail and finds on her phone. Every e-mail is read from the SMTP sink.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from assessments.models import (
    AnswerComment,
    Assessment,
    AssessmentStatus,
    ImprovementItem,
)
from procurement_portal.accounts.models import User
from procurement_portal.fiscal import current_fiscal_year
from tests.assessments.builders import build_version
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))
PASSWORD = "a-long passphrase for the portal"
CONTACT = "hanako@acme.example"
NOTE = "Please say which sites the working-hours answer covers."
COMMENT = "Does this cover the Osaka plant?"
REPLY = "はい、大阪工場を含む全3拠点です。"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"proof-{name}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def saved(page, code: str) -> None:
    page.locator(f"#q-{code} [data-status][data-state=saved]").wait_for()


def subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mail_to(sink, address: str, count: int) -> list:
    """The messages to ``address``, once there are ``count`` of them (or after 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        found = [m for m in sink.wait_for(0) if m["To"] == address]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def submit(page, overview: str) -> None:
    """Submit from the overview: the first button asks with the count, the second submits."""
    page.goto(overview)
    page.locator("[data-submit]").click()
    page.wait_for_load_state()
    page.locator("[data-submit-confirm]").click()
    page.wait_for_load_state()


def test_contact_without_account_from_campaign_email_to_accepted_with_items(
    browser, phone_page, live_server, ui_login, smtp_server, settings, buyer, supplier
):
    settings.PORTAL_BASE_URL = base = live_server.url
    year = current_fiscal_year().year
    version = build_version()
    ContactFactory(supplier=supplier, name="山田 花子", email=CONTACT, language="ja")
    assert not User.objects.filter(email=CONTACT).exists()

    # --- the buyer launches a campaign for the supplier, confirming with the count
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    staff = staff_ctx.new_page()
    staff.set_default_timeout(15_000)
    ui_login(staff, buyer)
    staff.goto(f"{base}/assessments/campaigns/new/")
    staff.fill("#id_name", "Sustainability survey")
    staff.select_option("#id_version", str(version.pk))
    staff.select_option("#id_fiscal_year", str(year))
    staff.fill("#id_due_date", (timezone.localdate() + timezone.timedelta(days=30)).isoformat())
    staff.click("button[type=submit].primary")
    staff.wait_for_selector("text=1 supplier")
    staff.click("[data-testid=launch-confirm] summary")
    assert "1 supplier" in staff.inner_text("[data-testid=launch-confirm]")
    staff.click("[data-testid=launch-confirm] button[type=submit]")
    staff.wait_for_selector("#count-invited")
    assessment = Assessment.objects.get(supplier=supplier, version=version)

    # --- the contact reads the invitation, in Japanese, from the mail server
    [invitation] = mail_to(smtp_server, CONTACT, 1)
    text = body(invitation)
    assert "山田 花子" in text and "アカウント" in text
    link = re.search(re.escape(base) + r"/accounts/invitation/\S+/", text).group(0)

    # --- on her phone she creates the account and lands on the assessment, in Japanese
    phone = phone_page
    phone.set_default_timeout(15_000)
    phone.goto(link)
    assert phone.locator("html").get_attribute("lang") == "ja"
    assert fits(phone)
    shot(phone, "1-join-ja-375")
    phone.fill("#id_full_name", "山田 花子")
    phone.fill("#id_password1", PASSWORD)
    phone.fill("#id_password2", PASSWORD)
    phone.click("main button[type=submit].primary")
    phone.wait_for_url(f"{base}/assessments/{assessment.pk}/")
    assert "テストSAQ" in phone.locator("main").inner_text()
    assert fits(phone)
    shot(phone, "2-landed-ja-375")
    hanako = User.objects.get(email=CONTACT)
    assert hanako.role == "supplier" and hanako.memberships.filter(supplier=supplier).exists()

    # --- she answers every question and submits (asked first, with the count)
    overview = f"{base}/assessments/{assessment.pk}/"
    phone.goto(f"{base}/assessments/{assessment.pk}/sections/people/")
    phone.locator("#q-forced-labour-policy label.option", has_text="いいえ").click()
    saved(phone, "forced-labour-policy")
    phone.locator("#q-forced-labour-plan textarea").fill("2027年6月までに方針を策定します。")
    saved(phone, "forced-labour-plan")
    phone.locator("#q-working-hours label.option", has_text="Mostly").click()
    saved(phone, "working-hours")
    phone.locator("#q-headcount input[name=value]").fill("120")
    saved(phone, "headcount")
    assert fits(phone)
    shot(phone, "3-answering-ja-375")
    phone.goto(f"{base}/assessments/{assessment.pk}/sections/planet/")
    phone.locator("#q-ems label.option", has_text="None").click()
    saved(phone, "ems")
    phone.goto(overview)
    phone.locator("[data-submit]").click()
    phone.wait_for_load_state()
    assert fits(phone)
    shot(phone, "4-submit-confirm-ja-375")
    phone.locator("[data-submit-confirm]").click()
    phone.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED

    # --- the buyer comments on one answer and returns it with a note
    hours = assessment.answers.get(question__code="working-hours")
    staff.goto(f"{base}/assessments/review/{assessment.pk}/")
    item = staff.locator(f"#answer-{hours.pk}")
    item.locator(".comment-form textarea").fill(COMMENT)
    item.get_by_role("button", name="Add comment").click()
    item.get_by_text(COMMENT).wait_for()
    staff.locator(".return-form textarea").fill(NOTE)
    staff.get_by_role("button", name="Return for clarification").click()
    staff.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RETURNED

    # --- she is told by e-mail, in Japanese, with the note and the link
    returned = [m for m in mail_to(smtp_server, CONTACT, 2) if subject(m).startswith("差し戻し")]
    assert len(returned) == 1, [subject(m) for m in smtp_server.messages]
    text = body(returned[0])
    assert NOTE in text and "Bunta Buyer" in text and "回答へのコメントが1件あります" in text
    assert overview in text

    # --- the note is on her overview and beside the commented answer; she replies there
    phone.goto(overview)
    note = phone.locator("[data-testid=return-note]")
    assert NOTE in note.inner_text() and "差し戻し" in note.inner_text()
    assert fits(phone)
    shot(phone, "5-returned-overview-ja-375")
    phone.locator("[data-commented=working-hours]").click()
    phone.wait_for_load_state()
    assert NOTE in phone.locator("#q-working-hours").inner_text()
    thread = phone.locator("#q-working-hours [data-thread]")
    assert COMMENT in thread.inner_text()
    thread.locator("textarea").fill(REPLY)
    thread.get_by_role("button", name="返信を送る").click()
    phone.wait_for_load_state()
    assert REPLY in phone.locator("#q-working-hours [data-thread]").inner_text()
    assert AnswerComment.objects.get(body=REPLY).author == hanako
    assert fits(phone)
    shot(phone, "6-replied-ja-375")

    # --- and submits again; the buyer hears of the reply and the resubmission in English
    submit(phone, overview)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    told = mail_to(smtp_server, buyer.email, 2)
    assert sorted(subject(m) for m in told)[0] == "ACME-001 replied to your comment"
    assert sorted(subject(m) for m in told)[1].startswith("Submitted again: ACME-001 Test SAQ")
    assert REPLY in body(next(m for m in told if "replied" in subject(m)))

    # --- the buyer resolves the thread and accepts: the low answers raise items
    staff.goto(f"{base}/assessments/review/{assessment.pk}/")
    item = staff.locator(f"#answer-{hours.pk}")
    assert REPLY in item.inner_text()
    item.get_by_role("button", name="Mark resolved").click()
    staff.wait_for_load_state()
    staff.get_by_role("button", name="Accept").click()
    staff.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.ACCEPTED
    items = ImprovementItem.objects.filter(assessment=assessment)
    assert items.count() >= 2  # the forced-labour policy (no) and no EMS at all

    # --- she is told of the acceptance and of the items, in Japanese
    mine = mail_to(smtp_server, CONTACT, 4)
    subjects = [subject(m) for m in mine]
    assert any(s.startswith("承認されました") for s in subjects), subjects
    raised = next(m for m in mine if subject(m).startswith("新しい改善項目"))
    assert f"新しい改善項目{items.count()}件" == subject(raised)
    assert f"{base}/assessments/review/my-items/" in body(raised)
    # each finding in her language (the questionnaire has both)
    assert "質問 forced-labour-policy" in body(raised) and "Question " not in body(raised)

    # --- and finds them on her phone, with the resolved thread still readable
    phone.goto(f"{base}/assessments/review/my-items/")
    listed = phone.locator("main").inner_text()
    assert all(f"/assessments/review/items/{i.pk}/" in phone.content() for i in items), listed
    assert fits(phone)
    shot(phone, "7-items-ja-375")
    phone.goto(f"{base}/assessments/{assessment.pk}/sections/people/")
    thread = phone.locator("#q-working-hours [data-thread]")
    assert COMMENT in thread.inner_text() and REPLY in thread.inner_text()
    assert "解決済み" in thread.inner_text()
    staff_ctx.close()
