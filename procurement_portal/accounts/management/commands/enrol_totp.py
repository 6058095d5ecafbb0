"""Set up the authenticator app for a company account, from the server's shell (the first
administrator has nobody to do it for them). Prints the key and otpauth:// address once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procurement_portal.accounts.lockout import normalize_login
from procurement_portal.accounts.models import User
from procurement_portal.accounts.two_factor import totp_device_replace, totp_secret


class Command(BaseCommand):
    help = (
        "Give an account a new authenticator device (any earlier one stops working) and "
        "print its key and otpauth:// address once, to hand to the person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address.")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(email__iexact=normalize_login(options["email"])).first()
        if user is None:
            raise CommandError(f"No account uses {options['email']!r}.")
        device = totp_device_replace(user=user)
        self.stdout.write(f"Authenticator set up for {user.email}.")
        self.stdout.write(f"Key:     {totp_secret(device)}")
        self.stdout.write(f"Address: {device.config_url}")
        self.stdout.write("Shown once: running this again makes a new key.")
