"""Improvement items keep every note in their history (the verify note survives closing),
take evidence files with the action plan through the one upload check, keep the finding
in both languages where the questionnaire has both, say which language a free text was
written in, and write scores the locale's way (never "4E+1"). Issue 10, minor items."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import items
from assessments.models import (
    ImprovementEvidence,
    ImprovementItem,
    ImprovementStatus,
    ScoringPolicy,
)
from assessments.review import services
from tests.assessments.test_review_services import submitted

pytestmark = pytest.mark.django_db
ST = ImprovementStatus
# "mostly" scores 50: below a 60 threshold, and 50 is the Decimal that printed as "5E+1".
MIXED = {"forced-labour-policy": "no", "working-hours": "mostly", "ems": ["iso14001"]}


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def raised(supplier, buyer):
    ScoringPolicy.objects.create(
        name="Stricter", improvement_below=60, infosec_levels=[{"level": 1, "min_score": 0}]
    )
    assessment = submitted(supplier, answers=MIXED)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    return ImprovementItem.objects.get(answer__question__code="working-hours")


def test_findings_keep_both_languages_and_scores_are_written_by_the_locale(raised):
    assert raised.description.startswith("Question working-hours?")
    assert "Answer given: Mostly (score 50/100)" in raised.description
    assert raised.description_ja.startswith("質問 working-hours")
    assert "E+" not in raised.description + raised.description_ja
    assert raised.required_action and raised.required_action_ja
    with translation.override("ja"):
        assert raised.finding == raised.description_ja
    with translation.override("en"):
        assert raised.finding == raised.description


def test_the_reader_gets_their_language_on_the_item_page(login, supplier_user, raised):
    client = login(supplier_user)
    url = reverse("assessments:item-detail", args=[raised.pk])
    assert "Question working-hours?" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    html = client.get(url).content.decode()
    assert "質問 working-hours" in html and "Question working-hours?" not in html
    assert "(スコア 50/100)" in html or "50/100" in html


def test_a_free_text_says_which_language_it_was_written_in(login, supplier, buyer, raised):
    raised.description, raised.description_ja, raised.written_in = "現場で確認した。", "", "ja"
    raised.save()
    html = login(buyer).get(reverse("assessments:item-detail", args=[raised.pk])).content.decode()
    assert "現場で確認した。" in html and "Written in Japanese" in html


def test_an_inspectors_required_action_says_its_language(login, supplier, buyer, raised):
    """A visit's finding has the checklist's wording in both languages, but the required
    action is the inspector's own text in one: the reader of the other language is told."""
    raised.required_action, raised.required_action_ja = "避難経路を毎日点検する。", ""
    raised.written_in = "ja"
    raised.save()
    html = login(buyer).get(reverse("assessments:item-detail", args=[raised.pk])).content.decode()
    action = html.split("避難経路を毎日点検する。", 1)[1].split("</dd>", 1)[0]
    assert 'data-written-in="ja"' in action and "Written in Japanese" in action


def test_every_note_stays_in_the_history_after_closing(login, supplier_user, buyer, raised):
    items.item_action_plan_submit(actor=supplier_user, item_id=raised.pk, action_plan="Plan A")
    items.item_reopen(actor=buyer, item_id=raised.pk, note="Say who is responsible.")
    items.item_action_plan_submit(actor=supplier_user, item_id=raised.pk, action_plan="Plan B")
    items.item_verify(actor=buyer, item_id=raised.pk, note="Plan B is sound.")
    items.item_close(actor=buyer, item_id=raised.pk, note="Records seen on site.")
    steps = list(raised.events.order_by("at", "id").values_list("to_status", "note"))
    assert steps == [
        (ST.OPEN, ""),
        (ST.ACTION_PLAN_SUBMITTED, "Plan A"),
        (ST.OPEN, "Say who is responsible."),
        (ST.ACTION_PLAN_SUBMITTED, "Plan B"),
        (ST.VERIFIED, "Plan B is sound."),
        (ST.CLOSED, "Records seen on site."),
    ]
    html = login(supplier_user).get(reverse("assessments:item-detail", args=[raised.pk]))
    html = html.content.decode()
    for note in ("Plan A", "Say who is responsible.", "Plan B is sound.", "Records seen on site."):
        assert note in html
    assert "Bunta Buyer" not in html  # staff names are internal: "the company"
    assert "the company" in html


def test_an_action_plan_takes_evidence_files_through_the_upload_check(
    login, supplier_user, other_supplier_user, buyer, raised
):
    client = login(supplier_user)
    url = reverse("assessments:item-action-plan", args=[raised.pk])
    fake = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n<html>not a pdf</html>", "application/pdf")
    client.post(url, {"action_plan": "Plan", "files": [fake]})
    raised.refresh_from_db()
    assert raised.status == ST.OPEN and not ImprovementEvidence.objects.exists()  # nothing saved
    good = SimpleUploadedFile("training-record.pdf", _pdf(), "application/pdf")
    client.post(url, {"action_plan": "Plan with records", "files": [good]})
    raised.refresh_from_db()
    assert raised.status == ST.ACTION_PLAN_SUBMITTED
    evidence = ImprovementEvidence.objects.get()
    assert evidence.original_name == "training-record.pdf" and evidence.event.note
    download = reverse("assessments:item-evidence-download", args=[evidence.pk])
    html = client.get(reverse("assessments:item-detail", args=[raised.pk])).content.decode()
    assert download in html
    assert client.get(download).status_code == 200
    assert login(buyer).get(download).status_code == 200
    assert login(other_supplier_user).get(download).status_code == 404


def test_too_many_or_bad_files_name_the_field(supplier_user, raised):
    with pytest.raises(ValidationError) as refused:
        items.item_action_plan_submit(
            actor=supplier_user,
            item_id=raised.pk,
            action_plan="Plan",
            files=[SimpleUploadedFile("x.exe", b"MZ....", "application/octet-stream")],
        )
    assert "files" in refused.value.message_dict
    assert "x.exe" in refused.value.message_dict["files"][0]


def test_api_item_carries_both_languages_and_every_note(api_client, supplier_user, buyer, raised):
    items.item_action_plan_submit(actor=supplier_user, item_id=raised.pk, action_plan="Plan A")
    items.item_verify(actor=buyer, item_id=raised.pk, note="Sound.")
    items.item_close(actor=buyer, item_id=raised.pk, note="Done.")
    api_client.force_authenticate(supplier_user)
    body = api_client.get(f"/api/v1/improvement-items/{raised.pk}/").json()
    assert body["description_ja"].startswith("質問 working-hours")
    assert [step["note"] for step in body["history"]] == ["", "Plan A", "Sound.", "Done."]
    assert body["history"][2]["note_language"] == "en"
