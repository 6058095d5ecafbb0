"""Every answer under /api/ is JSON, errors included (issue 8, item 13).

The probe got Django's HTML "Not Found" for ids that do not match a route pattern and
``400 text/html`` for some odd requests; each is now ``{"detail": ...}`` in JSON, and
pages outside the API keep their HTML.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from procurement_portal.core import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(api_client, buyer):
    api_client.force_authenticate(buyer)
    return api_client


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:200])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = response.json()
    assert set(body) == {"detail"} and body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/suppliers/abc/",  # an id that does not match the route's pattern
        "/api/v1/suppliers/1.5/",
        "/api/v1/assessments/x/answers/q/",
        "/api/v1/no-such-resource/",
        "/api/v2/",
        "/api/",
        "/api/v1/suppliers/%ff/",  # invalid UTF-8 in the path
    ],
)
def test_paths_no_route_matches_answer_json_404(staff, path):
    assert_json_error(staff.get(path), 404)


def test_anonymous_clients_get_json_404_too(api_client):
    assert_json_error(api_client.get("/api/v1/suppliers/abc/"), 404)


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/suppliers/abc/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_too_many_query_fields_answer_json_400(staff, settings):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS with SuspiciousOperation
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_json_error(staff.get(f"/api/v1/suppliers/?{query}"), 400)


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=b0undary"],
)
def test_api_writes_take_json_only(staff, content_type):
    # a form body (here more fields than Django reads) is not parsed at all: 415 in JSON
    body = "&".join(f"f{n}=1" for n in range(2000))
    response = staff.generic("POST", "/api/v1/suppliers/", body, content_type=content_type)
    assert_json_error(response, 415)


def test_a_host_not_allowed_answers_json_400(staff):
    assert_json_error(staff.get("/api/v1/suppliers/", HTTP_HOST="evil.example"), 400)


def test_an_unknown_charset_is_no_server_error(staff):
    response = staff.post(
        "/api/v1/suppliers/", b"{}", content_type="application/json; charset=no-such-charset"
    )
    # Django ignores a charset it does not know; the body is read as UTF-8
    assert response.status_code == 400
    assert "legal_name" in response.json()


@pytest.mark.parametrize(
    "query",
    ["search=%00", "ordering=%00", "page=%00", "page_size=%ff", "search=%ED%A0%80", "q=%zz"],
)
def test_odd_query_strings_never_answer_html_or_500(staff, query):
    response = staff.get(f"/api/v1/suppliers/?{query}")
    assert response.status_code in {200, 400, 404}, response.content[:200]
    assert response["Content-Type"] == "application/json"


def test_server_errors_and_refusals_outside_drf_answer_json_under_api():
    request = RequestFactory().get("/api/v1/suppliers/")
    response = errors.server_error(request)
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    response = errors.permission_denied(request, Exception())
    assert (response.status_code, response["Content-Type"]) == (403, "application/json")
    page = RequestFactory().get("/suppliers/")
    assert errors.server_error(page)["Content-Type"].startswith("text/html")


# --- what schemathesis found: malformed query parameters were silently ignored ----------


@pytest.mark.parametrize("value", ["null", "0", "-5", "1.5", "abc"])
def test_a_page_size_that_is_no_whole_number_from_1_is_refused(staff, value):
    response = staff.get(f"/api/v1/suppliers/?page_size={value}")
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_size_past_the_cap_is_capped(staff, settings):
    response = staff.get(f"/api/v1/suppliers/?page_size={settings.API_MAX_PAGE_SIZE * 10}")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/sites/", "/api/v1/assessments/"])
def test_an_id_filter_refuses_a_fraction(staff, url):
    response = staff.get(f"{url}?supplier=0.5")
    assert response.status_code == 400
    assert "supplier" in response.json()


# --- the multipart parser, for the upload endpoints that add it to their parsers ----------


def _parse_multipart(body: bytes, boundary: str):
    """Run the portal's multipart parser as an upload endpoint would."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from procurement_portal.core.parsers import MultiPartParser

    django_request = APIRequestFactory().generic(
        "PATCH", "/upload/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    request = Request(django_request, parsers=[MultiPartParser()])
    return request.data


def test_a_multipart_body_without_a_readable_part_is_refused():
    # schemathesis: PATCH with a body of junk between boundaries answered 200, changing
    # nothing, as if the client had sent an empty form
    from rest_framework.exceptions import ParseError

    boundary = "2c3481cb09ed8bfc28e2aaeaff48cf38"
    body = f"--{boundary}\r\n\xc2\x9c\x10=junk--{boundary}--\r\n".encode("latin-1")
    with pytest.raises(ParseError):
        _parse_multipart(body, boundary)


def test_an_empty_multipart_form_is_still_a_form():
    boundary = "b0undary"
    assert not _parse_multipart(f"--{boundary}--\r\n".encode(), boundary)


# --- every route of the API, walked --------------------------------------------------------

BAD_IDS = ("abc", "%C2%B2", "-1", "99999999999999999999")
ODD_QUERIES = (
    "page=%00",
    "search=%ED%A0%80",
    "fiscal_year=%C2%B2&supplier=%C2%B2&version=abc",
    "ordering=-%00&kind=%00",
    "page_size=99999999999999999999",
    "a=1&a=2&%ff=%fe",
    "format=json",
)


@pytest.mark.parametrize("role", ["buyer", "supplier_user", None])
def test_every_api_route_answers_json_to_bad_ids_and_odd_query_strings(request, role):
    """Every route of /api/v1/ the resolver knows, with ids that match no route pattern
    and with odd query strings, as staff, a supplier user and anonymously: whatever the
    status, never a server error and always JSON (or the CSV an export was asked for).
    The browsable API stays available to whoever asks for HTML (``Accept: text/html``)."""
    from django.test import Client

    from tests.test_route_scoping import OTHER_ID, ROUTES

    client = Client(raise_request_exception=False)
    if role:
        client.force_login(request.getfixturevalue(role))
    problems = []
    for url in ROUTES:
        if not url.startswith("/api/v1/"):
            continue  # /api/schema/ and /api/docs/ describe the API (YAML, the docs page)
        requests = [
            (method, url.replace(str(OTHER_ID), bad))
            for bad in BAD_IDS
            if str(OTHER_ID) in url
            for method in ("get", "post")
        ]
        requests += [("get", f"{url}?{query}") for query in ODD_QUERIES]
        for method, variant in requests:
            response = getattr(client, method)(variant)
            kind = response.get("Content-Type", "")
            if response.status_code >= 500 or not (
                kind.startswith(("application/json", "text/csv")) or response.status_code == 204
            ):
                problems.append(f"{method.upper()} {variant}: {response.status_code} {kind}")
    assert not problems, "\n".join(problems[:40])
