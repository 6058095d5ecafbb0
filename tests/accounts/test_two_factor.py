"""Staff must confirm a TOTP code after the password; supplier users may not need to."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_without_second_factor_reach_only_the_setup_page(client, buyer):
    client.force_login(buyer)

    response = client.get("/suppliers/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "data:image/svg+xml;base64," in page.content.decode()  # QR code
    assert TOTPDevice.objects.filter(user=buyer, confirmed=False).count() == 1


def test_api_answers_403_until_verified(client, buyer):
    client.force_login(buyer)
    response = client.get("/api/v1/suppliers/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_setting_up_then_entering_a_code_opens_the_portal(client, buyer):
    client.force_login(buyer)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=buyer)

    response = client.post("/accounts/2fa/?next=/suppliers/", {"token": _code(device)})

    assert response.status_code == 302 and response["Location"] == "/suppliers/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/suppliers/").status_code == 200


def test_wrong_code_is_refused_with_a_message(client, buyer):
    client.force_login(buyer)
    client.get("/accounts/2fa/")

    response = client.post("/accounts/2fa/", {"token": "000000"})
    if "not correct" not in response.content.decode():  # 000000 could be the real code
        response = client.post("/accounts/2fa/", {"token": "111111"})

    assert response.status_code == 200
    assert "This code is not correct or has expired." in response.content.decode()
    assert client.get("/suppliers/").status_code == 302


def test_letters_are_refused_naming_the_field(client, buyer):
    client.force_login(buyer)
    response = client.post("/accounts/2fa/", {"token": "abcdef"})
    assert "Enter the digits shown in your authenticator app." in response.content.decode()


def test_open_redirect_through_next_is_refused(client, buyer):
    client.force_login(buyer)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=buyer)
    response = client.post("/accounts/2fa/?next=https://evil.example/", {"token": _code(device)})
    assert response["Location"] == "/"


def test_supplier_users_are_not_forced(client, supplier_user, supplier):
    client.force_login(supplier_user)
    assert client.get(f"/suppliers/{supplier.pk}/").status_code == 200
