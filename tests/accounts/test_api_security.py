"""API: staff tokens need the second factor; rate limits per user and per client."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from procurement_portal.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def staff_device(buyer):
    return TOTPDevice.objects.create(user=buyer, name="app", confirmed=True)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_token_needs_the_authenticator_code(
    api_client, buyer, password, staff_device, settings
):
    settings.PORTAL_REQUIRE_STAFF_2FA = True

    without = api_client.post(TOKEN_URL, {"email": buyer.email, "password": password})
    assert without.status_code == 400 and "otp" in without.json()
    assert not ApiToken.objects.filter(user=buyer).exists()

    wrong = api_client.post(
        TOKEN_URL, {"email": buyer.email, "password": password, "otp": "12345a"}
    )
    assert wrong.status_code == 400 and "otp" in wrong.json()

    ok = api_client.post(
        TOKEN_URL, {"email": buyer.email, "password": password, "otp": _code(staff_device)}
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_repeated_token_failures_lock_out_with_a_json_answer(
    api_client, supplier_user, password, settings
):
    # given a client that guessed the password too often
    for _ in range(settings.AXES_FAILURE_LIMIT):
        bad = api_client.post(TOKEN_URL, {"email": supplier_user.email, "password": "guess"})
        assert bad.status_code in (400, 429)
    # when it then sends the right password
    response = api_client.post(TOKEN_URL, {"email": supplier_user.email, "password": password})
    # then it is refused in the API's own error shape, with the wait, and gets no token
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "Too many failed log-in attempts" in response.json()["detail"]
    assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert not ApiToken.objects.filter(user=supplier_user).exists()


def test_staff_without_a_device_are_told_to_set_one_up(api_client, buyer, password, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    response = api_client.post(
        TOKEN_URL, {"email": buyer.email, "password": password, "otp": "123456"}
    )
    assert response.status_code == 400
    assert "Set up two-factor" in response.json()["otp"][0]


def test_signed_in_user_is_rate_limited(api_client, supplier_user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": "5/minute", "anon": "2/minute"}
    )
    api_client.force_authenticate(supplier_user)

    codes = [api_client.get("/api/v1/suppliers/").status_code for _ in range(7)]

    assert codes == [200] * 5 + [429, 429]


def test_anonymous_client_is_rate_limited_by_address(api_client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": "5/minute", "anon": "60/minute", "api_token": "2/minute"},
    )
    body = {"email": "nobody@example.com", "password": "x"}

    codes = [
        api_client.post(TOKEN_URL, body, REMOTE_ADDR="203.0.113.5").status_code for _ in range(3)
    ]
    other_address = api_client.post(TOKEN_URL, body, REMOTE_ADDR="203.0.113.6").status_code

    assert codes == [400, 400, 429]
    assert other_address == 400
