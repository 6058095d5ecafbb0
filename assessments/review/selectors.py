"""Reads of the review side that pages and the API share, already scoped to the user.

Each starts from ``visible_to(user)`` and carries the ``select_related`` /
``prefetch_related`` its pages need, so a page costs the same few queries however many
rows or answers it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentEvent,
    AssessmentStatus,
    Evidence,
    ImprovementItem,
    ImprovementItemEvent,
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


QUEUE_STATUSES = (
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.RETURNED,
    AssessmentStatus.ACCEPTED,
)


def supplier_matches(text: str, path: str = "supplier") -> Q:
    """A supplier by code (exactly, any case) or by a part of its legal or local name."""
    text = text.strip()
    return (
        Q(**{f"{path}__code__iexact": text})
        | Q(**{f"{path}__legal_name__icontains": text})
        | Q(**{f"{path}__local_name__icontains": text})
    )


def review_queue(
    *,
    user: User,
    kind: str = "",
    region: str = "",
    fiscal_year: int | None = None,
    supplier: str = "",
    risk: str = "",
    status: str = "",
    source: str = "",
    overdue: bool = False,
) -> QuerySet[Assessment]:
    """Assessments for review, oldest submission first: those waiting (submitted) unless
    ``status`` asks for returned or accepted ones.

    ``supplier`` matches a code or part of a name; ``risk`` keeps questionnaires that ask
    about that priority risk; ``source`` is "campaign" (sent by a survey campaign) or
    "assigned" (given by hand); ``overdue`` keeps those submitted after their due date or
    still not submitted past it. An information-security assessor sees only
    information-security questionnaires.
    """
    from ..models import CampaignSupplier

    qs = (
        Assessment.objects.visible_to(user)
        .filter(status=status or AssessmentStatus.SUBMITTED)
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
    if supplier.strip():
        qs = qs.filter(supplier_matches(supplier))
    if risk:
        qs = qs.filter(
            Exists(Question.objects.filter(version_id=OuterRef("version_id"), risk__code=risk))
        )
    if source:
        from_campaign = Exists(CampaignSupplier.objects.filter(assessment_id=OuterRef("pk")))
        qs = qs.filter(from_campaign if source == "campaign" else ~from_campaign)
    if overdue:
        qs = qs.filter(due_date__isnull=False).filter(
            Q(submitted_at__date__gt=F("due_date"))
            | Q(submitted_at__isnull=True, due_date__lt=timezone.localdate())
        )
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
        .select_related("updated_by", "confirmed_by")
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
    supplier: str = "",
    source: str = "",
) -> QuerySet[ImprovementItem]:
    """Improvement items the user may see, soonest due first. ``supplier`` matches a
    code or part of a name; ``supplier_id`` one supplier exactly. Each carries its
    history (two more queries per page, whatever its size)."""
    qs = (
        ImprovementItem.objects.visible_to(user)
        .select_related("supplier", "risk", "assessment__questionnaire")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ImprovementItemEvent.objects.prefetch_related("evidence").order_by(
                    "at", "id"
                ),
            )
        )
    )
    if status:
        qs = qs.filter(status=status)
    if risk:
        qs = qs.filter(risk__code=risk)
    if source:
        qs = qs.filter(source=source)
    if supplier.strip():
        qs = qs.filter(supplier_matches(supplier))
    if overdue:
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(
            status__in=[ImprovementStatus.VERIFIED, ImprovementStatus.CLOSED]
        )
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return qs.order_by("due_date", "id")


def item_detail(*, user: User, pk: int) -> ImprovementItem:
    """One item with its history (every step and note, oldest first) and evidence files."""
    return (
        ImprovementItem.objects.visible_to(user)
        .select_related(
            "supplier", "risk", "assessment__questionnaire", "answer__question", "verified_by"
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ImprovementItemEvent.objects.select_related("actor")
                .prefetch_related("evidence")
                .order_by("at", "id"),
            )
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class ItemStep:
    """One step of an item's history as its page shows it."""

    event: ImprovementItemEvent
    who: str
    other_language: bool  # the note was written in a language other than the reader's


def item_history(item: ImprovementItem, *, internal: bool, language: str) -> list[ItemStep]:
    """The item's steps (prefetched by ``item_detail``). Staff names are internal: a
    supplier user reads "the company" for a reviewer's step and their colleagues' names
    for their own company's."""
    from procurement_portal import access

    steps = []
    for event in item.events.all():
        actor = event.actor
        if actor is None:
            who = _("the portal")
        elif internal or access.acts_for_suppliers(actor):
            who = actor.get_full_name()
        else:
            who = _("the company")
        other = bool(event.note and event.note_language and event.note_language != language)
        steps.append(ItemStep(event, who, other))
    return steps


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
    """One audit-log entry of a level row, in sentences: when, who (staff only), what."""

    at: object
    actor: str  # "" for supplier users: staff names are internal (see ``internal``)
    sentences: list[str]


HISTORY_FIELDS = ("level", "computed_level", "overridden", "override_reason")


def infosec_level_history(level: InformationSecurityLevel, *, internal: bool) -> list[LevelChange]:
    """The audit-log entries of one level row as sentences, newest first. With
    ``internal`` (staff), who made each change and the override reasons; without, only
    what happened to the level (see ``assessments.review.internal``)."""
    from auditlog.models import LogEntry

    entries = LogEntry.objects.get_for_object(level).select_related("actor")
    state: dict = {"level": None, "computed_level": None, "overridden": False, "reason": ""}
    history = []
    for entry in entries.order_by("timestamp", "id"):
        changes = {
            name: after
            for name, (_before, after) in (entry.changes_dict or {}).items()
            if name in HISTORY_FIELDS
        }
        if not changes:
            continue
        was_overridden = state["overridden"]
        for name, value in changes.items():
            if name == "overridden":
                state["overridden"] = str(value) in {"True", "true", "1"}
            elif name == "override_reason":
                state["reason"] = "" if value in (None, "None") else str(value)
            else:
                state[name] = _level_number(value)
        sentences = _level_sentences(changes, state, internal=internal)
        if was_overridden and not state["overridden"]:
            sentences.append(_("The level follows the self-assessment again."))
        if not sentences:
            continue
        actor = entry.actor.get_full_name() if (internal and entry.actor) else ""
        history.append(LevelChange(entry.timestamp, actor, sentences))
    history.reverse()
    return history


def _level_number(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _level_sentences(changes: dict, state: dict, *, internal: bool) -> list[str]:
    sentences = []
    if "computed_level" in changes and state["computed_level"] is not None:
        sentences.append(
            _("The accepted self-assessment gave level %(level)s.")
            % {"level": state["computed_level"]}
        )
    staff_change = state["overridden"] and (
        {"level", "overridden", "override_reason"} & set(changes)
    )
    if staff_change:
        sentences.append(
            _("Staff set the level to %(level)s.")
            if internal
            else _("The company set the level to %(level)s.")
        )
        sentences[-1] %= {"level": state["level"]}
        if internal and state["reason"]:
            sentences.append(_("Reason: %(reason)s") % {"reason": state["reason"]})
    elif "level" in changes and state["level"] is not None:
        sentences.append(_("The level is now %(level)s.") % {"level": state["level"]})
    elif state["overridden"] and "computed_level" in changes:
        sentences.append(_("The level set by staff (%(level)s) stays.") % {"level": state["level"]})
    return sentences


def infosec_level_meanings(policy) -> list[tuple[int, str]]:
    """What each level of ``policy`` means, in words: (level, the score range)."""
    from ..answering.validation import format_number

    rows = sorted(policy.infosec_levels, key=lambda row: row["level"])
    meanings = []
    for n, row in enumerate(rows):
        low = format_number(Decimal(str(row["min_score"])))
        if n + 1 < len(rows):
            high = format_number(Decimal(str(rows[n + 1]["min_score"])))
            text = _("an overall score from %(low)s up to (not including) %(high)s") % {
                "low": low,
                "high": high,
            }
        else:
            text = _("an overall score of %(low)s or more") % {"low": low}
        meanings.append((row["level"], text))
    return meanings
