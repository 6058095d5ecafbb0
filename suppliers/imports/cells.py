"""Turning one cell into a model value, with the model field's own validators.

Each parser returns the clean value or raises ``CellError`` with the message the user
sees. Rules that a model field already knows (length, code pattern, range, decimals)
are checked by that field's validators, so each rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_countries import countries

from .readers import Cell, cell_as_text

_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}
_AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CellError(Exception):
    """A cell that cannot become a value; ``str(exc)`` is the message for the user."""


def validate_with(field: models.Field, value) -> None:
    """Run the model field's validators (length, pattern, range...) on a clean value."""
    try:
        field.run_validators(value)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc


def text(field: models.Field, cell: Cell) -> str:
    value = cell_as_text(cell)
    validate_with(field, value)
    return value


def choice(field: models.Field, cell: Cell) -> str:
    value = cell_as_text(cell).lower()
    allowed = [str(key) for key, _label in field.flatchoices]
    if value not in allowed:
        raise CellError(
            _("“%(value)s” is not allowed. Use one of: %(allowed)s.")
            % {"value": cell_as_text(cell), "allowed": ", ".join(allowed)}
        )
    return value


def boolean(cell: Cell) -> bool:
    if cell is None:
        return False
    if isinstance(cell, bool):
        return cell
    value = cell_as_text(cell).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(
        _("“%(value)s” is not yes or no. Use yes/no, true/false or 1/0.") % {"value": value}
    )


def date(cell: Cell) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = cell_as_text(cell)
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CellError(
            _("“%(value)s” is not a date. Use YYYY-MM-DD, e.g. 2020-04-01.") % {"value": value}
        ) from exc


def integer(field: models.Field, cell: Cell) -> int:
    value = cell_as_text(cell)
    if isinstance(cell, bool) or not re.fullmatch(r"\d+", value):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    number = int(value)
    validate_with(field, number)
    return number


def decimal(field: models.Field, cell: Cell) -> Decimal:
    if isinstance(cell, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": cell})
    if isinstance(cell, int | float):
        # Excel numbers: repr of a float is the shortest text that reads back the same.
        value = repr(cell) if isinstance(cell, float) else str(cell)
    else:
        value = cell_as_text(cell)
    if not _AMOUNT.match(value):
        raise CellError(
            _("“%(value)s” is not an amount. Use digits, a decimal point and optional commas.")
            % {"value": value}
        )
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from exc
    validate_with(field, number)
    return number


class CountryLookup:
    """ISO alpha-2 codes (any case) and English country names, cached for one import."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, cell: Cell) -> str:
        value = cell_as_text(cell)
        key = value.casefold()
        code = self._cache.get(key)
        if code is None:
            code = ""
            if len(value) == 2:
                code = countries.alpha2(value.upper())
            elif value:
                found = countries.by_name(value, language="en")
                code = found if isinstance(found, str) else ""
            self._cache[key] = code
        if not code:
            raise CellError(
                _("“%(value)s” is not a country. Use an ISO code such as JP or its English name.")
                % {"value": value}
            )
        return code
