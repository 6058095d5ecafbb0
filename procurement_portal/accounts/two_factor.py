"""The second factor's devices. A staff device is made by an administrator (the admin
action or ``manage.py enrol_totp``), never by whoever first holds a password: the secret
is shown once, to the administrator who hands it over, and then lives only in the device
row. A supplier user, for whom the second factor is optional, may add or remove their own
from a logged-in session; the owner is told by e-mail either way."""

from __future__ import annotations

import base64
from base64 import b32encode
from io import BytesIO

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement_portal import access

from .models import User


def qr_data_uri(url: str) -> str:
    buffer = BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def totp_device_replace(*, user: User, key: str | None = None) -> TOTPDevice:
    """Give ``user`` one confirmed authenticator device (any earlier one stops working).
    ``key`` (hex) fixes the secret, for the demo; otherwise it is random."""
    TOTPDevice.objects.filter(user=user).delete()
    extra = {"key": key} if key else {}
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, **extra)


def totp_device_issue(*, actor: User, user: User) -> tuple[TOTPDevice, str, str]:
    """An administrator sets up the second factor for ``user``. Returns the device, its
    secret and its otpauth:// address, to be shown once and handed to the person."""
    if not access.can(actor, access.Action.MANAGE_USERS):
        raise PermissionDenied(_("Only administrators set up the second factor for others."))
    device = totp_device_replace(user=user)
    return device, totp_secret(device), device.config_url


# --- optional for supplier users ---------------------------------------------------------
# Staff must have the second factor and cannot set it up themselves. A supplier user may
# add one of their own: the page shows a fresh key (kept in the session, not in a device
# row, until confirmed), and the account gets the device only once the person gives the
# current password and a code the app made from that key. From then on the log-in asks
# for a code as it does for staff; the person may take it off again with the password
# and a code.


def may_choose_second_factor(user: User) -> bool:
    return user.is_authenticated and access.acts_for_suppliers(user) and user.is_active


def new_totp_key() -> str:
    """A fresh key (hex, as TOTPDevice stores it) for the setup page."""
    from django_otp.util import random_hex

    return random_hex(20)


def pending_device(*, user: User, key: str) -> TOTPDevice:
    """An unsaved device for ``key``: its secret and otpauth:// address for the page."""
    return TOTPDevice(user=user, name="authenticator", key=key, confirmed=False)


def _pending_code_matches(key: str, token: str) -> bool:
    """Whether ``token`` is a current code for ``key`` (no device row is touched)."""
    from binascii import unhexlify

    from django_otp.oath import TOTP

    from procurement_portal.core.text import parse_digits

    code = parse_digits(token, max_digits=8)  # "²" is a digit to isdigit(), not to int()
    if code is None:
        return False
    totp = TOTP(unhexlify(key.encode()))
    return totp.verify(code, tolerance=1)


def _check(user: User, *, password: str, code_ok: bool) -> None:
    errors: dict[str, str] = {}
    if not user.check_password(password or ""):
        errors["password"] = _("This is not your current password.")
    if not code_ok:
        errors["token"] = _("This code is not correct or has expired.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def totp_self_enrol(*, user: User, key: str, password: str, token: str) -> TOTPDevice:
    """A supplier user turns on the second factor with the app they set up from ``key``."""
    if not may_choose_second_factor(user):
        raise PermissionDenied(_("Company accounts get their second factor from an administrator."))
    _check(user, password=password, code_ok=_pending_code_matches(key, token))
    device = totp_device_replace(user=user, key=key)
    _tell(user, turned_on=True)
    return device


def totp_self_remove(*, user: User, password: str, token: str) -> None:
    """A supplier user turns the second factor off again (password and a current code)."""
    if not may_choose_second_factor(user):
        raise PermissionDenied(_("Company accounts cannot turn the second factor off."))
    # Not in one transaction: a wrong code's throttling count must stay recorded.
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return
    if not user.check_password(password or ""):
        # The code is not tried (nor used up) for a wrong password.
        raise ValidationError({"password": _("This is not your current password.")})
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise ValidationError({"token": _("Too many wrong codes. Wait a little and try again.")})
    if not device.verify_token(token):
        raise ValidationError({"token": _("This code is not correct or has expired.")})
    TOTPDevice.objects.filter(user=user).delete()
    _tell(user, turned_on=False)


def _tell(user: User, *, turned_on: bool) -> None:
    """An e-mail to the account's address: whoever turned the app on or off with a stolen
    password is noticed by the owner."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from procurement_portal.outbox.services import email_enqueue

    language = user.preferred_language or settings.LANGUAGE_CODE
    now = timezone.localtime()
    with translation.override(language):
        when = date_format(now, "DATETIME_FORMAT")
        if turned_on:
            subject = _("Two-factor verification was turned on")
            message = _(
                "An authenticator app was added to your portal account on %(when)s: each "
                "log-in now asks for its code."
            ) % {"when": when}
        else:
            subject = _("Two-factor verification was turned off")
            message = _(
                "The authenticator app was removed from your portal account on %(when)s: "
                "your password alone now opens it."
            ) % {"when": when}
        message += "\n\n" + _(
            "If this was not you, reset your password at once and tell your contact at the company."
        )
        context = {
            "subject": subject,
            "greeting": _("Dear %(name)s,") % {"name": user.get_full_name() or user.email},
            "message": message,
            "link": settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:password-reset"),
        }
    state = "on" if turned_on else "off"
    email_enqueue(
        key=f"second-factor:{user.pk}:{state}:{int(now.timestamp() * 1000)}",
        to=user.email,
        template="notice",
        context=context,
        language=language,
    )
