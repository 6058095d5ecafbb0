"""Reads of the review side that pages and the API share, already scoped to the user.

Each starts from ``visible_to(user)`` and carries the ``select_related`` /
``prefetch_related`` its pages need, so a page costs the same few queries however many
rows or answers it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from ..models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Evidence,
    ImprovementItem,
    ImprovementStatus,
    InformationSecurityLevel,
    Question,
    Section,
)
from ..scoring import ScoreReport, answer_label, compute, scoring_questions, shown_question_ids
from .services import reviewable_kinds

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


def waiting_days(assessment: Assessment) -> int | None:
    """Whole days since the assessment was submitted (None if it never was)."""
    if not assessment.submitted_at:
        return None
    return (timezone.localdate() - timezone.localdate(assessment.submitted_at)).days


def review_queue(
    *, user: User, kind: str = "", region: str = "", fiscal_year: int | None = None
) -> QuerySet[Assessment]:
    """Submitted assessments waiting for review, oldest submission first.

    An information-security assessor sees only information-security questionnaires.
    """
    qs = (
        Assessment.objects.visible_to(user)
        .filter(status=AssessmentStatus.SUBMITTED)
        .select_related("supplier", "questionnaire", "version")
        .order_by("submitted_at", "pk")
    )
    kinds = reviewable_kinds(user)
    if kinds is not None:
        qs = qs.filter(questionnaire__kind__in=kinds)
    if kind:
        qs = qs.filter(questionnaire__kind=kind)
    if region:
        qs = qs.filter(supplier__region=region)
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs


def assessment_for_review(*, user: User, pk: int) -> Assessment:
    """One assessment with what its review page needs (raises DoesNotExist)."""
    return (
        Assessment.objects.visible_to(user)
        .select_related("supplier", "questionnaire", "version", "scoring_policy")
        .get(pk=pk)
    )


@dataclass
class ReviewRow:
    """One question on the review page, with its answer, score and comments."""

    question: Question
    answer: Answer | None
    shown: bool
    label: str
    score: Decimal | None
    comments: list[AnswerComment]
    evidence: list[Evidence]


@dataclass
class ReviewSection:
    section: Section
    rows: list[ReviewRow]


@dataclass
class ReviewData:
    sections: list[ReviewSection]
    report: ScoreReport
    events: list[AssessmentEvent]


def answers_with_comments(assessment: Assessment) -> list[Answer]:
    return list(
        Answer.objects.filter(assessment_id=assessment.pk)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch(
                "comments", queryset=AnswerComment.objects.select_related("author", "resolved_by")
            ),
            "evidence",
        )
    )


def review_data(assessment: Assessment) -> ReviewData:
    """The whole assessment, section by section, scored as it stands (fixed queries)."""
    questions = scoring_questions(assessment.version_id)
    answers = answers_with_comments(assessment)
    report = compute(assessment, questions=questions, answers=answers)
    by_question = {a.question_id: a for a in answers}
    shown = shown_question_ids(questions, by_question)
    sections = {s.pk: ReviewSection(s, []) for s in assessment.version.sections.all()}
    for question in questions:
        answer = by_question.get(question.pk)
        sections[question.section_id].rows.append(
            ReviewRow(
                question=question,
                answer=answer,
                shown=question.pk in shown,
                label=answer_label(question, answer),
                score=report.question_scores.get(question.pk),
                comments=list(answer.comments.all()) if answer else [],
                evidence=list(answer.evidence.all()) if answer else [],
            )
        )
    events = list(assessment.events.select_related("actor").order_by("at", "id"))
    return ReviewData(list(sections.values()), report, events)


def comment_list(*, user: User) -> QuerySet[AnswerComment]:
    """Comments on answers the user may see.

    A supplier's users do not see comments made during the review in progress (the
    reviewers' working notes until they return or accept the assessment).
    """
    qs = AnswerComment.objects.visible_to(user).select_related(
        "author", "answer__question", "answer__assessment"
    )
    from procurement_portal.access import sees_all_suppliers

    if not sees_all_suppliers(user):
        qs = qs.exclude(
            answer__assessment__status=AssessmentStatus.SUBMITTED,
            created_at__gte=F("answer__assessment__submitted_at"),
        )
    return qs.order_by("answer_id", "created_at", "id")


def item_list(
    *,
    user: User,
    status: str = "",
    risk: str = "",
    overdue: bool = False,
    supplier_id: int | None = None,
) -> QuerySet[ImprovementItem]:
    """Improvement items the user may see, soonest due first."""
    qs = ImprovementItem.objects.visible_to(user).select_related(
        "supplier", "risk", "assessment__questionnaire"
    )
    if status:
        qs = qs.filter(status=status)
    if risk:
        qs = qs.filter(risk__code=risk)
    if overdue:
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(
            status__in=[ImprovementStatus.VERIFIED, ImprovementStatus.CLOSED]
        )
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return qs.order_by("due_date", "id")


def item_detail(*, user: User, pk: int) -> ImprovementItem:
    return (
        ImprovementItem.objects.visible_to(user)
        .select_related(
            "supplier", "risk", "assessment__questionnaire", "answer__question", "verified_by"
        )
        .get(pk=pk)
    )


def infosec_level_list(
    *,
    user: User,
    fiscal_year: int | None = None,
    min_level: int | None = None,
    region: str = "",
    country: str = "",
) -> QuerySet[InformationSecurityLevel]:
    """Suppliers' levels, highest first: with ``min_level``, those that meet a required
    level (for choosing outsourcing partners)."""
    qs = InformationSecurityLevel.objects.visible_to(user).select_related("supplier")
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    if min_level:
        qs = qs.filter(level__gte=min_level)
    if region:
        qs = qs.filter(supplier__region=region)
    if country:
        qs = qs.filter(supplier__country=country.upper())
    return qs.order_by("-fiscal_year", "-level", "supplier__code")


@dataclass(frozen=True)
class LevelChange:
    """One audit-log entry of a level row, in words: when, who, which fields changed."""

    at: object
    actor: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


HISTORY_FIELDS = ("level", "computed_level", "overridden", "override_reason")


def infosec_level_history(level: InformationSecurityLevel) -> list[LevelChange]:
    """The audit-log entries of one level row, newest first (the override history)."""
    from auditlog.models import LogEntry

    labels = {
        name: str(InformationSecurityLevel._meta.get_field(name).verbose_name)
        for name in HISTORY_FIELDS
    }
    entries = LogEntry.objects.get_for_object(level).select_related("actor")
    history = []
    for entry in entries.order_by("-timestamp", "-id"):
        changes = [
            (labels[name], _shown(before), _shown(after))
            for name, (before, after) in (entry.changes_dict or {}).items()
            if name in labels
        ]
        actor = entry.actor.get_full_name() if entry.actor else ""
        history.append(LevelChange(entry.timestamp, actor, changes))
    return history


def _shown(value) -> str:
    return "—" if value in (None, "", "None") else str(value)
