"""Bulk load of paper declarations from CSV or XLSX, through the one import pattern.

The format (docs/declarations-import.md) is a kind of ``suppliers.imports``: the shared
service reads the file, checks every row and reports every problem by row and column,
and writes nothing unless the whole file is good. Each row is then recorded by the same
service as the paper declaration form (``paper_signature_record``), so an imported row
is immutable and chained like any other signature. A row already on record (same
supplier, version, date and signer) is left as it is, so a file can be loaded twice.

Scanned files are not part of a bulk load; attach them one by one through the form when
they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from procurement_portal import access
from suppliers.imports import cells
from suppliers.imports.base import CleanRow, Column, ImportKind
from suppliers.imports.readers import Cell, cell_as_text
from suppliers.imports.report import ImportReport, RowError

from .models import DeclarationKind, DeclarationVersion, Signature
from .services import RECORD_ACTION, paper_duplicate, paper_signature_check, paper_signature_record

KIND_NAME = "declarations"
# The import service builds its importer without arguments; the page's user reaches the
# rows' ``recorded_by`` through this variable, set only around one ``paper_import``.
_actor: ContextVar = ContextVar("declarations_import_actor", default=None)

# Service field -> file column, for the service's checks reported at the right column.
_COLUMN_OF = {"supplier_code": "supplier_code", "version": "version"}


class PaperDeclarationImport(ImportKind):
    name = KIND_NAME
    key = ("supplier_code", "declaration", "version", "signed_on", "signer_name")
    columns = (
        Column("supplier_code", required=True, example="ACME-001"),
        Column("declaration", required=True, example="env-safety-health"),
        Column("version", required=True, example="1"),
        Column("signed_on", required=True, example="2019-06-14"),
        Column("signer_name", required=True, example="Taro Yamada"),
        Column("signer_title", required=True, example="President"),
        Column("language", example="ja"),
    )
    more_examples = (
        (
            "EURO-17",
            "responsible-business-conduct",
            "1",
            "2020-11-02",
            "Anna Schmidt",
            "Managing Director",
            "en",
        ),
    )

    def __init__(self) -> None:
        super().__init__()
        self.checked: dict[int, dict] = {}

    @cached_property
    def cleaners(self) -> dict[str, Callable[[Cell], Any]]:
        name_field = Signature._meta.get_field("signer_name")
        kinds = set(DeclarationKind.objects.values_list("code", flat=True))

        def declaration(cell: Cell) -> str:
            code = cell_as_text(cell)
            if code not in kinds:
                raise cells.CellError(
                    _("“%(value)s” is not a declaration. Use one of: %(allowed)s.")
                    % {"value": code, "allowed": ", ".join(sorted(kinds))}
                )
            return code

        return {
            "supplier_code": cells.cell_as_text,
            "declaration": declaration,
            "version": lambda c: cells.integer(DeclarationVersion._meta.get_field("number"), c),
            "signed_on": cells.date,
            "signer_name": lambda c: cells.text(name_field, c),
            "signer_title": lambda c: cells.text(name_field, c),
            "language": lambda c: (
                "en" if c is None else cells.choice(Signature._meta.get_field("language"), c)
            ),
        }

    def cross_row_errors(self, rows: list[CleanRow]) -> list[RowError]:
        errors = self.duplicate_errors(rows)
        versions = {
            (code, number): pk
            for pk, code, number in DeclarationVersion.objects.values_list(
                "pk", "kind__code", "number"
            )
        }
        for row in rows:
            v = row.values
            if not all(name in v for name in self.key):
                continue  # a cell of this row is already reported
            version_id = versions.get((v["declaration"], v["version"]))
            values, problems = paper_signature_check(
                supplier_code=v["supplier_code"],
                version_id=version_id,
                signed_on=v["signed_on"],
                signer_name=v["signer_name"],
                signer_title=v["signer_title"],
                language=v.get("language", "en"),
            )
            if version_id is None:
                problems["version"] = _("This declaration has no version %(number)s.") % {
                    "number": v["version"]
                }
            for field, message in problems.items():
                column = _COLUMN_OF.get(field, field)
                errors.append(RowError(row.number, column, message, cell_as_text(v.get(column))))
            if not problems:
                self.checked[row.number] = values
        return errors

    def write(self, rows: list[CleanRow], *, dry_run: bool) -> tuple[int, int, int]:
        created = unchanged = 0
        for row in rows:
            values = self.checked[row.number]
            if paper_duplicate(values):
                unchanged += 1
                continue
            created += 1
            if dry_run:
                continue
            paper_signature_record(
                actor=_actor.get(),
                supplier_code=values["supplier"].code,
                version_id=values["version"].pk,
                signed_on=values["signed_on"],
                signer_name=values["signer_name"],
                signer_title=values["signer_title"],
                language=values["language"],
                check_duplicate=False,
            )
        return created, 0, unchanged


def register() -> None:
    """Add this format to the import service's kinds (from ``AppConfig.ready()``: the
    suppliers layer below must not import declarations)."""
    from suppliers.imports import service

    service.KINDS[KIND_NAME] = PaperDeclarationImport


def paper_import(*, actor, path: Path, dry_run: bool = False) -> ImportReport:
    """Load a file of paper declarations: all rows or none, every problem by row and column."""
    from suppliers.imports.service import import_file

    access.require_capability(actor, RECORD_ACTION, _("You may not record declarations."))
    token = _actor.set(actor)
    try:
        return import_file(kind=KIND_NAME, path=path, actor=actor, dry_run=dry_run)
    except ValidationError as exc:
        # Only a row changed by someone else between the checks and the writing gets here
        # (the checks ran on every row first); the transaction wrote nothing.
        report = ImportReport(kind=KIND_NAME, dry_run=dry_run)
        return report.reject([RowError(0, "", " ".join(exc.messages))])
    finally:
        _actor.reset(token)
