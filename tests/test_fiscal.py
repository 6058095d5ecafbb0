import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from procurement_portal.fiscal import (
    FiscalYear,
    current_fiscal_year,
    fiscal_year_choices,
    fiscal_year_of,
    validate_fiscal_year,
)


def test_fiscal_2020_runs_april_2019_to_march_2020():
    fy = FiscalYear(2020)
    assert fy.start == dt.date(2019, 4, 1)
    assert fy.end == dt.date(2020, 3, 31)
    assert str(fy) == "FY2020"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2019, 3, 31), 2019),
        (dt.date(2019, 4, 1), 2020),
        (dt.date(2019, 12, 31), 2020),
        (dt.date(2020, 1, 1), 2020),
        (dt.date(2020, 3, 31), 2020),
        (dt.date(2020, 4, 1), 2021),
    ],
)
def test_fiscal_year_of_a_date_at_the_boundaries(day, expected):
    assert fiscal_year_of(day) == FiscalYear(expected)
    assert FiscalYear(expected).contains(day)


def test_aware_datetime_is_read_in_the_portal_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    # 31 March 2020 16:00 UTC is already 1 April 2020 in Tokyo: fiscal 2021.
    moment = dt.datetime(2020, 3, 31, 16, 0, tzinfo=dt.UTC)
    assert fiscal_year_of(moment) == FiscalYear(2021)


def test_start_month_is_a_setting(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    assert FiscalYear(2020).start == dt.date(2020, 1, 1)
    assert FiscalYear(2020).end == dt.date(2020, 12, 31)
    assert fiscal_year_of(dt.date(2020, 12, 31)) == FiscalYear(2020)
    settings.FISCAL_YEAR_START_MONTH = 10
    assert FiscalYear(2020).start == dt.date(2019, 10, 1)
    assert fiscal_year_of(dt.date(2019, 10, 1)) == FiscalYear(2020)
    assert fiscal_year_of(dt.date(2019, 9, 30)) == FiscalYear(2019)


def test_bad_start_month_is_refused(settings):
    settings.FISCAL_YEAR_START_MONTH = 13
    with pytest.raises(ValueError, match="FISCAL_YEAR_START_MONTH"):
        fiscal_year_of(dt.date(2020, 1, 1))


def test_choices_are_newest_first_and_include_current():
    years = [y for y, _ in fiscal_year_choices()]
    assert years == sorted(years, reverse=True)
    assert current_fiscal_year().year in years


def test_implausible_fiscal_year_is_refused():
    validate_fiscal_year(2020)
    with pytest.raises(ValidationError):
        validate_fiscal_year(1800)
