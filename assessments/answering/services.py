"""Writes of the supplier's side: assignment (with carry-over, in ``assignment``), saving
one answer, evidence files, submission.

Keyword-only, one transaction each, safe to run twice. They raise Django's
``ValidationError`` (keyed by field), ``PermissionDenied``, ``TransitionConflict`` (the
assessment's state forbids the step: 409) or ``StaleAnswer`` (someone else changed the
answer since it was read: 409); an assessment the actor may not see is
``Assessment.DoesNotExist`` (404), exactly as if it did not exist.

Saving an answer touches that one answer row (locked) and reads only that question:
two people of one supplier answering different questions never overwrite each other,
and the same question edited twice is caught by ``expected_revision``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Evidence,
    Question,
    QuestionType,
    Section,
)
from assessments.models.questionnaires import CHOICE_TYPES
from assessments.workflow import TransitionConflict, assessment_transition
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.errors import Conflict
from procurement_portal.core.text import parse_digits
from procurement_portal.uploads import (
    KIND_CONTENT_TYPES,
    display_name,
    private_storage,
    safe_storage_name,
    validate_upload,
)

from . import selectors
from .assignment import assessment_assign, assessments_assign_many, carry_over_answers
from .validation import is_empty, normalise_value

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from procurement_portal.accounts.models import User


__all__ = [
    "MissingAnswers",
    "StaleAnswer",
    "answer_save",
    "assessment_assign",
    "assessment_submit",
    "assessments_assign_many",
    "carried_over_confirm",
    "carry_over_answers",
    "evidence_add",
    "evidence_remove",
    "missing_required",
    "submission_problems",
]

EVIDENCE_KINDS = ("pdf", "png", "jpeg", "xlsx", "docx")
EVIDENCE_MAX_FILES = 10
EVIDENCE_FOLDER = "evidence"


class StaleAnswer(Conflict):
    """The answer changed since the client read it (a 409 with the current answer, so the
    page can show "changed by someone else")."""

    code = "stale"

    def __init__(self, message: str, *, answer: Answer):
        super().__init__(message, current=answer)
        self.answer = answer


class MissingAnswers(ValidationError):
    """Submission refused: required answers are missing, or answers carried over from
    last year are not confirmed yet. ``missing`` and ``unconfirmed`` hold (section,
    question) pairs, in questionnaire order."""

    def __init__(
        self,
        missing: list[tuple[Section, Question]],
        unconfirmed: list[tuple[Section, Question]] | None = None,
    ):
        self.missing = missing
        self.unconfirmed = unconfirmed or []
        errors: dict[str, list[str]] = {}
        for key, pairs in (("answers", self.missing), ("carried_over", self.unconfirmed)):
            if pairs:
                errors[key] = [
                    _("%(section)s: %(question)s") % {"section": s.title, "question": q.text}
                    for s, q in pairs
                ]
        super().__init__(errors)


# --- answering ------------------------------------------------------------------------


def _answerable(*, actor: User, assessment_id: int, submitting: bool = False) -> Assessment:
    """The assessment, locked, if ``actor`` may change its answers (or submit) now.

    The row lock makes a save and a submission of the same assessment wait for each
    other, so no answer slips in after the answers were checked and locked."""
    assessment = Assessment.objects.visible_to(actor).select_for_update().get(pk=assessment_id)
    if not access.can(actor, Action.ANSWER_ASSESSMENTS):
        raise PermissionDenied(_("Only the supplier's own users can answer its self-assessment."))
    if not assessment.is_editable:
        status = AssessmentStatus(assessment.status).label.lower()
        message = (
            _("This self-assessment is %(status)s: it cannot be submitted now.")
            if submitting
            else _("This self-assessment is %(status)s: its answers cannot be changed now.")
        )
        raise TransitionConflict(message % {"status": status}, status=assessment.status)
    return assessment


def _question(*, assessment: Assessment, question_code: str | None, question_id: int | None):
    """The question of the assessment's version, by code or id. A code made of digits
    that is no question's code is taken as the question's id (the API accepts either).
    An unknown one raises Question.DoesNotExist: a 404, like any path that names nothing."""
    questions = Question.objects.filter(version_id=assessment.version_id)
    if question_id is not None:
        return questions.get(pk=question_id)
    code = str(question_code or "")
    as_id = parse_digits(code)  # beyond 18 digits, it is no id (nor a bigint)
    if as_id is not None:
        question = (
            questions.filter(Q(code=code) | Q(pk=as_id))
            .order_by(Case(When(code=code, then=0), default=1))
            .first()
        )
        if question is None:
            raise Question.DoesNotExist
        return question
    return questions.get(code=code)


def _locked_answer(*, assessment: Assessment, question: Question) -> Answer:
    """The answer row, locked for this transaction; created (unsaved revision 0) when the
    question has none yet."""
    answer = (
        Answer.objects.select_for_update().filter(assessment=assessment, question=question).first()
    )
    if answer is None:
        return Answer(assessment=assessment, question=question, revision=0)
    # Both are at hand: the audit log's description of the row needs no further queries.
    answer.assessment, answer.question = assessment, question
    return answer


def _store(answer: Answer, *, actor: User, fields: list[str]) -> None:
    if answer.carried_over:
        # Saving a carried-over answer (changed or not) is the supplier confirming it.
        answer.confirmed_by, answer.confirmed_at = actor, timezone.now()
        fields = [*fields, "confirmed_by", "confirmed_at"]
    answer.carried_over = False
    answer.updated_by = actor
    fields = [*fields, "carried_over", "updated_by", "revision", "updated_at"]
    if answer.pk is None:
        answer.revision = 1
        try:
            with transaction.atomic():
                answer.save()
        except IntegrityError:
            # Someone else created the answer a moment ago: theirs stands, and this
            # client learns that it is out of date.
            raise StaleAnswer(
                _("Someone else answered this question a moment ago."),
                answer=Answer.objects.get(assessment=answer.assessment, question=answer.question),
            ) from None
    else:
        # The row is locked (``_locked_answer``), so counting on here is safe.
        answer.revision += 1
        answer.save(update_fields=fields)


def _mark_started(assessment: Assessment, actor: User) -> None:
    if assessment.status == AssessmentStatus.NOT_STARTED:
        assessment_transition(
            assessment_id=assessment.pk, to=AssessmentStatus.IN_PROGRESS, actor=actor
        )
        assessment.status = AssessmentStatus.IN_PROGRESS


@transaction.atomic
def answer_save(
    *,
    actor: User,
    assessment_id: int,
    question_code: str | None = None,
    question_id: int | None = None,
    value: Any = None,
    not_applicable: bool = False,
    expected_revision: int | None = None,
) -> Answer:
    """Save one answer (or clear it, with an empty value) and return it.

    The value is checked against the question's type and bounds
    (``validation.normalise_value``). ``expected_revision`` is the revision the client
    last saw (0 for "no answer yet"): when the stored one differs, nothing is saved and
    ``StaleAnswer`` carries the current answer. Saving confirms a carried-over answer.
    The first answer moves the assessment from "not started" to "in progress".
    """
    assessment = _answerable(actor=actor, assessment_id=assessment_id)
    question = _question(
        assessment=assessment, question_code=question_code, question_id=question_id
    )
    if not_applicable and not question.allow_not_applicable:
        raise ValidationError(
            {"not_applicable": [_("This question cannot be answered “not applicable”.")]}
        )
    # A file question's value is its files' names: saving it only sets or clears "not
    # applicable" (an empty value), and the files decide the rest.
    files_only = question.type == QuestionType.FILE and is_empty(value)
    if not_applicable or files_only:
        stored = None
    else:
        codes = (
            list(question.choices.values_list("code", flat=True))
            if question.type in CHOICE_TYPES
            else []
        )
        stored = normalise_value(question, value, choice_codes=codes)
    answer = _locked_answer(assessment=assessment, question=question)
    if expected_revision is not None and int(expected_revision) != answer.revision:
        raise StaleAnswer(
            _("Someone else changed this answer since you opened the page."), answer=answer
        )
    if files_only and not not_applicable and answer.pk:
        stored = _evidence_value(answer)
    answer.value, answer.not_applicable = stored, bool(not_applicable)
    _store(answer, actor=actor, fields=["value", "not_applicable"])
    _mark_started(assessment, actor)
    return answer


# --- evidence -------------------------------------------------------------------------


def _file_question(*, assessment: Assessment, question_code: str) -> Question:
    question = _question(assessment=assessment, question_code=question_code, question_id=None)
    if question.type != QuestionType.FILE:
        raise ValidationError({"file": [_("This question is not answered with a file.")]})
    return question


def _evidence_value(answer: Answer) -> list[str] | None:
    names = list(
        answer.evidence.order_by("created_at", "id").values_list("original_name", flat=True)
    )
    return names or None


@transaction.atomic
def evidence_add(
    *, actor: User, assessment_id: int, question_code: str, uploaded_file: UploadedFile | None
) -> Evidence:
    """Attach a file to a file question (PDF, PNG, JPEG, Excel or Word, judged by its
    content) and mark the question answered. At most ``EVIDENCE_MAX_FILES`` per question."""
    assessment = _answerable(actor=actor, assessment_id=assessment_id)
    question = _file_question(assessment=assessment, question_code=question_code)
    if uploaded_file is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    try:
        kind = validate_upload(uploaded_file, allowed=EVIDENCE_KINDS)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    answer = _locked_answer(assessment=assessment, question=question)
    if answer.pk and answer.evidence.count() >= EVIDENCE_MAX_FILES:
        raise ValidationError(
            {"file": [_("At most %(max)s files per question.") % {"max": EVIDENCE_MAX_FILES}]}
        )
    answer.not_applicable = False
    _store(answer, actor=actor, fields=["not_applicable"])
    stored_name = private_storage.save(
        f"{EVIDENCE_FOLDER}/{safe_storage_name(kind)}", uploaded_file
    )
    # The file is on disk before the row: if saving the row fails, remove it again.
    try:
        evidence = Evidence.objects.create(
            answer=answer,
            file=stored_name,
            original_name=display_name(uploaded_file.name),
            content_type=KIND_CONTENT_TYPES[kind],
            size=uploaded_file.size,
            uploaded_by=actor,
        )
        answer.value = _evidence_value(answer)
        answer.save(update_fields=["value"])
    except Exception:
        private_storage.delete(stored_name)
        raise
    _mark_started(assessment, actor)
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence_id: int) -> Answer:
    """Remove a file from its answer (while the assessment can be edited); the file on
    disk goes once the removal is committed. Returns the answer."""
    evidence = Evidence.objects.visible_to(actor).select_related("answer").get(pk=evidence_id)
    answer = evidence.answer
    _answerable(actor=actor, assessment_id=answer.assessment_id)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    name = evidence.file.name
    evidence.delete()
    answer.value = _evidence_value(answer)
    _store(answer, actor=actor, fields=["value"])
    transaction.on_commit(lambda: private_storage.delete(name))
    return answer


# --- carried-over answers -------------------------------------------------------------


@transaction.atomic
def carried_over_confirm(
    *, actor: User, assessment_id: int, section_code: str | None = None
) -> int:
    """Confirm, unchanged, every carried-over answer shown in one section (or, without
    ``section_code``, in the whole assessment), recording who confirmed and when.
    Returns how many were confirmed (0 when there was nothing to confirm: safe to run
    twice). The first confirmation moves the assessment to "in progress"."""
    assessment = _answerable(actor=actor, assessment_id=assessment_id)
    questions = Question.objects.filter(version_id=assessment.version_id)
    if section_code is not None:
        section = Section.objects.get(version_id=assessment.version_id, code=section_code)
        questions = questions.filter(section=section)
    rows = list(questions.values(*selectors._QUESTION_FIELDS))
    values = dict(Answer.objects.filter(assessment=assessment).values_list("question_id", "value"))
    shown = selectors.visible_question_ids(rows, values)
    ids = list(
        Answer.objects.select_for_update()
        .filter(assessment=assessment, question_id__in=shown, carried_over=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Answer.objects.filter(pk__in=ids).update(
        carried_over=False, confirmed_by=actor, confirmed_at=timezone.now()
    )
    _mark_started(assessment, actor)
    return len(ids)


# --- submission -----------------------------------------------------------------------


def submission_problems(
    assessment: Assessment,
) -> tuple[list[tuple[Section, Question]], list[tuple[Section, Question]]]:
    """What stands in the way of submitting: the required questions shown and not
    answered, and the carried-over answers shown and not confirmed, each as (section,
    question) in questionnaire order. A question hidden by its ``show_if`` rule is never
    required."""
    questions = list(
        Question.objects.filter(version_id=assessment.version_id)
        .select_related("section")
        .order_by("section__position", "position", "id")
    )
    answers = {
        qid: (value, na, carried)
        for qid, value, na, carried in Answer.objects.filter(assessment=assessment).values_list(
            "question_id", "value", "not_applicable", "carried_over"
        )
    }
    report = selectors.progress_of([selectors.question_row(q) for q in questions], answers)
    by_id = {q.pk: q for q in questions}
    return (
        [(by_id[qid].section, by_id[qid]) for qid in report.missing],
        [(by_id[qid].section, by_id[qid]) for qid in report.unconfirmed],
    )


def missing_required(assessment: Assessment) -> list[tuple[Section, Question]]:
    """The required questions shown and not answered (see ``submission_problems``)."""
    return submission_problems(assessment)[0]


@transaction.atomic
def assessment_submit(*, actor: User, assessment_id: int) -> Assessment:
    """Submit the assessment for review, which locks its answers. Refused with
    ``MissingAnswers`` (listing each) while a required answer is missing or a
    carried-over answer is not confirmed, and with ``TransitionConflict`` when it is
    already submitted or accepted."""
    assessment = _answerable(actor=actor, assessment_id=assessment_id, submitting=True)
    missing, unconfirmed = submission_problems(assessment)
    if missing or unconfirmed:
        raise MissingAnswers(missing, unconfirmed)
    submitted = assessment_transition(
        assessment_id=assessment.pk, to=AssessmentStatus.SUBMITTED, actor=actor
    )
    from assessments import notices  # a resubmission tells the reviewer who returned it

    notices.assessment_resubmitted(assessment=submitted, event=submitted.events.latest("id"))
    return submitted
