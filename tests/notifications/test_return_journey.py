"""Issue 10, item 4 in Chromium: the reviewer's note reaches the supplier, who answers in
the thread and resubmits, and the reviewer hears of it. The e-mails are read from a real
SMTP server: the supplier's in Japanese, the reviewer's in English.

The supplier works in Japanese on a 375 px phone; the reviewer on a desktop in English.
"""

from __future__ import annotations

import re

import pytest

from assessments.models import Answer, AnswerComment, AssessmentStatus, Question
from assessments.workflow import assessment_transition
from tests.assessments.builders import build_assessment, build_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "forced-labour-policy": "yes",
    "working-hours": "mostly",
    "headcount": "120",
    "ems": ["none"],
}
NOTE = "Please say which sites the working-hours answer covers."
COMMENT = "Does this cover the Osaka plant?"
REPLY = "はい、大阪工場を含む全3拠点です。"


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _mail_to(sink, address: str, count: int):
    messages = sink.wait_for(count)
    return [m for m in messages if m["To"] == address]


def _subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_return_note_reaches_supplier_who_replies_and_resubmits(
    browser, live_server, ui_login, smtp_server, supplier, supplier_user, buyer, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    supplier_user.preferred_language = "ja"
    supplier_user.save()
    assessment = build_assessment(supplier=supplier, version=build_version(), fiscal_year=2026)
    for code, value in ANSWERS.items():
        question = Question.objects.get(version=assessment.version, code=code)
        Answer.objects.create(assessment=assessment, question=question, value=value)
    assessment_transition(
        assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=supplier_user
    )
    hours = Answer.objects.get(assessment=assessment, question__code="working-hours")
    base = live_server.url

    # --- the reviewer comments on one answer and returns the assessment with a note
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    staff = staff_ctx.new_page()
    staff.set_default_timeout(15_000)
    ui_login(staff, buyer)
    staff.goto(f"{base}/assessments/review/{assessment.pk}/")
    item = staff.locator(f"#answer-{hours.pk}")
    item.locator(".comment-form textarea").fill(COMMENT)
    item.get_by_role("button", name="Add comment").click()
    item.get_by_text(COMMENT).wait_for()
    staff.locator(".return-form textarea").fill(NOTE)
    staff.get_by_role("button", name="Return for clarification").click()
    staff.wait_for_load_state()

    # --- the supplier's e-mail, in Japanese, with the note and an absolute link
    mails = _mail_to(smtp_server, supplier_user.email, 1)
    assert len(mails) == 1
    returned = mails[0]
    subject = _subject(returned)
    assert subject.startswith("差し戻し") and "テストSAQ" in subject and "2026年度" in subject
    text = _body(returned)
    assert NOTE in text and "Bunta Buyer" in text
    assert "回答へのコメントが1件あります" in text
    link = re.search(rf"{re.escape(base)}/assessments/\d+/", text).group(0)
    assert link == f"{base}/assessments/{assessment.pk}/"

    # --- on the phone, in Japanese: the note on the overview, the comment at its answer
    phone_ctx = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="ja-JP"
    )
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15_000)
    ui_login(phone, supplier_user)
    phone.goto(link)
    note = phone.locator("[data-testid=return-note]")
    assert NOTE in note.inner_text()
    assert "確認のため差し戻し" in note.inner_text() or "差し戻し" in note.inner_text()
    assert _fits_phone(phone)
    phone.locator("[data-commented=working-hours]").click()
    phone.wait_for_load_state()
    thread = phone.locator("#q-working-hours [data-thread]")
    assert COMMENT in thread.inner_text()
    assert NOTE in phone.locator("#q-working-hours").inner_text()  # the note at the answer
    assert _fits_phone(phone)

    # --- the supplier replies in the same thread
    thread.locator("textarea").fill(REPLY)
    thread.get_by_role("button", name="返信を送る").click()
    phone.wait_for_load_state()
    assert REPLY in phone.locator("#q-working-hours [data-thread]").inner_text()
    reply = AnswerComment.objects.get(body=REPLY)
    assert reply.parent.body == COMMENT and reply.author == supplier_user
    assert _fits_phone(phone)

    # --- the reviewer is told of the reply, in English
    told = _mail_to(smtp_server, buyer.email, 2)
    assert [_subject(m) for m in told] == ["ACME-001 replied to your comment"]
    assert REPLY in _body(told[0])
    assert f"{base}/assessments/review/{assessment.pk}/#answer-{hours.pk}" in _body(told[0])

    # --- the supplier submits again (asked to confirm when the portal asks)
    phone.goto(link)
    phone.locator("[data-submit], form[action$='/submit/'] button[type=submit]").first.click()
    phone.wait_for_load_state()
    confirm = phone.locator("[data-submit-confirm]")
    if confirm.count():
        confirm.click()
        phone.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED

    # --- and the reviewer who returned it is told, in English, with the review link
    told = _mail_to(smtp_server, buyer.email, 3)
    subjects = sorted(_subject(m) for m in told)
    assert subjects == [
        "ACME-001 replied to your comment",
        "Submitted again: ACME-001 Test SAQ (FY2026)",
    ]
    again = next(m for m in told if _subject(m).startswith("Submitted again"))
    assert f"{base}/assessments/review/{assessment.pk}/" in _body(again)

    # --- the reviewer sees the reply in the thread, resolves it and accepts
    staff.goto(f"{base}/assessments/review/{assessment.pk}/")
    item = staff.locator(f"#answer-{hours.pk}")
    assert REPLY in item.inner_text()
    item.get_by_role("button", name="Mark resolved").click()
    staff.wait_for_load_state()
    staff.get_by_role("button", name="Accept").click()
    staff.wait_for_load_state()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.ACCEPTED

    # --- the resolved thread stays readable for the supplier, marked resolved
    phone.goto(f"{base}/assessments/{assessment.pk}/sections/people/")
    thread = phone.locator("#q-working-hours [data-thread]")
    assert COMMENT in thread.inner_text() and REPLY in thread.inner_text()
    assert "解決済み" in thread.inner_text()
    assert thread.locator("textarea").count() == 0  # no replies once accepted
    accepted = _mail_to(smtp_server, supplier_user.email, 5)
    assert any(_subject(m).startswith("承認されました") for m in accepted)
    # --- the supplier's notice preferences, on the phone in Japanese
    phone.goto(f"{base}/notifications/preferences/")
    assert "メール通知" in phone.locator("main").inner_text()
    assert _fits_phone(phone)
    phone_ctx.close()
    staff_ctx.close()
