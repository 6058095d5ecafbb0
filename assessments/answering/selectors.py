"""Reads of the supplier's side, already scoped to the user and carrying what pages need.

Every function starts from ``visible_to(user)``: another supplier's assessment is absent
(``Assessment.DoesNotExist``, a 404 for pages and the API). Query counts are fixed: they
do not grow with the number of questions, answers or assessments shown.

Visibility of conditional questions (``show_if``) is decided here, in one function used
by pages, progress and the submission check alike: a question is shown when its
controlling question is shown and that question's answer is (or, for multiple choice,
contains) one of ``show_if_values``. A hidden question is never required.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet

from assessments.models import (
    Answer,
    AnswerComment,
    Assessment,
    AssessmentStatus,
    Evidence,
    Question,
    QuestionType,
    Section,
)
from assessments.models.assessments import EDITABLE_STATUSES

from .validation import bounds_message, format_number

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

# The fields of a question that visibility and progress need (read with .values()).
_QUESTION_FIELDS = ("id", "version_id", "section_id", "required", "show_if_question_id",
                    "show_if_values")  # fmt: skip


# --- visibility and progress ------------------------------------------------------------


def answer_is_given(value: Any, not_applicable: bool) -> bool:
    return bool(not_applicable) or value not in (None, "", [])


def _matches(value: Any, wanted: Iterable[str]) -> bool:
    wanted = set(wanted or ())
    if isinstance(value, list):
        return bool(wanted.intersection(value))
    return value in wanted


def visible_question_ids(
    questions: Iterable[Mapping[str, Any]], values: Mapping[int, Any]
) -> set[int]:
    """The ids among ``questions`` (dicts or objects with ``id``, ``show_if_question_id``
    and ``show_if_values``) that are shown, given the answer ``values`` by question id.

    A question controlled by one outside ``questions`` is judged by that answer alone.
    """
    rows = {_get(q, "id"): q for q in questions}
    decided: dict[int, bool] = {}

    def shown(qid: int, depth: int = 0) -> bool:
        if qid in decided:
            return decided[qid]
        q = rows.get(qid)
        controller = _get(q, "show_if_question_id") if q is not None else None
        # (a cycle in bad data would recurse past len(rows): show rather than loop)
        if q is None or controller is None or depth > len(rows):
            result = True
        else:
            parent_shown = shown(controller, depth + 1) if controller in rows else True
            result = parent_shown and _matches(values.get(controller), _get(q, "show_if_values"))
        decided[qid] = result
        return result

    return {qid for qid in rows if shown(qid)}


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


@dataclass
class Progress:
    """How far an assessment (or one section) is: required answers given / required.

    An answer carried over from last year counts once the supplier confirmed it (until
    then it is ``to_confirm``), so a fresh assessment pre-filled from last year is "not
    started" with 0 answers given, and the status and the count always agree.
    """

    answered: int = 0
    required: int = 0
    answered_total: int = 0
    visible_total: int = 0
    to_confirm: int = 0  # carried-over answers shown and not yet confirmed

    @property
    def percent(self) -> int:
        if not self.required:
            return 100 if self.answered_total or not self.visible_total else 0
        return round(100 * self.answered / self.required)

    @property
    def complete(self) -> bool:
        return self.answered >= self.required and not self.to_confirm


@dataclass
class ProgressReport:
    overall: Progress
    by_section: dict[int, Progress]
    missing: list[int]  # ids of the required questions shown and not answered, in order
    # ids of the questions shown whose answer was carried over and is not confirmed yet
    unconfirmed: list[int] = field(default_factory=list)


def progress_of(questions: list[Mapping[str, Any]], answers: Mapping[int, tuple]) -> ProgressReport:
    """Progress from the version's questions (in questionnaire order) and the answers
    (question id -> (value, not_applicable) or (value, not_applicable, carried_over))."""
    values = {qid: row[0] for qid, row in answers.items()}
    shown = visible_question_ids(questions, values)
    overall, by_section, missing, unconfirmed = Progress(), defaultdict(Progress), [], []
    for q in questions:
        qid = _get(q, "id")
        if qid not in shown:
            continue
        value, na, *rest = answers.get(qid, (None, False))
        given = answer_is_given(value, na)
        carried = bool(given and rest and rest[0])
        for p in (overall, by_section[_get(q, "section_id")]):
            p.visible_total += 1
            p.answered_total += given and not carried
            p.to_confirm += carried
            if _get(q, "required"):
                p.required += 1
                p.answered += given and not carried
        if _get(q, "required") and not given:
            missing.append(qid)
        if carried:
            unconfirmed.append(qid)
    return ProgressReport(
        overall=overall, by_section=dict(by_section), missing=missing, unconfirmed=unconfirmed
    )


def _questions_by_version(version_ids: Iterable[int]) -> dict[int, list[dict]]:
    by_version: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Question.objects.filter(version_id__in=set(version_ids))
        .order_by("version_id", "section__position", "position", "id")
        .values(*_QUESTION_FIELDS)
    )
    for row in rows:
        by_version[row["version_id"]].append(row)
    return by_version


def _answers_by_assessment(assessment_ids: Iterable[int]) -> dict[int, dict]:
    by_assessment: dict[int, dict] = defaultdict(dict)
    rows = Answer.objects.filter(assessment_id__in=set(assessment_ids)).values_list(
        "assessment_id", "question_id", "value", "not_applicable", "carried_over"
    )
    for assessment_id, question_id, value, na, carried in rows:
        by_assessment[assessment_id][question_id] = (value, na, carried)
    return by_assessment


def progress_for(assessments: list[Assessment]) -> dict[int, ProgressReport]:
    """Progress of each assessment, in two queries whatever their number and size."""
    questions = _questions_by_version(a.version_id for a in assessments)
    answers = _answers_by_assessment(a.pk for a in assessments)
    return {a.pk: progress_of(questions[a.version_id], answers[a.pk]) for a in assessments}


# --- the supplier's assessments -----------------------------------------------------------


def assessment_queryset(*, user: User | None) -> QuerySet[Assessment]:
    return Assessment.objects.visible_to(user).select_related(
        "supplier", "questionnaire", "version"
    )


def assessment_get(*, user: User | None, pk: int) -> Assessment:
    """One assessment the user may see, with supplier and version; raises DoesNotExist."""
    return assessment_queryset(user=user).get(pk=pk)


@dataclass
class AssessmentLine:
    """One row of the supplier's home page."""

    assessment: Assessment
    progress: Progress
    overdue: bool

    @property
    def is_open(self) -> bool:
        return self.assessment.status in EDITABLE_STATUSES


def supplier_assessments(*, user: User | None, today) -> tuple[list, list]:
    """The user's open assessments (earliest due first) and past ones (newest first), each
    with progress and an overdue flag. Three queries whatever the number of rows."""
    assessments = list(
        assessment_queryset(user=user).order_by("-fiscal_year", "due_date", "questionnaire__code")
    )
    reports = progress_for(assessments)
    open_, past = [], []
    for a in assessments:
        editable = a.status in EDITABLE_STATUSES
        line = AssessmentLine(
            assessment=a,
            progress=reports[a.pk].overall,
            overdue=bool(editable and a.due_date and a.due_date < today),
        )
        (open_ if editable else past).append(line)
    open_.sort(key=lambda line: (line.assessment.due_date is None, line.assessment.due_date))
    return open_, past


# --- one section --------------------------------------------------------------------------


@dataclass
class QuestionView:
    """A question as the section page shows it: choices, this assessment's answer, its
    files and reviewers' comments, and whether it is shown now."""

    question: Question
    answer: Answer | None
    shown: bool
    evidence: list[Evidence] = field(default_factory=list)
    comments: list[AnswerComment] = field(default_factory=list)

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def chosen(self) -> list[str]:
        value = self.value
        if isinstance(value, list):
            return value
        return [value] if isinstance(value, str) else []

    @property
    def not_applicable(self) -> bool:
        return bool(self.answer and self.answer.not_applicable)

    @property
    def revision(self) -> int:
        return self.answer.revision if self.answer else 0

    @property
    def carried_over(self) -> bool:
        return bool(self.answer and self.answer.carried_over)

    @property
    def is_answered(self) -> bool:
        return bool(self.answer and self.answer.is_answered)

    @property
    def counts_as_answered(self) -> bool:
        """Answered and, if carried over from last year, confirmed (what progress counts)."""
        return self.is_answered and not self.carried_over

    @property
    def text_value(self) -> str:
        """The value for a text, number or date input ("" when unanswered)."""
        value = self.value
        return value if isinstance(value, str) else ""

    @property
    def number_hint(self) -> str:
        q = self.question
        if q.type != QuestionType.NUMBER or (q.min_value is None and q.max_value is None):
            return ""
        return bounds_message(q)

    @property
    def display(self) -> str:
        """The answer as a reader sees it (choice labels, number with its unit); "" when
        not answered. Not-applicable and files are the template's to show."""
        q, value = self.question, self.value
        if value in (None, "", []):
            return ""
        if q.has_choices:
            labels = {c.code: c.label for c in q.choices.all()}
            return ", ".join(labels.get(code, code) for code in self.chosen)
        if q.type == QuestionType.NUMBER:
            number = format_number(Decimal(str(value)))
            return f"{number} {q.unit}".strip()
        if q.type == QuestionType.FILE:
            return ""
        return str(value)


@dataclass
class SectionPage:
    assessment: Assessment
    section: Section
    sections: list[Section]
    questions: list[QuestionView]
    previous: Section | None
    next: Section | None


def section_page(*, user: User | None, assessment_id: int, section_code: str) -> SectionPage:
    """A section of an assessment with everything its page shows, in a fixed number of
    queries (assessment, sections, questions, choices, answers, evidence, comments).
    Raises Assessment.DoesNotExist or Section.DoesNotExist."""
    assessment = assessment_get(user=user, pk=assessment_id)
    sections = list(Section.objects.filter(version_id=assessment.version_id))
    section = next((s for s in sections if s.code == section_code), None)
    if section is None:
        raise Section.DoesNotExist
    questions = list(
        Question.objects.filter(section=section)
        .select_related("show_if_question")
        .prefetch_related("choices")
    )
    wanted = {q.pk for q in questions} | {
        q.show_if_question_id for q in questions if q.show_if_question_id
    }
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(
            assessment=assessment, question_id__in=wanted
        ).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "id")),
            Prefetch(
                "comments",
                queryset=AnswerComment.objects.select_related("author").order_by("created_at"),
            ),
        )
    }
    values = {qid: a.value for qid, a in answers.items()}
    shown = visible_question_ids(questions, values)
    views = []
    for q in questions:
        answer = answers.get(q.pk)
        views.append(
            QuestionView(
                question=q,
                answer=answer,
                shown=q.pk in shown,
                evidence=list(answer.evidence.all()) if answer else [],
                comments=list(answer.comments.all()) if answer else [],
            )
        )
    index = sections.index(section)
    return SectionPage(
        assessment=assessment,
        section=section,
        sections=sections,
        questions=views,
        previous=sections[index - 1] if index > 0 else None,
        next=sections[index + 1] if index + 1 < len(sections) else None,
    )


# --- the whole assessment (overview, read-only copy, PDF) -----------------------------------


@dataclass
class SectionSummary:
    section: Section
    progress: Progress
    questions: list[QuestionView] = field(default_factory=list)


@dataclass
class AssessmentOverview:
    assessment: Assessment
    sections: list[SectionSummary]
    progress: Progress
    missing: list[tuple[Section, Question]]
    carried_over_count: int
    comment_count: int
    # Carried-over answers shown and not confirmed, as (section, question), in order.
    unconfirmed: list[tuple[Section, Question]] = field(default_factory=list)


def assessment_overview(
    *, user: User | None, assessment_id: int, with_questions: bool = False
) -> AssessmentOverview:
    """The assessment with per-section progress and what is missing; with
    ``with_questions`` also every question, answer and evidence file (the read-only copy).
    A fixed number of queries. Raises Assessment.DoesNotExist."""
    assessment = assessment_get(user=user, pk=assessment_id)
    sections = list(Section.objects.filter(version_id=assessment.version_id))
    questions_qs = Question.objects.filter(version_id=assessment.version_id).order_by(
        "section__position", "position", "id"
    )
    if with_questions:
        questions_qs = questions_qs.prefetch_related("choices")
    questions = list(questions_qs)
    answers_qs = Answer.objects.filter(assessment=assessment)
    if with_questions:
        answers_qs = answers_qs.prefetch_related("evidence")
    answers = {a.question_id: a for a in answers_qs}
    report = progress_of(
        [question_row(q) for q in questions],
        {qid: (a.value, a.not_applicable, a.carried_over) for qid, a in answers.items()},
    )
    by_id = {q.pk: q for q in questions}
    section_by_id = {s.pk: s for s in sections}
    summaries = {
        s.pk: SectionSummary(section=s, progress=report.by_section.get(s.pk, Progress()))
        for s in sections
    }
    if with_questions:
        shown = visible_question_ids(questions, {qid: a.value for qid, a in answers.items()})
        for q in questions:
            answer = answers.get(q.pk)
            summaries[q.section_id].questions.append(
                QuestionView(
                    question=q,
                    answer=answer,
                    shown=q.pk in shown,
                    evidence=list(answer.evidence.all()) if answer else [],
                )
            )
    comment_count = 0
    if assessment.status == AssessmentStatus.RETURNED:
        comment_count = AnswerComment.objects.filter(
            answer__assessment=assessment, resolved_at__isnull=True
        ).count()
    return AssessmentOverview(
        assessment=assessment,
        sections=list(summaries.values()),
        progress=report.overall,
        missing=[(section_by_id[by_id[qid].section_id], by_id[qid]) for qid in report.missing],
        carried_over_count=report.overall.to_confirm,
        comment_count=comment_count,
        unconfirmed=[
            (section_by_id[by_id[qid].section_id], by_id[qid]) for qid in report.unconfirmed
        ],
    )


def question_row(q: Question) -> dict[str, Any]:
    return {name: getattr(q, name) for name in _QUESTION_FIELDS}
