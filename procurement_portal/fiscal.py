"""Fiscal years: the one place that knows where a fiscal year starts and ends.

A fiscal year is named by the calendar year in which it ends. With the default start
month of April, fiscal 2020 runs from 1 April 2019 to 31 March 2020. The start month is
the setting ``FISCAL_YEAR_START_MONTH``; with January the fiscal year is the calendar year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

MIN_FISCAL_YEAR = 1990
MAX_FISCAL_YEAR = 2100


def _start_month() -> int:
    month = int(settings.FISCAL_YEAR_START_MONTH)
    if not 1 <= month <= 12:
        raise ValueError(f"FISCAL_YEAR_START_MONTH must be 1-12, not {month}")
    return month


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A fiscal year, named by the calendar year in which it ends."""

    year: int

    @property
    def start(self) -> dt.date:
        month = _start_month()
        start_year = self.year if month == 1 else self.year - 1
        return dt.date(start_year, month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the fiscal year (inclusive)."""
        nxt = FiscalYear(self.year + 1).start
        return nxt - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        from django.utils.translation import gettext

        # English "FY2020", Japanese "2020年度".
        return gettext("FY%(year)s") % {"year": self.year}


def fiscal_year_of(day: dt.date | dt.datetime) -> FiscalYear:
    """The fiscal year a date (or aware datetime, in the portal's time zone) falls in."""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    month = _start_month()
    if month == 1 or day.month < month:
        return FiscalYear(day.year)
    return FiscalYear(day.year + 1)


def current_fiscal_year() -> FiscalYear:
    return fiscal_year_of(timezone.localdate())


def fiscal_year_choices(*, back: int = 6, ahead: int = 1) -> list[tuple[int, str]]:
    """Recent fiscal years, newest first, for filters and forms."""
    now = current_fiscal_year().year
    return [(y, str(FiscalYear(y))) for y in range(now + ahead, now - back - 1, -1)]


def validate_fiscal_year(value: int) -> None:
    """Model/field validator: a plausible fiscal year number."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not MIN_FISCAL_YEAR <= int(value) <= MAX_FISCAL_YEAR:
        raise ValidationError(
            _("Fiscal year must be between %(min)s and %(max)s.")
            % {"min": MIN_FISCAL_YEAR, "max": MAX_FISCAL_YEAR},
            code="fiscal_year_range",
        )
