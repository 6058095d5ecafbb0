"""Assignment of self-assessments: one supplier (or many, for a campaign), one
questionnaire version, one fiscal year, pre-filled from last year's answers.

Re-exported by ``services``; see there for the error conventions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
    Choice,
    Question,
    QuestionnaireVersion,
    QuestionType,
    VersionStatus,
)
from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.fiscal import validate_fiscal_year
from suppliers.models import Supplier

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


def _check_assignable(*, actor: User, version: QuestionnaireVersion, fiscal_year: int) -> None:
    if not access.can(actor, Action.ASSIGN_ASSESSMENTS):
        raise PermissionDenied(_("You may not assign self-assessments."))
    errors: dict[str, list[str]] = {}
    if version.status != VersionStatus.PUBLISHED:
        errors["version"] = [_("Only a published questionnaire version can be assigned.")]
    try:
        validate_fiscal_year(fiscal_year)
    except ValidationError as exc:
        errors["fiscal_year"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assessment_assign(
    *,
    actor: User,
    supplier: Supplier,
    version: QuestionnaireVersion,
    fiscal_year: int,
    due_date: dt.date | None = None,
    carry_over: bool = True,
) -> Assessment:
    """Give ``supplier`` the questionnaire ``version`` for ``fiscal_year``.

    Idempotent: a supplier that already has this questionnaire for the year (any
    version) gets that assessment back unchanged. A new one is pre-filled, with
    ``carry_over``, from the supplier's assessment of the same questionnaire in the
    previous fiscal year (see ``carry_over_answers``).
    """
    _check_assignable(actor=actor, version=version, fiscal_year=fiscal_year)
    key = {"supplier": supplier, "questionnaire_id": version.questionnaire_id}
    existing = Assessment.objects.filter(**key, fiscal_year=fiscal_year).first()
    if existing is not None:
        return existing
    try:
        # A savepoint: a concurrent assignment that won the race leaves this transaction
        # usable, and its row is the one returned.
        with transaction.atomic():
            assessment = Assessment.objects.create(
                **key,
                version=version,
                fiscal_year=fiscal_year,
                due_date=due_date,
                assigned_by=actor,
            )
    except IntegrityError:
        return Assessment.objects.get(**key, fiscal_year=fiscal_year)
    if carry_over:
        carry_over_answers([assessment])
    return assessment


@transaction.atomic
def assessments_assign_many(
    *,
    actor: User,
    suppliers: Sequence[Supplier],
    version: QuestionnaireVersion,
    fiscal_year: int,
    due_date: dt.date | None = None,
    carry_over: bool = True,
) -> list[Assessment]:
    """``assessment_assign`` for many suppliers at once (a campaign), in a fixed number
    of queries. Suppliers that already have the questionnaire for the year keep theirs.
    Returns every supplier's assessment for the year."""
    _check_assignable(actor=actor, version=version, fiscal_year=fiscal_year)
    supplier_ids = sorted({s.pk for s in suppliers})
    mine = Assessment.objects.filter(
        supplier_id__in=supplier_ids,
        questionnaire_id=version.questionnaire_id,
        fiscal_year=fiscal_year,
    )
    before = set(mine.values_list("supplier_id", flat=True))
    Assessment.objects.bulk_create(
        [
            Assessment(
                supplier_id=pk,
                questionnaire_id=version.questionnaire_id,
                version=version,
                fiscal_year=fiscal_year,
                due_date=due_date,
                assigned_by=actor,
            )
            for pk in supplier_ids
            if pk not in before
        ],
        ignore_conflicts=True,
    )
    assessments = list(mine.order_by("supplier_id"))
    if carry_over:
        carry_over_answers([a for a in assessments if a.supplier_id not in before])
    return assessments


def carry_over_answers(assessments: Iterable[Assessment]) -> int:
    """Pre-fill new assessments from the same supplier's assessment of the same
    questionnaire in the previous fiscal year (whatever version that was).

    Questions are matched by code and type; choice answers keep only the codes that still
    exist. Evidence files are not copied (the supplier uploads this year's). Answers are
    marked ``carried_over`` until the supplier saves them. Returns the number of answers
    created. Runs in a fixed number of queries however many assessments.
    """
    targets = list(assessments)
    if not targets:
        return 0
    previous = {
        (p.supplier_id, p.questionnaire_id, p.fiscal_year): p
        for p in Assessment.objects.filter(
            supplier_id__in={a.supplier_id for a in targets},
            questionnaire_id__in={a.questionnaire_id for a in targets},
            fiscal_year__in={a.fiscal_year - 1 for a in targets},
        )
    }
    pairs = [
        (a, previous[(a.supplier_id, a.questionnaire_id, a.fiscal_year - 1)])
        for a in targets
        if (a.supplier_id, a.questionnaire_id, a.fiscal_year - 1) in previous
    ]
    if not pairs:
        return 0
    new_questions = _questions_with_codes({a.version_id for a, _p in pairs})
    old_answers: dict[int, list[tuple[str, str, Any, bool]]] = {}
    for row in (
        Answer.objects.filter(assessment_id__in={p.pk for _a, p in pairs})
        .exclude(question__type=QuestionType.FILE)
        .values_list("assessment_id", "question__code", "question__type", "value", "not_applicable")
    ):
        old_answers.setdefault(row[0], []).append(row[1:])
    rows = []
    for assessment, prior in pairs:
        questions = new_questions.get(assessment.version_id, {})
        for code, qtype, value, na in old_answers.get(prior.pk, []):
            target = questions.get(code)
            if target is None or target[1] != qtype:
                continue
            question_id, _qtype, allow_na, codes = target
            value = _carried_value(qtype, value, codes)
            na = bool(na and allow_na)
            if value is None and not na:
                continue
            rows.append(
                Answer(
                    assessment_id=assessment.pk,
                    question_id=question_id,
                    value=value,
                    not_applicable=na,
                    carried_over=True,
                )
            )
    Answer.objects.bulk_create(rows, ignore_conflicts=True)
    for assessment, prior in pairs:
        assessment.carried_over_from = prior
    Assessment.objects.bulk_update([a for a, _p in pairs], ["carried_over_from"])
    return len(rows)


def _questions_with_codes(version_ids: set[int]) -> dict[int, dict[str, tuple]]:
    """version id -> question code -> (id, type, allow_na, choice codes)."""
    choices: dict[int, list[str]] = {}
    for question_id, code in Choice.objects.filter(
        question__version_id__in=version_ids
    ).values_list("question_id", "code"):
        choices.setdefault(question_id, []).append(code)
    result: dict[int, dict[str, tuple]] = {}
    for pk, version_id, code, qtype, allow_na in Question.objects.filter(
        version_id__in=version_ids
    ).values_list("id", "version_id", "code", "type", "allow_not_applicable"):
        result.setdefault(version_id, {})[code] = (pk, qtype, allow_na, choices.get(pk, []))
    return result


def _carried_value(qtype: str, value: Any, codes: list[str]) -> Any:
    if value in (None, "", []):
        return None
    if qtype in (QuestionType.YES_NO, QuestionType.SINGLE):
        return value if value in codes else None
    if qtype == QuestionType.MULTIPLE:
        kept = [c for c in codes if c in (value if isinstance(value, list) else [value])]
        return kept or None
    return value
