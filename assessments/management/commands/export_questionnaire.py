"""Export a questionnaire version as YAML (the format import_questionnaire reads)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.authoring.services import questionnaire_export
from assessments.models import QuestionnaireVersion, VersionStatus


class Command(BaseCommand):
    help = (
        "Write a questionnaire version as YAML: by default the published one (or the "
        "newest if none is published)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Django's own --version (its release) would clash with ours (the questionnaire's).
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The questionnaire's code.")
        parser.add_argument("--version", type=int, dest="number", help="Version number.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, code: str, number: int | None, output: str | None, **options):
        versions = QuestionnaireVersion.objects.select_related("questionnaire").filter(
            questionnaire__code=code
        )
        if number is not None:
            version = versions.filter(number=number).first()
        else:
            version = (
                versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
                or versions.order_by("-number").first()
            )
        if version is None:
            wanted = f"version {number} of " if number is not None else ""
            raise CommandError(f"There is no {wanted}questionnaire {code!r}.")
        text = questionnaire_export(version=version)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {code} version {version.number} to {output}")
        else:
            self.stdout.write(text, ending="")
