"""The visits demo: both kinds with findings, items in every state, a plan; made through
the real services and safe to run twice."""

import pytest

from assessments.demo import build_assessment_demo
from assessments.models import ImprovementItem, ImprovementSource
from suppliers import demo
from visits.demo import build_visit_demo
from visits.models import Visit, VisitResult, VisitStatus

pytestmark = pytest.mark.django_db


def test_the_visit_demo_shows_both_kinds_findings_every_item_state_and_a_plan():
    demo.build_demo(suppliers=60)
    build_assessment_demo()
    made = build_visit_demo()
    again = build_visit_demo()
    assert made.visits >= 20 and made.planned == 5 and again.visits == 0
    submitted = Visit.objects.filter(status=VisitStatus.SUBMITTED)
    assert set(submitted.values_list("kind", flat=True)) == {"svr", "infosec"}
    assert set(submitted.values_list("result", flat=True)) == {
        VisitResult.NONE,
        VisitResult.MINOR,
        VisitResult.SIGNIFICANT,
    }
    items = ImprovementItem.objects.filter(source=ImprovementSource.SITE_VISIT)
    assert set(items.values_list("status", flat=True)) == {
        "open",
        "action_plan_submitted",
        "verified",
        "closed",
    }
    assert Visit.objects.filter(status=VisitStatus.DRAFT, follow_ups__isnull=False).exists()
    assert Visit.objects.filter(status=VisitStatus.PLANNED, plan_score__isnull=False).count() == 5
