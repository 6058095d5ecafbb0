"""The figures of a fiscal year: the annual figures for the sustainability report, the
dashboard's charts, and the record sets behind every number (the drill-down lists)."""

from .annual import Row, Section, annual_figures, as_data, flat_values
from .base import Period
from .records import RECORD_SETS, RecordSet, clean_fiscal_year, clean_params

__all__ = [
    "RECORD_SETS",
    "Period",
    "RecordSet",
    "Row",
    "Section",
    "annual_figures",
    "as_data",
    "clean_fiscal_year",
    "clean_params",
    "flat_values",
]
