"""Issue 10.1: TOTP is optional for supplier users, required for staff as before. A
supplier user turns it on from the account menu with a key shown once on the page, their
password and a code from the app; from then on each log-in asks for a code. Staff cannot
set up their own here (an administrator does, issue 8.3)."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement_portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True


def _code(secret: str, steps_ahead: int = 0) -> str:
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, t0=-30 * steps_ahead):06d}"


def _log_in(client, user, password):
    response = client.post("/accounts/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def _turn_on(client, password) -> str:
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    response = client.post("/accounts/2fa/setup/", {"password": password, "token": _code(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    return secret


def test_a_supplier_user_is_not_asked_for_a_code_until_they_choose_one(
    client, supplier_user, password
):
    _log_in(client, supplier_user, password)
    assert client.get("/").status_code == 200
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert "Optional for supplier accounts" in page
    assert 'href="/accounts/2fa/setup/"' in page  # in the account menu


def test_the_invitation_page_says_the_app_is_optional(client, buyer, supplier):
    from procurement_portal.accounts import services

    _invitation, token = services.invitation_create(
        actor=buyer, supplier=supplier, email="new.person@acme.example"
    )
    page = client.get(f"/accounts/invitation/{token}/").content.decode()
    assert 'data-testid="optional-2fa"' in page and "Optional" in page


def test_turned_on_with_password_and_code_then_every_log_in_asks_for_a_code(
    client, supplier_user, password
):
    _log_in(client, supplier_user, password)
    secret = _turn_on(client, password)

    assert TOTPDevice.objects.filter(user=supplier_user, confirmed=True).count() == 1
    # the owner hears of it (someone holding a stolen password would be noticed)
    told = OutboxMessage.objects.get(to=supplier_user.email, key__startswith="second-factor:")
    assert told.subject == "Two-factor verification was turned on"
    assert "/accounts/password-reset/" in told.body_text
    assert client.get("/").status_code == 200  # this session is verified already
    client.post("/accounts/logout/")
    _log_in(client, supplier_user, password)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/")
    opened = client.post("/accounts/2fa/?next=/", {"token": _code(secret, 1)})
    assert opened.status_code == 302 and opened["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_or_code_turns_nothing_on(client, supplier_user, password):
    _log_in(client, supplier_user, password)
    page = client.get("/accounts/2fa/setup/").content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)

    wrong_password = client.post(
        "/accounts/2fa/setup/", {"password": "not it", "token": _code(secret)}
    )
    wrong_code = client.post("/accounts/2fa/setup/", {"password": password, "token": "123456"})
    letters = client.post("/accounts/2fa/setup/", {"password": password, "token": "abcdef"})
    # digits to str.isdigit() that int() refuses: a 400, not a 500
    superscripts = client.post("/accounts/2fa/setup/", {"password": password, "token": "²" * 6})

    assert wrong_password.status_code == 400
    assert "This is not your current password." in wrong_password.content.decode()
    assert wrong_code.status_code == 400
    assert "This code is not correct or has expired." in wrong_code.content.decode()
    assert letters.status_code == 400
    assert superscripts.status_code == 400
    assert not TOTPDevice.objects.filter(user=supplier_user).exists()
    assert not OutboxMessage.objects.filter(key__startswith="second-factor:").exists()
    # The key shown stays the same until it is used, so the app set up from it still works.
    assert secret in client.get("/accounts/2fa/setup/").content.decode()


def test_turned_off_again_with_password_and_code(client, supplier_user, password):
    _log_in(client, supplier_user, password)
    secret = _turn_on(client, password)

    refused = client.post("/accounts/2fa/setup/", {"password": "not it", "token": _code(secret, 1)})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=supplier_user).exists()
    # (the next step's code: the first was used to turn it on)
    off = client.post("/accounts/2fa/setup/", {"password": password, "token": _code(secret, 1)})

    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=supplier_user).exists()
    subjects = set(
        OutboxMessage.objects.filter(key__startswith="second-factor:").values_list(
            "subject", flat=True
        )
    )
    assert subjects == {
        "Two-factor verification was turned on",
        "Two-factor verification was turned off",
    }
    client.post("/accounts/logout/")
    _log_in(client, supplier_user, password)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role_fixture", ["buyer", "csco", "admin_user"])
def test_staff_cannot_set_up_their_own_here(request, client, role_fixture):
    from procurement_portal.accounts.two_factor import totp_device_replace
    from tests.accounts.test_two_factor import _code as device_code

    user = request.getfixturevalue(role_fixture)
    device = totp_device_replace(user=user)
    client.force_login(user)
    client.post("/accounts/2fa/", {"token": device_code(device)})

    assert client.get("/accounts/2fa/setup/").status_code == 403
    assert (
        client.post("/accounts/2fa/setup/", {"password": "x", "token": "123456"}).status_code == 403
    )
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_an_api_token_then_needs_the_code_too(client, api_client, supplier_user, password):
    _log_in(client, supplier_user, password)
    secret = _turn_on(client, password)
    url = "/api/v1/auth/token/"
    credentials = {"email": supplier_user.email, "password": password}

    without = api_client.post(url, credentials, format="json")
    assert without.status_code == 400 and "otp" in without.json()
    with_code = api_client.post(url, {**credentials, "otp": _code(secret, 1)}, format="json")
    assert with_code.status_code == 200 and with_code.json()["token"]


def test_without_the_app_a_supplier_user_gets_a_token_with_the_password(
    api_client, supplier_user, password
):
    credentials = {"email": supplier_user.email, "password": password}
    response = api_client.post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 200


def test_the_owner_is_told_in_their_language(client, supplier_user, password):
    supplier_user.preferred_language = "ja"
    supplier_user.save()
    _log_in(client, supplier_user, password)
    _turn_on(client, password)
    told = OutboxMessage.objects.get(to=supplier_user.email, key__startswith="second-factor:")
    assert told.subject == "2要素認証がオンになりました" and told.language == "ja"
    assert "お心当たりがない場合は" in told.body_text
