"""Import a questionnaire from a YAML file (see docs/questionnaire-format.md).

Run by an operator at the server, so no portal user is checked (``actor=None``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.authoring.services import questionnaire_import


class Command(BaseCommand):
    help = (
        "Import a questionnaire definition from a YAML file. An identical definition "
        "changes nothing; a changed one becomes a new version (published unless --draft)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the YAML file.")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Keep the version as a draft (a later import may replace it).",
        )

    def handle(self, *args, file: str, draft: bool, **options) -> None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = questionnaire_import(text=text, actor=None, publish=not draft)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(exc.messages)} problem(s) in {file}; nothing was imported."
            ) from exc
        version = result.version
        if not result.created:
            what = "unchanged"
        elif result.replaced:
            what = "replaced draft"
        else:
            what = "created"
        self.stdout.write(
            f"{what}: {version.questionnaire.code} version {version.number} ({version.status})"
        )
