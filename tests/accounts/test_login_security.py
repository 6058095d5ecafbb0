"""Log-in protection: lock-out per user name and address, idle expiry, password policy."""

import time

import pytest
from django.urls import reverse

from procurement_portal.accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _attempt(client, email, password, ip="198.51.100.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_good_password_logs_in(client, supplier_user, password):
    response = _attempt(client, supplier_user.email, password)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_password_says_so_without_telling_which_part(client, supplier_user):
    response = _attempt(client, supplier_user.email, "wrong-password")
    assert response.status_code == 200
    assert "The e-mail address or password is not correct." in response.content.decode()


def test_repeated_failures_lock_the_pair_out_even_with_the_right_password(
    client, supplier_user, password, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, supplier_user.email, "guess")

    response = _attempt(client, supplier_user.email, password)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-in attempts" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in page
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "_auth_user_id" not in client.session


def test_attacker_elsewhere_cannot_lock_the_supplier_out(client, supplier_user, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _attempt(client, supplier_user.email, "guess", ip="203.0.113.66")

    response = _attempt(client, supplier_user.email, password, ip="198.51.100.7")

    assert response.status_code == 302


def test_lock_out_ends_after_the_cool_off(client, supplier_user, password, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, supplier_user.email, "guess")
    assert _attempt(client, supplier_user.email, password).status_code == 429
    # Time passes: the attempts are older than the cool-off.
    from django.utils import timezone

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)

    assert _attempt(client, supplier_user.email, password).status_code == 302


def test_forged_forwarded_for_header_does_not_change_the_address(client, supplier_user, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": supplier_user.email, "password": "guess"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    assert _attempt(client, supplier_user.email, "x").status_code == 429


def test_idle_session_is_ended(client, supplier_user, settings):
    client.force_login(supplier_user)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_active_session_is_kept(client, supplier_user):
    client.force_login(supplier_user)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 60
    session.save()
    assert client.get("/").status_code in (200, 302)
    assert "_auth_user_id" in client.session


def test_password_policy_refuses_short_and_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-long passphrase for the portal")


def test_session_cookie_is_httponly_and_secure_in_production():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
