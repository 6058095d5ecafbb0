"""The scoring engine: how an assessment's answers become per-risk and overall scores.

The rules, which the score pages repeat in words for suppliers and reviewers:

* Only *scored* questions count: choice questions (yes/no, single, multiple) with a
  weight above 0.
* A question that is hidden (its "shown only if" condition is not met) does not count,
  and neither does one the supplier marked not applicable where that is allowed.
* Each counted question is worth ``weight x 100`` points; it earns ``weight x score``,
  where ``score`` (0-100) is the chosen choice's score. For a multiple-choice question
  the score is the **highest** score among the selected choices (one good practice in
  place is what the question asks about; ticking more does not add up past 100).
* An unanswered counted question earns 0: it costs all its points.
* Risk score = earned / possible x 100 for that risk's questions; overall score = all
  earned / all possible x 100. A risk with no counted question has no score.
* The rating (low / medium / high risk) comes from the scoring policy's bands.

``compute`` is pure (reads only); ``assessment_score_save`` stores the result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from suppliers.models import PriorityRisk

from .models import Answer, Assessment, Choice, Question, QuestionType, RiskScore, ScoringPolicy

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


class NoScoringPolicy(ImproperlyConfigured):
    """No active scoring policy: the database was not migrated, or every policy was
    deactivated. Reading never creates one; the data migrations seed the default."""


def current_policy() -> ScoringPolicy:
    """The newest active scoring policy. Read-only: the default policy is seeded by the data
    migrations (0002, and 0009 for a database left without an active one), never here."""
    policy = ScoringPolicy.objects.filter(is_active=True).order_by("-created_at", "-id").first()
    if policy is None:
        raise NoScoringPolicy(
            "No active scoring policy. Run `manage.py migrate` (the assessments migrations "
            "seed the default policy) or activate one in the admin (Scoring policies)."
        )
    return policy


@dataclass(frozen=True)
class LostPoints:
    """One answer that cost points: what was asked, what was answered, what it cost."""

    question: Question
    answer: Answer | None
    risk: PriorityRisk
    answer_label: str
    score: Decimal  # the answer's score, 0-100
    points_lost: Decimal  # weight x (100 - score)


@dataclass(frozen=True)
class RiskResult:
    risk: PriorityRisk
    earned: Decimal
    possible: Decimal
    score: Decimal | None
    rating: str


@dataclass
class ScoreReport:
    """Everything a score page shows: per-risk table, overall, and what cost points."""

    policy: ScoringPolicy
    risks: list[RiskResult]
    earned: Decimal
    possible: Decimal
    overall: Decimal | None
    rating: str
    lost: list[LostPoints]
    # Per question id: the score (0-100) of its answer, or None when it does not count.
    question_scores: dict[int, Decimal | None] = field(default_factory=dict)
    # Per answer id: what to store in Answer.score.
    answer_scores: dict[int, Decimal | None] = field(default_factory=dict)

    @property
    def scored_risks(self) -> list[RiskResult]:
        return [r for r in self.risks if r.possible > 0]


def _percent(earned: Decimal, possible: Decimal) -> Decimal | None:
    if possible <= 0:
        return None
    return (earned / possible * HUNDRED).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _selected_codes(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if value in (None, ""):
        return []
    return [str(value)]


def shown_question_ids(questions: list[Question], answers: dict[int, Answer]) -> set[int]:
    """The questions shown given the answers, by the one show-if rule the answering pages
    use (``answering.selectors.visible_question_ids``); a not-applicable answer shows no
    follow-up."""
    from .answering.selectors import visible_question_ids

    values = {qid: (None if a.not_applicable else a.value) for qid, a in answers.items()}
    return visible_question_ids(questions, values)


def answer_label(question: Question, answer: Answer | None) -> str:
    """The answer in words, as the pages show it (choice labels, number with unit...)."""
    if answer is None or not answer.is_answered:
        return _("Not answered")
    if answer.not_applicable:
        return _("Not applicable")
    if question.type in (QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE):
        labels = {c.code: c.label for c in question.choices.all()}
        return ", ".join(labels.get(code, code) for code in _selected_codes(answer.value))
    if question.type == QuestionType.NUMBER:
        from .answering.validation import format_number

        try:
            number = format_number(Decimal(str(answer.value)))
        except ArithmeticError:
            number = str(answer.value)
        return f"{number} {question.unit}".strip()
    if question.type == QuestionType.FILE:
        names = [e.original_name for e in answer.evidence.all()]
        return ", ".join(names) if names else _("File attached")
    return str(answer.value)


def _choice_score(question: Question, answer: Answer | None) -> Decimal | None:
    """The question's score 0-100 from its answer, or None when it does not count."""
    if answer is not None and answer.not_applicable and question.allow_not_applicable:
        return None
    if answer is None or not answer.is_answered or answer.not_applicable:
        return Decimal(0)
    scores = {c.code: c.score for c in question.choices.all()}
    picked = [scores[code] for code in _selected_codes(answer.value) if code in scores]
    # Multiple choice: the best selected practice counts (see the module docstring).
    return Decimal(max(picked)) if picked else Decimal(0)


def scoring_questions(version_id: int) -> list[Question]:
    """The version's questions with risk and choices, in two queries."""
    return list(
        Question.objects.filter(version_id=version_id)
        .select_related("risk")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
    )


def compute(
    assessment: Assessment,
    *,
    policy: ScoringPolicy | None = None,
    questions: list[Question] | None = None,
    answers: list[Answer] | None = None,
) -> ScoreReport:
    """Score the assessment as its answers stand now, without writing anything.

    ``questions`` / ``answers`` may be passed when the caller already loaded them (with
    choices prefetched) to save the queries; otherwise three queries load them.
    """
    policy = policy or assessment.scoring_policy or current_policy()
    questions = questions if questions is not None else scoring_questions(assessment.version_id)
    if answers is None:
        answers = list(Answer.objects.filter(assessment_id=assessment.pk))
    by_question = {a.question_id: a for a in answers}
    shown = shown_question_ids(questions, by_question)
    earned_by_risk: dict[int, Decimal] = defaultdict(Decimal)
    possible_by_risk: dict[int, Decimal] = defaultdict(Decimal)
    risks: dict[int, PriorityRisk] = {}
    report = ScoreReport(policy, [], Decimal(0), Decimal(0), None, "", [])
    for question in questions:
        answer = by_question.get(question.pk)
        score = None
        if question.is_scored and question.pk in shown:
            score = _choice_score(question, answer)
        report.question_scores[question.pk] = score
        if answer is not None:
            report.answer_scores[answer.pk] = score
        if score is None:
            continue
        risks[question.risk_id] = question.risk
        earned_by_risk[question.risk_id] += question.weight * score
        possible_by_risk[question.risk_id] += question.weight * HUNDRED
        if score < HUNDRED:
            report.lost.append(
                LostPoints(
                    question=question,
                    answer=answer,
                    risk=question.risk,
                    answer_label=answer_label(question, answer),
                    score=score,
                    points_lost=question.weight * (HUNDRED - score),
                )
            )
    for risk in sorted(risks.values(), key=lambda r: (r.position, r.code)):
        earned, possible = earned_by_risk[risk.pk], possible_by_risk[risk.pk]
        score = _percent(earned, possible)
        report.risks.append(RiskResult(risk, earned, possible, score, policy.rating_for(score)))
    report.earned = sum(earned_by_risk.values(), Decimal(0))
    report.possible = sum(possible_by_risk.values(), Decimal(0))
    report.overall = _percent(report.earned, report.possible)
    report.rating = policy.rating_for(report.overall)
    report.lost.sort(key=lambda lp: (-lp.points_lost, lp.question.section_id, lp.question.position))
    return report


@transaction.atomic
def assessment_score_save(
    *, assessment_id: int, policy: ScoringPolicy | None = None
) -> ScoreReport:
    """Score the assessment and store the result: each answer's score, one RiskScore per
    risk (replacing earlier ones) and the overall score, rating and policy used.

    Running it again with the same answers and policy stores the same figures.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
    policy = policy or current_policy()
    answers = list(Answer.objects.filter(assessment_id=assessment.pk))
    report = compute(assessment, policy=policy, answers=answers)
    changed = []
    for answer in answers:
        new = report.answer_scores.get(answer.pk)
        if answer.score != new:
            answer.score = new
            changed.append(answer)
    if changed:
        Answer.objects.bulk_update(changed, ["score"])
    RiskScore.objects.filter(assessment=assessment).delete()
    RiskScore.objects.bulk_create(
        RiskScore(
            assessment=assessment,
            risk=r.risk,
            score=r.score,
            earned=r.earned,
            possible=r.possible,
            rating=r.rating,
        )
        for r in report.risks
    )
    assessment.overall_score = report.overall
    assessment.rating = report.rating
    assessment.scoring_policy = policy
    assessment.save(update_fields=["overall_score", "rating", "scoring_policy", "updated_at"])
    return report
