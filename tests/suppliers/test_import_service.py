"""The import service: validation before writing, all or nothing, idempotent re-imports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from suppliers.imports.models import ImportJob, ImportStatus
from suppliers.imports.report import RowError
from suppliers.imports.service import import_file, import_job_run
from suppliers.models import Supplier, SupplierSpend
from tests.factories import SpendFactory, SupplierFactory

pytestmark = pytest.mark.django_db

HEADER = ["code", "legal_name", "local_name", "country", "categories", "is_strategic_partner"]


def write_csv(tmp_path: Path, rows: list[list], *, encoding="utf-8", name="data.csv") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def suppliers_csv(tmp_path: Path, rows: list[list], **kwargs) -> Path:
    return write_csv(tmp_path, [HEADER, *rows], **kwargs)


def supplier_rows(n: int) -> list[list]:
    return [[f"S-{i:04d}", f"Supplier {i} Ltd.", "", "JP", "hardware", "no"] for i in range(n)]


def run(path: Path, kind: str = "suppliers", **kwargs):
    return import_file(kind=kind, path=path, **kwargs)


def test_good_csv_creates_every_supplier_with_its_values(tmp_path):
    # given
    path = suppliers_csv(
        tmp_path,
        [
            ["ACME-1", "Acme Parts Co., Ltd.", "アクメ部品", "jp", "hardware;components", "yes"],
            ["BETA-2", "Beta Logistics GmbH", "", "Germany", "", "no"],
            ["GAMMA-3", "Gamma Inc.", "", "US", "services", ""],
        ],
    )
    # when
    report = run(path)
    # then
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    acme = Supplier.objects.get(code="ACME-1")
    assert acme.country.code == "JP"
    assert acme.local_name == "アクメ部品"
    assert acme.is_strategic_partner is True
    assert sorted(acme.categories.values_list("code", flat=True)) == ["components", "hardware"]
    beta = Supplier.objects.get(code="BETA-2")
    assert beta.country.code == "DE"
    assert beta.status == "active"
    assert beta.categories.count() == 0
    assert Supplier.objects.get(code="GAMMA-3").is_strategic_partner is False


def test_reimport_updates_changed_rows_counts_unchanged_and_never_duplicates(tmp_path):
    # given
    rows = supplier_rows(3)
    run(suppliers_csv(tmp_path, rows))
    rows[1][1] = "Renamed Ltd."
    rows[2][4] = "hardware;software"
    # when
    report = run(suppliers_csv(tmp_path, rows, name="again.csv"))
    # then
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Supplier.objects.count() == 3
    assert Supplier.objects.get(code="S-0001").legal_name == "Renamed Ltd."
    assert set(Supplier.objects.get(code="S-0002").categories.values_list("code", flat=True)) == {
        "hardware",
        "software",
    }


def test_identical_reimport_counts_every_row_unchanged(tmp_path):
    path = suppliers_csv(tmp_path, supplier_rows(5))
    run(path)
    report = run(path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)


def test_one_bad_row_among_many_saves_nothing_and_names_row_column_reason(tmp_path):
    # given: data row 57 is file row 58 (the header is row 1)
    rows = supplier_rows(100)
    rows[56][3] = "Atlantis"
    # when
    report = run(suppliers_csv(tmp_path, rows))
    # then
    assert not report.ok
    assert Supplier.objects.count() == 0
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (58, "country")
    assert "Atlantis" in error.reason and "not a country" in error.reason


def test_every_error_of_one_row_is_reported(tmp_path):
    path = write_csv(
        tmp_path,
        [
            [*HEADER, "status", "transactions_started_on", "preferred_language"],
            ["bad code!", "", "", "XX", "hardware;cars", "perhaps", "gone", "01/04/2020", "fr"],
        ],
    )
    report = run(path)
    # then: every problem, in the format's column order
    assert [e.column for e in report.errors] == [
        "code",
        "legal_name",
        "country",
        "preferred_language",
        "categories",
        "status",
        "transactions_started_on",
        "is_strategic_partner",
    ]
    assert {e.row for e in report.errors} == {2}
    reasons = {e.column: e.reason for e in report.errors}
    assert "cars" in reasons["categories"]
    assert "YYYY-MM-DD" in reasons["transactions_started_on"]
    assert "required" in reasons["legal_name"]


def test_duplicate_code_in_one_file_names_both_rows(tmp_path):
    rows = supplier_rows(4)
    rows[3][0] = rows[1][0]
    report = run(suppliers_csv(tmp_path, rows))
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column) == (5, "code")
    assert "rows 3 and 5" in error.reason
    assert Supplier.objects.count() == 0


def test_missing_and_unknown_columns_are_named(tmp_path):
    path = write_csv(tmp_path, [["code", "name", "country", "colour"], ["A", "B", "JP", "red"]])
    report = run(path)
    assert {(e.row, e.column) for e in report.errors} == {
        (1, "name"),
        (1, "colour"),
        (1, "legal_name"),
    }
    by_column = {e.column: e.reason for e in report.errors}
    assert "Unknown column" in by_column["colour"]
    assert "missing" in by_column["legal_name"]


def test_empty_file_and_header_only_file_get_a_clear_message(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = write_csv(tmp_path, [HEADER], name="header.csv")
    assert run(empty).errors == [
        RowError(0, "", "The file is empty. The first row must hold the column names.")
    ]
    assert "no rows" in run(header_only).errors[0].reason


def test_cp932_csv_with_japanese_names_is_read(tmp_path):
    rows = [["JP-1", "日本電気部品株式会社", "日本電気部品株式会社", "日本", "", "no"]]
    rows[0][3] = "JP"
    path = suppliers_csv(tmp_path, rows, encoding="cp932")
    assert path.read_bytes().decode("cp932")  # really Shift_JIS bytes, not UTF-8
    report = run(path)
    assert report.ok, report.errors
    assert Supplier.objects.get(code="JP-1").local_name == "日本電気部品株式会社"


def test_utf8_with_bom_is_read(tmp_path):
    path = suppliers_csv(
        tmp_path, [["BOM-1", "Bom Ltd.", "ボム", "JP", "", "no"]], encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = run(path)
    assert report.ok, report.errors
    assert Supplier.objects.filter(code="BOM-1").exists()


def test_xlsx_first_sheet_is_read_with_date_and_number_cells(tmp_path):
    # given: a workbook as Excel writes it, with real date and number cells
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["code", "legal_name", "country", "transactions_started_on", "is_strategic_partner"]
    )
    sheet.append(["X-1", "Excel Ltd.", "jp", dt.datetime(2019, 4, 1), True])
    sheet.append([12345, "Numeric Code KK", "Japan", "2020-05-06", 0])
    workbook.create_sheet("ignored").append(["nothing", "here"])
    path = tmp_path / "suppliers.xlsx"
    workbook.save(path)
    # when
    report = run(path)
    # then
    assert report.ok, report.errors
    first = Supplier.objects.get(code="X-1")
    assert first.transactions_started_on == dt.date(2019, 4, 1)
    assert first.is_strategic_partner is True
    assert Supplier.objects.get(code="12345").transactions_started_on == dt.date(2020, 5, 6)


def test_png_named_csv_is_refused_by_content(tmp_path):
    path = tmp_path / "suppliers.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    report = run(path)
    assert not report.ok
    assert report.errors[0].row == 0
    assert "PNG" in report.errors[0].reason


def test_binary_garbage_is_refused_as_not_text(tmp_path):
    path = tmp_path / "suppliers.csv"
    path.write_bytes(b"code,legal\x00name\x01\x02")
    assert "not a text file" in run(path).errors[0].reason


def test_empty_status_keeps_a_suspended_supplier_suspended(tmp_path):
    SupplierFactory(code="S-0000", status="suspended")
    path = write_csv(
        tmp_path, [["code", "legal_name", "country", "status"], ["S-0000", "X", "JP", ""]]
    )
    report = run(path)
    assert report.ok, report.errors
    assert Supplier.objects.get(code="S-0000").status == "suspended"


def test_dry_run_reports_counts_and_writes_nothing(tmp_path):
    report = run(suppliers_csv(tmp_path, supplier_rows(4)), dry_run=True)
    assert report.ok and report.dry_run
    assert report.created == 4
    assert Supplier.objects.count() == 0


@pytest.mark.parametrize("rows", [1, 300])
def test_query_count_does_not_grow_with_rows(tmp_path, rows, django_assert_max_num_queries):
    path = suppliers_csv(tmp_path, supplier_rows(rows))
    with django_assert_max_num_queries(12):
        report = run(path)
    assert report.created == rows


# --- spend ------------------------------------------------------------------------------

SPEND_HEADER = ["supplier_code", "fiscal_year", "amount", "currency"]


def test_spend_for_unknown_supplier_code_is_refused(tmp_path):
    SupplierFactory(code="KNOWN")
    path = write_csv(
        tmp_path, [SPEND_HEADER, ["KNOWN", "2020", "100", "JPY"], ["GHOST", "2020", "5", ""]]
    )
    report = run(path, kind="spend")
    assert [(e.row, e.column) for e in report.errors] == [(3, "supplier_code")]
    assert "GHOST" in report.errors[0].reason
    assert SupplierSpend.objects.count() == 0


def test_spend_is_keyed_on_code_and_fiscal_year(tmp_path):
    # given
    acme = SupplierFactory(code="ACME")
    SpendFactory(supplier=acme, fiscal_year=2020, amount=Decimal("1"), currency="JPY")
    SpendFactory(supplier=acme, fiscal_year=2021, amount=Decimal("2000"), currency="USD")
    path = write_csv(
        tmp_path,
        [
            SPEND_HEADER,
            ["ACME", "2020", "1,234,567.50", ""],
            ["ACME", "2021", "2000", "usd"],
            ["ACME", "2022", "7", "EUR"],
        ],
    )
    # when
    report = run(path, kind="spend")
    # then
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    amounts = dict(SupplierSpend.objects.values_list("fiscal_year", "amount"))
    assert amounts == {2020: Decimal("1234567.50"), 2021: Decimal("2000"), 2022: Decimal("7")}
    assert SupplierSpend.objects.get(fiscal_year=2022).currency == "EUR"


def test_spend_values_are_checked_by_the_model_rules(tmp_path):
    SupplierFactory(code="ACME")
    path = write_csv(
        tmp_path,
        [
            SPEND_HEADER,
            ["ACME", "1850", "-3", "yn"],
            ["ACME", "2020", "1,2,3", "JPY"],
            ["ACME", "2020", "5", "JPY"],
            ["ACME", "2020", "6", "JPY"],
        ],
    )
    report = run(path, kind="spend")
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (2, "fiscal_year"),
        (2, "amount"),
        (2, "currency"),
        (3, "amount"),
        (4, "supplier_code"),
        (5, "supplier_code"),
    }
    assert "rows 3 and 5" in next(e.reason for e in report.errors if e.row == 5)


# --- jobs -------------------------------------------------------------------------------


def test_job_records_outcome_and_runs_only_once(tmp_path, settings, buyer):
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    path = suppliers_csv(tmp_path, supplier_rows(3))
    job = ImportJob.objects.create(kind="suppliers", created_by=buyer, original_name="x.csv")
    job.file.save("x", io.BytesIO(path.read_bytes()))
    # when
    first = import_job_run(job_id=job.pk)
    second = import_job_run(job_id=job.pk)
    # then
    job.refresh_from_db()
    assert first is not None and first.created == 3
    assert second is None
    assert job.status == ImportStatus.SUCCEEDED
    assert (job.rows_total, job.rows_processed, job.created_count) == (3, 3, 3)
    assert str(job.file.name) == f"imports/{job.uuid}"


def test_job_whose_file_vanished_is_marked_failed_not_left_running(tmp_path, settings, buyer):
    # given: a pending job whose stored file is gone
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ImportJob(kind="spend", created_by=buyer, original_name="gone.csv")
    job.file.name = "imports/does-not-exist"
    job.save()
    # when
    assert import_job_run(job_id=job.pk) is None
    # then
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.finished_at is not None
    assert "does-not-exist" in job.message


def test_every_problem_carries_the_value_found(tmp_path):
    """The person fixing the file sees what was there, not only what is wrong."""
    path = write_csv(
        tmp_path,
        [
            ["code", "legal_name", "country"],
            ["A-1", "Acme", "Mars"],
            ["B-2", "", "JP"],
            ["A-1", "Again", "JP", "stray"],
        ],
    )
    report = run(path)
    found = {(e.row, e.column): e.value for e in report.errors}
    assert found[(2, "country")] == "Mars"
    assert found[(3, "legal_name")] == ""  # nothing was there
    assert found[(4, "")] == "stray"
    assert found[(4, "code")] == "A-1"
    assert all("value" in e.as_dict() for e in report.errors)


def test_unknown_supplier_in_spend_names_the_code_found(tmp_path):
    path = write_csv(
        tmp_path,
        [["supplier_code", "fiscal_year", "amount"], ["NOPE-9", "2024", "100"]],
    )
    report = run(path, kind="spend")
    assert [(e.column, e.value) for e in report.errors] == [("supplier_code", "NOPE-9")]
