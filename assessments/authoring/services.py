"""Questionnaires as data: import from YAML, publish, export, and the freezing rule.

The one way a questionnaire's content enters the database is ``questionnaire_import``;
the management command, the admin upload page and the API all call it.

* A definition identical to the questionnaire's newest version (same checksum) changes
  nothing and returns that version (``created=False``).
* A changed definition makes a new version numbered one above the newest, unless the
  newest is still a draft: a draft is replaced in place (it has no answers yet).
* A published version is frozen: nothing here changes it, and ``version_ensure_draft``
  refuses with a ValidationError for any other service that would.
* ``version_publish`` retires the previously published version of the questionnaire, so
  exactly one version is offered for new assessments; assessments already given a
  retired version keep answering it.

``actor`` is the user doing it, who needs ``Action.MANAGE_QUESTIONNAIRES``; ``None``
means an operator at the server (the management commands, demo data), who is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.access import Action
from suppliers.models import PriorityRisk

from ..models import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Section,
    VersionStatus,
)
from ..models.questionnaires import CHOICE_TYPES
from .schema import default_yes_no, parse_definition
from .yaml_io import FlowMapping, checksum, dump_yaml, plain_number

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
SHIPPED_FILES = ("sustainability.yaml", "information_security.yaml")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``created`` is False when the definition was already there.
    ``replaced`` is True when a draft was rewritten in place (``created`` is then True)."""

    version: QuestionnaireVersion
    created: bool
    replaced: bool = False


def _check_actor(actor) -> None:
    if actor is not None and not access.can(actor, Action.MANAGE_QUESTIONNAIRES):
        raise PermissionDenied(_("You may not manage questionnaires."))


def version_ensure_draft(version: QuestionnaireVersion) -> None:
    """The freezing rule: only a draft may change. Call before changing a version."""
    if version.is_frozen:
        raise ValidationError(
            _(
                "Version %(number)s of “%(code)s” is %(status)s and therefore frozen; "
                "import a changed definition to make a new version."
            )
            % {
                "number": version.number,
                "code": version.questionnaire.code,
                "status": version.get_status_display().lower(),
            }
        )


@transaction.atomic
def questionnaire_import(*, text: str, actor, publish: bool = True) -> ImportResult:
    """Import a questionnaire definition written as YAML (see docs/questionnaire-format.md).

    Validation errors are all raised together (ValidationError with one ``path: reason``
    message each) before anything is written.
    """
    _check_actor(actor)
    definition = parse_definition(text)
    digest = checksum(definition)
    questionnaire = _questionnaire_locked(definition)
    latest = (
        QuestionnaireVersion.objects.select_for_update()
        .filter(questionnaire=questionnaire)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.checksum == digest:
        if publish and latest.status == VersionStatus.DRAFT:
            _publish(latest)
        return ImportResult(version=latest, created=False)
    replaced = latest is not None and latest.status == VersionStatus.DRAFT
    if replaced:
        _clear_draft(latest)
        version = latest
    else:
        version = QuestionnaireVersion(
            questionnaire=questionnaire, number=(latest.number + 1) if latest else 1
        )
    version.title_en, version.title_ja = definition["title"]["en"], definition["title"]["ja"]
    version.intro_en, version.intro_ja = definition["intro"]["en"], definition["intro"]["ja"]
    version.checksum = digest
    version.save()
    _write_contents(version, definition)
    questionnaire.title_en, questionnaire.title_ja = version.title_en, version.title_ja
    questionnaire.save(update_fields=["title_en", "title_ja", "updated_at"])
    if publish:
        _publish(version)
    return ImportResult(version=version, created=True, replaced=replaced)


def _questionnaire_locked(definition: dict) -> Questionnaire:
    """The questionnaire of this code, locked so that two imports of it run one by one."""
    locked = Questionnaire.objects.select_for_update()
    questionnaire = locked.filter(code=definition["code"]).first()
    if questionnaire is None:
        try:
            with transaction.atomic():  # a savepoint: another import may create it first
                return Questionnaire.objects.create(
                    code=definition["code"],
                    kind=definition["kind"],
                    title_en=definition["title"]["en"],
                    title_ja=definition["title"]["ja"],
                )
        except IntegrityError:
            questionnaire = locked.get(code=definition["code"])
    if questionnaire.kind != definition["kind"]:
        raise ValidationError(
            [
                "kind: "
                + _("questionnaire “%(code)s” is of kind %(kind)s and cannot change kind")
                % {"code": questionnaire.code, "kind": questionnaire.kind}
            ]
        )
    return questionnaire


def _clear_draft(version: QuestionnaireVersion) -> None:
    version_ensure_draft(version)
    if version.assessments.exists():
        raise ValidationError(
            _("Draft version %(number)s already has assessments; it cannot be replaced.")
            % {"number": version.number}
        )
    # Questions first: their show_if foreign keys point at each other, and choices go
    # with them by cascade.
    Question.objects.filter(version=version).delete()
    Section.objects.filter(version=version).delete()


def _write_contents(version: QuestionnaireVersion, definition: dict) -> None:
    risks = {r.code: r for r in PriorityRisk.objects.all()}
    sections = Section.objects.bulk_create(
        Section(
            version=version,
            code=s["code"],
            position=position,
            title_en=s["title"]["en"],
            title_ja=s["title"]["ja"],
            description_en=s["description"]["en"],
            description_ja=s["description"]["ja"],
        )
        for position, s in enumerate(definition["sections"], start=1)
    )
    rows: list[tuple[Question, dict]] = []
    for section, s in zip(sections, definition["sections"], strict=True):
        for position, q in enumerate(s["questions"], start=1):
            if q["risk"] not in risks:
                raise ValidationError(
                    f"{q['code']}.risk: "
                    + _("priority risk “%(code)s” is missing in this installation")
                    % {"code": q["risk"]}
                )
            rows.append((_question_row(version, section, position, q, risks), q))
    questions = Question.objects.bulk_create(row for row, _q in rows)
    by_code = {question.code: question for question in questions}
    dependents = []
    for question, q in rows:
        if q["show_if"]:
            question.show_if_question = by_code[q["show_if"]["question"]]
            question.show_if_values = q["show_if"]["in"]
            dependents.append(question)
    if dependents:
        Question.objects.bulk_update(dependents, ["show_if_question", "show_if_values"])
    Choice.objects.bulk_create(
        Choice(
            question=question,
            code=c["code"],
            position=position,
            label_en=c["label"]["en"],
            label_ja=c["label"]["ja"],
            score=c["score"],
        )
        for question, q in rows
        for position, c in enumerate(q["choices"], start=1)
    )


def _question_row(version, section, position: int, q: dict, risks: dict) -> Question:
    def decimal(value):
        return None if value is None else Decimal(str(value))

    return Question(
        version=version,
        section=section,
        code=q["code"],
        position=position,
        risk=risks[q["risk"]],
        type=q["type"],
        text_en=q["text"]["en"],
        text_ja=q["text"]["ja"],
        help_en=q["help"]["en"],
        help_ja=q["help"]["ja"],
        required=q["required"],
        allow_not_applicable=q["not_applicable"],
        weight=Decimal(str(q["weight"])),
        unit_en=q["unit"]["en"],
        unit_ja=q["unit"]["ja"],
        min_value=decimal(q["min"]),
        max_value=decimal(q["max"]),
    )


@transaction.atomic
def version_publish(*, version_id: int, actor) -> QuestionnaireVersion:
    """Publish a draft (it is frozen from then on) and retire the version it replaces."""
    _check_actor(actor)
    questionnaire_id = (
        QuestionnaireVersion.objects.filter(pk=version_id)
        .values_list("questionnaire_id", flat=True)
        .get()
    )
    # Same lock order as the import: the questionnaire, then its versions.
    Questionnaire.objects.select_for_update().get(pk=questionnaire_id)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version_id)
    version_ensure_draft(version)
    _publish(version)
    return version


def _publish(version: QuestionnaireVersion) -> None:
    now = timezone.now()
    for older in QuestionnaireVersion.objects.filter(
        questionnaire_id=version.questionnaire_id, status=VersionStatus.PUBLISHED
    ).exclude(pk=version.pk):
        older.status = VersionStatus.RETIRED
        older.save(update_fields=["status", "updated_at"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at", "updated_at"])


# --- export ----------------------------------------------------------------------------


def _text(en: str, ja: str) -> dict[str, str]:
    return {"en": en, "ja": ja}


def definition_from_version(version: QuestionnaireVersion) -> dict:
    """The canonical definition of a stored version: the shape ``parse_definition``
    returns, so its checksum is the one the version was imported with."""
    questions = Question.objects.select_related("risk", "show_if_question").prefetch_related(
        "choices"
    )
    sections = (
        Section.objects.filter(version=version)
        .order_by("position", "id")
        .prefetch_related(Prefetch("questions", queryset=questions))
    )
    return {
        "code": version.questionnaire.code,
        "kind": version.questionnaire.kind,
        "title": _text(version.title_en, version.title_ja),
        "intro": _text(version.intro_en, version.intro_ja),
        "sections": [
            {
                "code": s.code,
                "title": _text(s.title_en, s.title_ja),
                "description": _text(s.description_en, s.description_ja),
                "questions": [_question_definition(q) for q in s.questions.all()],
            }
            for s in sections
        ],
    }


def _question_definition(q: Question) -> dict:
    def number(value):
        return None if value is None else plain_number(value)

    return {
        "code": q.code,
        "risk": q.risk.code,
        "type": q.type,
        "text": _text(q.text_en, q.text_ja),
        "help": _text(q.help_en, q.help_ja),
        "required": q.required,
        "not_applicable": q.allow_not_applicable,
        "weight": plain_number(q.weight),
        "choices": [
            {"code": c.code, "label": _text(c.label_en, c.label_ja), "score": c.score}
            for c in q.choices.all()
        ],
        "unit": _text(q.unit_en, q.unit_ja),
        "min": number(q.min_value),
        "max": number(q.max_value),
        "show_if": (
            {"question": q.show_if_question.code, "in": list(q.show_if_values)}
            if q.show_if_question_id
            else None
        ),
    }


def _short(text: dict[str, str]) -> dict[str, str]:
    """Short texts on one line, as the shipped files write them; long ones as blocks."""
    if len(text["en"]) + len(text["ja"]) <= 60 and not any("\n" in t for t in text.values()):
        return FlowMapping(text)
    return text


def _compact_question(q: dict) -> dict:
    """A question as an author would write it: keys at their default left out."""
    has_choices = q["type"] in CHOICE_TYPES
    out = {"code": q["code"], "risk": q["risk"], "type": q["type"], "text": _short(q["text"])}
    if any(q["help"].values()):
        out["help"] = _short(q["help"])
    if not q["required"]:
        out["required"] = False
    if q["not_applicable"]:
        out["not_applicable"] = True
    if q["weight"] != (1 if has_choices else 0):
        out["weight"] = q["weight"]
    if any(q["unit"].values()):
        out["unit"] = FlowMapping(q["unit"])
    for key in ("min", "max"):
        if q[key] is not None:
            out[key] = q[key]
    if q["show_if"]:
        out["show_if"] = FlowMapping(q["show_if"])
    if q["choices"] and not (q["type"] == QuestionType.YES_NO and q["choices"] == default_yes_no()):
        out["choices"] = [{**c, "label": _short(c["label"])} for c in q["choices"]]
    return out


def questionnaire_export(*, version: QuestionnaireVersion) -> str:
    """The version as YAML that imports back to the same checksum."""
    definition = definition_from_version(version)
    compact: dict = {
        "code": definition["code"],
        "kind": definition["kind"],
        "title": _short(definition["title"]),
    }
    if any(definition["intro"].values()):
        compact["intro"] = definition["intro"]
    compact["sections"] = []
    for s in definition["sections"]:
        section = {"code": s["code"], "title": _short(s["title"])}
        if any(s["description"].values()):
            section["description"] = _short(s["description"])
        section["questions"] = [_compact_question(q) for q in s["questions"]]
        compact["sections"].append(section)
    header = (
        f"# {definition['code']} version {version.number} ({version.status}), "
        f"checksum {version.checksum or checksum(definition)}\n"
        "# Format: docs/questionnaire-format.md\n"
    )
    return header + dump_yaml(compact)


def load_shipped_questionnaires(actor=None) -> list[QuestionnaireVersion]:
    """Import (and publish) the questionnaires shipped in assessments/questionnaires/.
    Safe to run again: unchanged files change nothing."""
    return [
        questionnaire_import(
            text=(SHIPPED_DIR / name).read_text(encoding="utf-8"), actor=actor, publish=True
        ).version
        for name in SHIPPED_FILES
    ]
