"""Staff must confirm a TOTP code after the password; supplier users need not. Nobody
sets up their own second factor (issue 8.3): whoever first held a password would own it.
An administrator sets it up (admin action or ``manage.py enrol_totp``) and hands it over."""

import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement_portal.accounts.two_factor import totp_device_replace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def buyer_device(buyer):
    return totp_device_replace(user=buyer)


def test_staff_without_a_device_cannot_enrol_themselves(client, buyer):
    client.force_login(buyer)  # a password alone, perhaps a stolen one

    response = client.get("/suppliers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    page = client.get(response["Location"])

    assert page.status_code == 403
    html = page.content.decode()
    assert "Ask a portal administrator" in html
    assert "data:image/svg+xml" not in html  # no QR code, no secret
    assert not TOTPDevice.objects.filter(user=buyer).exists()
    # Posting a guess does not make a device either.
    client.post("/accounts/2fa/", {"token": "123456"})
    assert not TOTPDevice.objects.filter(user=buyer).exists()
    assert client.get("/suppliers/").status_code == 302


def test_api_answers_403_until_verified(client, buyer):
    client.force_login(buyer)
    response = client.get("/api/v1/suppliers/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_a_code_from_the_administrator_made_device_opens_the_portal(client, buyer, buyer_device):
    client.force_login(buyer)

    response = client.post("/accounts/2fa/?next=/suppliers/", {"token": _code(buyer_device)})

    assert response.status_code == 302 and response["Location"] == "/suppliers/"
    assert client.get("/suppliers/").status_code == 200


def test_wrong_code_is_refused_with_a_message(client, buyer, buyer_device):
    client.force_login(buyer)
    wrong = "000000" if _code(buyer_device) != "000000" else "111111"

    response = client.post("/accounts/2fa/", {"token": wrong})

    assert response.status_code == 200
    assert "This code is not correct or has expired." in response.content.decode()
    assert client.get("/suppliers/").status_code == 302


def test_letters_are_refused_naming_the_field(client, buyer, buyer_device):
    client.force_login(buyer)
    response = client.post("/accounts/2fa/", {"token": "abcdef"})
    assert "Enter the digits shown in your authenticator app." in response.content.decode()


def test_open_redirect_through_next_is_refused(client, buyer, buyer_device):
    client.force_login(buyer)
    response = client.post(
        "/accounts/2fa/?next=https://evil.example/", {"token": _code(buyer_device)}
    )
    assert response["Location"] == "/"


def test_supplier_users_are_not_forced(client, supplier_user, supplier):
    client.force_login(supplier_user)
    assert client.get(f"/suppliers/{supplier.pk}/").status_code == 200


def test_administrator_sets_up_the_device_in_the_admin_and_sees_the_key_once(
    client, admin_user, buyer
):
    admin_device = totp_device_replace(user=admin_user)
    client.force_login(admin_user)
    client.post("/accounts/2fa/", {"token": _code(admin_device)})

    page = client.post(
        "/admin/accounts/user/",
        {"action": "set_up_authenticator", "_selected_action": [buyer.pk]},
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=buyer, confirmed=True)
    secret = re.search(r"<code>([A-Z2-7]{16,})</code>", html).group(1)
    assert "otpauth://totp/" in html
    # The key shown is the device's: the buyer's app now gives codes that work.
    from base64 import b32decode

    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert not TOTPDevice.objects.filter(user=buyer).exclude(pk=device.pk).exists()


def test_only_administrators_may_set_up_anothers_device(buyer, csco):
    from django.core.exceptions import PermissionDenied

    from procurement_portal.accounts.two_factor import totp_device_issue

    with pytest.raises(PermissionDenied):
        totp_device_issue(actor=buyer, user=csco)
    assert not TOTPDevice.objects.filter(user=csco).exists()


def test_enrol_command_prints_the_key_and_address(buyer, capsys):
    call_command("enrol_totp", buyer.email.upper())
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out and "Key:" in out
    assert TOTPDevice.objects.filter(user=buyer, confirmed=True).count() == 1
