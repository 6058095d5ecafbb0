"""A Supplier Visit Record logged on a phone in Japanese, end to end in Chromium.

Procurement staff, on a 375 px screen in Japanese, log a visit, answer the first items
(saved at once), lose the connection in the middle (the browser context goes offline),
keep entering, including the second minor finding (each item says it is waiting to
send), come back online and see every change sent exactly once, then submit. The two
findings are now improvement items on the staff's list. Staff issue the improvement-
guidance letter; the supplier, also on a phone in Japanese, sees the visit, opens the
letter and answers one item with an action plan.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from assessments.models import ImprovementItem, ImprovementStatus
from tests.factories import ContactFactory, SiteFactory
from visits.models import Visit, VisitChange, VisitResult, VisitStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))
PHONE = {"width": 375, "height": 812}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"visit-{name}.png"), full_page=True)


def item(page, code: str):
    return page.locator(f"#item-{code}")


def state(page, code: str) -> str:
    return item(page, code).locator("[data-status]").get_attribute("data-state") or ""


def wait_saved(page, code: str) -> None:
    item(page, code).locator("[data-status][data-state=saved]").wait_for()


def answer(page, code: str, outcome: str) -> None:
    item(page, code).locator(f"label.outcome-{outcome}").click()


def finding(page, code: str, *, category: str, action: str, due: dt.date) -> None:
    answer(page, code, "minor")
    card = item(page, code)
    card.locator("select[name=guidance_category]").select_option(category)
    card.locator("textarea[name=required_action]").fill(action)
    card.locator("input[name=due_date]").fill(due.isoformat())


def phone(browser, base: str):
    context = browser.new_context(viewport=PHONE, locale="ja-JP")
    context.add_cookies([{"name": "django_language", "value": "ja", "url": base}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def test_staff_log_a_visit_offline_on_a_phone_and_the_supplier_answers_a_finding(
    browser, live_server, ui_login, buyer, supplier, supplier_user, settings, tmp_path
):
    from visits.reference_data import ensure_reference_data

    settings.MEDIA_ROOT = tmp_path
    ensure_reference_data()
    site = SiteFactory(supplier=supplier, name="川崎工場")
    ContactFactory(supplier=supplier, email="contact@acme.example", language="ja")
    base = live_server.url
    visit_day = timezone.localdate() - dt.timedelta(days=1)
    due = visit_day + dt.timedelta(days=60)

    # --- staff start the record on a phone, in Japanese
    staff_ctx, page = phone(browser, base)
    script_errors: list[str] = []
    page.on("pageerror", lambda exc: script_errors.append(str(exc)))
    ui_login(page, buyer)
    page.goto(f"{base}/visits/new/")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.fill("input[name=code]", supplier.code)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_load_state()
    page.select_option("select[name=kind]", "svr")
    page.select_option("select[name=site]", str(site.pk))
    page.fill("input[name=visit_date]", visit_day.isoformat())
    page.locator("label.option", has_text="聞き取り").click()
    page.locator("label.option", has_text="現場確認").click()
    page.fill("textarea[name=supplier_attendees]", "工場長 佐藤、人事課長 鈴木")
    page.locator("form button[type=submit].primary").click()
    page.wait_for_load_state()
    visit = Visit.objects.get()
    assert page.url.endswith(f"/visits/{visit.pk}/")
    assert "労働時間" in page.locator("main").inner_text()

    # --- online: the first answers and the first minor finding are saved at once
    answer(page, "no-forced-labour", "conforming")
    wait_saved(page, "no-forced-labour")
    assert item(page, "no-forced-labour").locator("[data-status]").inner_text() == "保存しました"
    finding(
        page,
        "working-hours",
        category="working_hours",
        action="時間外労働を協定の範囲内に収め、すべて記録してください。",
        due=due,
    )
    wait_saved(page, "working-hours")

    # --- the connection drops: entries are kept on the phone and marked as waiting
    staff_ctx.set_offline(True)
    page.locator("[data-offline-banner]").wait_for(state="visible")
    rest = [
        "no-child-labour",
        "grievance",
        "emergency-exits",
        "machine-safety",
        "chemical-storage",
        "environmental-permits",
        "waste-handling",
    ]
    for code in rest:
        answer(page, code, "conforming")
    finding(
        page,
        "wages",
        category="wages",
        action="時間外手当を法定割増率で支払ってください。",
        due=due,
    )
    page.wait_for_timeout(1500)  # longer than the save delay: nothing could be sent
    for code in [*rest, "wages"]:
        assert state(page, code) == "waiting", code
    assert "送信待ち" in item(page, "wages").locator("[data-status]").inner_text()
    assert not VisitChange.objects.filter(answer__item__code__in=[*rest, "wages"]).exists()
    shot(page, "offline-ja-phone")

    # --- back online: everything is sent, each change exactly once
    staff_ctx.set_offline(False)
    for code in [*rest, "wages"]:
        wait_saved(page, code)
    page.locator("[data-offline-banner]").wait_for(state="hidden")
    for code in [*rest, "wages"]:
        answer_row = visit.answers.get(item__code=code)
        assert answer_row.revision == 1, code  # one change: the offline edits merged
        assert VisitChange.objects.filter(answer=answer_row).count() == 1, code
    wages = visit.answers.get(item__code="wages")
    assert (wages.outcome, wages.guidance_category.code, wages.due_date) == ("minor", "wages", due)
    assert not script_errors

    # --- submit: read-only, the result derived, two improvement items raised
    page.locator("[data-submit-form] button").click()
    page.wait_for_load_state()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED and visit.result == VisitResult.MINOR
    assert page.locator("[data-answer-form]").count() == 0
    assert "軽微な改善が必要" in page.locator("main").inner_text()
    items = ImprovementItem.objects.filter(visit_answer__visit=visit)
    assert items.count() == 2
    page.goto(f"{base}/assessments/review/items/")
    listed = page.locator("main").inner_text()
    assert "時間外労働を協定の範囲内に収め" in listed or "労働時間と時間外労働" in listed
    shot(page, "items-ja-phone")

    # --- staff issue the improvement-guidance letter
    page.goto(f"{base}/visits/{visit.pk}/")
    with page.expect_download(timeout=120_000):
        page.locator("[data-issue-letter]").click()
    visit.refresh_from_db()
    assert visit.letter_issued_at is not None and visit.letter_version >= 1
    staff_ctx.close()

    # --- the supplier sees the visit, opens the letter, answers one item
    supplier_ctx, spage = phone(browser, base)
    ui_login(spage, supplier_user)
    spage.goto(f"{base}/visits/")
    spage.locator(f"a[href='/visits/{visit.pk}/']").click()
    spage.wait_for_load_state()
    assert "時間外手当を法定割増率で支払ってください。" in spage.locator("main").inner_text()
    with spage.expect_download() as download:
        spage.locator("[data-letter-download]").click()
    assert download.value.suggested_filename.endswith(".pdf")
    wages_item = visit.answers.get(item__code="wages").improvement_item
    spage.goto(f"{base}/assessments/review/items/{wages_item.pk}/")
    spage.fill(
        "textarea[name=action_plan]", "来月から時間外手当の計算を給与システムで自動化します。"
    )
    spage.locator("form button[type=submit].primary").click()
    spage.wait_for_load_state()
    wages_item.refresh_from_db()
    assert wages_item.status == ImprovementStatus.ACTION_PLAN_SUBMITTED
    shot(spage, "supplier-ja-phone")
    supplier_ctx.close()
