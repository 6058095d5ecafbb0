"""The pages of items 4 and 5 as people use them: the notice preferences page (both sides,
both languages), the return note on the overview, replying and resolving in a thread."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.models import Answer, AnswerComment, AssessmentStatus, Question
from assessments.review import services
from assessments.workflow import assessment_transition
from procurement_portal.notifications import kinds as K
from procurement_portal.notifications.models import NotificationPreferences
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db
PREFS = "/notifications/preferences/"
ANSWERS = {
    "forced-labour-policy": "yes",
    "working-hours": "mostly",
    "headcount": "120",
    "ems": ["none"],
}


@pytest.fixture
def returned(supplier, supplier_user, buyer):
    """A returned assessment with a note and one comment on the working-hours answer."""
    assessment = build_assessment(supplier=supplier, version=build_version())
    for code, value in ANSWERS.items():
        question = Question.objects.get(version=assessment.version, code=code)
        Answer.objects.create(assessment=assessment, question=question, value=value)
    assessment_transition(assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=None)
    answer = assessment.answers.get(question__code="working-hours")
    comment = services.answer_comment_add(
        actor=buyer, answer_id=answer.pk, body="Does this cover Osaka?"
    )
    services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="Sites, please.")
    return assessment, comment


def test_preferences_need_a_login(client):
    response = client.get(PREFS)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_supplier_turns_a_notice_off_in_japanese(login, supplier_user):
    client = login(supplier_user)
    html = client.get(PREFS, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "メール通知" in html
    assert "セルフアセスメントが承認されたとき" in html  # optional: a checkbox
    assert "プログラムで必須のため常に送信" in html  # returned, reopened, overdue
    assert 'name="digest"' not in html  # the digest is for staff
    assert "差し戻したセルフアセスメントが再提出されたとき" not in html  # a staff notice
    keep = [K.ITEMS_RAISED, K.ITEM_VERIFIED, K.ITEM_CLOSED, K.LEVEL_OVERRIDDEN]
    response = client.post(PREFS, {"enabled_kinds": keep})
    assert response.status_code == 302
    prefs = NotificationPreferences.objects.get(user=supplier_user)
    assert set(prefs.disabled_kinds) == {K.ASSESSMENT_ACCEPTED, K.REVIEWER_REPLIED}
    html = client.get(PREFS).content.decode()
    assert re.search(rf'value="{K.ITEMS_RAISED}"[^>]*checked', html)
    assert not re.search(rf'value="{K.ASSESSMENT_ACCEPTED}"[^>]*checked', html)


def test_staff_choose_the_daily_digest(login, buyer):
    client = login(buyer)
    html = client.get(PREFS).content.decode()
    assert "One daily digest" in html and "A supplier submits an action plan" in html
    assert "A self-assessment is accepted" not in html  # a supplier notice
    response = client.post(PREFS, {"enabled_kinds": [K.ACTION_PLAN_SUBMITTED], "digest": "1"})
    assert response.status_code == 302
    prefs = NotificationPreferences.objects.get(user=buyer)
    assert prefs.digest is True
    assert set(prefs.disabled_kinds) == {K.ASSESSMENT_RESUBMITTED, K.SUPPLIER_REPLIED}


def test_preferences_refuse_a_kind_of_the_other_side(login, supplier_user):
    response = login(supplier_user).post(PREFS, {"enabled_kinds": [K.ACTION_PLAN_SUBMITTED]})
    assert response.status_code == 400
    assert not NotificationPreferences.objects.filter(user=supplier_user).exists()


def test_overview_shows_the_return_note_and_the_commented_answers(login, supplier_user, returned):
    assessment, _comment = returned
    html = login(supplier_user).get(f"/assessments/{assessment.pk}/").content.decode()
    assert 'data-testid="return-note"' in html
    assert "Sites, please." in html and "Returned by Bunta Buyer" in html
    section = reverse("assessments:section", kwargs={"pk": assessment.pk, "section_code": "people"})
    assert f'href="{section}#q-working-hours"' in html
    assert "Does this cover Osaka?" in html


def test_supplier_replies_in_the_thread_from_the_section_page(
    login, supplier_user, buyer, returned
):
    assessment, comment = returned
    client = login(supplier_user)
    section = f"/assessments/{assessment.pk}/sections/people/"
    html = client.get(section).content.decode()
    assert "Does this cover Osaka?" in html and "Sites, please." in html
    reply_url = f"/assessments/review/{assessment.pk}/comments/{comment.pk}/reply/"
    assert f'action="{reply_url}"' in html

    response = client.post(reply_url, {"body": "Yes, all three sites."})
    assert response.status_code == 302
    assert response["Location"] == f"{section}#q-working-hours"
    reply = AnswerComment.objects.get(parent=comment)
    assert reply.author == supplier_user
    html = client.get(section).content.decode()
    assert "Yes, all three sites." in html and "Your reply is posted." in html

    response = client.post(reply_url, {"body": "   "})  # empty: a message, nothing saved
    assert response.status_code == 302
    assert "Write a reply." in client.get(section).content.decode()
    assert AnswerComment.objects.filter(parent=comment).count() == 1

    # the reviewer sees it on the review page, answers and resolves
    staff = login(buyer)
    html = staff.get(f"/assessments/review/{assessment.pk}/").content.decode()
    assert "Yes, all three sites." in html and "Mark resolved" in html
    resolve = f"/assessments/review/{assessment.pk}/comments/{comment.pk}/resolve/"
    response = staff.post(resolve)
    assert response.status_code == 302 and "#answer-" in response["Location"]
    comment.refresh_from_db()
    assert comment.resolved_by == buyer


def test_supplier_cannot_resolve_and_others_reach_nothing(
    client, supplier_user, other_supplier_user, returned
):
    assessment, comment = returned
    client.force_login(supplier_user)
    resolve = f"/assessments/review/{assessment.pk}/comments/{comment.pk}/resolve/"
    assert client.post(resolve).status_code == 403
    client.force_login(other_supplier_user)
    reply = f"/assessments/review/{assessment.pk}/comments/{comment.pk}/reply/"
    assert client.post(reply, {"body": "hello"}).status_code == 404
    assert client.post(resolve).status_code == 404
    comment.refresh_from_db()
    assert comment.resolved_at is None and not comment.replies.exists()


def test_resolved_thread_stays_readable_after_acceptance(login, supplier_user, buyer, returned):
    assessment, comment = returned
    services.answer_comment_reply(actor=supplier_user, comment_id=comment.pk, body="All sites")
    assessment_transition(
        assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=supplier_user
    )
    services.answer_comment_resolve(actor=buyer, comment_id=comment.pk)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    html = login(supplier_user).get(f"/assessments/{assessment.pk}/sections/people/")
    html = html.content.decode()
    assert "Does this cover Osaka?" in html and "All sites" in html and "Resolved" in html
    assert "/reply/" not in html  # no more replies once accepted


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_threads_and_return_note_cost_the_same_queries_however_many(
    login, supplier_user, buyer, returned
):
    assessment, comment = returned
    client = login(supplier_user)
    section = f"/assessments/{assessment.pk}/sections/people/"
    overview = f"/assessments/{assessment.pk}/"
    client.get(section)  # warm the session and the caches
    before = (_queries(client, section), _queries(client, overview))
    for code in ("forced-labour-policy", "headcount"):
        answer = assessment.answers.get(question__code=code)
        root = AnswerComment.objects.create(answer=answer, author=buyer, body=f"Why {code}?")
        AnswerComment.objects.create(answer=answer, parent=root, author=supplier_user, body="Ok")
        AnswerComment.objects.create(answer=answer, parent=root, author=buyer, body="Thanks")
    services.answer_comment_reply(actor=supplier_user, comment_id=comment.pk, body="All")
    after = (_queries(client, section), _queries(client, overview))
    assert after == before
