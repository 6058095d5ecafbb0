"""The yearly self-assessment, end to end in Chromium, as the people who use it.

A supplier user answers a whole information-security questionnaire in Japanese; a
reload halfway loses nothing; submitting early lists what is missing; the supplier
submits; procurement staff return it with a comment on one answer; the supplier sees the
comment, fixes the answer and submits again; staff accept; the scores and the
supplier's information-security level appear, for staff and for the supplier.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessments.answering.services import carry_over_answers
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    InformationSecurityLevel,
    Question,
    QuestionnaireKind,
)
from tests.assessments.builders import build_assessment, build_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


def saved(page, code: str) -> None:
    """Wait until the answer to ``code`` says it is saved."""
    page.locator(f"#q-{code} [data-status][data-state=saved]").wait_for()


def submit(page, overview_url: str) -> None:
    """Submit from the overview: the button only asks, with the count; the second one
    submits."""
    page.goto(overview_url)
    page.locator("[data-submit]").click()
    page.wait_for_load_state()
    page.locator("[data-submit-confirm]").click()
    page.wait_for_load_state()


def test_supplier_answers_in_japanese_and_staff_review_to_acceptance(
    browser, live_server, ui_login, supplier_user, supplier, buyer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    version = build_version(kind=QuestionnaireKind.INFORMATION_SECURITY, code="isec")
    assessment = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    base = live_server.url
    supplier_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = supplier_ctx.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # --- the supplier, on a phone, switches to Japanese and opens the assessment
    ui_login(page, supplier_user)
    page.click(".nav-toggle-label")  # on a phone the language switch is in the menu
    page.click(".langswitch button[value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.click(f"a[href='/assessments/{assessment.pk}/']")
    page.wait_for_load_state()
    assert "テストSAQ" in page.content()
    page.goto(f"{base}/assessments/{assessment.pk}/sections/people/")
    assert "人権" in page.locator("main").inner_text()

    # --- first answers, then a reload halfway: nothing is lost
    page.locator("#q-forced-labour-policy label.option", has_text="いいえ").click()
    saved(page, "forced-labour-policy")
    assert page.locator("#q-forced-labour-policy [data-status]").inner_text() == "保存しました"
    page.locator("#q-forced-labour-plan textarea").fill("2027年6月までに方針を策定します。")
    saved(page, "forced-labour-plan")
    page.reload()
    assert page.locator("#q-forced-labour-policy input[value=no]").is_checked()
    assert page.locator("#q-forced-labour-plan textarea").input_value().startswith("2027年6月")

    # --- submitting early lists every missing required answer, with a link to it
    page.goto(f"{base}/assessments/{assessment.pk}/")
    page.locator("[data-submit]").click()
    page.wait_for_load_state()
    missing = page.locator("[data-missing]")
    assert sorted(missing.evaluate_all("els => els.map(e => e.dataset.missing)")) == [
        "ems",
        "headcount",
        "working-hours",
    ]
    shot(page, "missing-ja-phone")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.IN_PROGRESS

    # --- the links lead to the questions; the supplier answers the rest
    page.locator("[data-missing=working-hours]").click()
    page.wait_for_load_state()
    page.locator("#q-working-hours label.option", has_text="Mostly").click()
    saved(page, "working-hours")
    page.locator("#q-headcount input[name=value]").fill("120")
    saved(page, "headcount")
    page.goto(f"{base}/assessments/{assessment.pk}/sections/planet/")
    page.locator("#q-ems label.option", has_text="ISO 14001").click()
    saved(page, "ems")
    submit(page, f"{base}/assessments/{assessment.pk}/")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED
    assert "2027年6月までに方針を策定します。" in page.content()  # the read-only copy

    # --- staff return it with a comment on the weak answer
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    staff = staff_ctx.new_page()
    staff.set_default_timeout(15_000)
    ui_login(staff, buyer)
    staff.goto(f"{base}/assessments/review/")
    staff.click(f"a[href='/assessments/review/{assessment.pk}/']")
    staff.wait_for_load_state()
    policy_answer = Answer.objects.get(assessment=assessment, question__code="forced-labour-policy")
    item = staff.locator(f"#answer-{policy_answer.pk}")
    item.locator("textarea").fill("A written policy is required: please adopt one and answer yes.")
    item.get_by_role("button", name="Add comment").click()
    item.get_by_text("A written policy is required").wait_for()
    staff.get_by_role("button", name="Return for clarification").click()
    staff.wait_for_load_state()
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.RETURNED

    # --- the supplier sees the comment, fixes the answer and submits again
    page.goto(f"{base}/assessments/{assessment.pk}/sections/people/")
    assert "A written policy is required" in page.locator("#q-forced-labour-policy").inner_text()
    page.locator("#q-forced-labour-policy label.option", has_text="はい").click()
    saved(page, "forced-labour-policy")
    assert page.locator("#q-forced-labour-plan").is_hidden()  # the follow-up no longer applies
    submit(page, f"{base}/assessments/{assessment.pk}/")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED

    # --- staff accept: the scores and the information-security level appear
    staff.goto(f"{base}/assessments/review/{assessment.pk}/")
    staff.get_by_role("button", name="Accept").click()
    staff.wait_for_load_state()
    staff.locator("[data-testid=stored-score]").wait_for()
    accepted = Assessment.objects.get(pk=assessment.pk)
    assert accepted.status == AssessmentStatus.ACCEPTED
    assert accepted.overall_score is not None
    level = InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026)
    shown_level = staff.locator("[data-testid=infosec-level]").inner_text().split()[0]
    assert shown_level == str(level.level)
    assert f"{accepted.overall_score}" in staff.locator("[data-testid=stored-score]").inner_text()
    shot(staff, "accepted-desktop")

    # --- and the supplier sees its own scores, in Japanese, on the phone
    page.goto(f"{base}/assessments/review/{assessment.pk}/scores/")
    scores = page.locator("main").inner_text()
    assert "人権" in scores and "環境" in scores
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the scores page is {width}px wide on a 390px phone"
    shot(page, "scores-ja-phone")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    supplier_ctx.close()
    staff_ctx.close()


def test_carried_over_answers_must_be_confirmed_before_submission(
    browser, live_server, ui_login, supplier_user, supplier
):
    """Issue 10, item 3, on a 375 px phone in Japanese: last year's answers pre-fill this
    year's assessment; the home page says "not started" and counts nothing as given yet;
    submitting is refused with the list of carried-over answers by section; "confirm all
    in this section" on each section clears the list; then submitting asks with the count
    and succeeds."""
    version = build_version()
    last = build_assessment(supplier=supplier, version=version, fiscal_year=2025)
    for code, value in {
        "forced-labour-policy": "yes",
        "working-hours": "always",
        "headcount": "40",
        "ems": ["iso14001"],
    }.items():
        Answer.objects.create(
            assessment=last, question=Question.objects.get(version=version, code=code), value=value
        )
    Assessment.objects.filter(pk=last.pk).update(status=AssessmentStatus.ACCEPTED)
    assessment = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    carry_over_answers([assessment])
    base = live_server.url
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, locale="ja-JP")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    ui_login(page, supplier_user)
    page.click(".nav-toggle-label")
    page.click(".langswitch button[value=ja]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ja"

    # --- the home page: status and progress agree (nothing confirmed, nothing given)
    page.goto(f"{base}/")
    home = page.locator("main").inner_text()
    assert "未着手" in home
    assert "4 件が確認待ち" in home
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # --- the overview says what is to confirm, per section; submitting is refused with
    # the carried-over answers listed, linked, by section
    page.goto(f"{base}/assessments/{assessment.pk}/")
    assert "確認待ち 3 件" in page.locator(".section-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "carried-over-overview-ja-375")
    page.locator("[data-submit]").click()
    page.wait_for_load_state()
    listed = page.locator("[data-unconfirmed]").evaluate_all(
        "els => els.map(e => e.dataset.unconfirmed)"
    )
    assert listed == ["forced-labour-policy", "working-hours", "headcount", "ems"]
    assert "先に前年度からの回答を確認してください" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "carried-over-refused-ja-375")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.NOT_STARTED

    # --- "confirm all in this section", section by section, from the list
    page.locator("[data-confirm-section=people]").click()
    page.wait_for_load_state()
    assert "引き継いだ回答 3 件を確認しました。" in page.content()
    assert page.locator("[data-unconfirmed]").count() == 1
    page.locator("[data-confirm-section=planet]").click()
    page.wait_for_load_state()

    # --- nothing stands in the way any more: the page asks, with the count; submit
    confirm = page.locator("[data-submit-confirm]")
    assert "4 件の回答を提出" in confirm.inner_text()
    shot(page, "carried-over-confirm-ja-375")
    confirm.click()
    page.wait_for_load_state()
    done = Assessment.objects.get(pk=assessment.pk)
    assert done.status == AssessmentStatus.SUBMITTED
    confirmed = Answer.objects.filter(assessment=done)
    assert all(a.confirmed_by_id == supplier_user.pk and a.confirmed_at for a in confirmed)
    ctx.close()
