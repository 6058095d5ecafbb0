"""Issue 10, item 5 in Chromium, with every e-mail read from a real SMTP server: an
acceptance raises improvement items and the supplier (Japanese, 375 px phone) is told;
she turns off the "item closed" notice (the programme's required ones stay on, shown as
such), follows the e-mail's link and sends an action plan with an evidence file; the
reviewer who accepted is told in English with the item's link, verifies with a note and
closes the item; she is told of the verification in Japanese, with the note, and not of
the closing she turned off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessments.models import ImprovementItem, ImprovementStatus
from assessments.review import services
from tests.notifications.test_notices import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "3月末までに全拠点で勤怠記録を毎日確認します。"
VERIFY_NOTE = "The plan names who checks the records: good."


def _mails(sink, address: str, count: int) -> list:
    return [m for m in sink.wait_for(count) if m["To"] == address]


def _subject(message) -> str:
    return " ".join(str(message["Subject"]).split())


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _pdf(tmp_path: Path) -> Path:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "勤怠記録の手順.pdf"
    path.write_bytes(out.getvalue())
    return path


def test_items_are_told_both_ways_by_email_and_preferences_hold(
    browser, live_server, ui_login, smtp_server, supplier, supplier_user, buyer, settings, tmp_path
):
    settings.PORTAL_BASE_URL = live_server.url
    base = live_server.url
    supplier_user.preferred_language = "ja"
    supplier_user.save()

    phone_ctx = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="ja-JP"
    )
    phone = phone_ctx.new_page()
    phone.set_default_timeout(15_000)
    ui_login(phone, supplier_user)

    # --- she turns off the notice of a closed item; required notices cannot be turned off
    phone.goto(f"{base}/notifications/preferences/")
    main = phone.locator("main")
    assert "プログラムで必須のため常に送信" in main.inner_text()
    assert phone.locator("input[type=checkbox][disabled]:checked").count() >= 3
    phone.uncheck("input[name=enabled_kinds][value=item_closed]")
    phone.locator("main button[type=submit]").click()
    phone.wait_for_load_state()
    assert not phone.is_checked("input[name=enabled_kinds][value=item_closed]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376

    # --- the review accepts her assessment: the items it raised are announced in Japanese
    assessment = submitted(supplier, actor=supplier_user)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    items = list(ImprovementItem.objects.filter(assessment=assessment))
    assert items
    told = _mails(smtp_server, supplier_user.email, 2)
    raised = next(m for m in told if _subject(m).startswith("新しい改善項目"))
    text = _body(raised)
    link = re.search(rf"{re.escape(base)}/assessments/review/my-items/", text)
    assert link, text

    # --- she follows the link on her phone and sends an action plan with a file
    phone.goto(link.group(0))
    item = items[0]
    phone.click(f"a[href='/assessments/review/items/{item.pk}/']")
    phone.wait_for_load_state()
    phone.fill("textarea[name=action_plan]", PLAN)
    phone.set_input_files("#plan-files", str(_pdf(tmp_path)))
    phone.get_by_role("button", name="改善計画を提出").click()
    phone.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == ImprovementStatus.ACTION_PLAN_SUBMITTED
    assert item.events.filter(evidence__isnull=False).exists()

    # --- the reviewer who accepted is told in English, with the item's own link
    plan_mail = _mails(smtp_server, buyer.email, 3)
    assert [_subject(m) for m in plan_mail] == [f"Action plan from ACME-001: {item.risk.name_en}"]
    item_link = f"{base}/assessments/review/items/{item.pk}/"
    assert PLAN in _body(plan_mail[0]) and item_link in _body(plan_mail[0])

    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    staff = staff_ctx.new_page()
    staff.set_default_timeout(15_000)
    ui_login(staff, buyer)
    staff.goto(item_link)
    staff.fill("form[action$='/verify/'] textarea", VERIFY_NOTE)
    staff.locator("form[action$='/verify/'] button[type=submit]").click()
    staff.wait_for_load_state()
    staff.locator("form[action$='/close/'] button[type=submit]").click()
    staff.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == ImprovementStatus.CLOSED

    # --- she is told of the verification in Japanese, and not of the closing
    told = _mails(smtp_server, supplier_user.email, 5)
    subjects = [_subject(m) for m in told]
    verified = [m for m in told if _subject(m).startswith("改善項目が確認されました")]
    assert len(verified) == 1, subjects
    assert VERIFY_NOTE in _body(verified[0]) and item_link in _body(verified[0])
    assert not any(s.startswith("改善項目が完了しました") for s in subjects), subjects
    # the verify note stays in the item's history for her after closing
    phone.goto(item_link)
    assert VERIFY_NOTE in phone.locator("main").inner_text()
    phone_ctx.close()
    staff_ctx.close()
