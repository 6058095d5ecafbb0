"""CSV and XLSX downloads: the one place that writes them.

Every cell goes through ``neutralize_cell``: a spreadsheet runs a text cell that starts
with ``= + - @`` (or a tab or carriage return, which some spreadsheets skip first) as a
formula, also after characters nobody sees (spaces, control, zero-width and bidi
characters), so such text gets a leading apostrophe and stays text (OWASP "CSV injection").
Numbers and dates keep their types, so sums and filters still work in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from procurement_portal.uploads import attachment_disposition

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control (Cc), format (Cf: zero-width, bidi, BOM) and separator characters.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UTF8_BOM = "\ufeff"  # Excel in Japan opens a BOM-less UTF-8 CSV as Shift_JIS (mojibake)
_NUMBERS = (int, float, Decimal)
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def neutralize_cell(value: Any) -> Any:
    """The value made safe for a spreadsheet cell.

    Text that a spreadsheet would run as a formula, even after leading spaces, control,
    zero-width or bidi characters, gets a leading ``'``. Numbers, booleans, dates and
    ``None`` are returned unchanged; any other object becomes its text first (lazy
    translations included). Full-width
    equals and minus signs (U+FF1D, U+FF0D) are left alone: spreadsheets read them as
    text, and Japanese tables use the full-width minus for "none".
    """
    if value is None or isinstance(value, (bool, *_NUMBERS, dt.date, dt.time)):
        return value
    text = str(value)
    for char in text:
        if char in FORMULA_TRIGGERS:
            return "'" + text
        if not _is_invisible(char):
            break
    return text


def _is_invisible(char: str) -> bool:
    """Spaces, control characters and format characters (zero-width spaces and joiners,
    word joiner, byte-order mark, bidi marks, embeddings and isolates): a spreadsheet may
    skip them, or the person reading the cell cannot see them, before a formula."""
    return char.isspace() or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def _csv_text(value: Any) -> str:
    # Fast paths for most of every export: text starting with a letter or digit (CJK
    # included) can be neither a formula nor hide one behind invisible characters;
    # numbers and empty cells need no neutralising.
    kind = type(value)
    if kind is str:
        if not value or value[0].isalnum():
            return value
    elif kind is int or kind is Decimal:
        return str(value)
    elif value is None:
        return ""
    value = neutralize_cell(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _naive_local(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


CSV_CHUNK_ROWS = 500


def _csv_lines(rows: Iterable[Sequence[Any]], header: Sequence[Any]) -> Iterator[str]:
    """The CSV text in chunks of ``CSV_CHUNK_ROWS`` rows (one write to the client per
    chunk rather than per row: a third of the time of a 50,000-row export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(v) for v in header])
    yield UTF8_BOM + _drain(buffer)
    text = _csv_text
    for n, row in enumerate(rows, start=1):
        writer.writerow(map(text, row))
        if n % CSV_CHUNK_ROWS == 0:
            yield _drain(buffer)
    rest = _drain(buffer)
    if rest:
        yield rest


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def csv_response(
    rows: Iterable[Sequence[Any]], *, header: Sequence[Any], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, CRLF), row by row from ``rows``.

    ``rows`` may be a lazy iterator (``queryset.values_list(...).iterator()``): nothing
    is held in memory, so a large export starts at once and costs no memory.
    """
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in _csv_lines(rows, header)),
        content_type=CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _naive_local(value: dt.datetime) -> dt.datetime:
    # Excel has no time zones: show the portal's local time, as the pages do.
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _xlsx_value(value: Any) -> Any:
    value = neutralize_cell(value)
    if isinstance(value, dt.datetime):
        return _naive_local(value)
    if isinstance(value, str):
        # Control characters make the file unreadable for Excel (openpyxl refuses them).
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def sheet_title_of(title: str) -> str:
    """A title Excel accepts: no ``[]:*?/\\``, not blank, at most 31 characters."""
    cleaned = " ".join(str(title).translate(_SHEET_TITLE_FORBIDDEN).split()).strip("'")
    return (cleaned or "Sheet1")[:31]


def xlsx_response(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any],
    filename: str,
    sheet_title: str,
) -> FileResponse:
    """An XLSX download written by openpyxl in write-only mode (constant memory).

    Text cells are neutralised, numbers stay numbers and dates stay dates (with a date
    format), and the header row is bold and frozen. The workbook is spooled to a
    temporary file, then streamed: a zip cannot be sent before it is finished.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title_of(sheet_title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_workbook(sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> Any:
    """A spooled XLSX file of several formatted sheets, ``(title, header, rows)`` each:
    bold frozen header, widths from the header, numbers kept as numbers. Returns the open
    temporary file at its start (the caller sends or copies it)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for title, header, rows in sheets:
        name = sheet_title_of(title)
        n = 2
        while name.lower() in used:  # Excel refuses two sheets with the same name
            name = sheet_title_of(f"{title[:27]} {n}")
            n += 1
        used.add(name.lower())
        sheet = workbook.create_sheet(title=name)
        sheet.freeze_panes = "A2"
        for index, value in enumerate(header):
            width = max(12, min(60, len(str(value)) * 2 + 4))
            sheet.column_dimensions[_column_letter(index)].width = width
        cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    workbook.save(spool)
    spool.seek(0)
    return spool


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_workbook_response(
    sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]], *, filename: str
) -> FileResponse:
    """An XLSX download of several formatted sheets (see ``xlsx_workbook``)."""
    response = FileResponse(xlsx_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_text(rows: Iterable[Sequence[Any]], *, header: Sequence[Any]) -> str:
    """The same CSV as ``csv_response`` (BOM, neutralised cells), as one text (commands)."""
    return "".join(_csv_lines(rows, header))


# --- the database writes the CSV (PostgreSQL COPY), with the same cells ---------------------


def _invisible_class() -> str:
    """The characters ``neutralize_cell`` skips before a formula, as a regular-expression
    bracket (literal characters, grouped in ranges), from the same Unicode data."""
    # Control, format and separator characters live in planes 0, 1 and 14 only (the
    # others hold letters, ideographs and private use): 140,000 code points, not 1.1 M.
    points = itertools.chain(range(1, 0x20000), range(0xE0000, 0xE1000))
    chars = [c for c in map(chr, points) if not 0xD800 <= ord(c) <= 0xDFFF and _is_invisible(c)]
    ranges, start, prev = [], None, None
    for c in chars:
        if start is None:
            start = prev = c
        elif ord(c) == ord(prev) + 1:
            prev = c
        else:
            ranges.append((start, prev))
            start = prev = c
    ranges.append((start, prev))
    return "".join(a if a == b else f"{a}-{b}" for a, b in ranges)


_FORMULA_REGEX: str | None = None


def _formula_regex() -> str:
    global _FORMULA_REGEX
    if _FORMULA_REGEX is None:
        _FORMULA_REGEX = "^[" + _invisible_class() + "]*[=+@\t\r-]"
    return _FORMULA_REGEX


def _copy_expression(column: str, field) -> tuple[str, list]:
    """SQL writing one column's cell as ``_csv_text`` writes it."""
    from django.db import models

    internal = field.get_internal_type() if field is not None else ""
    if internal in {"CharField", "TextField", "SlugField", "EmailField", "GeneratedField"} or (
        isinstance(field, models.CharField)
    ):
        return (
            f"CASE WHEN {column} ~ %s THEN '''' || {column} ELSE NULLIF({column}, '') END",
            [_formula_regex()],
        )
    if internal == "DateTimeField":
        return (
            f"to_char({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')",
            [timezone.get_current_timezone_name()],
        )
    if internal == "BooleanField":
        return f"CASE WHEN {column} THEN 'True' WHEN NOT {column} THEN 'False' END", []
    return f"{column}::text", []


def _crlf_rows(data: bytes) -> bytes:
    """PostgreSQL ends rows with LF, ``csv_response`` (Excel's habit) with CRLF: end each
    row with CRLF and leave a line break inside a quoted cell as it is (a newline ends a
    row only where the quotes before it in the row are balanced)."""
    out = []
    open_quotes = 0
    for piece in data.split(b"\n"):
        open_quotes += piece.count(b'"')
        out.append(piece)
        out.append(b"\n" if open_quotes % 2 else b"\r\n")
        if open_quotes % 2 == 0:
            open_quotes = 0
    out.pop()  # after the last piece (empty: the data ends with a row's LF)
    return b"".join(out)


def queryset_csv_response(rows, *, header: Sequence[Any], filename: str):
    """A CSV download of a ``values_list`` queryset. On PostgreSQL the database writes it
    (``COPY ... TO STDOUT``), each text cell neutralised in SQL by the same rule as
    ``neutralize_cell`` (the characters it skips come from the same Unicode data), dates
    in local time, booleans and empty cells as ``csv_response`` writes them; the file is
    spooled and streamed. Elsewhere (SQLite), ``csv_response`` row by row."""
    from django.db import connections

    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return csv_response(rows.iterator(chunk_size=5000), header=header, filename=filename)
    compiler = rows.query.get_compiler(rows.db)
    sql, params = compiler.as_sql()
    fields = [col.output_field for col, _sql, _alias in compiler.select]
    names = [f"c{n}" for n in range(len(fields))]
    exprs, expr_params = [], []
    for name, field in zip(names, fields, strict=True):
        text, extra = _copy_expression(name, field)
        exprs.append(text)
        expr_params.extend(extra)
    # Column names are generated (c0, c1...), the inner SQL is Django's own compiled query,
    # and every value travels as a parameter.
    outer = f"SELECT {', '.join(exprs)} FROM ({sql}) AS t({', '.join(names)})"  # noqa: S608  # nosec B608
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    header_line = "".join(_csv_lines([], header))
    spool.write(header_line.encode("utf-8"))
    with connection.cursor() as cursor:
        statement = cursor.mogrify(outer, [*expr_params, *params])
        raw = cursor.cursor
        body = io.BytesIO()
        raw.copy_expert(b"COPY (" + statement + b") TO STDOUT WITH (FORMAT csv)", body)
    spool.write(_crlf_rows(body.getvalue()))
    spool.seek(0)
    response = FileResponse(spool, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
