"""Comment threads over the API: the permission matrix of reply and resolve."""

from __future__ import annotations

import pytest

from assessments.models import AnswerComment, AssessmentStatus
from assessments.review import services
from assessments.workflow import assessment_transition
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(supplier, buyer):
    assessment = build_assessment(supplier=supplier, version=build_version())
    assessment_transition(assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=None)
    from assessments.models import Answer, Question

    question = Question.objects.get(version=assessment.version, code="working-hours")
    answer = Answer.objects.create(assessment=assessment, question=question, value="mostly")
    root = services.answer_comment_add(actor=buyer, answer_id=answer.pk, body="Which sites?")
    return assessment, root


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_supplier_replies_once_returned(api_client, thread, supplier_user, buyer):
    assessment, root = thread
    url = f"/api/v1/answer-comments/{root.pk}/reply/"
    client = _as(api_client, supplier_user)
    assert client.post(url, {"body": "All"}, format="json").status_code == 404  # in review
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    response = client.post(url, {"body": "All three sites"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == root.pk
    assert response.json()["body"] == "All three sites"
    response = client.post(url, {"body": ""}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    listed = client.get(f"/api/v1/answer-comments/?assessment={assessment.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["parent"] for r in rows] == [None, root.pk]


def test_reply_and_resolve_matrix(
    api_client, thread, supplier_user, other_supplier_user, buyer, csco
):
    assessment, root = thread
    services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    reply = f"/api/v1/answer-comments/{root.pk}/reply/"
    resolve = f"/api/v1/answer-comments/{root.pk}/resolve/"
    assert api_client.post(reply, {"body": "x"}, format="json").status_code in (401, 403)
    other = _as(api_client, other_supplier_user)
    assert other.post(reply, {"body": "x"}, format="json").status_code == 404
    assert other.post(resolve, {}, format="json").status_code == 404
    assert _as(api_client, csco).post(reply, {"body": "x"}, format="json").status_code == 403
    assert _as(api_client, csco).post(resolve, {}, format="json").status_code == 403
    assert _as(api_client, supplier_user).post(resolve, {}, format="json").status_code == 403
    response = _as(api_client, buyer).post(resolve, {}, format="json")
    assert response.status_code == 200 and response.json()["resolved_at"]
    response = _as(api_client, supplier_user).post(reply, {"body": "late"}, format="json")
    assert response.status_code == 400  # a resolved thread takes no replies
    response = _as(api_client, buyer).post(resolve, {"resolved": False}, format="json")
    assert response.status_code == 200 and response.json()["resolved_at"] is None
    assert not AnswerComment.objects.filter(parent=root).exists()
