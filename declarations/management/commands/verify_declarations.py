"""Walk the signatures' hash chain and report the first broken link (exit status 1)."""

from django.core.management.base import BaseCommand, CommandError

from declarations.services import verify_chain


class Command(BaseCommand):
    help = "Check every declaration signature against its hash and the chain before it."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Broken link at signature #{report.broken_sequence} (id {report.broken_id}): "
                f"{report.problem}. {report.checked} signature(s) before it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(f"{report.checked} signature(s) checked: the chain is intact.")
        )
