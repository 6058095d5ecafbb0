"""Authentication of the API (token and session) and its documentation pages."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from procurement_portal.accounts.models import ApiToken
from procurement_portal.accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db


def test_token_from_the_token_endpoint_authenticates(api_client, supplier_user, password):
    issued = api_client.post(
        "/api/v1/auth/token/", {"email": supplier_user.email, "password": password}
    )
    assert issued.status_code == 200, issued.content
    token = issued.json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/suppliers/")

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["ACME-001"]


def test_wrong_password_gets_no_token(api_client, supplier_user):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": supplier_user.email, "password": "wrong-password"}
    )

    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=supplier_user).exists()


def test_bad_token_is_refused(api_client, supplier_user):
    api_token_issue(user=supplier_user)
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get("/api/v1/suppliers/")

    assert response.status_code in {401, 403}


def test_token_of_a_deactivated_user_is_refused(api_client, supplier_user):
    _row, token = api_token_issue(user=supplier_user)
    supplier_user.is_active = False
    supplier_user.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api_client.get("/api/v1/suppliers/").status_code in {401, 403}


def test_session_login_reads_the_api(api_client, supplier_user):
    api_client.force_login(supplier_user)

    response = api_client.get("/api/v1/suppliers/")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    for path in ["suppliers", "sites", "contacts", "spend", "critical-designations"]:
        assert f"/api/v1/{path}/{{id}}/:" in text
    assert "/api/v1/priority-risks/:" in text


def test_schema_is_served(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/suppliers/" in response.content


def test_swagger_ui_uses_no_external_host(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["'](https?:)?//[^"'\s]+["']""", html)
    assert urls, "expected the page to load its assets"
    external = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert external == []
    assert "cdn" not in html.lower()


def test_swagger_ui_assets_are_served_locally(client):
    html = client.get("/api/docs/").content.decode()
    script = re.search(r"""src\s*=\s*["']([^"']*swagger-ui-bundle\.js)["']""", html)

    assert script, html[:500]
    assert script.group(1).startswith("/static/")


@pytest.mark.parametrize(
    "url", ["/api/v1/suppliers/", "/api/v1/sites/", "/api/v1/critical-designations/"]
)
def test_browsable_api_renders_for_staff(api_client, admin_user, supplier, url):
    api_client.force_authenticate(admin_user)

    response = api_client.get(url, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
