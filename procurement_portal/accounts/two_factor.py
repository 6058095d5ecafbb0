"""The second factor's devices: made by an administrator (or while accepting a staff
invitation), never by whoever first holds a password. The secret is shown once, to the
administrator who hands it over, and then lives only in the device row."""

from __future__ import annotations

import base64
from base64 import b32encode
from io import BytesIO

import segno
from django.core.exceptions import PermissionDenied
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
