"""The Japanese catalogue uses one term per idea, the one docs/glossary.md names."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

# variant -> the glossary's term
VARIANTS = {
    "取引先": "サプライヤー",
    "自己評価": "セルフアセスメント",
    "取り込": "インポート",
    "ポータル利用者": "ポータルユーザー",
}


def _translations() -> list[tuple[str, str]]:
    path = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        found += [(msgid, s) for s in strings if s]
    return found


def test_catalogue_uses_the_glossarys_terms():
    offending = [
        f"{msgid!r}: {text!r} (use {term})"
        for msgid, text in _translations()
        for variant, term in VARIANTS.items()
        if variant in text
    ]
    assert offending == []


def test_glossary_names_each_term_with_its_meaning():
    glossary = (Path(settings.BASE_DIR) / "docs" / "glossary.md").read_text(encoding="utf-8")
    for row in (
        "| supplier | サプライヤー |",
        "| self-assessment | セルフアセスメント |",
        "| import | インポート |",
        "| portal user | ポータルユーザー |",
    ):
        assert row in glossary, row
    for variant, term in VARIANTS.items():
        assert term in glossary
