"""The annual figures against a hand-counted world (tests/reports/world.py): every
awkward case of issue 14's proof, each drill-down listing exactly what its figure
counts, and a query count that does not grow with the data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.figures import RECORD_SETS, Period, annual_figures, flat_values
from reports.figures.annual import campaign_rates
from tests.factories import SupplierFactory
from visits.models import GuidanceCategory

from .world import build_world, expected

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _categories() -> list[str]:
    return list(
        GuidanceCategory.objects.order_by("position", "code").values_list("code", flat=True)
    )


def test_every_hand_counted_figure(world):
    values = flat_values(annual_figures(2020))
    wrong = {
        field: (values.get(field, "missing"), want)
        for field, want in expected(_categories()).items()
        if values.get(field, "missing") != want
    }
    assert wrong == {}


def test_campaign_response_rate_counts_a_returned_assessment_as_a_response(world):
    (campaign,) = campaign_rates(Period(2020))
    assert (campaign["targeted"], campaign["responded"], campaign["rate"]) == (
        3,
        2,
        Decimal("66.7"),
    )


def test_the_boundaries_by_name(world):
    new = set(RECORD_SETS["new"].rows(Period(2020), {}).values_list("code", flat=True))
    # the first and the last day are inside; the day after is the next year's
    assert new == {"A-JP", "B-JP", "D-US"}
    assert "C-CN" in set(RECORD_SETS["new"].rows(Period(2021), {}).values_list("code", flat=True))
    declared = set(
        RECORD_SETS["new_declared"].rows(Period(2020), {}).values_list("code", flat=True)
    )
    # B revoked inside the year; D's revocation takes effect only after it
    assert declared == {"A-JP", "D-US"}
    critical_2019 = RECORD_SETS["critical"].rows(Period(2019), {}).values_list("code", flat=True)
    assert list(critical_2019) == ["D-US"]


def test_every_count_opens_exactly_the_records_it_counts(world):
    """A figure's drill-down is the same filter: its list has as many rows as the count."""
    checked = 0
    for section in annual_figures(2020):
        for row in section.rows:
            if row.drill is None or row.unit or not isinstance(row.value, int):
                continue
            if row.field.startswith("meetings.managers") or row.field.endswith("unconverted_rows"):
                continue
            name, params = row.drill
            listed = RECORD_SETS[name].rows(Period(2020), params).count()
            assert listed == row.value, row.field
            checked += 1
    assert checked > 40


def _query_count(year: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        annual_figures(year)
    return len(queries)


def test_query_count_does_not_grow_with_the_data(world):
    before = _query_count(2020)
    for supplier in SupplierFactory.create_batch(30, transactions_started_on="2019-06-01"):
        supplier.critical_designations.create(fiscal_year=2020, rare_product=True)
    assert _query_count(2020) == before


def test_a_year_without_data_is_all_zero_and_no_division_by_zero(db):
    values = flat_values(annual_figures(2031))
    assert values["spend.total"] == Decimal("0.00")
    assert values["spend.japan.share"] is None
    assert values["gri_environmental.new_screened_percent"] is None
