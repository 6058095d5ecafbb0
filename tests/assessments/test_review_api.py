"""The review API: queue, return / accept (with 409s), scores, comments, improvement
items and information-security levels, each with its permission matrix."""

from __future__ import annotations

import pytest

from assessments.models import (
    AnswerComment,
    AssessmentStatus,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
)
from assessments.review import services
from assessments.workflow import assessment_transition
from tests.assessments.test_review_services import GOOD, infosec_version, submitted
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db
S = AssessmentStatus
WEAK = {"forced-labour-policy": "no", "working-hours": "never", "ems": ["eco-action-21"]}


@pytest.fixture
def as_user(api_client):
    def _as(user):
        api_client.force_authenticate(user)
        return api_client

    return _as


# --- queue -------------------------------------------------------------------------------


def test_queue_lists_submitted_oldest_first(as_user, buyer, supplier, other_supplier):
    first = submitted(supplier)
    second = submitted(other_supplier)
    body = as_user(buyer).get("/api/v1/review-queue/").json()
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]
    row = body["results"][0]
    assert row["supplier"]["code"] == "ACME-001"
    assert row["questionnaire_kind"] == "sustainability"
    assert row["waiting_days"] == 0


def test_queue_filters_and_bad_filters(as_user, buyer, supplier):
    submitted(supplier)
    client = as_user(buyer)
    assert client.get("/api/v1/review-queue/?kind=information_security").json()["count"] == 0
    response = client.get("/api/v1/review-queue/?kind=nonsense")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_queue_matrix(api_client, as_user, supplier_user, csco, supplier):
    submitted(supplier)
    assert api_client.get("/api/v1/review-queue/").status_code in (401, 403)
    assert as_user(supplier_user).get("/api/v1/review-queue/").status_code == 403
    assert as_user(csco).get("/api/v1/review-queue/").json()["count"] == 1


def test_queue_queries_do_not_grow(as_user, buyer, supplier, django_assert_max_num_queries):
    client = as_user(buyer)
    submitted(supplier)
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/review-queue/")
    for _ in range(6):
        submitted(SupplierFactory())
    with django_assert_max_num_queries(8) as many:
        client.get("/api/v1/review-queue/")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- return / accept / scores -------------------------------------------------------------


def test_return_needs_a_note_or_comment(as_user, buyer, supplier):
    assessment = submitted(supplier)
    client = as_user(buyer)
    response = client.post(f"/api/v1/reviews/{assessment.pk}/return/", {"note": ""})
    assert response.status_code == 400
    assert "note" in response.json()
    response = client.post(f"/api/v1/reviews/{assessment.pk}/return/", {"note": "Which sites?"})
    assert response.status_code == 200
    assert response.json()["status"] == S.RETURNED
    # a second return is a conflict and changes nothing
    response = client.post(f"/api/v1/reviews/{assessment.pk}/return/", {"note": "Again"})
    assert response.status_code == 409
    assert "already returned by Bunta Buyer" in response.json()["detail"]


def test_accept_stores_scores_and_a_second_accept_is_409(as_user, buyer, supplier):
    assessment = submitted(supplier, answers=WEAK)
    client = as_user(buyer)
    response = client.post(f"/api/v1/reviews/{assessment.pk}/accept/", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["provisional"] is False
    assert body["overall"] == "20.0"  # (0 + 0 + 80) / 400
    assert body["lost"][0]["question"] == "forced-labour-policy"
    assert body["lost"][0]["points_lost"] == "200.00"
    assert {r["risk"]: r["rating"] for r in body["risks"]} == {
        "human_rights": "high",
        "environment": "low",  # 80 is the low-risk threshold
    }
    response = client.post(f"/api/v1/reviews/{assessment.pk}/accept/", {}, format="json")
    assert response.status_code == 409
    assert ImprovementItem.objects.count() == 2


def test_accept_infosec_reports_the_level(as_user, infosec_assessor, supplier):
    assessment = submitted(supplier, version=infosec_version(), answers=GOOD)
    response = as_user(infosec_assessor).post(f"/api/v1/reviews/{assessment.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["infosec_level"] == 3


def test_review_actions_matrix(
    api_client, as_user, supplier_user, other_supplier_user, csco, supplier
):
    assessment = submitted(supplier)
    url = f"/api/v1/reviews/{assessment.pk}/accept/"
    assert api_client.post(url).status_code in (401, 403)
    assert as_user(supplier_user).post(url).status_code == 403
    assert as_user(other_supplier_user).post(url).status_code in (403, 404)
    assert as_user(csco).post(url).status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_scores_for_supplier_only_after_acceptance(
    as_user, buyer, supplier_user, other_supplier_user, supplier
):
    assessment = submitted(supplier)
    url = f"/api/v1/reviews/{assessment.pk}/scores/"
    assert as_user(supplier_user).get(url).status_code == 404
    assert as_user(buyer).get(url).json()["provisional"] is True
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    assert as_user(supplier_user).get(url).json()["provisional"] is False
    assert as_user(other_supplier_user).get(url).status_code == 404


def test_unknown_assessment_is_404(as_user, buyer):
    assert as_user(buyer).post("/api/v1/reviews/999999/accept/").status_code == 404


# --- comments ----------------------------------------------------------------------------


def test_comment_create_and_scoped_list(
    as_user, buyer, supplier, supplier_user, other_supplier_user
):
    assessment = submitted(supplier)
    answer = assessment.answers.first()
    client = as_user(buyer)
    response = client.post("/api/v1/answer-comments/", {"answer": answer.pk, "body": "Why?"})
    assert response.status_code == 201
    assert response.json()["author"] == "Bunta Buyer"
    # empty body: 400 naming the field
    response = client.post("/api/v1/answer-comments/", {"answer": answer.pk, "body": ""})
    assert response.status_code == 400
    assert "body" in response.json()
    # an answer nobody can see: 400 naming the field
    response = client.post("/api/v1/answer-comments/", {"answer": 999999, "body": "x"})
    assert response.status_code == 400
    assert "answer" in response.json()
    # the supplier does not see the review's working comments until it is returned
    assert as_user(supplier_user).get("/api/v1/answer-comments/").json()["count"] == 0
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    assert as_user(supplier_user).get("/api/v1/answer-comments/").json()["count"] == 1
    assert as_user(other_supplier_user).get("/api/v1/answer-comments/").json()["count"] == 0


def test_comment_matrix(as_user, csco, supplier_user, supplier):
    answer = submitted(supplier).answers.first()
    for user in (csco, supplier_user):
        response = as_user(user).post(
            "/api/v1/answer-comments/", {"answer": answer.pk, "body": "x"}
        )
        assert response.status_code == 403
    assert not AnswerComment.objects.exists()


def test_comment_on_accepted_is_409(as_user, buyer, supplier):
    assessment = submitted(supplier)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    answer = assessment.answers.first()
    response = as_user(buyer).post("/api/v1/answer-comments/", {"answer": answer.pk, "body": "x"})
    assert response.status_code == 409


# --- improvement items -------------------------------------------------------------------


@pytest.fixture
def item(supplier, buyer):
    assessment = submitted(supplier, answers=WEAK)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    return ImprovementItem.objects.get(answer__question__code="forced-labour-policy")


def test_item_flow(as_user, supplier_user, buyer, item):
    base = f"/api/v1/improvement-items/{item.pk}"
    supplier_client = as_user(supplier_user)
    assert supplier_client.get("/api/v1/improvement-items/").json()["count"] == 2
    response = supplier_client.post(f"{base}/action-plan/", {"action_plan": ""})
    assert response.status_code == 400
    assert "action_plan" in response.json()
    response = supplier_client.post(f"{base}/action-plan/", {"action_plan": "By June."})
    assert response.json()["status"] == ImprovementStatus.ACTION_PLAN_SUBMITTED
    assert supplier_client.post(f"{base}/action-plan/", {"action_plan": "x"}).status_code == 409
    assert supplier_client.post(f"{base}/verify/").status_code == 403
    staff = as_user(buyer)
    assert staff.post(f"{base}/close/").status_code == 409
    assert staff.post(f"{base}/verify/").json()["status"] == ImprovementStatus.VERIFIED
    assert staff.post(f"{base}/reopen/", {"note": ""}).status_code == 400
    response = staff.post(f"{base}/reopen/", {"note": "Add an owner."})
    assert response.json()["review_note"] == "Add an owner."
    assert staff.post(f"{base}/action-plan/", {"action_plan": "x"}).status_code == 403


def test_items_filter_and_scope(as_user, buyer, other_supplier_user, csco, item):
    assert as_user(buyer).get("/api/v1/improvement-items/?status=closed").json()["count"] == 0
    assert as_user(buyer).get("/api/v1/improvement-items/?risk=human_rights").json()["count"] == 2
    assert as_user(buyer).get("/api/v1/improvement-items/?status=bogus").status_code == 400
    other = as_user(other_supplier_user)
    assert other.get("/api/v1/improvement-items/").json()["count"] == 0
    assert other.get(f"/api/v1/improvement-items/{item.pk}/").status_code == 404
    response = other.post(f"/api/v1/improvement-items/{item.pk}/action-plan/", {"action_plan": "x"})
    assert response.status_code == 404
    assert as_user(csco).post(f"/api/v1/improvement-items/{item.pk}/verify/").status_code == 403


# --- levels ------------------------------------------------------------------------------


def test_levels_list_filter_and_override(as_user, buyer, supplier, other_supplier, supplier_user):
    InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=2026, level=3)
    InformationSecurityLevel.objects.create(supplier=other_supplier, fiscal_year=2026, level=1)
    client = as_user(buyer)
    body = client.get("/api/v1/infosec-levels/?fiscal_year=2026&min_level=2").json()
    assert [r["supplier"]["code"] for r in body["results"]] == ["ACME-001"]
    assert body["results"][0]["supplier"]["region"] == "japan"
    response = client.post(
        "/api/v1/infosec-levels/",
        {"supplier": other_supplier.pk, "fiscal_year": 2026, "level": 2, "reason": ""},
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.post(
        "/api/v1/infosec-levels/",
        {"supplier": other_supplier.pk, "fiscal_year": 2026, "level": 2, "reason": "Audit"},
    )
    assert response.status_code == 201
    assert (response.json()["level"], response.json()["overridden"]) == (2, True)
    # a supplier sees only its own level and cannot override
    supplier_client = as_user(supplier_user)
    assert supplier_client.get("/api/v1/infosec-levels/").json()["count"] == 1
    response = supplier_client.post(
        "/api/v1/infosec-levels/",
        {"supplier": supplier.pk, "fiscal_year": 2026, "level": 1, "reason": "x"},
    )
    assert response.status_code == 403


def test_override_unknown_supplier_is_400(as_user, buyer):
    response = as_user(buyer).post(
        "/api/v1/infosec-levels/",
        {"supplier": 999999, "fiscal_year": 2026, "level": 2, "reason": "x"},
    )
    assert response.status_code == 400
    assert "supplier" in response.json()


def test_resubmission_after_return_via_api(as_user, buyer, supplier, supplier_user):
    assessment = submitted(supplier)
    client = as_user(buyer)
    client.post(f"/api/v1/reviews/{assessment.pk}/return/", {"note": "x"})
    assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=supplier_user)
    assert client.post(f"/api/v1/reviews/{assessment.pk}/accept/").status_code == 200
