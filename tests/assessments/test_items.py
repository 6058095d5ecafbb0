"""Improvement items: raised once per low answer, then followed by the supplier's action
plan and the staff's verify / close / reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import items
from assessments.models import ImprovementItem, ImprovementStatus, Question, ScoringPolicy
from assessments.review import services
from assessments.scoring import current_policy
from assessments.workflow import TransitionConflict
from tests.assessments.test_review_services import submitted

pytestmark = pytest.mark.django_db
ST = ImprovementStatus

WEAK = {"forced-labour-policy": "no", "working-hours": "never", "ems": ["eco-action-21"]}


@pytest.fixture
def accepted(supplier, buyer):
    assessment = submitted(supplier, answers=WEAK)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def item(accepted):
    return ImprovementItem.objects.get(answer__question__code="forced-labour-policy")


def test_every_answer_below_the_threshold_raises_one_item(accepted):
    raised = ImprovementItem.objects.filter(assessment=accepted)
    # "no" (0) and "never" (0) are below 50; Eco Action 21 (80) is not
    assert sorted(i.answer.question.code for i in raised) == [
        "forced-labour-policy",
        "working-hours",
    ]
    item = raised.get(answer__question__code="working-hours")
    assert item.status == ST.OPEN
    assert item.risk.code == "human_rights"
    assert "Question working-hours?" in item.description
    assert "Never" in item.description
    assert item.required_action  # the question has no help: the generic text
    expected_due = timezone.localdate(accepted.reviewed_at) + dt.timedelta(days=90)
    assert item.due_date == expected_due


def test_raising_again_never_duplicates(accepted):
    again = items.items_raise_for_assessment(assessment=accepted, policy=current_policy())
    assert again == []
    assert ImprovementItem.objects.count() == 2


def test_the_question_help_is_the_required_action(supplier, buyer):
    assessment = submitted(supplier, answers=WEAK)
    Question.objects.filter(version=assessment.version, code="working-hours").update(
        help_en="Keep weekly hours within the legal limit and record them."
    )
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    item = ImprovementItem.objects.get(answer__question__code="working-hours")
    assert item.required_action == "Keep weekly hours within the legal limit and record them."


def test_the_threshold_and_due_days_come_from_the_policy(supplier, buyer):
    ScoringPolicy.objects.create(
        name="Demanding",
        improvement_below=90,
        improvement_due_days=30,
        infosec_levels=[{"level": 1, "min_score": 0}],
    )
    assessment = submitted(supplier, answers=WEAK)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    assert ImprovementItem.objects.count() == 3  # Eco Action 21 (80) is now below 90
    assessment.refresh_from_db()
    due = {i.due_date for i in ImprovementItem.objects.all()}
    assert due == {timezone.localdate(assessment.reviewed_at) + dt.timedelta(days=30)}


def test_supplier_plan_then_staff_verify_and_close(item, supplier_user, buyer):
    items.item_action_plan_submit(
        actor=supplier_user, item_id=item.pk, action_plan="Adopt a policy by June."
    )
    item.refresh_from_db()
    assert item.status == ST.ACTION_PLAN_SUBMITTED
    assert item.action_plan == "Adopt a policy by June."
    assert item.action_plan_submitted_at is not None
    items.item_verify(actor=buyer, item_id=item.pk)
    item.refresh_from_db()
    assert (item.status, item.verified_by) == (ST.VERIFIED, buyer)
    items.item_close(actor=buyer, item_id=item.pk, note="Policy seen.")
    item.refresh_from_db()
    assert item.status == ST.CLOSED
    assert item.closed_at is not None
    assert item.review_note == "Policy seen."


def test_staff_reopen_with_a_note_asks_for_a_better_plan(item, supplier_user, buyer):
    items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Later.")
    with pytest.raises(ValidationError) as exc:
        items.item_reopen(actor=buyer, item_id=item.pk, note="")
    assert "note" in exc.value.message_dict
    items.item_reopen(actor=buyer, item_id=item.pk, note="Give dates and an owner.")
    item.refresh_from_db()
    assert (item.status, item.review_note) == (ST.OPEN, "Give dates and an owner.")
    # and the supplier can send a new plan
    items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="By 1 June.")
    item.refresh_from_db()
    assert item.status == ST.ACTION_PLAN_SUBMITTED


def test_a_plan_is_required(item, supplier_user):
    with pytest.raises(ValidationError) as exc:
        items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="  ")
    assert "action_plan" in exc.value.message_dict
    item.refresh_from_db()
    assert item.status == ST.OPEN


@pytest.mark.parametrize(
    "step",
    [
        lambda item, supplier_user, buyer: items.item_verify(actor=buyer, item_id=item.pk),
        lambda item, supplier_user, buyer: items.item_close(actor=buyer, item_id=item.pk),
        lambda item, supplier_user, buyer: items.item_reopen(
            actor=buyer, item_id=item.pk, note="x"
        ),
    ],
    ids=["verify-open", "close-open", "reopen-open"],
)
def test_steps_from_the_wrong_state_are_conflicts(item, supplier_user, buyer, step):
    with pytest.raises(TransitionConflict):
        step(item, supplier_user, buyer)
    item.refresh_from_db()
    assert item.status == ST.OPEN


def test_a_second_plan_is_a_conflict(item, supplier_user):
    items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="One.")
    with pytest.raises(TransitionConflict):
        items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Two.")
    item.refresh_from_db()
    assert item.action_plan == "One."


def test_wrong_people(item, other_supplier_user, buyer, csco, supplier_user):
    with pytest.raises(ImprovementItem.DoesNotExist):
        items.item_action_plan_submit(actor=other_supplier_user, item_id=item.pk, action_plan="x")
    with pytest.raises(PermissionDenied):
        items.item_action_plan_submit(actor=buyer, item_id=item.pk, action_plan="x")
    items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="ok")
    for user in (csco, supplier_user):
        with pytest.raises(PermissionDenied):
            items.item_verify(actor=user, item_id=item.pk)
    item.refresh_from_db()
    assert item.status == ST.ACTION_PLAN_SUBMITTED


def test_information_security_assessors_follow_up_only_information_security_items(
    item, supplier_user, infosec_assessor, buyer
):
    from suppliers.models import PriorityRisk

    # given a plan submitted for a human-rights item
    items.item_action_plan_submit(actor=supplier_user, item_id=item.pk, action_plan="Adopt it")
    # then an information-security assessor may not verify it, but procurement may
    with pytest.raises(PermissionDenied):
        items.item_verify(actor=infosec_assessor, item_id=item.pk)
    assert not items.may_follow_up(infosec_assessor, item)
    # and once the item is about information security, the assessor may
    item.risk = PriorityRisk.objects.get(code="information_security")
    item.save(update_fields=["risk"])
    assert items.may_follow_up(infosec_assessor, item)
    assert items.item_verify(actor=infosec_assessor, item_id=item.pk).status == ST.VERIFIED
    assert items.may_follow_up(buyer, item)
