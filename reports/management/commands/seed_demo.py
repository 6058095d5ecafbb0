"""Fill an empty registry with demo suppliers and one login per role (DEBUG only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from procurement_portal.accounts.models import Role
from suppliers import demo
from suppliers.models import Supplier


def supplier_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not demo.MIN_SUPPLIERS <= number <= demo.MAX_SUPPLIERS:
        raise CommandError(
            f"--suppliers must be a whole number from {demo.MIN_SUPPLIERS} to "
            f"{demo.MAX_SUPPLIERS:,}, not {value!r}."
        )
    return number


class Command(BaseCommand):
    help = (
        "Create deterministic demo data (suppliers, sites, contacts, spend, critical "
        "designations, the shipped questionnaires and demo self-assessments) and one demo "
        "login per role, all with the password "
        f"{demo.DEMO_PASSWORD!r}. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--suppliers",
            type=str,
            default=str(demo.DEFAULT_SUPPLIERS),
            help=f"How many suppliers ({demo.MIN_SUPPLIERS}-{demo.MAX_SUPPLIERS}; "
            f"default {demo.DEFAULT_SUPPLIERS}).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if suppliers exist (the demo logins are still made sure of).",
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Only print the demo logins (role, e-mail, password).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo passwords do not belong in production.",
        )

    def handle(self, *args, **options) -> None:
        if options["print_logins"]:
            self._print_logins()
            return
        count = supplier_count(options["suppliers"])
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like production, and seed_demo creates logins with "
                "a published password. Run it with DJANGO_DEBUG=true, or pass --force if this "
                "really is a throw-away database."
            )
        existing = Supplier.objects.count()
        if existing:
            if not options["if_empty"]:
                raise CommandError(
                    f"The registry already has {existing:,} suppliers; seed_demo fills an empty "
                    "one. Use --if-empty to keep them, or start from an empty database."
                )
            demo.ensure_demo_logins()
            self._assessments()
            self.stdout.write(f"{existing:,} suppliers exist; demo data left as it is.")
            return
        result = demo.build_demo(suppliers=count)
        regions = ", ".join(f"{region} {n:,}" for region, n in result.counts_by_region.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.suppliers:,} suppliers ({regions}), {result.sites:,} sites, "
                f"{result.contacts:,} contacts, {result.spend:,} spend rows and "
                f"{result.designations:,} critical designations in {result.seconds:.1f} s."
            )
        )
        self._assessments()

    def _assessments(self) -> None:
        # The self-assessment demo lives with its app; the registry does not depend on it.
        from assessments.demo import build_assessment_demo

        made = build_assessment_demo()
        self.stdout.write(
            f"Questionnaires loaded: {made.questionnaires}; demo self-assessments added: "
            f"{made.assessments}."
        )
        from declarations.demo import build_declaration_demo  # its own app's demo

        self.stdout.write(f"Declarations demo: {build_declaration_demo()}")
        from dissemination.demo import build_dissemination_demo  # its own app's demo

        self.stdout.write(f"Dissemination demo: {build_dissemination_demo()}")
        from visits.demo import build_visit_demo  # its own app's demo

        self.stdout.write(f"Visits demo: {build_visit_demo()}")
        from visits.letter_demo import build_letter_demo  # the visits' letters, both languages

        self.stdout.write(f"Letters demo: {build_letter_demo()}")
        from reports.demo import build_reports_demo  # rates, CDP, a termination

        self.stdout.write(f"Reports demo: {build_reports_demo()}")

    def _print_logins(self) -> None:
        rows = [(str(Role(login.role).label), login.email) for login in demo.DEMO_LOGINS]
        width = max(len(label) for label, _ in rows)
        email_width = max(len(email) for _, email in rows)
        self.stdout.write(f"{'Role':<{width}}  {'E-mail':<{email_width}}  Password")
        for label, email in rows:
            self.stdout.write(f"{label:<{width}}  {email:<{email_width}}  {demo.DEMO_PASSWORD}")
        self._print_second_factor()

    def _print_second_factor(self) -> None:
        """Staff logins then ask for a code from an authenticator app: print each one's key
        (type it into the app, or open the otpauth:// address in a password manager)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from procurement_portal.accounts.models import User
        from procurement_portal.accounts.two_factor import totp_secret

        if not settings.PORTAL_REQUIRE_STAFF_2FA:
            return
        self.stdout.write("")
        self.stdout.write(
            "Staff logins then ask for a six-digit code: add the key below to an "
            "authenticator app (Google Authenticator, Microsoft Authenticator, 1Password...) "
            "or run  oathtool --totp -b <key>"
        )
        for login in demo.DEMO_LOGINS:
            if login.role == Role.SUPPLIER:
                continue
            user = User.objects.filter(email__iexact=login.email).first()
            device = user and TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                continue
            self.stdout.write(f"{login.email}  key {totp_secret(device)}")
            self.stdout.write(f"  {device.config_url}")
