"""The supplier's pages: home, overview, sections with the save endpoint, evidence,
submission, the read-only copy and PDF, and the staff's assignment form."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.answering import services
from assessments.models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentStatus,
    Question,
    QuestionType,
    Section,
)
from assessments.workflow import assessment_transition
from suppliers.models import PriorityRisk
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db

# A real one-page PDF: uploads parse PDFs, so a bare header is refused.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)
JSON = {"HTTP_ACCEPT": "application/json"}
SAVED = re.compile(r"^Saved$")


@pytest.fixture
def assessment(supplier):
    return build_assessment(supplier=supplier, due_date=dt.date(2026, 6, 30))


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


def save(client, assessment, code, value="", **extra):
    data = {"value": value, **extra}
    return client.post(url("answer-save", assessment.pk, code), data, **JSON)


def answer_all_required(user, assessment):
    for code, value in [
        ("forced-labour-policy", "yes"),
        ("working-hours", "always"),
        ("headcount", "10"),
        ("ems", ["iso14001"]),
    ]:
        services.answer_save(
            actor=user, assessment_id=assessment.pk, question_code=code, value=value
        )


# --- permission matrix -----------------------------------------------------------------

READ_PAGES = ["overview", "section", "answers"]


def page_url(name, assessment):
    if name == "section":
        return url("section", assessment.pk, "people")
    return url(name, assessment.pk)


@pytest.mark.parametrize("name", READ_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, assessment, name):
    response = client.get(page_url(name, assessment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", READ_PAGES)
def test_another_suppliers_user_gets_not_found(login, other_supplier_user, assessment, name):
    assert login(other_supplier_user).get(page_url(name, assessment)).status_code == 404


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize("role", ["supplier_user", "buyer", "csco"])
def test_owner_and_staff_can_read(request, login, assessment, name, role):
    response = login(request.getfixturevalue(role)).get(page_url(name, assessment))
    assert response.status_code == 200
    assert "Test SAQ" in response.content.decode()


@pytest.mark.parametrize("role", ["buyer", "csco", "admin_user"])
def test_staff_cannot_save_or_submit(request, login, assessment, role):
    client = login(request.getfixturevalue(role))
    response = save(client, assessment, "forced-labour-policy", "yes")
    assert response.status_code == 403 and response.json()["status"] == "forbidden"
    assert client.post(url("submit", assessment.pk)).status_code == 403
    assert not Answer.objects.exists()


def test_another_suppliers_user_cannot_save_or_submit(login, other_supplier_user, assessment):
    client = login(other_supplier_user)
    assert save(client, assessment, "forced-labour-policy", "yes").status_code == 404
    assert client.post(url("submit", assessment.pk)).status_code == 404
    assert not Answer.objects.exists()


def test_staff_see_the_section_read_only(login, buyer, assessment):
    html = login(buyer).get(url("section", assessment.pk, "people")).content.decode()
    assert "read-only for you" in html
    assert "data-autosave" not in html
    assert "<fieldset disabled>" in html


# --- home --------------------------------------------------------------------------------


def test_supplier_home_lists_open_assessments_with_progress_and_overdue(
    login, supplier_user, assessment, supplier
):
    services.answer_save(
        actor=supplier_user, assessment_id=assessment.pk, question_code="headcount", value="3"
    )
    Assessment.objects.filter(pk=assessment.pk).update(due_date=dt.date(2020, 1, 1))
    html = login(supplier_user).get("/").content.decode()
    assert "Your company" in html and f'href="/suppliers/{supplier.pk}/"' in html
    assert "Self-assessments to answer" in html
    assert f'href="{url("overview", assessment.pk)}"' in html
    assert "FY2026" in html and "Overdue" in html and "In progress" in html
    assert "1 of 4 required answers" in html
    assert "Continue" in html


def test_supplier_home_puts_submitted_ones_under_past(login, supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    html = login(supplier_user).get("/").content.decode()
    assert "Past self-assessments" in html
    assert "Nothing to answer right now" in html
    assert f'href="{url("answers", assessment.pk)}"' in html


def test_staff_home_still_goes_to_the_supplier_list(login, buyer):
    response = login(buyer).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("suppliers:list")


def test_supplier_home_query_count_does_not_grow_with_assessments(
    login, supplier_user, supplier, django_assert_max_num_queries
):
    client = login(supplier_user)
    build_assessment(supplier=supplier, fiscal_year=2026)
    client.get("/")  # the first request after logging in also touches the session
    with django_assert_max_num_queries(12) as one:
        client.get("/")
    for n, year in enumerate(range(2020, 2026)):
        build_assessment(
            supplier=supplier, version=build_version(code=f"saq-{n}"), fiscal_year=year
        )
    with django_assert_max_num_queries(12) as many:
        client.get("/")
    assert len(many.captured_queries) == len(one.captured_queries)


# --- overview and section pages ----------------------------------------------------------


def test_overview_shows_sections_progress_and_carry_over_notice(login, supplier_user, assessment):
    question = Question.objects.get(code="headcount")
    Answer.objects.create(assessment=assessment, question=question, value="7", carried_over=True)
    html = login(supplier_user).get(url("overview", assessment.pk)).content.decode()
    assert "1 answer was carried over from last year" in html
    assert url("section", assessment.pk, "people") in html
    assert url("section", assessment.pk, "planet") in html
    # people: policy, hours, headcount; the carried-over one counts once confirmed
    assert "0 of 3 required" in html and "1 to confirm" in html
    assert "Submit for review" in html


def test_section_page_renders_each_type_with_its_saved_answer(login, supplier_user, assessment):
    for code, value in [
        ("forced-labour-policy", "no"),
        ("headcount", "42"),
        ("forced-labour-plan", "Plan"),
    ]:
        services.answer_save(
            actor=supplier_user, assessment_id=assessment.pk, question_code=code, value=value
        )
    html = login(supplier_user).get(url("section", assessment.pk, "people")).content.decode()
    assert 'type="radio" name="value" value="no" checked' in html
    assert 'inputmode="decimal" name="value" id="q-headcount-input" value="42"' in html
    assert ">Plan</textarea>" in html
    assert "Enter a number between 0 and 1,000,000." in html  # the bounds as a hint
    assert 'data-show-if="forced-labour-policy" data-show-if-values="no"' in html
    assert 'name="not_applicable"' in html  # working-hours allows it
    assert html.count('name="not_applicable"') == 1
    assert "js/answering.js" in html and "css/answering.css" in html
    assert "<script>" not in html and "style=" not in html
    assert 'rel="next" href="' + url("section", assessment.pk, "planet") in html


def test_a_question_hidden_by_show_if_is_rendered_hidden(login, supplier_user, assessment):
    services.answer_save(
        actor=supplier_user,
        assessment_id=assessment.pk,
        question_code="forced-labour-policy",
        value="yes",
    )
    html = login(supplier_user).get(url("section", assessment.pk, "people")).content.decode()
    start = html.index('id="q-forced-labour-plan"')
    tag_end = html.index(">", start)
    assert " hidden" in html[start:tag_end]


def test_section_page_shows_files_and_upload_form(
    login, supplier_user, assessment, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.evidence_add(
        actor=supplier_user, assessment_id=assessment.pk, question_code="certificate",
        uploaded_file=SimpleUploadedFile("iso.pdf", PDF),
    )  # fmt: skip
    html = login(supplier_user).get(url("section", assessment.pk, "planet")).content.decode()
    assert "iso.pdf" in html and 'enctype="multipart/form-data"' in html
    assert (
        'type="date" name="value"' in html
        and 'type="checkbox" name="value" value="iso14001"' in html
    )


def test_unknown_section_is_not_found(login, supplier_user, assessment):
    assert login(supplier_user).get(url("section", assessment.pk, "nope")).status_code == 404


def test_reviewer_comments_show_next_to_the_answer_when_returned(
    login, supplier_user, buyer, assessment
):
    answer_all_required(supplier_user, assessment)
    services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    assessment_transition(assessment_id=assessment.pk, to=AssessmentStatus.RETURNED, actor=buyer)
    answer = Answer.objects.get(question__code="headcount")
    AnswerComment.objects.create(answer=answer, author=buyer, body="Please count contractors too.")
    client = login(supplier_user)
    html = client.get(url("section", assessment.pk, "people")).content.decode()
    assert "Please count contractors too." in html and "Reviewer comments" in html
    assert "data-autosave" in html  # returned: editable again
    overview = client.get(url("overview", assessment.pk)).content.decode()
    assert "The reviewers commented on 1 answer." in overview  # the return, on the overview
    assert 'data-commented="headcount"' in overview


def _section_with(n: int):
    """A published version whose first section has ``n`` number questions."""
    version = build_version(code=f"big-{n}")
    section = Section.objects.get(version=version, code="people")
    risk = PriorityRisk.objects.first()
    for i in range(n - 4):  # the section has four questions already
        Question.objects.create(
            version=version, section=section, code=f"extra-{i}", position=10 + i, risk=risk,
            type=QuestionType.NUMBER, text_en=f"Extra {i}?", min_value=Decimal(0),
        )  # fmt: skip
    return version


def test_section_page_query_count_does_not_grow_with_questions(
    login, supplier_user, supplier, django_assert_num_queries
):
    client = login(supplier_user)
    client.get("/")  # the first request after logging in also touches the session
    counts = []
    for n, year in ((5, 2025), (60, 2026)):
        a = build_assessment(supplier=supplier, version=_section_with(n), fiscal_year=year)
        for code in ("forced-labour-policy", "headcount"):
            services.answer_save(
                actor=supplier_user,
                assessment_id=a.pk,
                question_code=code,
                value="yes" if code.startswith("forced") else "5",
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("section", a.pk, "people"))
        assert response.status_code == 200
        assert response.content.decode().count('class="question card"') == n
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


# --- the save endpoint -----------------------------------------------------------------


def test_save_endpoint_saves_and_answers_json(login, supplier_user, assessment):
    client = login(supplier_user)
    response = save(client, assessment, "headcount", "1,200", revision="0")
    assert response.status_code == 200
    assert response.json() == {
        "status": "saved", "revision": 1, "value": "1200", "not_applicable": False,
        "answered": True, "carried_over": False,
    }  # fmt: skip
    multiple = client.post(
        url("answer-save", assessment.pk, "ems"), {"value": ["none", "iso14001"]}, **JSON
    )
    assert multiple.json()["value"] == ["iso14001", "none"]
    # then a reload shows what was saved
    html = client.get(url("section", assessment.pk, "people")).content.decode()
    assert 'value="1200"' in html


def test_save_endpoint_refuses_a_bad_value_at_the_field(login, supplier_user, assessment):
    client = login(supplier_user)
    save(client, assessment, "headcount", "5")
    response = save(client, assessment, "headcount", "-3")
    assert response.status_code == 400
    assert response.json() == {
        "status": "invalid",
        "errors": {"value": ["Enter a number between 0 and 1,000,000."]},
    }
    assert Answer.objects.get().value == "5"


def test_save_endpoint_reports_a_stale_revision_with_the_current_answer(
    login, supplier_user, assessment
):
    client = login(supplier_user)
    save(client, assessment, "headcount", "5", revision="0")
    save(client, assessment, "headcount", "6", revision="1")
    response = save(client, assessment, "headcount", "7", revision="1")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict" and body["value"] == "6" and body["revision"] == 2
    assert "Someone else changed this answer" in body["message"]


def test_save_endpoint_after_submission_is_a_conflict(login, supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    response = save(login(supplier_user), assessment, "headcount", "99")
    assert response.status_code == 409 and response.json()["status"] == "locked"
    assert Answer.objects.get(question__code="headcount").value == "10"


def test_save_endpoint_not_applicable(login, supplier_user, assessment):
    client = login(supplier_user)
    response = save(client, assessment, "working-hours", "", not_applicable="1")
    assert response.status_code == 200 and response.json()["not_applicable"] is True
    refused = save(client, assessment, "headcount", "", not_applicable="1")
    assert refused.status_code == 400 and "not_applicable" in refused.json()["errors"]


def test_save_endpoint_unknown_question_is_not_found(login, supplier_user, assessment):
    assert save(login(supplier_user), assessment, "nope", "x").status_code == 404


def test_save_without_script_redirects_back_to_the_question(login, supplier_user, assessment):
    client = login(supplier_user)
    response = client.post(url("answer-save", assessment.pk, "headcount"), {"value": "8"})
    assert response.status_code == 302
    assert response["Location"] == url("section", assessment.pk, "people") + "#q-headcount"
    bad = client.post(url("answer-save", assessment.pk, "headcount"), {"value": "x"}, follow=True)
    assert "Enter a number between 0 and 1,000,000." in bad.content.decode()
    assert Answer.objects.get().value == "8"


def test_save_endpoint_only_takes_posts(login, supplier_user, assessment):
    assert (
        login(supplier_user).get(url("answer-save", assessment.pk, "headcount")).status_code == 405
    )


# --- evidence -----------------------------------------------------------------------------


def test_evidence_upload_download_and_remove(
    login, supplier_user, other_supplier_user, buyer, assessment, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = login(supplier_user)
    response = client.post(
        url("evidence-upload", assessment.pk, "certificate"),
        {"file": SimpleUploadedFile("証明書.pdf", PDF)},
    )
    assert response.status_code == 302 and response["Location"].endswith("#q-certificate")
    evidence = assessment.answers.get().evidence.get()
    download = client.get(url("evidence-download", evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert login(buyer).get(url("evidence-download", evidence.pk)).status_code == 200
    assert login(other_supplier_user).get(url("evidence-download", evidence.pk)).status_code == 404
    assert login(other_supplier_user).post(url("evidence-delete", evidence.pk)).status_code == 404
    assert login(buyer).post(url("evidence-delete", evidence.pk)).status_code == 403
    client = login(supplier_user)
    assert client.post(url("evidence-delete", evidence.pk)).status_code == 302
    assert not assessment.answers.get().evidence.exists()


def test_evidence_of_a_refused_kind_shows_the_reason(
    login, supplier_user, assessment, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    response = login(supplier_user).post(
        url("evidence-upload", assessment.pk, "certificate"),
        {"file": SimpleUploadedFile("notes.txt", b"just text")},
        follow=True,
    )
    assert "not accepted here" in response.content.decode()
    assert not Answer.objects.filter(evidence__isnull=False).exists()


def test_html_that_starts_like_a_pdf_is_not_taken_as_pdf_evidence(
    login, supplier_user, assessment, settings, tmp_path
):
    # the probe (issue 8, item 9): "%PDF-1.4" and then HTML was accepted as PDF evidence
    settings.MEDIA_ROOT = tmp_path
    fake = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
    response = login(supplier_user).post(
        url("evidence-upload", assessment.pk, "certificate"),
        {"file": SimpleUploadedFile("certificate.pdf", fake, "application/pdf")},
        follow=True,
    )
    assert "is not a readable PDF document" in response.content.decode()
    assert not Answer.objects.filter(evidence__isnull=False).exists()
    assert not any(tmp_path.rglob("*.pdf"))


# --- submission and the copies ------------------------------------------------------------


def test_submitting_early_lists_each_missing_answer_with_a_link(login, supplier_user, assessment):
    client = login(supplier_user)
    services.answer_save(
        actor=supplier_user,
        assessment_id=assessment.pk,
        question_code="forced-labour-policy",
        value="no",
    )
    response = client.post(url("submit", assessment.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for section, code in [
        ("people", "forced-labour-plan"),
        ("people", "working-hours"),
        ("people", "headcount"),
        ("planet", "ems"),
    ]:
        assert f'href="{url("section", assessment.pk, section)}#q-{code}"' in html
    assert 'data-missing="audit-date"' not in html  # optional
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS


def test_submitting_leads_to_the_read_only_copy_and_twice_is_refused(
    login, supplier_user, assessment
):
    answer_all_required(supplier_user, assessment)
    client = login(supplier_user)
    response = client.post(url("submit", assessment.pk), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url("answers", assessment.pk)
    assert "your self-assessment is submitted" in html
    assert "ISO 14001" in html and "10 people" in html and "Always" in html
    again = client.post(url("submit", assessment.pk), follow=True)
    assert "cannot be submitted now" in again.content.decode()
    assert assessment.events.filter(to_status="submitted").count() == 1
    # and the section is read-only now
    section = client.get(url("section", assessment.pk, "people")).content.decode()
    assert "data-autosave" not in section


def test_read_only_copy_hides_questions_not_asked(login, supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    html = login(supplier_user).get(url("answers", assessment.pk)).content.decode()
    assert "Question forced-labour-plan?" not in html
    assert "Question forced-labour-policy?" in html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_pdf_copy_renders_in_japanese(login, supplier_user, assessment, tmp_path):
    # given a submitted assessment and its user browsing in Japanese
    answer_all_required(supplier_user, assessment)
    services.assessment_submit(actor=supplier_user, assessment_id=assessment.pk)
    client = login(supplier_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    # when they download the PDF copy
    response = client.get(url("answers-pdf", assessment.pk))
    # then it is a PDF with the Japanese questions and answers in it
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "ACME-001" in response["Content-Disposition"]
    source = tmp_path / "copy.pdf"
    source.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "質問 forced-labour-policy" in text and "はい" in text and "人権" in text
    assert "10 人" in text


def test_pdf_of_another_supplier_is_not_found(login, other_supplier_user, assessment):
    assert login(other_supplier_user).get(url("answers-pdf", assessment.pk)).status_code == 404


# --- assignment by hand ------------------------------------------------------------------


def test_buyer_assigns_by_hand(login, buyer, supplier):
    version = build_version()
    client = login(buyer)
    assert client.get(url("assign")).status_code == 200
    data = {
        "supplier_code": "acme-001",
        "version": version.pk,
        "fiscal_year": 2026,
        "due_date": "2026-06-30",
        "carry_over": "on",
    }
    response = client.post(url("assign"), data, follow=True)
    assessment = Assessment.objects.get()
    assert assessment.supplier == supplier and assessment.due_date == dt.date(2026, 6, 30)
    assert url("overview", assessment.pk) in response.content.decode()
    client.post(url("assign"), data)
    assert Assessment.objects.count() == 1


def test_assign_form_names_the_bad_fields(login, buyer):
    response = login(buyer).post(
        url("assign"), {"supplier_code": "NOPE", "version": "", "fiscal_year": "1900"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "No supplier has the code “NOPE”." in html
    assert "Questionnaire version: This field is required." in html
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["supplier_user", "csco", "infosec_assessor"])
def test_assign_page_is_for_assigning_roles_only(request, login, role):
    client = login(request.getfixturevalue(role))
    assert client.get(url("assign")).status_code == 403
    assert client.post(url("assign"), {}).status_code == 403


def test_assign_page_sends_anonymous_visitors_to_log_in(client):
    assert "/accounts/login/" in client.get(url("assign"))["Location"]


def test_json_body_is_valid(login, supplier_user, assessment):
    response = save(login(supplier_user), assessment, "forced-labour-policy", "yes")
    assert json.loads(response.content)["status"] == "saved"


# --- in a real browser: autosave, show_if, the connection state ------------------------------


@pytest.mark.browser
def test_answers_save_as_entered_and_survive_a_lost_connection(
    page, ui_login, live_server, supplier_user, supplier
):
    assessment = build_assessment(supplier=supplier)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    ui_login(page, supplier_user)
    page.goto(f"{live_server.url}{url('section', assessment.pk, 'people')}")
    plan = page.locator("#q-forced-labour-plan")
    assert plan.is_hidden()

    # a choice saves at once, and "no" shows the follow-up question
    page.locator("#q-forced-labour-policy label.option", has_text="No").click()
    page.locator("#q-forced-labour-policy [data-status]").filter(has_text=SAVED).wait_for()
    assert plan.is_visible()
    assert page.locator("[data-progress-total]").inner_text() == "4"

    # text saves after typing stops
    plan.locator("textarea").fill("We will write one by June.")
    plan.locator("[data-status]").filter(has_text=SAVED).wait_for()

    # a bad number is refused at the field and not saved; the fix is saved
    number = page.locator("#q-headcount input[name=value]")
    number.fill("-5")
    page.locator("#q-headcount [data-error]").filter(has_text="between 0 and 1,000,000").wait_for()
    number.fill("12")
    page.locator("#q-headcount [data-status]").filter(has_text=SAVED).wait_for()
    assert page.locator("#q-headcount [data-error]").is_hidden()

    # offline: the answer stays, the field says it is not saved, and it goes when back online
    page.context.set_offline(True)
    page.locator("#q-working-hours label.option", has_text="Mostly").click()
    page.locator("#q-working-hours [data-status]").filter(has_text="Not saved yet").wait_for()
    assert page.locator("[data-unsaved-summary]").is_visible()
    assert not Answer.objects.filter(question__code="working-hours").exists()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#q-working-hours [data-status]").filter(has_text=SAVED).wait_for()
    assert page.locator("[data-unsaved-summary]").is_hidden()
    assert page.locator("[data-progress-done]").inner_text() == "4"

    # a reload shows everything saved
    page.reload()
    assert page.locator("#q-forced-labour-policy input[value=no]").is_checked()
    assert page.locator("#q-working-hours input[value=mostly]").is_checked()
    assert plan.locator("textarea").input_value() == "We will write one by June."
    assert number.input_value() == "12"
    values = dict(Answer.objects.values_list("question__code", "value"))
    assert values == {
        "forced-labour-policy": "no",
        "forced-labour-plan": "We will write one by June.",
        "headcount": "12",
        "working-hours": "mostly",
    }
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]


@pytest.mark.browser
def test_pages_fit_a_phone_in_japanese(
    phone_page, ui_login, live_server, supplier_user, supplier, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assessment = build_assessment(supplier=supplier, due_date=dt.date(2020, 4, 30))
    services.answer_save(
        actor=supplier_user,
        assessment_id=assessment.pk,
        question_code="forced-labour-policy",
        value="no",
    )
    services.evidence_add(
        actor=supplier_user, assessment_id=assessment.pk, question_code="certificate",
        uploaded_file=SimpleUploadedFile("ISO14001認証書_2026年度_最新版.pdf", PDF),
    )  # fmt: skip
    ui_login(phone_page, supplier_user)
    phone_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ja", "url": live_server.url}]
    )
    shots = Path(os.environ.get("PORTAL_SHOTS_DIR", "/tmp/shots"))
    shots.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("home", "/"),
        ("overview", url("overview", assessment.pk)),
        ("section-people", url("section", assessment.pk, "people")),
        ("section-planet", url("section", assessment.pk, "planet")),
        ("answers", url("answers", assessment.pk)),
    ]:
        phone_page.goto(f"{live_server.url}{path}")
        phone_page.screenshot(path=str(shots / f"answering-{name}-phone.png"), full_page=True)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        wide = phone_page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > 376)"
            ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"
        )
        assert width <= 375, f"{path} is {width}px wide: {wide}"
