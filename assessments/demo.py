"""Demo self-assessments for the two-command start (called by ``manage.py seed_demo``).

Loads the two shipped questionnaires and gives the demo data something to show:

* the demo supplier user's company answered and had accepted last year's sustainability
  SAQ (scored, with improvement items for its weaker answers); this year's is assigned,
  pre-filled from last year (carried over, waiting for confirmation), and the
  information-security SAQ is assigned and not started;
* a few dozen other suppliers have submitted this year's sustainability SAQ, so the
  review queue has work, and some have accepted information-security results, so the
  levels page lists suppliers.

Deterministic (a seeded random generator) and safe to run again: what exists is kept.
Answers are written as the supplier's answering would store them, then moved through the
real workflow and review services, so scores, levels and items come from the real code.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from procurement_portal.accounts.models import Role, SupplierMembership, User
from procurement_portal.fiscal import current_fiscal_year
from suppliers.models import Supplier

from .answering.selectors import visible_question_ids
from .answering.services import assessment_assign
from .authoring.services import load_shipped_questionnaires
from .models import Answer, Assessment, AssessmentStatus, QuestionnaireKind, QuestionType
from .review.services import assessment_accept
from .workflow import assessment_transition

SEED = 20
QUEUE_SUPPLIERS = 24
INFOSEC_SUPPLIERS = 30


@dataclass
class AssessmentDemoResult:
    questionnaires: int = 0
    assessments: int = 0


def build_assessment_demo(*, seed: int = SEED) -> AssessmentDemoResult:
    """Questionnaires and demo assessments (see the module docstring)."""
    result = AssessmentDemoResult()
    versions = {v.questionnaire.kind: v for v in load_shipped_questionnaires(actor=None)}
    result.questionnaires = len(versions)
    buyer = User.objects.filter(role=Role.PROCUREMENT, email="buyer@demo.example").first()
    membership = SupplierMembership.objects.filter(user__email="supplier@demo.example").first()
    if buyer is None or membership is None:
        return result
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    year = current_fiscal_year().year
    today = timezone.localdate()
    sustainability = versions[QuestionnaireKind.SUSTAINABILITY]
    infosec = versions[QuestionnaireKind.INFORMATION_SECURITY]
    home = membership.supplier
    supplier_user = membership.user

    before = Assessment.objects.count()
    _answered_and_accepted(
        rng, supplier=home, version=sustainability, year=year - 1, buyer=buyer, user=supplier_user
    )
    for version, due in ((sustainability, 45), (infosec, 75)):
        assessment_assign(
            actor=buyer,
            supplier=home,
            version=version,
            fiscal_year=year,
            due_date=today + dt.timedelta(days=due),
        )
    others = list(
        Supplier.objects.exclude(pk=home.pk)
        .filter(status="active")
        .order_by("code")[: QUEUE_SUPPLIERS + INFOSEC_SUPPLIERS]
    )
    for supplier in others[:QUEUE_SUPPLIERS]:
        _answered(rng, supplier=supplier, version=sustainability, year=year, buyer=buyer)
    for supplier in others[QUEUE_SUPPLIERS:]:
        _answered_and_accepted(rng, supplier=supplier, version=infosec, year=year, buyer=buyer)
    result.assessments = Assessment.objects.count() - before
    return result


@transaction.atomic
def _answered(rng, *, supplier, version, year, buyer, user=None) -> Assessment | None:
    """A submitted assessment with every shown question answered; None if it existed."""
    if Assessment.objects.filter(
        supplier=supplier, questionnaire=version.questionnaire, fiscal_year=year
    ).exists():
        return None
    assessment = assessment_assign(
        actor=buyer,
        supplier=supplier,
        version=version,
        fiscal_year=year,
        due_date=current_fiscal_year().end,
        carry_over=False,
    )
    strength = rng.choice([0.95, 0.85, 0.7, 0.5])  # how well this supplier does overall
    questions = list(version.questions.prefetch_related("choices").order_by("pk"))
    answers: dict[int, Answer] = {}
    for question in questions:
        value = _value(rng, question, strength)
        if value is None:
            continue
        answers[question.pk] = Answer(
            assessment=assessment, question=question, value=value, updated_by=user
        )
    shown = visible_question_ids(questions, {pk: a.value for pk, a in answers.items()})
    Answer.objects.bulk_create(a for pk, a in answers.items() if pk in shown)
    assessment_transition(
        assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=user, note=""
    )
    return assessment


def _answered_and_accepted(rng, *, supplier, version, year, buyer, user=None) -> None:
    assessment = _answered(
        rng, supplier=supplier, version=version, year=year, buyer=buyer, user=user
    )
    if assessment is not None:
        assessment_accept(actor=buyer, assessment_id=assessment.pk)


def _value(rng, question, strength: float):
    """A plausible answer: the best choice with probability ``strength``, else another."""
    if question.type in (QuestionType.YES_NO, QuestionType.SINGLE):
        choices = sorted(question.choices.all(), key=lambda c: -c.score)
        if not choices:
            return None
        return choices[0].code if rng.random() < strength else rng.choice(choices).code
    if question.type == QuestionType.MULTIPLE:
        choices = sorted(question.choices.all(), key=lambda c: -c.score)
        picked = [c.code for c in choices if rng.random() < strength and c.score > 0]
        return picked or [choices[-1].code]
    if question.type == QuestionType.NUMBER:
        low = int(question.min_value or 0)
        high = int(min(question.max_value or 1000, low + 5000))
        return str(rng.randint(low, max(low, high // 4)))
    if question.type == QuestionType.DATE:
        return (timezone.localdate() - dt.timedelta(days=rng.randint(30, 700))).isoformat()
    if question.type == QuestionType.TEXT:
        return "Described in our management manual; reviewed every year by the board."
    return None  # evidence files are uploaded by people, not made up
