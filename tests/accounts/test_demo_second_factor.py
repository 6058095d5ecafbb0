"""The demo's staff logins pass the second factor with what the demo prints (issue 10.2)."""

import re
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import totp

from suppliers import demo

pytestmark = pytest.mark.django_db


def test_demo_prints_a_working_key_for_every_staff_login(client, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    demo.ensure_demo_logins()
    out = StringIO()

    call_command("seed_demo", "--print-logins", stdout=out)

    text = out.getvalue()
    staff = [login for login in demo.DEMO_LOGINS if login.role != "supplier"]
    for login in staff:
        found = re.search(rf"{re.escape(login.email)}\s+key ([A-Z2-7]+)\n\s+(otpauth://\S+)", text)
        assert found, f"no key printed for {login.email}"
        assert found.group(2).startswith("otpauth://totp/")
    # The printed key, typed into an app, gives a code that opens the portal.
    buyer = next(login for login in staff if login.role == "procurement")
    key = re.search(rf"{re.escape(buyer.email)}\s+key ([A-Z2-7]+)", text).group(1)
    code = f"{totp(b32decode(key + '=' * (-len(key) % 8))):06d}"
    client.post("/accounts/login/", {"username": buyer.email, "password": demo.DEMO_PASSWORD})
    response = client.post("/accounts/2fa/?next=/suppliers/", {"token": code})
    assert response.status_code == 302 and response["Location"] == "/suppliers/"
    assert client.get("/suppliers/").status_code == 200


def test_keys_stay_the_same_when_the_demo_starts_again(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    demo.ensure_demo_logins()
    first = StringIO()
    call_command("seed_demo", "--print-logins", stdout=first)
    demo.ensure_demo_logins()
    again = StringIO()
    call_command("seed_demo", "--print-logins", stdout=again)
    assert first.getvalue() == again.getvalue()
