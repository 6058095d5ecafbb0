"""The review pages as each kind of user meets them: queue, review, comment (htmx and
plain), return, accept, scores, improvement items and information-security levels."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import (
    AnswerComment,
    AssessmentStatus,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
)
from assessments.review import services
from tests.assessments.test_review_services import GOOD, infosec_version, submitted
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db
S = AssessmentStatus
WEAK = {"forced-labour-policy": "no", "working-hours": "never", "ems": ["eco-action-21"]}


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode() if status == 200 else response


# --- queue -------------------------------------------------------------------------------


def test_queue_lists_submitted_assessments_oldest_first(login, buyer, supplier, other_supplier):
    first = submitted(supplier)
    second = submitted(other_supplier)
    html = page(login(buyer), reverse("assessments:review-queue"))
    assert html.index("ACME-001") < html.index("OTHER-002")
    assert reverse("assessments:review-detail", args=[first.pk]) in html
    assert reverse("assessments:review-detail", args=[second.pk]) in html
    assert "2 self-assessments waiting" in html


def test_queue_filters_by_kind(login, buyer, supplier):
    submitted(supplier)
    isec = submitted(supplier, version=infosec_version(), answers=GOOD)
    html = page(login(buyer), reverse("assessments:review-queue") + "?kind=information_security")
    assert "1 self-assessment waiting" in html
    assert reverse("assessments:review-detail", args=[isec.pk]) in html


def test_queue_reports_a_bad_filter_and_ignores_it(login, buyer, supplier):
    submitted(supplier)
    html = page(login(buyer), reverse("assessments:review-queue") + "?region=mars")
    assert "Region:" in html
    assert "1 self-assessment waiting" in html


def test_queue_for_csco_is_read_only(login, csco, supplier):
    submitted(supplier)
    html = page(login(csco), reverse("assessments:review-queue"))
    assert "Read only" in html
    assert ">View<" in html


@pytest.mark.parametrize("role", ["supplier_user", "other_supplier_user"])
def test_queue_is_not_for_supplier_users(request, login, role):
    client = login(request.getfixturevalue(role))
    assert client.get(reverse("assessments:review-queue")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, supplier):
    assessment = submitted(supplier)
    for url in (
        reverse("assessments:review-queue"),
        reverse("assessments:review-detail", args=[assessment.pk]),
        reverse("assessments:review-scores", args=[assessment.pk]),
        reverse("assessments:items"),
        reverse("assessments:levels"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def _queue_queries(login, buyer, django_assert_max_num_queries):
    client = login(buyer)
    url = reverse("assessments:review-queue")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_queue_queries_do_not_grow_with_rows(login, buyer, supplier, django_assert_max_num_queries):
    submitted(supplier)
    few = _queue_queries(login, buyer, django_assert_max_num_queries)
    for n in range(8):
        submitted(SupplierFactory(), fiscal_year=2026)
    many = _queue_queries(login, buyer, django_assert_max_num_queries)
    assert many == few


# --- review page -------------------------------------------------------------------------


def test_review_page_shows_answers_scores_and_actions(login, buyer, supplier):
    assessment = submitted(supplier, answers=WEAK)
    html = page(login(buyer), reverse("assessments:review-detail", args=[assessment.pk]))
    assert "Question working-hours?" in html
    assert "Never" in html
    assert "score 0/100" in html
    assert "Answers that cost points" in html
    assert "Return for clarification" in html
    assert ">Accept<" in html
    assert "Add comment" in html
    assert "Status history" in html
    assert "High risk" in html  # human rights (200 * 0 + 0) -> 0


def test_review_page_for_csco_has_no_actions(login, csco, supplier):
    assessment = submitted(supplier)
    html = page(login(csco), reverse("assessments:review-detail", args=[assessment.pk]))
    assert "Read only" in html
    assert "Return for clarification" not in html
    assert "Add comment" not in html


def test_csco_cannot_post_review_actions(login, csco, supplier):
    assessment = submitted(supplier)
    client = login(csco)
    answer = assessment.answers.first()
    for url, data in [
        (reverse("assessments:review-accept", args=[assessment.pk]), {}),
        (reverse("assessments:review-return", args=[assessment.pk]), {"note": "x"}),
        (
            reverse("assessments:review-comment-add", args=[assessment.pk, answer.pk]),
            {"body": "x"},
        ),
    ]:
        assert client.post(url, data).status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED
    assert not AnswerComment.objects.exists()


@pytest.mark.parametrize(("role", "code"), [("supplier_user", 403), ("other_supplier_user", 404)])
def test_review_page_is_not_for_supplier_users(request, login, supplier, role, code):
    """Refused to the supplier's own users; another supplier's is not even there (404)."""
    assessment = submitted(supplier)
    client = login(request.getfixturevalue(role))
    response = client.get(reverse("assessments:review-detail", args=[assessment.pk]))
    assert response.status_code == code
    response = client.post(reverse("assessments:review-accept", args=[assessment.pk]))
    assert response.status_code == code
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_infosec_assessor_reads_a_sustainability_review_without_actions(
    login, infosec_assessor, supplier
):
    assessment = submitted(supplier)
    html = page(login(infosec_assessor), reverse("assessments:review-detail", args=[assessment.pk]))
    assert "Return for clarification" not in html


def test_comment_with_htmx_returns_the_comment_list(login, buyer, supplier):
    assessment = submitted(supplier)
    answer = assessment.answers.get(question__code="working-hours")
    url = reverse("assessments:review-comment-add", args=[assessment.pk, answer.pk])
    response = login(buyer).post(url, {"body": "Which sites?"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="comments-{answer.pk}"' in html
    assert "Which sites?" in html
    assert "<html" not in html
    assert AnswerComment.objects.get().body == "Which sites?"


def test_empty_comment_with_htmx_shows_the_problem(login, buyer, supplier):
    assessment = submitted(supplier)
    answer = assessment.answers.first()
    url = reverse("assessments:review-comment-add", args=[assessment.pk, answer.pk])
    html = login(buyer).post(url, {"body": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "Comment: Write a comment." in html
    assert not AnswerComment.objects.exists()


def test_comment_without_javascript_redirects_to_the_answer(login, buyer, supplier):
    assessment = submitted(supplier)
    answer = assessment.answers.first()
    client = login(buyer)
    url = reverse("assessments:review-comment-add", args=[assessment.pk, answer.pk])
    response = client.post(url, {"body": "Please explain."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    html = page(client, response["Location"].split("#")[0])
    assert "Comment added." in html
    assert "Please explain." in html


def test_return_without_note_or_comment_is_refused_with_a_message(login, buyer, supplier):
    assessment = submitted(supplier)
    client = login(buyer)
    response = client.post(reverse("assessments:review-return", args=[assessment.pk]), {"note": ""})
    html = page(client, response["Location"])
    assert "write a note, or comment on at least one answer" in html
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_return_then_accept_after_resubmission(login, buyer, supplier, supplier_user):
    from assessments.workflow import assessment_transition

    assessment = submitted(supplier)
    client = login(buyer)
    client.post(reverse("assessments:review-return", args=[assessment.pk]), {"note": "Sites?"})
    assessment.refresh_from_db()
    assert assessment.status == S.RETURNED
    assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=supplier_user)
    response = client.post(reverse("assessments:review-accept", args=[assessment.pk]))
    html = page(client, response["Location"])
    assert "Accepted. The scores are stored." in html
    assert "Accepted result" in html
    assert "Stored overall score" in html
    assert "Sites?" in html  # the note in the status history


def test_accept_twice_shows_who_accepted(login, buyer, admin_user, supplier):
    assessment = submitted(supplier)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    client = login(admin_user)
    response = client.post(reverse("assessments:review-accept", args=[assessment.pk]))
    html = page(client, response["Location"])
    assert "already accepted by Bunta Buyer" in html


def test_accepting_infosec_shows_the_level(login, buyer, supplier):
    assessment = submitted(supplier, version=infosec_version(), answers=GOOD)
    client = login(buyer)
    response = client.post(reverse("assessments:review-accept", args=[assessment.pk]))
    html = page(client, response["Location"])
    assert 'data-testid="infosec-level"><strong>3</strong>' in html


def _detail_queries(client, url, django_assert_max_num_queries):
    client.get(url)
    with django_assert_max_num_queries(30) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_review_page_queries_do_not_grow_with_answers(
    login, buyer, supplier, django_assert_max_num_queries
):
    client = login(buyer)
    few = submitted(supplier, answers={"forced-labour-policy": "yes"})
    many = submitted(
        SupplierFactory(),
        answers=WEAK | {"headcount": "5", "audit-date": "2026-01-01", "forced-labour-plan": "x"},
    )
    for answer in many.answers.all():
        AnswerComment.objects.create(answer=answer, author=buyer, body="c")
    url = reverse("assessments:review-detail", args=[few.pk])
    n_few = _detail_queries(client, url, django_assert_max_num_queries)
    url = reverse("assessments:review-detail", args=[many.pk])
    n_many = _detail_queries(client, url, django_assert_max_num_queries)
    assert n_many == n_few


# --- scores page -------------------------------------------------------------------------


def test_supplier_sees_scores_after_acceptance(login, buyer, supplier, supplier_user):
    assessment = submitted(supplier, answers=WEAK)
    client = login(supplier_user)
    url = reverse("assessments:review-scores", args=[assessment.pk])
    assert "No scores yet" in page(client, url)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    html = page(client, url)
    assert "Answers that cost points" in html
    assert "Question forced-labour-policy?" in html
    assert "highest score among the selected answers" in html


def test_other_supplier_cannot_see_scores(login, supplier, other_supplier_user, buyer):
    assessment = submitted(supplier)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    client = login(other_supplier_user)
    assert client.get(reverse("assessments:review-scores", args=[assessment.pk])).status_code == 404


def test_staff_see_provisional_scores(login, csco, supplier):
    assessment = submitted(supplier)
    html = page(login(csco), reverse("assessments:review-scores", args=[assessment.pk]))
    assert "Provisional" in html


# --- improvement items -------------------------------------------------------------------


@pytest.fixture
def item(supplier, buyer):
    assessment = submitted(supplier, answers=WEAK)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    return ImprovementItem.objects.get(answer__question__code="forced-labour-policy")


def test_supplier_lists_and_answers_an_item(login, supplier_user, item):
    client = login(supplier_user)
    html = page(client, reverse("assessments:items"))
    assert reverse("assessments:item-detail", args=[item.pk]) in html
    html = page(client, reverse("assessments:item-detail", args=[item.pk]))
    assert "Submit action plan" in html
    assert "Verify" not in html
    url = reverse("assessments:item-action-plan", args=[item.pk])
    response = client.post(url, {"action_plan": ""})
    assert "Write an action plan." in page(client, response["Location"])
    response = client.post(url, {"action_plan": "Adopt the policy by June."})
    html = page(client, response["Location"])
    assert "Action plan submitted." in html
    item.refresh_from_db()
    assert item.status == ImprovementStatus.ACTION_PLAN_SUBMITTED


def test_staff_verify_and_reopen(login, buyer, supplier_user, item):
    from assessments.items import item_action_plan_submit

    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Plan.")
    client = login(buyer)
    html = page(client, reverse("assessments:item-detail", args=[item.pk]))
    assert ">Verify<" in html
    assert "Ask for a better plan" in html
    assert "Submit action plan" not in html
    client.post(reverse("assessments:item-reopen", args=[item.pk]), {"note": "Add dates."})
    item.refresh_from_db()
    assert (item.status, item.review_note) == (ImprovementStatus.OPEN, "Add dates.")
    # the supplier sees the note
    html = page(login(supplier_user), reverse("assessments:item-detail", args=[item.pk]))
    assert "Add dates." in html


def test_staff_item_list_filters(login, buyer, item):
    client = login(buyer)
    html = page(client, reverse("assessments:items-staff") + "?status=open")
    assert "2 items" in html
    html = page(client, reverse("assessments:items-staff") + "?status=closed")
    assert "0 items" in html
    # staff opening the supplier's list are sent to the full one
    response = client.get(reverse("assessments:items"))
    assert response["Location"] == reverse("assessments:items-staff")


def test_other_supplier_cannot_reach_an_item(login, other_supplier_user, item):
    client = login(other_supplier_user)
    assert client.get(reverse("assessments:item-detail", args=[item.pk])).status_code == 404
    response = client.post(
        reverse("assessments:item-action-plan", args=[item.pk]), {"action_plan": "x"}
    )
    assert response.status_code == 404
    assert "2 items" not in page(client, reverse("assessments:items"))


def test_csco_cannot_verify(login, csco, supplier_user, item):
    from assessments.items import item_action_plan_submit

    item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Plan.")
    response = login(csco).post(reverse("assessments:item-verify", args=[item.pk]))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ImprovementStatus.ACTION_PLAN_SUBMITTED


def test_item_list_queries_do_not_grow(login, buyer, supplier, django_assert_max_num_queries):
    client = login(buyer)
    url = reverse("assessments:items-staff")
    assessment = submitted(supplier, answers=WEAK)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(4):
        other = submitted(SupplierFactory(), answers=WEAK)
        services.assessment_accept(actor=buyer, assessment_id=other.pk)
    with django_assert_max_num_queries(12) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- levels ------------------------------------------------------------------------------


@pytest.fixture
def levels(supplier, other_supplier):
    InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=2026, level=3)
    InformationSecurityLevel.objects.create(supplier=other_supplier, fiscal_year=2026, level=1)
    InformationSecurityLevel.objects.create(supplier=other_supplier, fiscal_year=2025, level=3)


def test_levels_lists_suppliers_at_or_above_a_level(login, buyer, levels):
    client = login(buyer)
    html = page(client, reverse("assessments:levels") + "?fiscal_year=2026&min_level=2")
    assert "ACME-001" in html
    assert "OTHER-002" not in html
    assert "Japan" in html  # region column
    assert "1 supplier" in html


def test_levels_csv_export(login, buyer, levels):
    response = login(buyer).get(
        reverse("assessments:levels-export") + "?fiscal_year=2026&min_level=1"
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("supplier code,")
    assert len(lines) == 3
    assert lines[1].startswith("ACME-001,")


def test_levels_page_is_for_staff(login, supplier_user, levels):
    client = login(supplier_user)
    assert client.get(reverse("assessments:levels")).status_code == 403
    assert client.get(reverse("assessments:levels-export")).status_code == 403


def test_supplier_level_page_override_with_and_without_reason(login, buyer, supplier, levels):
    client = login(buyer)
    url = reverse("assessments:level-override", args=[supplier.pk])
    response = client.post(url, {"fiscal_year": 2026, "level": 1, "reason": ""})
    assert response.status_code == 400
    assert "Give a reason for the override." in response.content.decode()
    assert InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026).level == 3
    response = client.post(url, {"fiscal_year": 2026, "level": 1, "reason": "Incident in May"})
    assert response.status_code == 302
    html = page(client, response["Location"])
    assert "Information-security level set." in html
    assert "Incident in May" in html
    assert "History" in html
    assert "Staff set the level to 1. Reason: Incident in May" in html  # in sentences
    assert "→" not in html and "False" not in html  # no raw field changes
    assert "Fields marked * are required." in html
    row = InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026)
    assert (row.level, row.overridden) == (1, True)


def test_supplier_sees_own_level_page_without_override_form(
    login, supplier_user, other_supplier, supplier, levels
):
    client = login(supplier_user)
    html = page(client, reverse("assessments:level-supplier", args=[supplier.pk]))
    assert "Override the level" not in html
    assert (
        client.get(reverse("assessments:level-supplier", args=[other_supplier.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("assessments:level-override", args=[supplier.pk]),
        {"fiscal_year": 2026, "level": 1, "reason": "x"},
    )
    assert response.status_code == 403


def test_csco_cannot_override(login, csco, supplier, levels):
    response = login(csco).post(
        reverse("assessments:level-override", args=[supplier.pk]),
        {"fiscal_year": 2026, "level": 1, "reason": "x"},
    )
    assert response.status_code == 403


def test_levels_page_queries_do_not_grow(login, buyer, django_assert_max_num_queries):
    client = login(buyer)
    url = reverse("assessments:levels") + "?fiscal_year=2026"
    InformationSecurityLevel.objects.create(supplier=SupplierFactory(), fiscal_year=2026, level=2)
    client.get(url)
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(6):
        InformationSecurityLevel.objects.create(
            supplier=SupplierFactory(), fiscal_year=2026, level=3
        )
    with django_assert_max_num_queries(10) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
