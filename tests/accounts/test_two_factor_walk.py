"""A staff user who gave the password but not the second factor reaches nothing but the
few routes needed to finish logging in (or to leave): every route the URL resolver knows
is walked with GET and POST. Reproduces the probe's chain (issue 8.1): with the password
alone, a buyer invited an outside address to any supplier from the people page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from procurement_portal.accounts.middleware import TWO_FACTOR_EXEMPT_ROUTES
from procurement_portal.accounts.models import Invitation
from tests.test_route_scoping import ROUTES

pytestmark = pytest.mark.django_db

# Written out here, not read from the middleware: changing the list is a decision.
EXPECTED_EXEMPT = {
    "accounts:2fa",
    "accounts:logout",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "accounts:invitation",
    "accounts:invitation-renew",
    "set_language",
    "healthz",
}


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True


def _half_logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)  # the password, and no second factor in this session
    return client


def _name(url: str) -> str | None:
    try:
        return resolve(url).view_name
    except Resolver404:  # a filled-in pattern that matches nothing (format suffix alone)
        return None


def test_the_exempt_routes_are_exactly_the_named_few():
    assert set(TWO_FACTOR_EXEMPT_ROUTES) == EXPECTED_EXEMPT
    names = {_name(url) for url in ROUTES}
    assert names >= EXPECTED_EXEMPT, "an exempt name no longer matches a route"


@pytest.mark.parametrize("role_fixture", ["buyer", "admin_user", "csco"])
def test_every_other_route_sends_a_half_logged_in_staff_user_to_the_second_factor(
    request, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    client = _half_logged_in(user)
    problems = []
    for url in ROUTES:
        name = _name(url)
        if name in EXPECTED_EXEMPT:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if name is None:
                ok = response.status_code == 404
            elif url.startswith("/api/"):
                ok = (
                    response.status_code == 403
                    and response["Content-Type"].startswith("application/json")
                    and "Two-factor" in response.json().get("detail", "")
                )
            else:
                ok = response.status_code == 302 and response["Location"].startswith(
                    "/accounts/2fa/?next="
                )
            if not ok:
                problems.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    assert not problems, "\n".join(problems)


def test_exempt_routes_answer_without_the_second_factor(buyer):
    client = _half_logged_in(buyer)
    assert client.get("/accounts/2fa/").status_code == 403  # "ask an administrator"
    assert client.get("/accounts/password-reset/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "ja"}).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302


def test_password_alone_cannot_invite_anyone_to_a_supplier(buyer, supplier, supplier_user):
    """The probe's chain: log in with the password only, invite an attacker's address as
    supplier administrator, deactivate a real member. Each step is refused now."""
    client = _half_logged_in(buyer)

    invite = client.post(
        f"/accounts/suppliers/{supplier.pk}/people/",
        {"email": "attacker@evil.example", "is_supplier_admin": "on"},
    )
    people = client.get(f"/accounts/suppliers/{supplier.pk}/people/")
    deactivate = client.post(
        f"/accounts/suppliers/{supplier.pk}/people/{supplier_user.pk}/deactivate/"
    )

    for response in (invite, people, deactivate):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/")
    assert not Invitation.objects.exists()
    supplier_user.refresh_from_db()
    assert supplier_user.is_active
    assert supplier_user.email not in people.content.decode()
