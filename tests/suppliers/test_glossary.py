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
    "宣言書": "宣誓書",
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


# Japanese written outside the catalogue: shipped questionnaires, templates, e-mails, demo
# data and documentation.
SOURCE_DIRS = (
    "assessments",
    "declarations",
    "dissemination",
    "docs",
    "procurement_portal",
    "reports",
    "suppliers",
    "templates",
    "visits",
    "bench",
    "locale",
)
SOURCE_SUFFIXES = {".py", ".yaml", ".yml", ".html", ".txt", ".md", ".po", ".csv", ".json"}


def test_japanese_outside_the_catalogue_uses_the_glossarys_terms_too():
    base = Path(settings.BASE_DIR)
    glossary = base / "docs" / "glossary.md"
    offending = []
    for folder in SOURCE_DIRS:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or path == glossary or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            offending += [
                f"{path.relative_to(base)}: {variant} (use {term})"
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
