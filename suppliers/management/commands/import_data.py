"""manage.py import_data suppliers|spend PATH [--dry-run]: the import service from a shell."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppliers.imports.service import KINDS, import_file


class Command(BaseCommand):
    help = "Import suppliers or procurement spend from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args, kind: str, path: Path, dry_run: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = import_file(kind=kind, path=path, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f", column {error.column}" if error.column else ""
                found = f" (found: {error.value!r})" if error.value else ""
                self.stderr.write(f"{where}{column}: {error.reason}{found}")
            raise CommandError(
                f"Rejected: {len(report.errors)} error(s) in {report.rows} row(s); nothing saved."
            )
        prefix = "Dry run, nothing saved: would have " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{report.rows} row(s): {report.created} created, "
                f"{report.updated} updated, {report.unchanged} unchanged."
            )
        )
