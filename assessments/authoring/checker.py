"""The walker behind questionnaire validation: it checks the shapes every part of a
definition shares (mappings with known keys, bilingual texts, codes, booleans, decimals)
and collects ``path: reason (line N)`` messages instead of stopping at the first."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH, text_problem

from .yaml_io import Lines

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def quote(value: Any) -> str:
    return f"“{value}”"


class Checker:
    """Walks the parsed YAML, collecting ``path: reason`` messages."""

    def __init__(self, lines: Lines):
        self.lines = lines
        self.errors: list[str] = []

    def error(self, path: str, reason: str, mapping: Any = None, key: str | None = None) -> None:
        line = self.lines.of(mapping, key) if mapping is not None else None
        suffix = " " + _("(line %(line)s)") % {"line": line} if line else ""
        self.errors.append(f"{path}: {reason}{suffix}")

    # --- shapes --------------------------------------------------------------------

    def mapping(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict | None:
        if not isinstance(value, dict):
            self.error(path or "(top)", _("must be a mapping of keys to values"))
            return None
        prefix = f"{path}." if path else ""
        for key in value:
            if key not in allowed:
                self.error(
                    f"{prefix}{key}",
                    _("unknown key; allowed here: %(keys)s") % {"keys": ", ".join(allowed)},
                    value,
                    str(key),
                )
        for key in required:
            if value.get(key) is None:
                self.error(f"{prefix}{key}", _("is required"), value)
        return value

    def items(self, value: Any, path: str, parent: dict, key: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.error(path, _("must be a non-empty list"), parent, key)
            return []
        return value

    def text(
        self, parent: dict, key: str, path: str, *, max_length: int | None = None
    ) -> dict[str, str]:
        """A bilingual text ``{en: ..., ja: ...}``; both languages required when given."""
        value = parent.get(key)
        if value is None:
            return {"en": "", "ja": ""}
        if not isinstance(value, dict):
            self.error(path, _("must give the text in both languages as {en: ..., ja: ...}"))
            return {"en": "", "ja": ""}
        out = {}
        for lang in value:
            if lang not in ("en", "ja"):
                self.error(
                    f"{path}.{lang}", _("unknown language; give “en” and “ja”"), value, str(lang)
                )
        for lang in ("en", "ja"):
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                reason = _("is required") if text is None else _("must be non-empty text")
                self.error(f"{path}.{lang}", reason, value, lang)
                out[lang] = ""
                continue
            text = text.strip()
            max_length = max_length or LONG_TEXT_MAX_LENGTH
            problem = text_problem(text)
            if problem:
                self.error(f"{path}.{lang}", problem, value, lang)
            if len(text) > max_length:
                self.error(
                    f"{path}.{lang}",
                    _("is too long (%(n)s characters; at most %(max)s)")
                    % {"n": len(text), "max": max_length},
                    value,
                    lang,
                )
            out[lang] = text
        return out

    def code(self, parent: dict, path: str) -> str:
        value = parent.get("code")
        if value is None:
            return ""  # reported as required by mapping()
        if not isinstance(value, str) or not CODE_RE.match(value):
            self.error(
                path,
                _(
                    "must be a code of lowercase letters, digits, “-” and “_”, at most 60 "
                    "characters, not %(value)s"
                )
                % {"value": quote(value)},
                parent,
                "code",
            )
            return ""
        return value

    def boolean(self, parent: dict, key: str, path: str, default: bool) -> bool:
        value = parent.get(key, default)
        if not isinstance(value, bool):
            self.error(path, _("must be true or false"), parent, key)
            return default
        return value

    def decimal(
        self, parent: dict, key: str, path: str, *, places: int, maximum: Decimal
    ) -> Decimal | None:
        value = parent.get(key)
        if value is None:
            return None
        number = None
        if not isinstance(value, bool) and isinstance(value, int | float | str):
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            self.error(path, _("must be a number"), parent, key)
            return None
        if abs(number) > maximum:
            self.error(path, _("must be at most %(max)s") % {"max": maximum}, parent, key)
            return None
        if number != round(number, places):
            self.error(
                path,
                _("may have at most %(n)s digits after the decimal point") % {"n": places},
                parent,
                key,
            )
            return None
        return number
