"""The scoring engine on the builders' questionnaire: weights, N/A, show-if, multiple
choice, rating bands from the policy, and storing the result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import (
    Answer,
    Assessment,
    Question,
    Rating,
    RiskScore,
    ScoringPolicy,
)
from assessments.scoring import (
    NoScoringPolicy,
    assessment_score_save,
    compute,
    current_policy,
)
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db


def answer(assessment: Assessment, code: str, value=None, **kw) -> Answer:
    question = Question.objects.get(version=assessment.version, code=code)
    return Answer.objects.create(assessment=assessment, question=question, value=value, **kw)


@pytest.fixture
def assessment(supplier):
    return build_assessment(supplier=supplier)


def risk_score(report, code):
    return next(r for r in report.risks if r.risk.code == code)


def test_weighted_scores_per_risk_and_overall(assessment):
    # given policy "yes" (100, weight 2), working hours "mostly" (50, weight 1), EMS ISO
    answer(assessment, "forced-labour-policy", "yes")
    answer(assessment, "working-hours", "mostly")
    answer(assessment, "ems", ["iso14001"])
    answer(assessment, "headcount", "12")
    # when it is scored
    report = compute(assessment)
    # then human rights is (200 + 50) / 300 and the environment is full marks
    hr = risk_score(report, "human_rights")
    assert (hr.earned, hr.possible, hr.score) == (Decimal(250), Decimal(300), Decimal("83.3"))
    assert risk_score(report, "environment").score == Decimal(100)
    # overall (250 + 100) / 400
    assert report.overall == Decimal("87.5")
    assert report.rating == Rating.LOW
    assert hr.rating == Rating.LOW


def test_the_answers_that_cost_points_are_listed_biggest_loss_first(assessment):
    answer(assessment, "forced-labour-policy", "no")
    answer(assessment, "working-hours", "mostly")
    answer(assessment, "ems", ["iso14001"])
    report = compute(assessment)
    lost = [(lp.question.code, lp.answer_label, lp.points_lost) for lp in report.lost]
    assert lost == [
        ("forced-labour-policy", "No", Decimal(200)),
        ("working-hours", "Mostly", Decimal(50)),
    ]


def test_not_applicable_is_left_out(assessment):
    answer(assessment, "forced-labour-policy", "yes")
    answer(assessment, "working-hours", None, not_applicable=True)
    report = compute(assessment)
    hr = risk_score(report, "human_rights")
    assert (hr.earned, hr.possible, hr.score) == (Decimal(200), Decimal(200), Decimal(100))
    assert all(lp.question.code != "working-hours" for lp in report.lost)


def test_not_applicable_where_not_allowed_counts_as_unanswered(assessment):
    answer(assessment, "forced-labour-policy", None, not_applicable=True)
    answer(assessment, "working-hours", "always")
    report = compute(assessment)
    assert risk_score(report, "human_rights").possible == Decimal(300)
    assert report.lost[0].question.code == "forced-labour-policy"


def test_a_hidden_question_does_not_count(supplier):
    # given a scored question shown only if the policy answer is "no"
    version = build_version(code="showif")
    plan = Question.objects.get(version=version, code="forced-labour-plan")
    plan.type = "yes_no"
    plan.weight = Decimal(1)
    plan.save()
    plan.choices.create(code="yes", label_en="Yes", score=100)
    plan.choices.create(code="no", label_en="No", score=0)
    a = build_assessment(supplier=supplier, version=version)
    answer(a, "forced-labour-policy", "yes")
    answer(a, "forced-labour-plan", "no")  # left over from an earlier "no"
    answer(a, "working-hours", "always")
    # then the hidden plan question neither earns nor costs anything
    hr = risk_score(compute(a), "human_rights")
    assert hr.possible == Decimal(300)
    assert hr.score == Decimal(100)
    # and once the condition is met it counts
    Answer.objects.filter(assessment=a, question__code="forced-labour-policy").update(value="no")
    hr = risk_score(compute(a), "human_rights")
    assert hr.possible == Decimal(400)
    assert hr.earned == Decimal(100)


def test_multiple_choice_counts_its_best_selected_answer(assessment):
    answer(assessment, "ems", ["none", "eco-action-21"])
    assert risk_score(compute(assessment), "environment").score == Decimal(80)
    Answer.objects.filter(assessment=assessment).update(value=["eco-action-21", "iso14001"])
    assert risk_score(compute(assessment), "environment").score == Decimal(100)


def test_unanswered_scored_question_costs_all_its_points(assessment):
    answer(assessment, "forced-labour-policy", "yes")
    report = compute(assessment)
    hr = risk_score(report, "human_rights")
    assert (hr.earned, hr.possible) == (Decimal(200), Decimal(300))
    assert risk_score(report, "environment").score == Decimal(0)
    assert {lp.answer_label for lp in report.lost} == {"Not answered"}


def test_no_scored_answer_gives_no_score(supplier):
    version = build_version(code="unscored")
    Question.objects.filter(version=version).update(weight=0)
    report = compute(build_assessment(supplier=supplier, version=version))
    assert report.overall is None
    assert report.rating == ""
    assert report.risks == []


def test_the_policy_bands_decide_the_rating(assessment):
    answer(assessment, "forced-labour-policy", "yes")
    answer(assessment, "working-hours", "mostly")
    answer(assessment, "ems", ["iso14001"])
    # when the same answers (87.5) are judged by policies with other bands
    stricter = ScoringPolicy(name="Stricter", low_risk_min=95, medium_risk_min=85)
    strictest = ScoringPolicy(name="Strictest", low_risk_min=95, medium_risk_min=90)
    # then the rating follows the bands, not constants
    assert compute(assessment, policy=current_policy()).rating == Rating.LOW
    assert compute(assessment, policy=stricter).rating == Rating.MEDIUM
    assert compute(assessment, policy=strictest).rating == Rating.HIGH


def test_a_newer_policy_is_the_current_one(assessment):
    answer(assessment, "forced-labour-policy", "yes")
    answer(assessment, "working-hours", "mostly")
    answer(assessment, "ems", ["iso14001"])
    ScoringPolicy.objects.create(name="Strict", low_risk_min=95, medium_risk_min=85)
    assert current_policy().name == "Strict"
    assert compute(assessment).rating == Rating.MEDIUM


def test_the_migrations_seed_the_default_policy():
    policy = current_policy()
    assert policy.name == "Default policy"
    assert (policy.low_risk_min, policy.medium_risk_min) == (80, 50)
    assert policy.infosec_level_for(Decimal(85)) == 3


def test_current_policy_only_reads():
    # a read path asking for the policy issues one SELECT and nothing else
    with CaptureQueriesContext(connection) as queries:
        current_policy()
    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().upper().startswith("SELECT")


def test_current_policy_without_an_active_policy_is_a_clear_error():
    ScoringPolicy.objects.update(is_active=False)
    with CaptureQueriesContext(connection) as queries, pytest.raises(NoScoringPolicy) as err:
        current_policy()
    assert "manage.py migrate" in str(err.value)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries)
    assert not ScoringPolicy.objects.filter(is_active=True).exists()


def test_compute_writes_nothing_and_uses_fixed_queries(assessment, django_assert_num_queries):
    answer(assessment, "forced-labour-policy", "yes")
    answer(assessment, "ems", ["iso14001"])
    current_policy()
    with django_assert_num_queries(4):  # policy, questions, choices, answers
        compute(assessment)
    assert not RiskScore.objects.exists()
    assert Answer.objects.filter(score__isnull=False).count() == 0


def test_saving_scores_stores_everything_and_is_idempotent(assessment):
    # given answers
    policy_answer = answer(assessment, "forced-labour-policy", "yes")
    hours = answer(assessment, "working-hours", "mostly")
    headcount = answer(assessment, "headcount", "12")
    answer(assessment, "ems", ["iso14001"])
    # when the scores are saved twice
    first = assessment_score_save(assessment_id=assessment.pk)
    second = assessment_score_save(assessment_id=assessment.pk)
    # then the same figures are stored once
    assert first.overall == second.overall == Decimal("87.5")
    assessment.refresh_from_db()
    assert assessment.overall_score == Decimal("87.5")
    assert assessment.rating == Rating.LOW
    assert assessment.scoring_policy == current_policy()
    rows = {r.risk.code: r.score for r in RiskScore.objects.filter(assessment=assessment)}
    assert rows == {"human_rights": Decimal("83.3"), "environment": Decimal(100)}
    for a, expected in [(policy_answer, 100), (hours, 50), (headcount, None)]:
        a.refresh_from_db()
        assert a.score == (Decimal(expected) if expected is not None else None)
