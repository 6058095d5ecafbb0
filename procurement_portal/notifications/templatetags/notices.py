"""Filters for notice e-mails, whose context is plain data kept as JSON for digests."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def in_lang(value, language: str = ""):
    """A bilingual value ``{"en": ..., "ja": ...}`` in the e-mail's language (Japanese
    when it is Japanese and there is a Japanese text, else English); other values as
    they are."""
    if not isinstance(value, dict):
        return value
    lang = (language or get_language() or "en").split("-")[0]
    return value.get(lang) or value.get("en") or ""
