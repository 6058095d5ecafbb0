"""The API root lists every endpoint the schema describes, and the docs page leads back to
the portal."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


def _schema_paths(client) -> set[str]:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return {p for p in yaml.safe_load(response.content)["paths"] if p.startswith("/api/v1/")}


def test_the_root_lists_every_endpoint_of_the_schema(login, buyer):
    # Given a staff user of the API
    client = login(buyer)
    # When they open the API root
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    # Then it names every path the schema describes, each with its absolute URL
    assert response.status_code == 200
    listed = response.json()
    assert {url.removeprefix("http://testserver") for url in listed.values()} == _schema_paths(
        client
    )
    assert listed["suppliers"] == "http://testserver/api/v1/suppliers/"
    assert listed["review-queue"] == "http://testserver/api/v1/review-queue/"
    assert listed["reviews/{id}/accept"] == "http://testserver/api/v1/reviews/{id}/accept/"
    assert listed["auth/token"] == "http://testserver/api/v1/auth/token/"
    assert len(listed) > 7


def test_the_list_endpoints_of_the_root_answer(login, admin_user):
    # (as an administrator: some lists, the annual figures' export, are theirs only)
    client = login(admin_user)
    listed = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]

    for name, url in listed.items():
        if "{" in name or name.startswith("auth/token"):
            continue
        operation = paths[url.removeprefix("http://testserver")].get("get")
        if operation is None:
            continue  # a collection action that only takes POST (a paper declaration)
        if any(p["in"] == "query" and p.get("required") for p in operation.get("parameters", [])):
            continue  # asks for a parameter (the annual figures: the fiscal year)
        assert client.get(url, HTTP_ACCEPT="application/json").status_code == 200, name


def test_the_root_is_for_signed_in_users_only(client):
    assert client.get("/api/v1/", HTTP_ACCEPT="application/json").status_code in (401, 403)


def test_the_root_is_not_an_operation_in_the_schema(client):
    assert "/api/v1/" not in _schema_paths(client)


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Back to the start page"), ("ja", "トップページに戻る")]
)
def test_the_docs_page_leads_back_to_the_portal(client, language, label):
    client.cookies["django_language"] = language

    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert f'<a href="/" data-testid="back-to-portal">← {label}</a>' in html
    assert 'id="swagger-ui"' in html
