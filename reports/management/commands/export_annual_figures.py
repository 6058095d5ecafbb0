"""``manage.py export_annual_figures --fiscal-year 2020 --format xlsx [--output FILE]
[--language ja]``: the same files as the page and the API, for scripts and the report team."""

from __future__ import annotations

import shutil
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports import exports
from reports.figures import annual_figures, as_data, clean_fiscal_year
from reports.figures import export as figures_export


class Command(BaseCommand):
    help = "Export a fiscal year's annual figures as JSON, CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", required=True)
        parser.add_argument("--format", choices=figures_export.FORMATS, default="json")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--language", choices=["en", "ja"], default="en")

    def handle(self, *args, fiscal_year, format, output, language, **options):
        try:
            year = clean_fiscal_year(fiscal_year, 0)
        except ValidationError as exc:
            raise CommandError(
                f"--fiscal-year: {' '.join(exc.message_dict['fiscal_year'])}"
            ) from exc
        with translation.override(language):
            data = as_data(year, annual_figures(year))
            if format == "xlsx":
                spool = exports.xlsx_workbook(figures_export.xlsx_sheets(data))
                with spool:
                    if output:
                        with open(output, "wb") as target:
                            shutil.copyfileobj(spool, target)
                    else:
                        shutil.copyfileobj(spool, sys.stdout.buffer)
                return
            text = figures_export.as_json(data) if format == "json" else figures_export.as_csv(data)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as target:
                target.write(text)
        else:
            self.stdout.write(text, ending="")
