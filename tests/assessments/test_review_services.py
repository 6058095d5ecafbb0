"""The review flow as a reviewer and a supplier live it: comment, return, fix and
resubmit, accept; scores stored, the information-security level set, items raised.

The supplier's side (answering) is another module's: here answers are written with the
models and the status moves with ``assessment_transition``, as that side does.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments.models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    ImprovementItem,
    InformationSecurityLevel,
    Question,
    QuestionnaireKind,
    QuestionnaireVersion,
    RiskScore,
)
from assessments.review import services
from assessments.workflow import TransitionConflict, assessment_transition
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db
S = AssessmentStatus

GOOD = {"forced-labour-policy": "yes", "working-hours": "always", "ems": ["iso14001"]}
MIXED = {"forced-labour-policy": "yes", "working-hours": "mostly", "ems": ["none"]}


def fill(assessment: Assessment, answers: dict) -> dict[str, Answer]:
    made = {}
    for code, value in answers.items():
        question = Question.objects.get(version=assessment.version, code=code)
        made[code], _ = Answer.objects.update_or_create(
            assessment=assessment, question=question, defaults={"value": value}
        )
    return made


def shared_version(code: str = "test-saq", **kw) -> QuestionnaireVersion:
    """The builders' questionnaire, built once per test and reused by every assessment."""
    existing = QuestionnaireVersion.objects.filter(questionnaire__code=code).first()
    return existing or build_version(code=code, **kw)


def submitted(supplier, *, answers=None, version=None, user=None, **kw) -> Assessment:
    """An assessment answered and submitted by the supplier."""
    version = version or shared_version()
    assessment = build_assessment(supplier=supplier, version=version, **kw)
    fill(assessment, MIXED if answers is None else answers)
    return assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=user)


def infosec_version():
    return shared_version("isec", kind=QuestionnaireKind.INFORMATION_SECURITY)


def test_reviewer_comments_on_an_answer(supplier, buyer):
    assessment = submitted(supplier)
    answer = assessment.answers.get(question__code="working-hours")
    comment = services.answer_comment_add(
        actor=buyer, answer_id=answer.pk, body="  Which sites does this cover?  "
    )
    assert comment.body == "Which sites does this cover?"
    assert comment.author == buyer


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a comment."), ("x" * 4001, "Keep it to 4000 characters")],
)
def test_a_comment_needs_a_body_of_sensible_length(supplier, buyer, body, message):
    answer = submitted(supplier).answers.first()
    with pytest.raises(ValidationError) as exc:
        services.answer_comment_add(actor=buyer, answer_id=answer.pk, body=body)
    assert message in exc.value.message_dict["body"][0]
    assert not AnswerComment.objects.exists()


def test_a_supplier_user_cannot_comment_as_reviewer(supplier, supplier_user):
    answer = submitted(supplier).answers.first()
    with pytest.raises(PermissionDenied):
        services.answer_comment_add(actor=supplier_user, answer_id=answer.pk, body="ok?")


def test_another_suppliers_answer_is_not_found(other_supplier, supplier_user):
    answer = submitted(other_supplier).answers.first()
    with pytest.raises(Answer.DoesNotExist):
        services.answer_comment_add(actor=supplier_user, answer_id=answer.pk, body="hi")


def test_no_comments_on_an_accepted_assessment(supplier, buyer):
    assessment = submitted(supplier)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    with pytest.raises(TransitionConflict):
        services.answer_comment_add(
            actor=buyer, answer_id=assessment.answers.first().pk, body="late"
        )


def test_return_needs_a_note_or_a_comment(supplier, buyer):
    assessment = submitted(supplier)
    with pytest.raises(ValidationError) as exc:
        services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="  ")
    assert "note" in exc.value.message_dict
    assessment.refresh_from_db()
    assert assessment.status == S.SUBMITTED


def test_return_with_only_a_comment(supplier, buyer):
    assessment = submitted(supplier)
    services.answer_comment_add(
        actor=buyer, answer_id=assessment.answers.first().pk, body="Please add the sites."
    )
    returned = services.assessment_return(actor=buyer, assessment_id=assessment.pk)
    assert returned.status == S.RETURNED


def test_the_whole_round_trip(supplier, supplier_user, buyer):
    # given a submitted assessment with a weak working-hours answer
    assessment = submitted(supplier, user=supplier_user)
    hours = assessment.answers.get(question__code="working-hours")
    # when the reviewer comments and returns it
    services.answer_comment_add(actor=buyer, answer_id=hours.pk, body="Is this for all sites?")
    services.assessment_return(actor=buyer, assessment_id=assessment.pk, note="See comment.")
    # and the supplier fixes the answer and resubmits
    hours.value = "always"
    hours.save()
    assessment_transition(assessment_id=assessment.pk, to=S.SUBMITTED, actor=supplier_user)
    # and the reviewer accepts
    report = services.assessment_accept(actor=buyer, assessment_id=assessment.pk, note="Thanks")
    # then the status history tells the story with who and when
    events = list(AssessmentEvent.objects.filter(assessment=assessment).order_by("at", "id"))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        (S.NOT_STARTED, S.SUBMITTED, supplier_user),
        (S.SUBMITTED, S.RETURNED, buyer),
        (S.RETURNED, S.SUBMITTED, supplier_user),
        (S.SUBMITTED, S.ACCEPTED, buyer),
    ]
    assert events[1].note == "See comment."
    # and the scores are stored: human rights full, environment "none" = 0
    assessment.refresh_from_db()
    assert assessment.status == S.ACCEPTED
    assert assessment.overall_score == report.overall == Decimal(75)
    assert {r.risk.code: r.score for r in RiskScore.objects.filter(assessment=assessment)} == {
        "human_rights": Decimal(100),
        "environment": Decimal(0),
    }
    hours.refresh_from_db()
    assert hours.score == Decimal(100)
    # and the one answer below the threshold raised one improvement item
    item = ImprovementItem.objects.get()
    assert item.answer.question.code == "ems"
    assert item.risk.code == "environment"
    assert item.supplier == supplier
    # a sustainability questionnaire sets no information-security level
    assert not InformationSecurityLevel.objects.exists()


def test_accepting_twice_is_a_conflict_that_names_who(supplier, buyer, admin_user):
    assessment = submitted(supplier)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    stored = Assessment.objects.get(pk=assessment.pk).updated_at
    with pytest.raises(TransitionConflict) as exc:
        services.assessment_accept(actor=admin_user, assessment_id=assessment.pk)
    assert "already accepted by Bunta Buyer" in exc.value.message
    with pytest.raises(TransitionConflict):
        services.assessment_return(actor=admin_user, assessment_id=assessment.pk, note="x")
    assert Assessment.objects.get(pk=assessment.pk).updated_at == stored
    assert AssessmentEvent.objects.filter(to_status=S.ACCEPTED).count() == 1
    assert ImprovementItem.objects.count() == 1


def test_an_assessment_in_progress_cannot_be_accepted(supplier, buyer):
    assessment = build_assessment(supplier=supplier)
    with pytest.raises(TransitionConflict):
        services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    assert not RiskScore.objects.exists()


def test_the_csco_and_supplier_users_cannot_decide(supplier, csco, supplier_user):
    assessment = submitted(supplier)
    for user in (csco, supplier_user):
        with pytest.raises(PermissionDenied):
            services.assessment_accept(actor=user, assessment_id=assessment.pk)
    assert Assessment.objects.get(pk=assessment.pk).status == S.SUBMITTED


def test_infosec_assessors_review_only_information_security(supplier, infosec_assessor):
    sustainability = submitted(supplier)
    with pytest.raises(PermissionDenied):
        services.assessment_accept(actor=infosec_assessor, assessment_id=sustainability.pk)
    isec = submitted(supplier, version=infosec_version(), answers=GOOD)
    services.assessment_accept(actor=infosec_assessor, assessment_id=isec.pk)
    assert Assessment.objects.get(pk=isec.pk).status == S.ACCEPTED


# --- information-security levels --------------------------------------------------------


def test_accepting_an_infosec_assessment_sets_the_level(supplier, buyer):
    # given an information-security assessment scoring 95 (default levels 0/60/80)
    assessment = submitted(
        supplier, version=infosec_version(), answers=GOOD | {"ems": ["eco-action-21"]}
    )
    # when it is accepted
    report = services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    # then the supplier's level for that fiscal year follows the score
    assert report.overall == Decimal(95)
    level = InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026)
    assert (level.level, level.computed_level, level.overridden) == (3, 3, False)
    assert level.assessment_id == assessment.pk


def test_a_lower_score_gives_a_lower_level(supplier, buyer):
    assessment = submitted(supplier, version=infosec_version(), answers=MIXED)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    # (200 + 50 + 0) / 400 = 62.5 -> level 2
    assert InformationSecurityLevel.objects.get(supplier=supplier).level == 2


def test_override_needs_a_reason_and_a_known_level(supplier, buyer):
    with pytest.raises(ValidationError) as exc:
        services.infosec_level_override(
            actor=buyer, supplier_id=supplier.pk, fiscal_year=2026, level=2, reason=" "
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.infosec_level_override(
            actor=buyer, supplier_id=supplier.pk, fiscal_year=2026, level=7, reason="Audit"
        )
    assert "1, 2, 3" in exc.value.message_dict["level"][0]
    assert not InformationSecurityLevel.objects.exists()


def test_override_is_kept_when_a_later_assessment_is_accepted(supplier, buyer):
    # given staff set level 1 with a reason
    services.infosec_level_override(
        actor=buyer,
        supplier_id=supplier.pk,
        fiscal_year=2026,
        level=1,
        reason="Data leak reported in May",
    )
    # when the year's information-security assessment is accepted with a high score
    assessment = submitted(supplier, version=infosec_version(), answers=GOOD)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    # then the override stands and the computed level is recorded next to it
    level = InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026)
    assert (level.level, level.computed_level, level.overridden) == (1, 3, True)
    assert level.override_reason == "Data leak reported in May"
    assert level.set_by == buyer


def test_override_of_an_existing_level_and_its_history(supplier, buyer):
    from auditlog.models import LogEntry

    assessment = submitted(supplier, version=infosec_version(), answers=GOOD)
    services.assessment_accept(actor=buyer, assessment_id=assessment.pk)
    row = services.infosec_level_override(
        actor=buyer, supplier_id=supplier.pk, fiscal_year=2026, level=2, reason="Audit found gaps"
    )
    assert (row.level, row.computed_level, row.overridden) == (2, 3, True)
    assert LogEntry.objects.get_for_object(row).count() == 2  # created, then overridden


def test_only_reviewers_override(supplier, csco, supplier_user):
    for user in (csco, supplier_user):
        with pytest.raises(PermissionDenied):
            services.infosec_level_override(
                actor=user, supplier_id=supplier.pk, fiscal_year=2026, level=1, reason="x"
            )
