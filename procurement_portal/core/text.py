"""What text the portal accepts: the one rule for every text field, its lengths, and dates.

Text people type never needs C0 control characters other than tab, line feed and carriage
return, nor DEL or the C1 controls, and a lone UTF-16 surrogate is not a character at all:
PostgreSQL refuses to store it and the JSON encoder refuses to write it back. Such input is
refused where it enters (the API's parsers, forms, serializers, model validation), with a
message that names the character by its code point and never repeats it.

Lengths: every free-text field has a maximum, from these few constants. Dates: every date
a person enters lies between ``EARLIEST_DATE`` and ``LATEST_DATE_YEARS`` from today.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Names, titles, short single-line fields.
NAME_MAX_LENGTH = 255
# Notes, comments, reasons, action plans, addresses: what staff and suppliers write.
NOTE_MAX_LENGTH = 4000
# An answer's free text, questionnaire texts (question, help, introduction).
LONG_TEXT_MAX_LENGTH = 10_000
# A text field that names no maximum of its own gets this one.
DEFAULT_MAX_LENGTH = NOTE_MAX_LENGTH

# JSON bodies nest no deeper than this (the portal's own deepest is a handful of levels).
MAX_JSON_DEPTH = 32

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE_YEARS = 10

# C0 controls except tab, LF, CR; DEL and the C1 controls; surrogate code points (which a
# str only holds when they are unpaired: JSON's "\ud83d\ude00" decodes to one character).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_SINGLE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why ``value`` is not acceptable text, or ``None``. The message names the character
    by code point and position, so it is safe to show and to encode."""
    pattern = _FORBIDDEN if multiline else _FORBIDDEN_SINGLE_LINE
    match = pattern.search(value)
    if match is None:
        return None
    char = match.group()
    params = {"char": f"U+{ord(char):04X}", "position": match.start() + 1}
    if "\ud800" <= char <= "\udfff":
        return str(
            _(
                "Contains an invalid character (%(char)s, half of a UTF-16 pair) at "
                "position %(position)s."
            )
            % params
        )
    if char in "\n\r":
        return str(_("Must be a single line (line break at position %(position)s).") % params)
    return str(_("Contains a control character (%(char)s) at position %(position)s.") % params)


@deconstructible
class TextValidator:
    """Django validator (models, forms, serializers) refusing what ``text_problem`` finds."""

    code = "invalid_character"

    def __init__(self, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            problem = text_problem(value, multiline=self.multiline)
            if problem:
                raise ValidationError(problem, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


validate_text = TextValidator()
validate_single_line = TextValidator(multiline=False)


def clean_text(
    value: Any,
    *,
    field: str,
    max_length: int = NOTE_MAX_LENGTH,
    required_message: str | None = None,
    multiline: bool = True,
) -> str:
    """``value`` stripped, for a service to store; or ``ValidationError({field: ...})`` when
    it is not text, is empty but required, is too long or has a forbidden character."""
    if value is not None and not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")})
    text = (value or "").strip()
    if required_message and not text:
        raise ValidationError({field: required_message})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Keep it to %(max)s characters (this has %(n)s).")
                % {"max": max_length, "n": len(text)}
            }
        )
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise ValidationError({field: problem})
    return text


def text_problems(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Each ``(path, message)`` of bad text anywhere in parsed data (dicts, lists, strings).

    Iterative, so it is safe on any depth; a key with a bad character is reported at the
    path of its parent (its own name cannot be repeated).
    """
    stack: list[tuple[tuple[str, ...], Any]] = [(path, data)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                yield where, problem
        elif isinstance(item, dict):
            for key, value in item.items():
                key_text = str(key)
                problem = text_problem(key_text)
                if problem:
                    yield where, str(_("A field name: %(problem)s") % {"problem": problem})
                    continue
                stack.append(((*where, key_text), value))
        elif isinstance(item, list | tuple):
            stack.extend(((*where, str(n)), value) for n, value in enumerate(item))


def nesting_depth(data: Any, limit: int) -> int:
    """How deep lists and dicts nest in ``data``, counting no further than ``limit + 1``."""
    deepest = 0
    stack: list[tuple[int, Any]] = [(0, data)]
    while stack:
        depth, item = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((depth, child) for child in children)
    return deepest


def parse_digits(raw: Any, *, max_digits: int = 18) -> int | None:
    """``raw`` as a whole number when it is ASCII digits only and at most ``max_digits``
    long (18 fit a bigint), else ``None``. The one way to read a number a person typed in
    a query string or a form field: ``str.isdigit()`` also accepts "²" and other digits
    that ``int()`` refuses, which answered 500."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > max_digits:
        return None
    return int(raw)


class JSONTooDeep(ValueError):
    """A JSON body nested deeper than ``MAX_JSON_DEPTH``; its message is fit to show."""

    def __init__(self) -> None:
        super().__init__(
            str(
                _("JSON nested more than %(depth)s levels deep is not accepted.")
                % {"depth": MAX_JSON_DEPTH}
            )
        )


def load_json(raw: str | bytes, **kwargs: Any) -> Any:
    """Parse a JSON body as every JSON endpoint of the portal must: nested no deeper than
    ``MAX_JSON_DEPTH`` (the decoder's own recursion limit, which 100,000 ``[`` reach, is
    the same refusal, never a ``RecursionError``). Raises ``JSONTooDeep``, or the decoder's
    ``ValueError`` for what is not JSON. The API's parser and the pages that take JSON
    both read bodies here; the text in the result is then checked with ``text_problems``."""
    try:
        data = json.loads(raw, **kwargs)
    except RecursionError:
        raise JSONTooDeep from None
    if nesting_depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise JSONTooDeep
    return data


def latest_date(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + LATEST_DATE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + LATEST_DATE_YEARS, day=28)


@deconstructible
class DateRangeValidator:
    """A date a person entered lies between 1900-01-01 and ten years from today."""

    code = "date_out_of_range"

    def __call__(self, value: Any) -> None:
        if not isinstance(value, dt.date):
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        latest = latest_date()
        if value < EARLIEST_DATE or value > latest:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code=self.code,
                params={"earliest": date_format(EARLIEST_DATE), "latest": date_format(latest)},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateRangeValidator)

    def __hash__(self) -> int:
        return hash(type(self))


validate_date_range = DateRangeValidator()
