"""Japanese text is set the Japanese way: a colon after Japanese words is the full-width
colon (U+FF1A), in the catalogue and where a template joins a label to its text."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.template.loader import render_to_string
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/ja/LC_MESSAGES/django.po"
# An ASCII colon right after kana, kanji, full-width forms or closing brackets.
ASCII_COLON_AFTER_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uffef\u300d\u300f)]:")


def _translations() -> list[str]:
    texts, current = [], None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            current = [line.split(" ", 1)[1]]
            texts.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            current = None
    return ["".join(parts) for parts in texts]


def test_no_japanese_translation_puts_an_ascii_colon_after_japanese_words():
    offenders = [t for t in _translations() if ASCII_COLON_AFTER_JAPANESE.search(t)]
    assert offenders == []


class _Form(forms.Form):
    name = forms.CharField(label="Name")


def test_a_field_error_joins_label_and_message_with_the_readers_colon():
    form = _Form(data={})
    form.is_valid()
    with translation.override("ja"):
        japanese = render_to_string("includes/field.html", {"field": form["name"]})
    with translation.override("en"):
        english = render_to_string("includes/field.html", {"field": form["name"]})
    assert "Name\uff1a" in japanese
    assert "Name: " in english
