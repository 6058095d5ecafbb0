"""Bilingual text held by user-authored content (questionnaires): English and Japanese."""

from __future__ import annotations

from django.utils.translation import get_language


def in_language(en: str, ja: str) -> str:
    """The Japanese text when the active language is Japanese and it exists, else English."""
    if ja and (get_language() or "en").startswith("ja"):
        return ja
    return en
