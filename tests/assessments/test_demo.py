"""The demo start shows the self-assessment working: questionnaires, a supplier's own
assessments (last year accepted and scored, this year carried over), a review queue and
information-security levels. Made by the real services, and safe to run twice."""

import pytest

from assessments.demo import build_assessment_demo
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ImprovementItem,
    InformationSecurityLevel,
    QuestionnaireVersion,
)
from procurement_portal.fiscal import current_fiscal_year
from suppliers import demo

pytestmark = pytest.mark.django_db


def test_demo_assessments_tell_the_whole_story():
    # given the registry demo
    demo.build_demo(suppliers=120)
    # when the assessment demo is built (twice: the second adds nothing)
    made = build_assessment_demo()
    again = build_assessment_demo()
    # then
    year = current_fiscal_year().year
    assert made.questionnaires == 2 and QuestionnaireVersion.objects.count() == 2
    assert again.assessments == 0
    mine = Assessment.objects.filter(supplier__memberships__user__email="supplier@demo.example")
    last_year = mine.get(fiscal_year=year - 1)
    assert last_year.status == AssessmentStatus.ACCEPTED and last_year.overall_score is not None
    assert last_year.risk_scores.count() == 5  # every risk the sustainability SAQ asks about
    this_year = mine.filter(fiscal_year=year)
    assert this_year.count() == 2
    carried = this_year.get(questionnaire__kind="sustainability")
    assert carried.carried_over_from == last_year
    assert carried.answers.filter(carried_over=True).count() > 20
    assert Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).count() >= 20
    assert InformationSecurityLevel.objects.filter(fiscal_year=year).count() >= 20
    assert ImprovementItem.objects.exists()
