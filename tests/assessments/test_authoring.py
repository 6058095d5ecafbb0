"""Questionnaires as data: YAML import, validation by path, versions and freezing, export,
the shipped questionnaires, the management commands and the admin upload page."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.authoring import services
from assessments.authoring.schema import parse_definition
from assessments.authoring.yaml_io import checksum
from assessments.management.commands.import_questionnaire import Command
from assessments.models import (
    Answer,
    Assessment,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Section,
    VersionStatus,
)
from suppliers.reference_data import RISKS

pytestmark = pytest.mark.django_db


def definition() -> dict:
    """A small, valid questionnaire: two sections, every question type."""
    return {
        "code": "mini-saq",
        "kind": "sustainability",
        "title": {"en": "Mini SAQ", "ja": "ミニ調査票"},
        "intro": {"en": "Please answer.", "ja": "ご回答ください。"},
        "sections": [
            {
                "code": "people",
                "title": {"en": "People", "ja": "人権"},
                "questions": [
                    {
                        "code": "policy",
                        "risk": "human_rights",
                        "type": "yes_no",
                        "weight": 2,
                        "text": {"en": "Do you have a policy?", "ja": "方針はありますか。"},
                        "help": {"en": "A code of conduct counts.", "ja": "行動規範も含みます。"},
                    },
                    {
                        "code": "plan",
                        "risk": "human_rights",
                        "type": "text",
                        "show_if": {"question": "policy", "in": ["no"]},
                        "text": {"en": "Describe your plan.", "ja": "計画をご記入ください。"},
                    },
                    {
                        "code": "hours",
                        "risk": "human_rights",
                        "type": "single_choice",
                        "not_applicable": True,
                        "text": {"en": "Working hours?", "ja": "労働時間は。"},
                        "choices": [
                            {
                                "code": "within",
                                "label": {"en": "Within", "ja": "範囲内"},
                                "score": 100,
                            },
                            {"code": "over", "label": {"en": "Over", "ja": "超過"}, "score": 0},
                        ],
                    },
                    {
                        "code": "headcount",
                        "risk": "human_rights",
                        "type": "number",
                        "text": {"en": "Headcount", "ja": "従業員数"},
                        "unit": {"en": "people", "ja": "人"},
                        "min": 0,
                        "max": 1000000,
                    },
                ],
            },
            {
                "code": "planet",
                "title": {"en": "Planet", "ja": "環境"},
                "questions": [
                    {
                        "code": "ems",
                        "risk": "environment",
                        "type": "multiple_choice",
                        "text": {"en": "Which systems?", "ja": "どの仕組みですか。"},
                        "choices": [
                            {
                                "code": "iso14001",
                                "label": {"en": "ISO 14001", "ja": "ISO 14001"},
                                "score": 100,
                            },
                            {"code": "none", "label": {"en": "None", "ja": "なし"}, "score": 0},
                        ],
                    },
                    {
                        "code": "audit-date",
                        "risk": "environment",
                        "type": "date",
                        "required": False,
                        "text": {"en": "Last audit", "ja": "直近の監査日"},
                    },
                    {
                        "code": "certificate",
                        "risk": "environment",
                        "type": "file",
                        "required": False,
                        "text": {"en": "Certificate", "ja": "認証書"},
                    },
                ],
            },
        ],
    }


def as_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def q(data: dict, section: int, question: int) -> dict:
    return data["sections"][section]["questions"][question]


def row_counts() -> tuple[int, ...]:
    return (
        Questionnaire.objects.count(),
        QuestionnaireVersion.objects.count(),
        Section.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )


# --- a valid import ---------------------------------------------------------------------


def test_a_valid_import_creates_the_questionnaire_with_every_part():
    # given a valid definition
    # when an operator imports it
    result = services.questionnaire_import(text=as_yaml(definition()), actor=None)

    # then version 1 is published, with its sections, questions and choices
    version = result.version
    assert result.created
    assert (version.number, version.status) == (1, VersionStatus.PUBLISHED)
    assert version.published_at is not None
    assert len(version.checksum) == 64
    assert version.questionnaire.code == "mini-saq"
    assert version.questionnaire.kind == "sustainability"
    assert (version.title_en, version.title_ja, version.intro_ja) == (
        "Mini SAQ",
        "ミニ調査票",
        "ご回答ください。",
    )
    assert list(version.sections.values_list("code", "position")) == [
        ("people", 1),
        ("planet", 2),
    ]
    assert version.questions.count() == 7
    policy = version.questions.get(code="policy")
    assert policy.type == QuestionType.YES_NO and policy.weight == Decimal(2)
    assert policy.risk.code == "human_rights"
    assert policy.help_ja == "行動規範も含みます。"
    # yes/no choices default to yes = 100, no = 0
    assert list(policy.choices.values_list("code", "label_ja", "score")) == [
        ("yes", "はい", 100),
        ("no", "いいえ", 0),
    ]
    plan = version.questions.get(code="plan")
    assert plan.show_if_question == policy and plan.show_if_values == ["no"]
    assert plan.weight == 0 and plan.required
    hours = version.questions.get(code="hours")
    assert hours.allow_not_applicable and hours.weight == 1
    headcount = version.questions.get(code="headcount")
    assert (headcount.min_value, headcount.max_value, headcount.unit_ja) == (0, 1000000, "人")
    assert not version.questions.get(code="audit-date").required
    assert version.questions.get(code="ems").section.code == "planet"


def test_identical_reimport_changes_nothing():
    # given an imported definition
    first = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    before = row_counts()
    stamp = QuestionnaireVersion.objects.get(pk=first.pk).updated_at

    # when the same definition is imported again, written differently (defaults spelled
    # out, other key order, a comment)
    data = definition()
    q(data, 0, 0)["required"] = True
    q(data, 0, 3)["weight"] = 0
    data = {"sections": data["sections"], **{k: v for k, v in data.items() if k != "sections"}}
    result = services.questionnaire_import(text="# again\n" + as_yaml(data), actor=None)

    # then it finds the same version and writes nothing
    assert not result.created
    assert result.version.pk == first.pk
    assert row_counts() == before
    assert QuestionnaireVersion.objects.get(pk=first.pk).updated_at == stamp


def test_a_changed_definition_makes_version_2_and_leaves_version_1_and_its_answers(supplier):
    # given version 1, answered by a supplier
    v1 = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    assessment = Assessment.objects.create(
        supplier=supplier, questionnaire=v1.questionnaire, version=v1, fiscal_year=2026
    )
    v1_policy = v1.questions.get(code="policy")
    answer = Answer.objects.create(assessment=assessment, question=v1_policy, value="yes")
    v1_rows = list(Question.objects.filter(version=v1).values("id", "code", "text_en", "weight"))

    # when a changed definition is imported
    data = definition()
    q(data, 0, 0)["text"]["en"] = "Do you have a written policy?"
    result = services.questionnaire_import(text=as_yaml(data), actor=None)

    # then it is version 2, published; version 1 is retired and otherwise untouched
    v2 = result.version
    assert result.created and v2.pk != v1.pk
    assert (v2.number, v2.status) == (2, VersionStatus.PUBLISHED)
    assert v2.questions.get(code="policy").text_en == "Do you have a written policy?"
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    assert (
        list(Question.objects.filter(version=v1).values("id", "code", "text_en", "weight"))
        == v1_rows
    )
    answer.refresh_from_db()
    assert answer.question_id == v1_policy.pk
    assert Questionnaire.objects.count() == 1


def test_a_draft_is_replaced_in_place_until_published_and_then_frozen():
    # given a draft
    draft = services.questionnaire_import(
        text=as_yaml(definition()), actor=None, publish=False
    ).version
    assert draft.status == VersionStatus.DRAFT and draft.published_at is None

    # when a changed definition is imported as a draft
    data = definition()
    q(data, 0, 2)["choices"][1]["score"] = 20
    result = services.questionnaire_import(text=as_yaml(data), actor=None, publish=False)

    # then the same draft (still number 1) now holds the new content
    assert result.created and result.replaced
    assert result.version.pk == draft.pk and result.version.number == 1
    assert Choice.objects.get(question__version=draft, code="over").score == 20
    assert QuestionnaireVersion.objects.count() == 1

    # when it is published, and publishing is tried again
    published = services.version_publish(version_id=draft.pk, actor=None)
    assert published.status == VersionStatus.PUBLISHED and published.published_at
    with pytest.raises(ValidationError, match="frozen"):
        services.version_publish(version_id=draft.pk, actor=None)

    # then a later change makes version 2 instead of touching it
    q(data, 0, 2)["choices"][1]["score"] = 30
    again = services.questionnaire_import(text=as_yaml(data), actor=None, publish=False)
    assert again.version.number == 2 and again.version.status == VersionStatus.DRAFT
    assert Choice.objects.get(question__version=draft, code="over").score == 20


def test_the_freezing_rule_refuses_changes_to_a_published_version():
    version = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    with pytest.raises(ValidationError, match="frozen"):
        services.version_ensure_draft(version)


def test_an_identical_import_publishes_a_waiting_draft():
    draft = services.questionnaire_import(
        text=as_yaml(definition()), actor=None, publish=False
    ).version
    result = services.questionnaire_import(text=as_yaml(definition()), actor=None)
    assert not result.created and result.version.pk == draft.pk
    assert result.version.status == VersionStatus.PUBLISHED


def test_a_draft_that_was_given_out_is_not_replaced(supplier):
    draft = services.questionnaire_import(
        text=as_yaml(definition()), actor=None, publish=False
    ).version
    Assessment.objects.create(
        supplier=supplier, questionnaire=draft.questionnaire, version=draft, fiscal_year=2026
    )
    data = definition()
    q(data, 0, 0)["weight"] = 3
    with pytest.raises(ValidationError, match="already has assessments"):
        services.questionnaire_import(text=as_yaml(data), actor=None, publish=False)
    assert draft.questions.get(code="policy").weight == 2


def test_the_kind_of_a_questionnaire_cannot_change():
    services.questionnaire_import(text=as_yaml(definition()), actor=None)
    data = definition()
    data["kind"] = "information_security"
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_import(text=as_yaml(data), actor=None)
    assert caught.value.messages[0].startswith("kind: ")
    assert QuestionnaireVersion.objects.count() == 1


# --- who may import ---------------------------------------------------------------------


@pytest.mark.parametrize("role_fixture", ["buyer", "csco", "supplier_user", "infosec_assessor"])
def test_only_questionnaire_managers_may_import_or_publish(request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.questionnaire_import(text=as_yaml(definition()), actor=user)
    assert row_counts() == (0, 0, 0, 0, 0)
    draft = services.questionnaire_import(
        text=as_yaml(definition()), actor=None, publish=False
    ).version
    with pytest.raises(PermissionDenied):
        services.version_publish(version_id=draft.pk, actor=user)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_an_administrator_may_import(admin_user):
    result = services.questionnaire_import(text=as_yaml(definition()), actor=admin_user)
    assert result.created


# --- bad input ------------------------------------------------------------------------


def _set(path: list, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return data

    return mutate


S0 = ["sections", 0, "questions"]
BAD_INPUTS = {
    "score out of range": (
        _set([*S0, 2, "choices", 1, "score"], 150),
        "sections[0].questions[2].choices[1].score: must be a whole number from 0 to 100",
    ),
    "score not whole": (
        _set([*S0, 2, "choices", 0, "score"], 99.5),
        "sections[0].questions[2].choices[0].score: must be a whole number from 0 to 100",
    ),
    "show_if names a later question": (
        _set([*S0, 0, "show_if"], {"question": "hours", "in": ["within"]}),
        "sections[0].questions[0].show_if.question: “hours” is not an earlier question",
    ),
    "show_if names no question": (
        _set([*S0, 1, "show_if", "question"], "abc"),
        "sections[0].questions[1].show_if.question: “abc” is not an earlier question",
    ),
    "show_if value not a choice": (
        _set([*S0, 1, "show_if", "in"], ["maybe"]),
        "sections[0].questions[1].show_if.in[0]: “maybe” is not a choice of “policy”",
    ),
    "show_if on a non-choice question": (
        _set([*S0, 3, "show_if"], {"question": "plan", "in": ["x"]}),
        "sections[0].questions[3].show_if.question: “plan” is not a choice question",
    ),
    "unknown key": (
        _set([*S0, 3, "colour"], "red"),
        "sections[0].questions[3].colour: unknown key",
    ),
    "unknown top-level key": (_set(["version"], 3), "version: unknown key"),
    "duplicate question code": (
        _set(["sections", 1, "questions", 0, "code"], "policy"),
        "sections[1].questions[0].code: “policy” is already the code of sections[0].questions[0]",
    ),
    "duplicate section code": (
        _set(["sections", 1, "code"], "people"),
        "sections[1].code: “people” is already the code of sections[0]",
    ),
    "duplicate choice code": (
        _set([*S0, 2, "choices", 1, "code"], "within"),
        "sections[0].questions[2].choices[1].code: “within” is given twice",
    ),
    "min above max": (
        _set([*S0, 3, "min"], 2000000),
        "sections[0].questions[3].min: must not be greater than max (2000000 > 1000000)",
    ),
    "bounds on a text question": (
        _set([*S0, 1, "max"], 5),
        "sections[0].questions[1].max: only number questions have max",
    ),
    "choices on a number question": (
        _set([*S0, 3, "choices"], [{"code": "a", "label": {"en": "A", "ja": "A"}, "score": 1}]),
        "sections[0].questions[3].choices: a number question has no choices",
    ),
    "choice question without choices": (
        _set([*S0, 2, "choices"], KeyError),
        "sections[0].questions[2].choices: a single_choice question needs at least two choices",
    ),
    "yes_no with other codes": (
        _set(
            [*S0, 0, "choices"],
            [
                {"code": "ja", "label": {"en": "Yes", "ja": "はい"}, "score": 100},
                {"code": "nein", "label": {"en": "No", "ja": "いいえ"}, "score": 0},
            ],
        ),
        "sections[0].questions[0].choices: a yes_no question has exactly the choices",
    ),
    "unknown risk": (
        _set([*S0, 0, "risk"], "labour"),
        "sections[0].questions[0].risk: “labour” is not one of human_rights",
    ),
    "unknown type": (
        _set([*S0, 0, "type"], "slider"),
        "sections[0].questions[0].type: “slider” is not one of yes_no",
    ),
    "unknown kind": (_set(["kind"], "quality"), "kind: “quality” is not one of"),
    "missing Japanese": (
        _set([*S0, 0, "text"], {"en": "Policy?"}),
        "sections[0].questions[0].text.ja: is required",
    ),
    "empty English": (
        _set(["sections", 1, "title", "en"], "  "),
        "sections[1].title.en: must be non-empty text",
    ),
    "text not bilingual": (
        _set([*S0, 0, "help"], "just English"),
        "sections[0].questions[0].help: must give the text in both languages",
    ),
    "missing question text": (
        _set([*S0, 0, "text"], KeyError),
        "sections[0].questions[0].text: is required",
    ),
    "weight on a text question": (
        _set([*S0, 1, "weight"], 1),
        "sections[0].questions[1].weight: only choice questions are scored",
    ),
    "negative weight": (
        _set([*S0, 0, "weight"], -1),
        "sections[0].questions[0].weight: must not be negative",
    ),
    "required not a boolean": (
        _set([*S0, 0, "required"], "sometimes"),
        "sections[0].questions[0].required: must be true or false",
    ),
    "bad code": (
        _set([*S0, 0, "code"], "Has Spaces"),
        "sections[0].questions[0].code: must be a code of lowercase letters",
    ),
    "no sections": (_set(["sections"], []), "sections: must be a non-empty list"),
    "title too long": (
        _set(["title", "en"], "x" * 201),
        "title.en: is too long (201 characters; at most 200)",
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_with_its_path_and_nothing_is_written(name):
    # given a definition with one mistake
    mutate, expected = BAD_INPUTS[name]
    text = as_yaml(mutate(copy.deepcopy(definition())))

    # when it is imported
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_import(text=text, actor=None)

    # then the message names the path and the reason, and nothing was saved
    messages = caught.value.messages
    assert any(m.startswith(expected) for m in messages), messages
    assert row_counts() == (0, 0, 0, 0, 0)


def test_messages_carry_the_line_of_the_bad_value():
    data = definition()
    q(data, 0, 2)["choices"][1]["score"] = 101
    text = as_yaml(data)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "score: 101" in t)
    with pytest.raises(ValidationError) as caught:
        parse_definition(text)
    assert caught.value.messages == [
        "sections[0].questions[2].choices[1].score: must be a whole number from 0 to 100 "
        f"(line {line})"
    ]


def test_every_problem_is_reported_at_once():
    data = definition()
    q(data, 0, 2)["choices"][1]["score"] = 101
    q(data, 0, 0)["risk"] = "labour"
    q(data, 0, 3)["min"] = 5
    q(data, 0, 3)["max"] = 1
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_import(text=as_yaml(data), actor=None)
    paths = [m.split(":")[0] for m in caught.value.messages]
    assert paths == [
        "sections[0].questions[0].risk",
        "sections[0].questions[2].choices[1].score",
        "sections[0].questions[3].min",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code: mini\nkind: [sustainability\n", "line 3, column 1: "),
        ("code: mini\n  kind: x\n", "line 2, column 7: mapping values are not allowed here"),
        ("code: a\ncode: b\n", "line 2: key “code” is given twice"),
        ("code: &c mini\nkind: *c\n", "line 2, column 7: aliases (*name) are not allowed"),
        ("- just\n- a list\n", "(top): must be a mapping"),
        ("code: mini\ndue: 2024-13-45\n", "YAML: a value could not be read"),
        ("", "(top): must be a mapping"),
    ],
)
def test_unreadable_yaml_is_refused_with_its_line(text, expected):
    with pytest.raises(ValidationError) as caught:
        services.questionnaire_import(text=text, actor=None)
    assert any(m.startswith(expected) for m in caught.value.messages), caught.value.messages
    assert row_counts() == (0, 0, 0, 0, 0)


def test_yes_and_no_stay_text_in_yaml():
    # given show_if written the way people write it, unquoted
    text = as_yaml(definition()).replace("- 'no'", "- no")
    assert "- no\n" in text
    # then "no" is the choice code, not the boolean false
    version = services.questionnaire_import(text=text, actor=None).version
    assert version.questions.get(code="plan").show_if_values == ["no"]


# --- export ---------------------------------------------------------------------------


def test_export_then_import_gives_the_same_checksum():
    # given an imported version
    version = services.questionnaire_import(text=as_yaml(definition()), actor=None).version

    # when it is exported
    text = services.questionnaire_export(version=version)

    # then the YAML is readable (Japanese as such, defaults left out) and means the same
    assert "ja: ミニ調査票" in text
    assert "required: true" not in text
    assert checksum(parse_definition(text)) == version.checksum
    assert checksum(services.definition_from_version(version)) == version.checksum
    # and importing it changes nothing
    result = services.questionnaire_import(text=text, actor=None)
    assert not result.created and result.version.pk == version.pk


def test_an_exported_version_imports_as_the_same_questionnaire_elsewhere():
    # given an export of a version with every kind of question
    version = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    text = services.questionnaire_export(version=version).replace("mini-saq", "mini-copy")

    # when it is imported under another code
    copy_version = services.questionnaire_import(text=text, actor=None).version

    # then every question came across unchanged
    original = services.definition_from_version(version)
    copied = services.definition_from_version(copy_version)
    assert copied["sections"] == original["sections"]


# --- the shipped questionnaires -----------------------------------------------------------


def test_the_shipped_questionnaires_load_and_reload_as_no_ops():
    versions = services.load_shipped_questionnaires()
    before = row_counts()
    again = services.load_shipped_questionnaires()
    assert [v.pk for v in again] == [v.pk for v in versions]
    assert row_counts() == before
    assert all(v.status == VersionStatus.PUBLISHED for v in versions)


def test_the_shipped_questionnaires_cover_the_issue():
    sustainability, infosec = services.load_shipped_questionnaires()
    assert sustainability.questionnaire.kind == "sustainability"
    assert infosec.questionnaire.kind == "information_security"
    questions = Question.objects.filter(version__in=[sustainability, infosec])
    assert questions.count() >= 60
    assert sustainability.questions.count() >= 40
    assert infosec.questions.count() >= 25
    # every risk but information security in the sustainability SAQ; only it in the other
    all_risks = {code for code, _en, _ja in RISKS}
    assert set(sustainability.questions.values_list("risk__code", flat=True)) == all_risks - {
        "information_security"
    }
    assert set(infosec.questions.values_list("risk__code", flat=True)) == {"information_security"}
    # every type, follow-ups, not-applicable and optional questions are used
    assert set(questions.values_list("type", flat=True)) == {t.value for t in QuestionType}
    assert questions.filter(show_if_question__isnull=False).count() >= 6
    assert questions.filter(allow_not_applicable=True).count() >= 5
    # every text in English and Japanese
    for version in (sustainability, infosec):
        assert version.title_en and version.title_ja and version.intro_en and version.intro_ja
        for section in version.sections.all():
            assert section.title_en and section.title_ja
    for question in questions:
        assert question.text_en and question.text_ja, question.code
        assert bool(question.help_en) == bool(question.help_ja), question.code
        assert bool(question.unit_en) == bool(question.unit_ja), question.code
    for choice in Choice.objects.filter(question__in=questions):
        assert choice.label_en and choice.label_ja, choice.code
        assert choice.label_en != choice.label_ja or choice.label_en.startswith("ISO")


def test_the_shipped_files_round_trip_through_export():
    for version in services.load_shipped_questionnaires():
        text = services.questionnaire_export(version=version)
        assert checksum(parse_definition(text)) == version.checksum


# --- management commands --------------------------------------------------------------


@pytest.fixture
def definition_file(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(as_yaml(definition()), encoding="utf-8")
    return path


def test_import_command_creates_then_reports_unchanged(definition_file, capsys):
    call_command("import_questionnaire", str(definition_file))
    assert capsys.readouterr().out.strip() == "created: mini-saq version 1 (published)"
    call_command("import_questionnaire", str(definition_file))
    assert capsys.readouterr().out.strip() == "unchanged: mini-saq version 1 (published)"


def test_import_command_keeps_a_draft(definition_file, capsys):
    call_command("import_questionnaire", str(definition_file), "--draft")
    assert capsys.readouterr().out.strip() == "created: mini-saq version 1 (draft)"
    assert QuestionnaireVersion.objects.get().status == VersionStatus.DRAFT


def test_import_command_prints_every_problem_and_fails(tmp_path, capsys):
    data = definition()
    q(data, 0, 2)["choices"][1]["score"] = 101
    q(data, 0, 0)["risk"] = "labour"
    bad = tmp_path / "bad.yaml"
    bad.write_text(as_yaml(data), encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_questionnaire", str(bad))
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("sections[0].questions[0].risk: ")
    assert err[1].startswith("sections[0].questions[2].choices[1].score: ")
    assert row_counts() == (0, 0, 0, 0, 0)


def test_import_command_exits_non_zero_on_problems(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [\n", encoding="utf-8")
    # run_from_argv is what manage.py runs: it turns CommandError into exit status 1
    command = Command()
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "import_questionnaire", str(bad)])
    assert exited.value.code == 1
    assert "line 2, column 1: " in capsys.readouterr().err


def test_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_questionnaire", str(tmp_path / "nope.yaml"))


def test_export_command_writes_the_published_or_the_named_version(
    definition_file, tmp_path, capsys
):
    call_command("import_questionnaire", str(definition_file))
    data = definition()
    q(data, 0, 0)["weight"] = 5
    changed = tmp_path / "changed.yaml"
    changed.write_text(as_yaml(data), encoding="utf-8")
    call_command("import_questionnaire", str(changed), "--draft")
    capsys.readouterr()

    # the published version by default, to standard output
    call_command("export_questionnaire", "mini-saq")
    out = capsys.readouterr().out
    assert out.startswith("# mini-saq version 1 (published)")
    assert "weight: 2" in out
    # a named version, to a file
    target = tmp_path / "v2.yaml"
    call_command("export_questionnaire", "mini-saq", "--version", "2", "-o", str(target))
    written = target.read_text(encoding="utf-8")
    assert written.startswith("# mini-saq version 2 (draft)") and "weight: 5" in written
    with pytest.raises(CommandError, match="no version 7"):
        call_command("export_questionnaire", "mini-saq", "--version", "7")
    with pytest.raises(CommandError, match="no questionnaire"):
        call_command("export_questionnaire", "nope")


# --- admin upload page ----------------------------------------------------------------

IMPORT_URL = "/admin/assessments/questionnaire/import/"


def test_admin_uploads_a_yaml_file(login, admin_user):
    client = login(admin_user)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert "Import a questionnaire from YAML" in page.content.decode()

    upload = SimpleUploadedFile("mini.yaml", as_yaml(definition()).encode(), "application/yaml")
    response = client.post(IMPORT_URL, {"file": upload})

    version = QuestionnaireVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:assessments_questionnaireversion_change", args=[version.pk]
    )
    assert version.status == VersionStatus.PUBLISHED
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "Imported mini-saq version 1" in shown.content.decode()


def test_admin_pastes_a_draft(login, admin_user):
    client = login(admin_user)
    response = client.post(IMPORT_URL, {"text": as_yaml(definition()), "draft": "on"})
    assert response.status_code == 302
    assert QuestionnaireVersion.objects.get().status == VersionStatus.DRAFT


def test_admin_upload_lists_every_problem_by_path_and_saves_nothing(login, admin_user):
    data = definition()
    q(data, 0, 2)["choices"][1]["score"] = 101
    q(data, 0, 1)["show_if"]["question"] = "abc"
    upload = SimpleUploadedFile("bad.yaml", as_yaml(data).encode(), "application/yaml")

    response = login(admin_user).post(IMPORT_URL, {"file": upload})

    body = response.content.decode()
    assert response.status_code == 200
    assert "2 problems" in body
    assert "sections[0].questions[1].show_if.question: “abc” is not an earlier question" in body
    assert "sections[0].questions[2].choices[1].score: must be a whole number" in body
    assert row_counts() == (0, 0, 0, 0, 0)


def test_admin_upload_refuses_a_file_that_is_not_text(login, admin_user):
    upload = SimpleUploadedFile("x.yaml", b"%PDF-1.4\n\x00\x01binary", "application/pdf")
    response = login(admin_user).post(IMPORT_URL, {"file": upload})
    assert response.status_code == 200
    assert "not accepted here" in response.content.decode()
    assert row_counts() == (0, 0, 0, 0, 0)


def test_admin_upload_asks_for_something(login, admin_user):
    response = login(admin_user).post(IMPORT_URL, {})
    assert response.status_code == 200
    assert "Choose a YAML file or paste its text." in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["buyer", "csco", "supplier_user", None])
def test_admin_upload_is_refused_to_everyone_else(request, client, role_fixture):
    if role_fixture:
        client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(IMPORT_URL).status_code == 302
    response = client.post(IMPORT_URL, {"text": as_yaml(definition())})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert row_counts() == (0, 0, 0, 0, 0)


def test_admin_lists_and_exports_versions(login, admin_user, buyer):
    version = services.questionnaire_import(text=as_yaml(definition()), actor=None).version
    client = login(admin_user)
    changelist = client.get("/admin/assessments/questionnaire/").content.decode()
    assert IMPORT_URL in changelist and "Import from YAML" in changelist
    versions = client.get("/admin/assessments/questionnaireversion/").content.decode()
    export_url = f"/admin/assessments/questionnaireversion/{version.pk}/export/"
    assert export_url in versions
    detail = client.get(f"/admin/assessments/questionnaireversion/{version.pk}/change/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Do you have a policy?" in body and export_url in body
    assert 'name="questions-0-text_en"' not in body  # shown, not editable

    exported = client.get(export_url)
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="mini-saq-v1.yaml"'
    assert checksum(parse_definition(exported.content.decode())) == version.checksum

    client.force_login(buyer)
    assert client.get(export_url).status_code == 302


def test_admin_publishes_a_draft_with_the_action(login, admin_user):
    draft = services.questionnaire_import(
        text=as_yaml(definition()), actor=None, publish=False
    ).version
    response = login(admin_user).post(
        "/admin/assessments/questionnaireversion/",
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
