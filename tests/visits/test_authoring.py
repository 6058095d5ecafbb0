"""Checklist templates authored as YAML: the shipped ones load, every problem is named by
path and line at once, an unchanged file changes nothing, a changed one is a new version
and visits keep the version they answered."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from visits import services
from visits.authoring import SHIPPED_DIR, checklist_import, published_template
from visits.models import ChecklistTemplate

pytestmark = pytest.mark.django_db

GOOD = """
kind: infosec
title: {en: "Short check", ja: "簡易チェック"}
items:
  - code: labels
    risk: information_security
    text: {en: "Labels are on.", ja: "表示がある。"}
"""


def test_the_shipped_checklists_are_bilingual_and_load_once():
    call_command("import_checklist", "--shipped")
    call_command("import_checklist", "--shipped")
    svr = ChecklistTemplate.objects.get(kind="svr")
    infosec = ChecklistTemplate.objects.get(kind="infosec")
    assert (svr.version, svr.status, infosec.version) == (1, "published", 1)
    assert svr.items.count() == 10 and infosec.items.count() == 8
    assert all(i.text_en and i.text_ja for i in svr.items.all())
    assert {i.risk.code for i in svr.items.all()} == {
        "human_rights",
        "health_safety",
        "environment",
    }
    assert "kind: svr" in svr.source


def test_every_problem_is_named_with_its_path_and_line():
    text = """
kind: audit
title: {en: "T"}
items:
  - code: a
    risk: safety
    text: {en: "x", ja: "y"}
  - code: a
    risk: environment
    text: {en: "x"}
    colour: red
"""
    with pytest.raises(ValidationError) as exc:
        checklist_import(text=text)
    messages = exc.value.messages
    assert any(m.startswith("kind: “audit” is not one of svr, infosec") for m in messages)
    assert any(m.startswith("title.ja: is required") for m in messages)
    assert any(m.startswith("items[0].risk: “safety” is not one of") for m in messages)
    assert any(m.startswith("items[1].code: “a” is already the code of items[0]") for m in messages)
    assert any(m.startswith("items[1].text.ja: is required") for m in messages)
    assert any(m.startswith("items[1].colour: unknown key") and "(line 11)" in m for m in messages)
    assert not ChecklistTemplate.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["kind: [", "a: &x 1\nb: *x", "kind: svr\nkind: infosec", "- just\n- a list", "title: \x07"],
)
def test_broken_yaml_is_refused_with_a_message(text):
    with pytest.raises(ValidationError):
        checklist_import(text=text)
    assert not ChecklistTemplate.objects.exists()


def test_a_changed_definition_is_a_new_version_and_visits_keep_theirs(
    visits_reference, buyer, supplier, site
):
    first = checklist_import(text=GOOD).template
    assert checklist_import(text=GOOD + "\n# a comment\n").created is False
    visit = services.visit_create(
        actor=buyer,
        supplier_id=supplier.pk,
        kind="infosec",
        site_id=site.pk,
        visit_date="2026-10-01",
    )
    changed = checklist_import(
        text=GOOD.replace("Labels are on.", "Labels are on every page.")
    ).template
    assert changed.version == first.version + 1
    assert published_template("infosec") == changed
    visit.refresh_from_db()
    assert visit.template == first
    assert visit.answers.get().item.text_en == "Labels are on."


def test_only_administrators_import(buyer, admin_user):
    with pytest.raises(PermissionDenied):
        checklist_import(text=GOOD, actor=buyer)
    assert checklist_import(text=GOOD, actor=admin_user).created


def test_the_command_reports_problems_and_imports_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: svr\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_checklist", str(path))
    with pytest.raises(CommandError):
        call_command("import_checklist")
    assert (SHIPPED_DIR / "svr.yaml").exists()
