"""Small, readable questionnaires and assessments for tests.

``build_version()`` makes a published two-section questionnaire with one question of each
type (codes below), the choice ones scored, one shown only if another is answered "no",
and one optional. ``build_assessment()`` assigns it to a supplier for a fiscal year.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from assessments.models import (
    Assessment,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    QuestionType,
    Section,
    VersionStatus,
)
from suppliers.models import PriorityRisk

T = QuestionType


def _risk(code: str) -> PriorityRisk:
    return PriorityRisk.objects.get(code=code)


def build_version(
    *,
    code: str = "test-saq",
    kind: str = QuestionnaireKind.SUSTAINABILITY,
    number: int = 1,
    status: str = VersionStatus.PUBLISHED,
) -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code=code, defaults={"kind": kind, "title_en": "Test SAQ", "title_ja": "テストSAQ"}
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        status=status,
        title_en="Test SAQ",
        title_ja="テストSAQ",
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
    )
    people = Section.objects.create(
        version=version, code="people", position=1, title_en="People", title_ja="人権"
    )
    planet = Section.objects.create(
        version=version, code="planet", position=2, title_en="Planet", title_ja="環境"
    )
    hr, env = _risk("human_rights"), _risk("environment")

    def q(section, pos, qcode, qtype, risk, **kw):
        return Question.objects.create(
            version=version,
            section=section,
            position=pos,
            code=qcode,
            type=qtype,
            risk=risk,
            text_en=kw.pop("text_en", f"Question {qcode}?"),
            text_ja=kw.pop("text_ja", f"質問 {qcode}"),
            **kw,
        )

    policy = q(people, 1, "forced-labour-policy", T.YES_NO, hr, weight=Decimal(2))
    Choice.objects.create(
        question=policy, code="yes", position=1, label_en="Yes", label_ja="はい", score=100
    )
    Choice.objects.create(
        question=policy, code="no", position=2, label_en="No", label_ja="いいえ", score=0
    )
    plan = q(
        people,
        2,
        "forced-labour-plan",
        T.TEXT,
        hr,
        weight=Decimal(0),
        show_if_question=policy,
        show_if_values=["no"],
    )
    hours = q(people, 3, "working-hours", T.SINGLE, hr, allow_not_applicable=True)
    for pos, (c, en, score) in enumerate(
        [("always", "Always", 100), ("mostly", "Mostly", 50), ("never", "Never", 0)], 1
    ):
        Choice.objects.create(
            question=hours, code=c, position=pos, label_en=en, label_ja=en, score=score
        )
    q(
        people,
        4,
        "headcount",
        T.NUMBER,
        hr,
        weight=Decimal(0),
        min_value=Decimal(0),
        max_value=Decimal(1000000),
        unit_en="people",
        unit_ja="人",
    )
    ems = q(planet, 1, "ems", T.MULTIPLE, env)
    for pos, (c, en, score) in enumerate(
        [
            ("iso14001", "ISO 14001", 100),
            ("eco-action-21", "Eco Action 21", 80),
            ("none", "None", 0),
        ],
        1,
    ):
        Choice.objects.create(
            question=ems, code=c, position=pos, label_en=en, label_ja=en, score=score
        )
    q(planet, 2, "audit-date", T.DATE, env, weight=Decimal(0), required=False)
    q(planet, 3, "certificate", T.FILE, env, weight=Decimal(0), required=False)
    assert plan.show_if_question_id == policy.pk
    return version


def build_assessment(*, supplier, version=None, fiscal_year: int = 2026, **kw) -> Assessment:
    version = version or build_version()
    return Assessment.objects.create(
        supplier=supplier,
        questionnaire=version.questionnaire,
        version=version,
        fiscal_year=fiscal_year,
        **kw,
    )
