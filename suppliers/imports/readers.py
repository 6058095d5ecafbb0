"""Reading import files: decide the type from the bytes, then yield numbered rows.

The file's name and extension are never trusted: an XLSX workbook is recognised by its
ZIP signature and workbook part, a CSV by being text in UTF-8 (with or without BOM) or
Shift_JIS/CP932, which is what Japanese Excel writes. Anything else is refused with a
message that says what the file looks like.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, .doc
# C0 control characters that never occur in a CSV written by a spreadsheet or editor.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_SIGNATURES = [
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
]

Cell = str | int | float | bool | dt.date | dt.datetime | None


class UnreadableFile(Exception):
    """The file cannot be read as CSV or XLSX; the message says why, for the user."""


@dataclass
class Table:
    """A file as a header and numbered data rows (row 1 is the header, as users count)."""

    file_type: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "utf-8-sig", "cp932" or "" for xlsx
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]


def sniff(data: bytes) -> str:
    """'xlsx' or 'csv' from the first bytes; raises UnreadableFile for anything else."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _("This is an old Excel (.xls) file. Save it as .xlsx or as CSV and upload again.")
        )
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            raise UnreadableFile(
                _("This is a %(type)s file, not CSV or Excel (.xlsx).") % {"type": name}
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(
            _("The file is in UTF-16. Save it as CSV in UTF-8 or Shift_JIS and upload again.")
        )
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes as UTF-8 (BOM or not) or, failing that, CP932; (text, encoding)."""
    # CP932 is a superset of Shift_JIS with the vendor characters Windows Excel writes.
    bom = data.startswith(b"\xef\xbb\xbf")
    candidates = ["utf-8-sig"] if bom else ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _BINARY_CHARS.search(text):
            raise UnreadableFile(_("This is not a text file: it is neither CSV nor Excel (.xlsx)."))
        return text, encoding
    raise UnreadableFile(
        _(
            "The file is not in a supported encoding. Save it as CSV in UTF-8 or "
            "Shift_JIS (CP932), or as Excel (.xlsx)."
        )
    )


def _text_cell(value: str) -> str | None:
    value = value.strip()
    return value or None


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    for number, record in enumerate(reader, start=1):
        yield number, [_text_cell(v) for v in record]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for cells in sheet.iter_rows():
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            if number is None:  # a row of empty cells carries no position; nothing to read
                continue
            values: list[Cell] = []
            for cell in cells:
                value = cell.value
                if isinstance(value, str):
                    value = _text_cell(value)
                values.append(value)
            yield number, values
    finally:
        workbook.close()


def _open_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(_("The file looks like a ZIP archive but is damaged.")) from exc
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(
            _("This is a ZIP archive but not an Excel workbook (.xlsx). Upload CSV or .xlsx.")
        )


def _header(cells: list[Cell]) -> list[str]:
    names = ["" if c is None else str(c).strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def is_blank(cells: list[Cell]) -> bool:
    return all(c is None for c in cells)


def open_table(path: Path) -> Table | None:
    """The file as a Table, or None when it holds no header at all (empty file)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        return None
    file_type = sniff(head)
    if file_type == "xlsx":
        _open_xlsx(path)
        try:
            rows = _xlsx_rows(path)
            first = _first_nonblank(rows)
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise UnreadableFile(
                _("The Excel file cannot be read. Open it in Excel, save it again and retry.")
            ) from exc
        encoding = ""
    else:
        text, encoding = decode_text(path.read_bytes())
        rows = _csv_rows(text)
        first = _first_nonblank(rows)
    if first is None:
        return None
    return Table(file_type=file_type, encoding=encoding, header=_header(first[1]), rows=rows)


def _first_nonblank(rows: Iterator[tuple[int, list[Cell]]]) -> tuple[int, list[Cell]] | None:
    for number, cells in rows:
        if not is_blank(cells):
            return number, cells
    return None


def count_rows(path: Path) -> int:
    """How many data rows a file holds (cheap estimate for XLSX; exact for CSV)."""
    try:
        table = open_table(path)
    except UnreadableFile:
        return 0
    if table is None:
        return 0
    if table.file_type == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            max_row = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        if max_row:
            return max(0, max_row - 1)
    return sum(1 for _number, cells in table.rows if not is_blank(cells))


def cell_as_text(value: Any) -> str:
    """A cell as the text the user typed: whole floats lose their '.0' (Excel numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
