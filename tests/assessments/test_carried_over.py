"""Carried-over answers are really confirmed (issue 10, item 3): submission refuses while
one is unconfirmed and lists them like missing answers, "confirm all in this section"
records who confirmed and when, and the home page's status and progress agree. Also:
submitting asks first, with the count of answers (issue 10, minor)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.answering import services
from assessments.answering.services import MissingAnswers
from assessments.models import Answer, AssessmentStatus, Question
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db
S = AssessmentStatus
# Last year's answers to every required question (and the optional date).
LAST_YEAR = {
    "forced-labour-policy": "yes",
    "working-hours": "always",
    "headcount": "10",
    "ems": ["iso14001"],
    "audit-date": "2025-06-01",
}


@pytest.fixture
def carried(supplier, supplier_user):
    """This year's assessment, pre-filled from last year's accepted one."""
    version = build_version()
    last = build_assessment(supplier=supplier, version=version, fiscal_year=2025, status="accepted")
    for code, value in LAST_YEAR.items():
        Answer.objects.create(
            assessment=last, question=Question.objects.get(version=version, code=code), value=value
        )
    new = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    assert services.carry_over_answers([new]) == 5
    return new


def test_submission_is_refused_while_a_carried_over_answer_is_unconfirmed(carried, supplier_user):
    with pytest.raises(MissingAnswers) as refused:
        services.assessment_submit(actor=supplier_user, assessment_id=carried.pk)
    assert refused.value.missing == []
    assert [q.code for _s, q in refused.value.unconfirmed] == [
        "forced-labour-policy",
        "working-hours",
        "headcount",
        "ems",
        "audit-date",
    ]
    assert "carried_over" in refused.value.message_dict
    carried.refresh_from_db()
    assert carried.status == S.NOT_STARTED


def test_confirm_all_in_a_section_records_who_and_when(carried, supplier_user):
    count = services.carried_over_confirm(
        actor=supplier_user, assessment_id=carried.pk, section_code="people"
    )
    assert count == 3
    people = Answer.objects.filter(assessment=carried, question__section__code="people")
    assert all(not a.carried_over and a.confirmed_by == supplier_user for a in people)
    assert all(a.confirmed_at is not None for a in people)
    planet = Answer.objects.filter(assessment=carried, question__section__code="planet")
    assert all(a.carried_over and a.confirmed_by is None for a in planet)
    carried.refresh_from_db()
    assert carried.status == S.IN_PROGRESS  # confirming is starting
    # safe to run twice
    assert (
        services.carried_over_confirm(
            actor=supplier_user, assessment_id=carried.pk, section_code="people"
        )
        == 0
    )


def test_saving_a_carried_over_answer_confirms_it_with_who(carried, supplier_user):
    services.answer_save(
        actor=supplier_user, assessment_id=carried.pk, question_code="headcount", value="12"
    )
    answer = Answer.objects.get(assessment=carried, question__code="headcount")
    assert not answer.carried_over and answer.confirmed_by == supplier_user


def test_confirming_is_for_the_suppliers_own_users(carried, other_supplier_user, buyer):
    from django.core.exceptions import PermissionDenied

    from assessments.models import Assessment

    with pytest.raises(Assessment.DoesNotExist):
        services.carried_over_confirm(actor=other_supplier_user, assessment_id=carried.pk)
    with pytest.raises(PermissionDenied):
        services.carried_over_confirm(actor=buyer, assessment_id=carried.pk)
    assert Answer.objects.filter(assessment=carried, carried_over=True).count() == 5


def test_refusal_page_lists_them_with_links_and_confirm_all(login, carried, supplier_user):
    client = login(supplier_user)
    response = client.post(reverse("assessments:submit", args=[carried.pk]))
    html = response.content.decode()
    assert "confirm last year&#x27;s answers first" in html or "confirm last year's" in html
    section_url = reverse("assessments:section", args=[carried.pk, "people"])
    assert f'href="{section_url}#q-working-hours" data-unconfirmed="working-hours"' in html
    confirm_url = reverse("assessments:confirm-section", args=[carried.pk, "people"])
    assert f'action="{confirm_url}"' in html
    assert "Confirm all 3 answers in this section" in html
    # confirm both sections from the list, then submission asks with the count and succeeds
    for code in ("people", "planet"):
        response = client.post(
            reverse("assessments:confirm-section", args=[carried.pk, code]), {"next": "submit"}
        )
        assert response["Location"] == reverse("assessments:submit", args=[carried.pk])
    html = client.get(reverse("assessments:submit", args=[carried.pk])).content.decode()
    assert "You are about to submit 5 answers for review." in html
    assert "Submit 5 answers" in html
    client.post(reverse("assessments:submit", args=[carried.pk]))
    carried.refresh_from_db()
    assert carried.status == S.SUBMITTED


def test_section_page_offers_confirm_all_and_counts_confirmed_answers(
    login, carried, supplier_user
):
    client = login(supplier_user)
    url = reverse("assessments:section", args=[carried.pk, "people"])
    html = client.get(url).content.decode()
    assert "Confirm all 3 answers in this section" in html
    assert "<span data-progress-done>0</span>" in html
    response = client.post(reverse("assessments:confirm-section", args=[carried.pk, "people"]))
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert "Confirm all" not in html
    assert "<span data-progress-done>3</span>" in html


def test_home_status_and_progress_agree(login, carried, supplier_user):
    client = login(supplier_user)
    html = client.get(reverse("home")).content.decode()
    assert "Not started" in html
    assert "0 of 4 required answers" in html  # nothing confirmed yet: nothing given
    assert "5 carried over from last year to confirm" in html
    services.carried_over_confirm(actor=supplier_user, assessment_id=carried.pk)
    html = client.get(reverse("home")).content.decode()
    assert "In progress" in html and "4 of 4 required answers" in html
    assert "to confirm" not in html


def test_submit_asks_first_with_the_count(login, supplier, supplier_user):
    assessment = build_assessment(supplier=supplier)
    for code, value in list(LAST_YEAR.items())[:4]:
        services.answer_save(
            actor=supplier_user, assessment_id=assessment.pk, question_code=code, value=value
        )
    client = login(supplier_user)
    overview = client.get(reverse("assessments:overview", args=[assessment.pk])).content.decode()
    submit_url = reverse("assessments:submit", args=[assessment.pk])
    assert f'href="{submit_url}" data-submit' in overview  # one click only asks
    html = client.get(submit_url).content.decode()
    assert "Submit 4 answers" in html
    assessment.refresh_from_db()
    assert assessment.status == S.IN_PROGRESS
    client.post(submit_url)
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_api_lists_unconfirmed_and_confirms(api_client, carried, supplier_user):
    api_client.force_authenticate(supplier_user)
    base = f"/api/v1/assessments/{carried.pk}/"
    body = api_client.post(base + "submit/").json()
    assert body["unconfirmed_questions"][:2] == ["forced-labour-policy", "working-hours"]
    assert body["missing_questions"] == []
    assert api_client.get(base).json()["progress"]["to_confirm"] == 5
    response = api_client.post(base + "confirm-carried-over/", {"section": "nowhere"})
    assert response.status_code == 400 and "section" in response.json()
    response = api_client.post(base + "confirm-carried-over/", {})
    assert response.json()["confirmed"] == 5
    assert response.json()["assessment"]["progress"]["to_confirm"] == 0
    assert api_client.post(base + "submit/").json()["status"] == "submitted"


def test_reviewers_see_who_confirmed_a_carried_over_answer(login, buyer, carried, supplier_user):
    services.carried_over_confirm(actor=supplier_user, assessment_id=carried.pk)
    services.assessment_submit(actor=supplier_user, assessment_id=carried.pk)
    html = login(buyer).get(reverse("assessments:review-detail", args=[carried.pk]))
    assert "carried over, confirmed by Sachiko Supplier on" in html.content.decode()
