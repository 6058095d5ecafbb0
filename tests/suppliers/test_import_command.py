"""manage.py import_data: summary on success, every error and a non-zero exit on rejection."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from suppliers.models import Supplier

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suppliers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_prints_the_summary(tmp_path):
    path = write(tmp_path, "code,legal_name,country\nA-1,Acme,JP\nB-2,Beta,SG\n")
    out = io.StringIO()
    call_command("import_data", "suppliers", str(path), stdout=out)
    assert "2 row(s): 2 created, 0 updated, 0 unchanged." in out.getvalue()
    assert Supplier.objects.count() == 2


def test_rejected_file_prints_every_error_and_fails(tmp_path):
    path = write(tmp_path, "code,legal_name,country\nA-1,,JP\nB-2,Beta,Mars\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Rejected: 2 error\(s\) in 2 row\(s\)"):
        call_command("import_data", "suppliers", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("row 2, column legal_name: ")
    assert lines[1].startswith("row 3, column country: ")
    assert lines[1].endswith("(found: 'Mars')")  # the offending value, as found
    assert Supplier.objects.count() == 0


def test_dry_run_saves_nothing(tmp_path):
    path = write(tmp_path, "code,legal_name,country\nA-1,Acme,JP\n")
    out = io.StringIO()
    call_command("import_data", "suppliers", str(path), "--dry-run", stdout=out)
    assert "Dry run, nothing saved: would have 1 row(s): 1 created" in out.getvalue()
    assert Supplier.objects.count() == 0


def test_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_data", "spend", str(tmp_path / "nope.csv"))


def test_unknown_kind_is_refused_by_the_parser(tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_data", "contacts", str(write(tmp_path, "x\n")))
