"""The assessments API: list/retrieve scoped, assignment by staff, answers, submission."""

from __future__ import annotations

import pytest

from assessments.answering import services
from assessments.models import Answer, Assessment, AssessmentStatus, Question
from procurement_portal.accounts.tokens import api_token_issue
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assessments/"


@pytest.fixture
def assessment(supplier):
    return build_assessment(supplier=supplier)


@pytest.fixture
def as_user(api_client):
    def _as(user):
        if user is not None:
            api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)[1]}")
        return api_client

    return _as


def answer_url(assessment, code):
    return f"{BASE}{assessment.pk}/answers/{code}/"


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


# --- the permission matrix ---------------------------------------------------------------


def test_anonymous_clients_are_refused(api_client, assessment):
    assert api_client.get(BASE).status_code in (401, 403)
    assert api_client.get(f"{BASE}{assessment.pk}/").status_code in (401, 403)
    assert api_client.put(
        answer_url(assessment, "headcount"), {"value": "1"}, format="json"
    ).status_code in (401, 403)


def test_supplier_user_lists_only_their_own(as_user, supplier_user, other_supplier, assessment):
    build_assessment(supplier=other_supplier, version=assessment.version)
    body = as_user(supplier_user).get(BASE).json()
    assert [row["id"] for row in body["results"]] == [assessment.pk]
    row = body["results"][0]
    assert row["supplier_code"] == "ACME-001" and row["status"] == "not_started"
    assert row["progress"] == {"answered": 0, "required": 4, "percent": 0, "to_confirm": 0}
    assert row["fiscal_year_label"] == "FY2026"


def test_another_suppliers_assessment_is_not_found(as_user, other_supplier_user, assessment):
    client = as_user(other_supplier_user)
    assert client.get(f"{BASE}{assessment.pk}/").status_code == 404
    assert client.get(f"{BASE}{assessment.pk}/answers/").status_code == 404
    response = client.put(answer_url(assessment, "headcount"), {"value": "5"}, format="json")
    assert response.status_code == 404
    assert client.post(f"{BASE}{assessment.pk}/submit/").status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "csco", "infosec_assessor"])
def test_staff_read_any_but_cannot_answer_or_submit(request, as_user, role, assessment):
    client = as_user(request.getfixturevalue(role))
    assert client.get(f"{BASE}{assessment.pk}/").status_code == 200
    assert client.get(f"{BASE}?supplier={assessment.supplier_id}").json()["count"] == 1
    assert (
        client.put(answer_url(assessment, "headcount"), {"value": "5"}, format="json").status_code
        == 403
    )
    assert (
        client.patch(answer_url(assessment, "headcount"), {"value": "5"}, format="json").status_code
        == 403
    )
    assert client.post(f"{BASE}{assessment.pk}/submit/").status_code == 403
    assert not Answer.objects.exists()


def test_list_filters(as_user, buyer, supplier, other_supplier):
    version = build_version()
    a = build_assessment(supplier=supplier, version=version, fiscal_year=2026)
    build_assessment(supplier=other_supplier, version=version, fiscal_year=2025)
    client = as_user(buyer)
    assert [r["id"] for r in client.get(f"{BASE}?fiscal_year=2026").json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get(f"{BASE}?supplier={supplier.pk}").json()["results"]] == [
        a.pk
    ]
    assert client.get(f"{BASE}?status=submitted").json()["count"] == 0
    assert client.get(f"{BASE}?status=bogus").status_code == 400


def test_list_query_count_does_not_grow(
    as_user, buyer, supplier, other_supplier, django_assert_max_num_queries
):
    client = as_user(buyer)
    build_assessment(supplier=supplier, fiscal_year=2026)
    client.get(BASE)
    with django_assert_max_num_queries(10) as one:
        client.get(BASE)
    for n, year in enumerate(range(2018, 2026)):
        build_assessment(
            supplier=other_supplier, version=build_version(code=f"q{n}"), fiscal_year=year
        )
    with django_assert_max_num_queries(10) as many:
        assert client.get(BASE).json()["count"] == 9
    assert len(one.captured_queries) == len(many.captured_queries)


# --- assignment --------------------------------------------------------------------------


def test_buyer_assigns_and_assigning_again_returns_the_same(as_user, buyer, supplier):
    version = build_version()
    client = as_user(buyer)
    data = {
        "supplier": supplier.pk,
        "version": version.pk,
        "fiscal_year": 2026,
        "due_date": "2026-06-30",
    }
    first = client.post(BASE, data, format="json")
    assert first.status_code == 201
    assert first.json()["due_date"] == "2026-06-30" and first.json()["status"] == "not_started"
    again = client.post(BASE, data, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Assessment.objects.count() == 1


def test_assigning_a_draft_is_a_field_error(as_user, buyer, supplier):
    draft = build_version(status="draft")
    response = as_user(buyer).post(
        BASE, {"supplier": supplier.pk, "version": draft.pk, "fiscal_year": 2026}, format="json"
    )
    assert response.status_code == 400 and "version" in response.json()


def test_supplier_users_cannot_assign(as_user, supplier_user, supplier):
    version = build_version()
    response = as_user(supplier_user).post(
        BASE, {"supplier": supplier.pk, "version": version.pk, "fiscal_year": 2026}, format="json"
    )
    assert response.status_code == 403 and not Assessment.objects.exists()


# --- answers -------------------------------------------------------------------------------


def test_owner_saves_and_lists_answers(as_user, supplier_user, assessment):
    client = as_user(supplier_user)
    response = client.put(
        answer_url(assessment, "headcount"), {"value": 120, "revision": 0}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == "120" and body["revision"] == 1 and body["question_code"] == "headcount"
    assert body["section_code"] == "people" and body["is_answered"] is True
    client.patch(answer_url(assessment, "ems"), {"value": ["none"]}, format="json")
    listed = client.get(f"{BASE}{assessment.pk}/answers/").json()
    assert [(a["question_code"], a["value"]) for a in listed] == [
        ("headcount", "120"),
        ("ems", ["none"]),
    ]
    detail = client.get(f"{BASE}{assessment.pk}/").json()
    assert detail["status"] == "in_progress" and detail["progress"]["answered"] == 2


def test_a_question_can_be_named_by_id(as_user, supplier_user, assessment):
    question = Question.objects.get(version=assessment.version, code="headcount")
    response = as_user(supplier_user).put(
        answer_url(assessment, question.pk), {"value": "3"}, format="json"
    )
    assert response.status_code == 200 and response.json()["question_code"] == "headcount"


def test_bad_values_are_400_at_the_field(as_user, supplier_user, assessment):
    client = as_user(supplier_user)
    response = client.put(answer_url(assessment, "headcount"), {"value": "2000000"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": ["Enter a number between 0 and 1,000,000."]}
    response = client.put(
        answer_url(assessment, "headcount"), {"value": None, "not_applicable": True}, format="json"
    )
    assert response.status_code == 400 and "not_applicable" in response.json()
    assert not Answer.objects.exists()


def test_unknown_question_is_404(as_user, supplier_user, assessment):
    response = as_user(supplier_user).put(
        answer_url(assessment, "no-such"), {"value": "1"}, format="json"
    )
    assert response.status_code == 404


def test_a_stale_revision_is_409_with_the_current_answer(as_user, supplier_user, assessment):
    client = as_user(supplier_user)
    client.put(answer_url(assessment, "headcount"), {"value": "1", "revision": 0}, format="json")
    client.put(answer_url(assessment, "headcount"), {"value": "2", "revision": 1}, format="json")
    response = client.put(
        answer_url(assessment, "headcount"), {"value": "3", "revision": 1}, format="json"
    )
    assert response.status_code == 409
    assert (
        response.json()["current"]["value"] == "2" and response.json()["current"]["revision"] == 2
    )
    assert Answer.objects.get().value == "2"


# --- submission ----------------------------------------------------------------------------


def test_submit_with_missing_answers_is_400_listing_them(as_user, supplier_user, assessment):
    response = as_user(supplier_user).post(f"{BASE}{assessment.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["missing_questions"] == [
        "forced-labour-policy",
        "working-hours",
        "headcount",
        "ems",
    ]
    assert len(body["answers"]) == 4
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.NOT_STARTED


def test_submit_then_again_is_409_and_editing_is_409(as_user, supplier_user, assessment):
    answer_all_required(supplier_user, assessment)
    client = as_user(supplier_user)
    response = client.post(f"{BASE}{assessment.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    again = client.post(f"{BASE}{assessment.pk}/submit/")
    assert again.status_code == 409 and again.json()["status"] == "submitted"
    edit = client.put(answer_url(assessment, "headcount"), {"value": "11"}, format="json")
    assert edit.status_code == 409
    assert Answer.objects.get(question__code="headcount").value == "10"
    assert assessment.events.filter(to_status="submitted").count() == 1
