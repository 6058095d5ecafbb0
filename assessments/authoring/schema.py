"""The questionnaire definition: validation and its canonical form.

``parse_definition(text)`` reads YAML and returns the *canonical definition*: every key
present, defaults filled in, texts stripped, numbers plain. Two files that mean the same
questionnaire give equal canonical definitions (and so the same checksum), and
``services.definition_from_version`` builds the same shape from the database.

Every problem found is collected, each as ``path: reason`` (``sections[2].questions[4].
choices[1].score: must be a whole number from 0 to 100 (line 87)``), and raised together
as one ``ValidationError``. The format is documented in docs/questionnaire-format.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from suppliers.reference_data import RISKS

from ..models import QuestionnaireKind, QuestionType
from ..models.questionnaires import CHOICE_TYPES
from .checker import Checker, quote
from .yaml_io import Lines, load_yaml, plain_number

RISK_CODES = tuple(code for code, _en, _ja in RISKS)
TYPES = tuple(t.value for t in QuestionType)
KINDS = tuple(k.value for k in QuestionnaireKind)
MAX_QUESTIONS = 2000

TOP_KEYS = ("code", "kind", "title", "intro", "sections")
SECTION_KEYS = ("code", "title", "description", "questions")
QUESTION_KEYS = (
    "code",
    "risk",
    "type",
    "text",
    "help",
    "required",
    "not_applicable",
    "weight",
    "unit",
    "min",
    "max",
    "show_if",
    "choices",
)
CHOICE_KEYS = ("code", "label", "score")
SHOW_IF_KEYS = ("question", "in")

# Limits of the model fields the texts go into (None: no limit).
TITLE_MAX, LABEL_MAX, UNIT_MAX = 200, 300, 40
WEIGHT_MAX = Decimal("9999.99")
BOUND_MAX = Decimal("99999999999999")  # 14 digits before the point, 4 after


def default_yes_no() -> list[dict]:
    return [
        {"code": "yes", "label": {"en": "Yes", "ja": "はい"}, "score": 100},
        {"code": "no", "label": {"en": "No", "ja": "いいえ"}, "score": 0},
    ]


def parse_definition(text: str) -> dict:
    """The canonical definition of a questionnaire written as YAML, or ValidationError
    listing every problem as ``path: reason``."""
    data, lines = load_yaml(text)
    return validate_definition(data, lines)


def validate_definition(data: Any, lines: Lines | None = None) -> dict:
    check = Checker(lines or Lines())
    top = check.mapping(data, "", TOP_KEYS, ("code", "kind", "title", "sections"))
    if top is None:
        raise ValidationError(check.errors)
    kind = top.get("kind")
    if kind is not None and kind not in KINDS:
        check.error(
            "kind",
            _("%(value)s is not one of %(allowed)s")
            % {"value": quote(kind), "allowed": ", ".join(KINDS)},
            top,
            "kind",
        )
    definition = {
        "code": check.code(top, "code"),
        "kind": kind if kind in KINDS else "",
        "title": check.text(top, "title", "title", max_length=TITLE_MAX),
        "intro": check.text(top, "intro", "intro"),
        "sections": [],
    }
    seen_sections: dict[str, str] = {}
    earlier: dict[str, dict] = {}  # question code -> its canonical form, in order
    where: dict[str, str] = {}  # question code -> its path
    sections = check.items(top.get("sections"), "sections", top, "sections")
    for s_index, raw_section in enumerate(sections):
        path = f"sections[{s_index}]"
        section = check.mapping(raw_section, path, SECTION_KEYS, ("code", "title", "questions"))
        if section is None:
            continue
        code = check.code(section, f"{path}.code")
        if code and code in seen_sections:
            check.error(
                f"{path}.code",
                _("%(code)s is already the code of %(other)s")
                % {"code": quote(code), "other": seen_sections[code]},
                section,
                "code",
            )
        seen_sections.setdefault(code, path)
        out = {
            "code": code,
            "title": check.text(section, "title", f"{path}.title", max_length=TITLE_MAX),
            "description": check.text(section, "description", f"{path}.description"),
            "questions": [],
        }
        questions = check.items(section.get("questions"), f"{path}.questions", section, "questions")
        for q_index, raw_question in enumerate(questions):
            q_path = f"{path}.questions[{q_index}]"
            question = _question(check, raw_question, q_path, earlier, where)
            if question is not None:
                out["questions"].append(question)
        definition["sections"].append(out)
    if len(where) > MAX_QUESTIONS:
        check.error("sections", _("at most %(n)s questions in all") % {"n": MAX_QUESTIONS})
    if check.errors:
        raise ValidationError(check.errors)
    return definition


def _question(
    check: Checker, raw: Any, path: str, earlier: dict[str, dict], where: dict[str, str]
) -> dict | None:
    question = check.mapping(raw, path, QUESTION_KEYS, ("code", "risk", "type", "text"))
    if question is None:
        return None
    code = check.code(question, f"{path}.code")
    if code and code in where:
        check.error(
            f"{path}.code",
            _("%(code)s is already the code of %(other)s")
            % {"code": quote(code), "other": where[code]},
            question,
            "code",
        )
        code = ""
    risk, qtype = question.get("risk"), question.get("type")
    if risk is not None and risk not in RISK_CODES:
        check.error(
            f"{path}.risk",
            _("%(value)s is not one of %(allowed)s")
            % {"value": quote(risk), "allowed": ", ".join(RISK_CODES)},
            question,
            "risk",
        )
    if qtype is not None and qtype not in TYPES:
        check.error(
            f"{path}.type",
            _("%(value)s is not one of %(allowed)s")
            % {"value": quote(qtype), "allowed": ", ".join(TYPES)},
            question,
            "type",
        )
        qtype = None
    out = {
        "code": code,
        "risk": risk if risk in RISK_CODES else "",
        "type": qtype or "",
        "text": check.text(question, "text", f"{path}.text"),
        "help": check.text(question, "help", f"{path}.help"),
        "required": check.boolean(question, "required", f"{path}.required", True),
        "not_applicable": check.boolean(
            question, "not_applicable", f"{path}.not_applicable", False
        ),
    }
    out.update(_scoring(check, question, path, qtype))
    out.update(_number_parts(check, question, path, qtype))
    out["show_if"] = _show_if(check, question, path, earlier)
    if code:
        earlier[code] = out
        where[code] = path
    return out


def _scoring(check: Checker, question: dict, path: str, qtype: str | None) -> dict:
    has_choices = qtype in CHOICE_TYPES
    weight = check.decimal(question, "weight", f"{path}.weight", places=2, maximum=WEIGHT_MAX)
    if weight is not None and weight < 0:
        check.error(f"{path}.weight", _("must not be negative"), question, "weight")
    if weight is None:
        weight = Decimal(1 if has_choices else 0)
    if qtype and not has_choices and weight > 0:
        check.error(
            f"{path}.weight",
            _("only choice questions are scored; leave the weight out or give 0"),
            question,
            "weight",
        )
    choices: list[dict] = []
    raw_choices = question.get("choices")
    if qtype and not has_choices and raw_choices is not None:
        check.error(
            f"{path}.choices",
            _("a %(type)s question has no choices") % {"type": qtype},
            question,
            "choices",
        )
    elif has_choices:
        choices = _choices(check, question, path, qtype)
    return {"weight": plain_number(weight), "choices": choices}


def _choices(check: Checker, question: dict, path: str, qtype: str) -> list[dict]:
    raw = question.get("choices")
    if raw is None and qtype == QuestionType.YES_NO:
        return default_yes_no()
    if raw is None or raw == []:
        check.error(
            f"{path}.choices",
            _("a %(type)s question needs at least two choices") % {"type": qtype},
            question,
            "choices",
        )
        return []
    if not isinstance(raw, list):
        check.error(f"{path}.choices", _("must be a list of choices"), question, "choices")
        return []
    out, seen = [], set()
    for index, raw_choice in enumerate(raw):
        c_path = f"{path}.choices[{index}]"
        choice = check.mapping(raw_choice, c_path, CHOICE_KEYS, ("code", "label", "score"))
        if choice is None:
            continue
        code = check.code(choice, f"{c_path}.code")
        if code and code in seen:
            check.error(
                f"{c_path}.code",
                _("%(code)s is given twice in this question") % {"code": quote(code)},
                choice,
                "code",
            )
        seen.add(code)
        score = choice.get("score")
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100
        ):
            check.error(
                f"{c_path}.score", _("must be a whole number from 0 to 100"), choice, "score"
            )
            score = None
        out.append(
            {
                "code": code,
                "label": check.text(choice, "label", f"{c_path}.label", max_length=LABEL_MAX),
                "score": score if score is not None else 0,
            }
        )
    if qtype == QuestionType.YES_NO:
        if sorted(c["code"] for c in out) != ["no", "yes"]:
            check.error(
                f"{path}.choices",
                _("a yes_no question has exactly the choices “yes” and “no”"),
                question,
                "choices",
            )
    elif len(out) < 2:
        check.error(
            f"{path}.choices",
            _("a %(type)s question needs at least two choices") % {"type": qtype},
            question,
            "choices",
        )
    return out


def _number_parts(check: Checker, question: dict, path: str, qtype: str | None) -> dict:
    is_number = qtype == QuestionType.NUMBER
    for key in ("unit", "min", "max"):
        if qtype and not is_number and question.get(key) is not None:
            check.error(
                f"{path}.{key}",
                _("only number questions have %(key)s") % {"key": key},
                question,
                key,
            )
    if not is_number:
        return {"unit": {"en": "", "ja": ""}, "min": None, "max": None}
    low = check.decimal(question, "min", f"{path}.min", places=4, maximum=BOUND_MAX)
    high = check.decimal(question, "max", f"{path}.max", places=4, maximum=BOUND_MAX)
    if low is not None and high is not None and low > high:
        check.error(
            f"{path}.min",
            _("must not be greater than max (%(min)s > %(max)s)")
            % {"min": plain_number(low), "max": plain_number(high)},
            question,
            "min",
        )
    return {
        "unit": check.text(question, "unit", f"{path}.unit", max_length=UNIT_MAX),
        "min": None if low is None else plain_number(low),
        "max": None if high is None else plain_number(high),
    }


def _show_if(check: Checker, question: dict, path: str, earlier: dict[str, dict]) -> dict | None:
    raw = question.get("show_if")
    if raw is None:
        return None
    s_path = f"{path}.show_if"
    show_if = check.mapping(raw, s_path, SHOW_IF_KEYS, SHOW_IF_KEYS)
    if show_if is None:
        return None
    target_code, values = show_if.get("question"), show_if.get("in")
    target = earlier.get(target_code) if isinstance(target_code, str) else None
    if target_code is not None and target is None:
        check.error(
            f"{s_path}.question",
            _("%(code)s is not an earlier question") % {"code": quote(target_code)},
            show_if,
            "question",
        )
        return None
    if target is not None and target["type"] not in CHOICE_TYPES:
        check.error(
            f"{s_path}.question",
            _("%(code)s is not a choice question") % {"code": quote(target_code)},
            show_if,
            "question",
        )
        return None
    if values is None or target is None:
        return None
    if not isinstance(values, list) or not values:
        check.error(f"{s_path}.in", _("must be a non-empty list of choice codes"), show_if, "in")
        return None
    codes = [c["code"] for c in target["choices"]]
    for index, value in enumerate(values):
        if value not in codes:
            check.error(
                f"{s_path}.in[{index}]",
                _("%(value)s is not a choice of %(question)s (choices: %(codes)s)")
                % {
                    "value": quote(value),
                    "question": quote(target_code),
                    "codes": ", ".join(codes),
                },
                show_if,
                "in",
            )
    return {"question": target_code, "in": list(values)}
