"""The annual figures as files: one JSON document, one CSV table, or an XLSX workbook
with a formatted sheet per section (sheet names in the language of the request). All
three are written from the same plain data (``annual.as_data``), through the one CSV/XLSX
writer (reports/exports.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from reports import exports

FORMATS = ("json", "csv", "xlsx")


def header() -> list[str]:
    return [_("section"), _("field"), _("label"), _("breakdown"), _("value"), _("unit")]


def _value(value: Any) -> Any:
    # Numbers stay numbers in the spreadsheet; the JSON carries decimals as text.
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


def table_rows(data: dict) -> list[list[Any]]:
    return [
        [s["code"], r["field"], r["label"], r["breakdown"], _value(r["value"]), r["unit"]]
        for s in data["sections"]
        for r in s["rows"]
    ]


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def as_csv(data: dict) -> str:
    return exports.csv_text(table_rows(data), header=header())


def xlsx_sheets(data: dict):
    head = [_("field"), _("label"), _("breakdown"), _("value"), _("unit")]
    for s in data["sections"]:
        rows = [
            [r["field"], r["label"], r["breakdown"], _value(r["value"]), r["unit"]]
            for r in s["rows"]
        ]
        yield s["title"], head, rows


def filename(fiscal_year: int, fmt: str) -> str:
    return f"annual-figures-FY{fiscal_year}.{fmt}"


def response(data: dict, fmt: str):
    """The HTTP download of the figures in ``fmt`` (json, csv or xlsx)."""
    from django.http import HttpResponse

    name = filename(data["fiscal_year"], fmt)
    if fmt == "xlsx":
        return exports.xlsx_workbook_response(xlsx_sheets(data), filename=name)
    if fmt == "csv":
        return exports.csv_response(table_rows(data), header=header(), filename=name)
    reply = HttpResponse(as_json(data), content_type="application/json; charset=utf-8")
    reply["Content-Disposition"] = exports.attachment_disposition(name)
    return reply
