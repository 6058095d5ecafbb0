"""In a real browser: every page works under the strict Content-Security-Policy (no
inline script or style is blocked), and the security headers are present."""

from __future__ import annotations

import pytest

from tests.factories import ContactFactory, SiteFactory, SpendFactory

pytestmark = pytest.mark.browser


def _watch_csp(pg) -> list[str]:
    problems: list[str] = []
    pg.on(
        "console",
        lambda msg: (
            problems.append(f"{pg.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems


def test_pages_run_under_the_csp_without_violations(
    page, live_server, ui_login, admin_user, supplier
):
    SiteFactory(supplier=supplier)
    ContactFactory(supplier=supplier)
    SpendFactory(supplier=supplier)
    # The code page is for accounts an administrator has enrolled (nobody enrols themselves).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)
    problems = _watch_csp(page)
    ui_login(page, admin_user)
    paths = [
        "/suppliers/",
        "/suppliers/?region=japan",
        f"/suppliers/{supplier.pk}/",
        f"/accounts/suppliers/{supplier.pk}/people/",
        "/suppliers/import/",
        "/api/docs/",
        "/admin/",
        f"/admin/suppliers/supplier/{supplier.pk}/change/",
        "/accounts/2fa/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, path
        page.wait_for_load_state("networkidle")
    # Swagger UI really drew the API from the schema (its script ran).
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert not problems, problems


def test_security_headers_are_sent(page, live_server):
    response = page.goto(f"{live_server.url}/accounts/login/")
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
