"""What an answer may be: one rule per question type, turning what a person (or a client)
sent into the value stored in ``Answer.value``, or a message that says what is wrong.

Stored values: a choice code (yes/no, single choice), a list of distinct codes
(multiple choice), a number as a plain decimal string (exact, no float rounding), an ISO
date, or text. ``None`` means "not answered" (an empty value clears the answer). File
questions are answered by uploading evidence, never through a value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from assessments.models import Question, QuestionType
from procurement_portal.core.text import LONG_TEXT_MAX_LENGTH, text_problem, validate_date_range

T = QuestionType
TEXT_MAX_LENGTH = LONG_TEXT_MAX_LENGTH
# A number past this many digits before the point is a typing accident, not an answer,
# and a bigger exponent would make "1e999999" a million characters long when stored.
NUMBER_MAX_INTEGER_DIGITS = 15
NUMBER_MAX_DECIMAL_PLACES = 6
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _error(message: str, field: str = "value") -> ValidationError:
    return ValidationError({field: [message]})


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple):
        return all(is_empty(v) for v in value)
    return False


def normalise_value(question: Question, value: Any, *, choice_codes: Iterable[str] = ()) -> Any:
    """The value to store for ``question``, or raise ``ValidationError({"value": [...]})``.

    ``choice_codes`` are the codes of the question's choices (passed in, so that saving an
    answer reads only that question's choices).
    """
    if question.type == T.FILE:
        raise _error(_("Upload a file to answer this question."))
    if is_empty(value):
        return None
    if question.type in (T.YES_NO, T.SINGLE):
        return _one_choice(value, list(choice_codes))
    if question.type == T.MULTIPLE:
        return _many_choices(value, list(choice_codes))
    if question.type == T.NUMBER:
        return _number(question, value)
    if question.type == T.DATE:
        return _date(value)
    return _text(value)


def _one_choice(value: Any, codes: list[str]) -> str:
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str) or value.strip() not in codes:
        raise _error(_("Choose one of the options."))
    return value.strip()


def _many_choices(value: Any, codes: list[str]) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _error(_("Choose one or more of the options."))
    chosen = [v.strip() for v in value if v.strip()]
    if not chosen:
        return None
    unknown = [v for v in chosen if v not in codes]
    if unknown:
        raise _error(_("Choose only from the options shown."))
    if len(set(chosen)) != len(chosen):
        raise _error(_("Choose each option only once."))
    # Stored in the questionnaire's order, so the same answer always reads the same.
    return [code for code in codes if code in chosen]


def format_number(value: Decimal) -> str:
    """A bound as people read it in the active language: 1,000,000."""
    locale = to_locale(get_language() or "en")
    return format_decimal(value.normalize(), format="#,##0.######", locale=locale)


def bounds_message(question: Question) -> str:
    low, high = question.min_value, question.max_value
    if low is not None and high is not None:
        return _("Enter a number between %(min)s and %(max)s.") % {
            "min": format_number(low),
            "max": format_number(high),
        }
    if low is not None:
        return _("Enter a number of at least %(min)s.") % {"min": format_number(low)}
    if high is not None:
        return _("Enter a number of at most %(max)s.") % {"max": format_number(high)}
    return _("Enter a number.")


def _number(question: Question, value: Any) -> str:
    if isinstance(value, bool):
        raise _error(bounds_message(question))
    if isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        # Full-width digits (typed with a Japanese input method) read as digits; thousands
        # separators and spaces are dropped.
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "").replace(" ", "")
    else:
        raise _error(bounds_message(question))
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _error(bounds_message(question)) from None
    if not number.is_finite():
        raise _error(bounds_message(question))
    if number.adjusted() >= NUMBER_MAX_INTEGER_DIGITS:
        raise _error(
            bounds_message(question) if question.max_value else _("This number is too large.")
        )
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise _error(bounds_message(question))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > NUMBER_MAX_DECIMAL_PLACES:
        raise _error(
            _("Use at most %(places)s decimal places.") % {"places": NUMBER_MAX_DECIMAL_PLACES}
        )
    normal = number.normalize()
    text = format(normal, "f")
    return "0" if text in ("-0", "0") else text


def _date(value: Any) -> str:
    if isinstance(value, dt.date):
        date = value
    elif not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise _error(_("Enter a date as YYYY-MM-DD, for example 2026-03-31."))
    else:
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise _error(_("Enter a real date, for example 2026-03-31.")) from None
    try:
        validate_date_range(date)
    except ValidationError as exc:
        raise _error(exc.messages[0]) from None
    return date.isoformat()


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        raise _error(_("Enter the answer as text."))
    text = value.replace("\r\n", "\n").strip()
    problem = text_problem(text)
    if problem:
        raise _error(problem)
    if len(text) > TEXT_MAX_LENGTH:
        raise _error(
            _("Keep the answer to %(max)s characters or fewer (it has %(count)s).")
            % {"max": f"{TEXT_MAX_LENGTH:,}", "count": f"{len(text):,}"}
        )
    return text or None
