"""Import a visit checklist from a YAML file (see docs/checklist-format.md), or with
``--shipped`` the two shipped in visits/checklists/.

Run by an operator at the server, so no portal user is checked (``actor=None``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from visits.authoring import SHIPPED_DIR, SHIPPED_FILES, checklist_import


class Command(BaseCommand):
    help = (
        "Import a visit checklist from a YAML file. An identical definition changes "
        "nothing; a changed one becomes a new version of its kind (published unless --draft)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="Paths of YAML files.")
        parser.add_argument(
            "--shipped", action="store_true", help="Import the checklists shipped with visits."
        )
        parser.add_argument("--draft", action="store_true", help="Keep the version as a draft.")

    def handle(self, *args, files: list[str], shipped: bool, draft: bool, **options) -> None:
        paths = [Path(f) for f in files]
        if shipped:
            paths += [SHIPPED_DIR / name for name in SHIPPED_FILES]
        if not paths:
            raise CommandError("Give a YAML file, or --shipped.")
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
            try:
                result = checklist_import(text=text, actor=None, publish=not draft)
            except ValidationError as exc:
                for message in exc.messages:
                    self.stderr.write(message)
                raise CommandError(
                    f"{len(exc.messages)} problem(s) in {path}; nothing was imported."
                ) from exc
            template = result.template
            what = "created" if result.created else "unchanged"
            self.stdout.write(
                f"{what}: {template.kind} version {template.version} ({template.status})"
            )
