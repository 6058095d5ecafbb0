"""Headers the portal sends: Permissions-Policy everywhere; Cache-Control: private, no-store
on every answer to a logged-in user and on the API; X-Forwarded-Proto believed only behind
a TLS proxy that says so."""

from __future__ import annotations

import pytest

from tests.test_settings import _manage

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-key-9f8e7d6c5b4a",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
}
# Asks for the API root over plain HTTP while claiming HTTPS, and prints the status: 301
# means Django saw plain HTTP and redirected to HTTPS; 403 (anonymous) means it believed the
# claim.
FORGED_PROTO = (
    "from django.test import Client; "
    "print(Client().get('/api/v1/', HTTP_X_FORWARDED_PROTO='https', "
    "HTTP_HOST='portal.example.com').status_code)"
)


def _status_in_production(**env: str) -> str:
    result = _manage("shell", "-c", FORGED_PROTO, **PRODUCTION, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_client_claiming_https_is_not_believed_by_default():
    assert _status_in_production() == "301"


def test_behind_a_tls_proxy_its_header_is_believed():
    assert _status_in_production(DJANGO_BEHIND_TLS_PROXY="true") == "403"


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/suppliers/", "/suppliers/{pk}/", "/api/v1/suppliers/", "/no-such-page/"]
)
def test_nothing_a_logged_in_user_sees_is_stored(login, buyer, supplier, url):
    # Given a logged-in staff user
    client = login(buyer)
    # When they open a page, the API or a missing page
    response = client.get(url.format(pk=supplier.pk), follow=True)
    # Then neither a shared cache nor the browser's disk may keep it
    assert {"private", "no-store"} <= _cache_control(response), response.get("Cache-Control")
    assert "public" not in _cache_control(response)


@pytest.mark.django_db
def test_a_supplier_users_own_data_is_not_stored(login, supplier_user, supplier):
    client = login(supplier_user)
    for url in ("/", f"/api/v1/suppliers/{supplier.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= _cache_control(response), url


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/", "/api/schema/", "/api/v1/suppliers/"])
def test_every_api_answer_is_not_stored_even_anonymous(client, url):
    response = client.get(url)
    assert {"private", "no-store"} <= _cache_control(response), (url, response.status_code)


@pytest.mark.django_db
def test_static_files_stay_cacheable_for_logged_in_users(login, buyer, settings):
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    response = login(buyer).get("/static/favicon.svg")
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/api/v1/", "/no-such-page/"])
def test_permissions_policy_switches_off_what_no_page_uses(client, url):
    policy = client.get(url)["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
    assert features["fullscreen"] == "(self)"
