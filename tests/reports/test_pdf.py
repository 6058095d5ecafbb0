"""The PDF service: real WeasyPrint in its child process, checked with poppler's tools."""

from __future__ import annotations

import base64
import http.server
import os
import re
import shutil
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from procurement_portal.documents import rendering as pdf_service
from procurement_portal.documents.rendering import (
    PdfRenderError,
    PdfRenderTimeout,
    PortalUrlFetcher,
    ResourceRefused,
)
from suppliers.models import Category
from tests.factories import (
    ContactFactory,
    DesignationFactory,
    SiteFactory,
    SpendFactory,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="needs poppler-utils (pdftotext, pdffonts)",
)

BASE = "http://testserver/"
LEAK = "LEAKED-SECRET-7f3a"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "out.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    source = tmp_path / "fonts.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(source)], capture_output=True, check=True, text=True
    ).stdout


def page(body: str, head: str = "") -> str:
    head = f"<meta charset='utf-8'>{head}"
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


@pytest.fixture
def profile(supplier, buyer):
    """The supplier fixture with something in every section of the profile."""
    supplier.categories.add(Category.objects.get(code="hardware"))
    SiteFactory(supplier=supplier, name="本社工場", city="Nagoya", country="JP")
    ContactFactory(
        supplier=supplier, name="山田 花子", email="hanako@acme.example", is_primary=True
    )
    SpendFactory(supplier=supplier, fiscal_year=2020, amount=Decimal("123456789"), currency="JPY")
    SpendFactory(supplier=supplier, fiscal_year=2021, amount=Decimal("2500.5"), currency="USD")
    DesignationFactory(
        supplier=supplier, fiscal_year=2021, note="唯一の供給元", designated_by=buyer
    )
    return supplier


def profile_url(supplier) -> str:
    return reverse("reports:supplier-profile-pdf", kwargs={"pk": supplier.pk})


# --- The supplier profile -------------------------------------------------------------


def test_profile_renders_in_english_with_page_numbers_and_region(
    login, supplier_user, profile, tmp_path
):
    # Given the supplier's own user, browsing in English
    client = login(supplier_user)

    # When they download their profile
    response = client.get(profile_url(profile))

    # Then it is a PDF attachment whose text is the profile, numbered "1 / n"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "supplier-profile-ACME-001.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "Acme Parts Co., Ltd." in text
    assert "ACME-001" in text
    assert "Japan" in text
    assert "Hardware" in text
    assert "123,456,789" in text and "2,500.50" in text
    assert "FY2021" in text
    assert "Bunta Buyer" not in text  # who designated is the company's own (issue 8, 12)
    assert re.search(r"Region\s+Japan", text)
    assert re.search(r"1\s*/\s*2", text) and re.search(r"2\s*/\s*2", text)


def test_profile_renders_in_japanese_with_embedded_cjk_font(
    login, supplier_user, profile, tmp_path
):
    # Given the supplier's user, browsing in Japanese
    client = login(supplier_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    # When they download their profile
    response = client.get(profile_url(profile))

    # Then the Japanese text comes out of the PDF, set in an embedded Noto CJK font
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "アクメ部品株式会社" in text
    assert "ハードウェア" in text
    assert "本社工場" in text and "山田 花子" in text
    assert "唯一の供給元" not in text  # the staff's note is the company's own
    assert "日本" in text  # the country, named in the request language
    assert "Hardware" not in text
    fonts = pdf_fonts(response.content, tmp_path)
    cjk_lines = [line for line in fonts.splitlines() if re.search(r"Noto-?Sans-?CJK", line)]
    assert cjk_lines, fonts
    assert all(line.split()[-5] == "yes" for line in cjk_lines)  # the "emb" column


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("supplier_user", 200),
        ("other_supplier_user", 404),
        ("buyer", 200),
        ("csco", 200),
    ],
)
def test_profile_permission_matrix(request, client, login, supplier, who, expected):
    # Given a user of each kind (or nobody)
    if who != "anonymous":
        client = login(request.getfixturevalue(who))

    # When they ask for the supplier's profile
    response = client.get(profile_url(supplier))

    # Then only those who may see the supplier get it; the others never learn it exists
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
    if expected == 200:
        assert response.content.startswith(b"%PDF")


def test_profile_of_unknown_supplier_is_404(login, buyer):
    response = login(buyer).get(reverse("reports:supplier-profile-pdf", kwargs={"pk": 999999}))
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [1, 25])
def test_profile_queries_do_not_grow_with_rows(
    login, buyer, supplier, rows, django_assert_max_num_queries, monkeypatch
):
    # Given a supplier with one or many rows in every section (rendering stubbed: only
    # the queries are measured here)
    monkeypatch.setattr(
        "procurement_portal.documents.services.html_to_pdf", lambda *a, **k: b"%PDF-1.7 stub"
    )
    categories = [
        Category.objects.create(code=f"c{i}", name_en=f"C{i}", name_ja=f"C{i}") for i in range(rows)
    ]
    supplier.categories.add(*categories)
    for i in range(rows):
        SiteFactory(supplier=supplier)
        ContactFactory(supplier=supplier)
        SpendFactory(supplier=supplier, fiscal_year=2000 + i)
        DesignationFactory(supplier=supplier, fiscal_year=2000 + i, designated_by=buyer)
    client = login(buyer)

    # When the profile is produced (asked for, rendered, stored and downloaded through the
    # documents service, access recorded), Then the query count is the same at any size
    with django_assert_max_num_queries(26):
        response = client.get(profile_url(supplier))
    assert response.status_code == 200


def test_profile_timeout_gives_a_clear_page(login, buyer, supplier, monkeypatch):
    # Given rendering that runs out of time
    def too_slow(*args, **kwargs):
        raise PdfRenderTimeout("The PDF took longer than 30 seconds to produce and was stopped.")

    monkeypatch.setattr("procurement_portal.documents.services.html_to_pdf", too_slow)

    # When the profile is asked for
    response = login(buyer).get(profile_url(supplier))

    # Then the user gets a 503 page saying so, with a way back, not a 500
    assert response.status_code == 503
    assert b"took longer than 30 seconds" in response.content
    assert reverse("suppliers:detail", kwargs={"pk": supplier.pk}).encode() in response.content


# --- The URL fetcher ---------------------------------------------------------------------


@pytest.fixture
def listener():
    """A tiny HTTP server on loopback that records every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = f"body::after {{ content: '{LEAK}' }}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The listener really records requests (so "no hits" below means something).
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/probe", timeout=5):
        pass
    assert hits == ["/probe"]
    hits.clear()
    yield server.server_port, hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def leak_css(tmp_path) -> Path:
    """A stylesheet outside the portal whose content would show up in the PDF text."""
    path = tmp_path / "leak.css"
    path.write_text(f"body::after {{ content: '{LEAK}' }}", encoding="utf-8")
    return path


def test_fetcher_serves_static_files_and_data_uris():
    fetcher = PortalUrlFetcher(BASE)
    css = fetcher(f"{BASE}static/css/print.css")
    assert b"@page" in css["string"]
    assert css["mime_type"] == "text/css"
    data = fetcher("data:text/plain;base64," + base64.b64encode(b"hello").decode())
    assert data["string"] == b"hello"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        f"file://{settings.BASE_DIR}/static/css/print.css",
        "http://127.0.0.1:8000/static/css/print.css",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/",
        "http://[::1]/static/css/print.css",
        "https://example.com/static/css/print.css",
        "http://testserver@127.0.0.1/static/css/print.css",
        "ftp://testserver/static/css/print.css",
        f"{BASE}admin/",
        f"{BASE}static/../manage.py",
        f"{BASE}static/%2e%2e/manage.py",
        f"{BASE}static/css/%2e%2e/%2e%2e/pyproject.toml",
        f"{BASE}static/css/..%2f..%2fmanage.py",
        f"{BASE}static/%2fetc/passwd",
        f"{BASE}static/css%5c..%5c..%5cmanage.py",
        f"{BASE}static/css/print.css%00.png",
        f"{BASE}static/js/portal.js",
        f"{BASE}static/css/missing.css",
    ],
)
def test_fetcher_refuses_everything_else_and_logs_it(url, caplog):
    with pytest.raises(ResourceRefused):
        PortalUrlFetcher(BASE)(url)
    assert any("refused to fetch" in r.getMessage() for r in caplog.records)


def test_fetcher_makes_no_request_to_loopback(listener):
    port, hits = listener
    fetcher = PortalUrlFetcher(BASE)
    for host in ("127.0.0.1", "localhost"):
        with pytest.raises(ResourceRefused):
            fetcher(f"http://{host}:{port}/static/css/print.css")
    assert hits == []


def test_rendered_document_cannot_reach_files_or_the_network(listener, leak_css, tmp_path, caplog):
    # Given a document that tries every way out: file:// links and @import, traversal
    # out of the static folder to a file whose text would show, loopback and metadata
    # addresses
    port, hits = listener
    up = os.path.relpath(leak_css, settings.BASE_DIR / "static").replace("..", "%2e%2e")
    html = page(
        "<p>VISIBLE-BODY</p>"
        "<img src='file:///etc/passwd'>"
        f"<img src='{BASE}static/../../../../../../etc/passwd'>"
        f"<img src='http://127.0.0.1:{port}/img.png'>"
        "<img src='http://169.254.169.254/latest/meta-data/'>"
        "<object data='file:///etc/passwd'></object>",
        head=(
            f"<style>@import url(file://{leak_css}); @import url('http://localhost:{port}/i.css');"
            f"</style>"
            f"<link rel='stylesheet' href='file://{leak_css}'>"
            f"<link rel='stylesheet' href='/static/{up}'>"
            f"<link rel='stylesheet' href='http://127.0.0.1:{port}/evil.css'>"
            f"<link rel='attachment' href='file:///etc/passwd'>"
        ),
    )

    # When it is rendered
    pdf = pdf_service.html_to_pdf(html, base_url=BASE)

    # Then the PDF is made, without any of it: no leaked text, no request received
    text = pdf_text(pdf, tmp_path)
    assert "VISIBLE-BODY" in text
    assert LEAK not in text
    assert "root:" not in text
    assert hits == []
    refused = [r.getMessage() for r in caplog.records if "refused to fetch" in r.getMessage()]
    assert any("file:///etc/passwd" in m for m in refused)
    assert any(str(leak_css) in m for m in refused)
    assert any(f"127.0.0.1:{port}" in m for m in refused)
    assert any("169.254.169.254" in m for m in refused)


def test_leak_detection_would_see_css_that_was_loaded(tmp_path):
    # Control for the test above: the same stylesheet, when allowed (data: URI), shows.
    css = base64.b64encode(f"body::after {{ content: '{LEAK}' }}".encode()).decode()
    link = f"<link rel='stylesheet' href='data:text/css;base64,{css}'>"
    html = page("<p>VISIBLE-BODY</p>", head=link)
    text = pdf_text(pdf_service.html_to_pdf(html, base_url=BASE), tmp_path)
    assert LEAK in text


# --- The time limit ----------------------------------------------------------------------


def test_stuck_renderer_is_stopped_at_the_time_limit(settings, monkeypatch):
    # Given a renderer that never finishes, and a one-second limit
    settings.PDF_RENDER_TIMEOUT = 1
    monkeypatch.setattr(pdf_service, "_CHILD_CODE", "import time; time.sleep(120)")

    # When a PDF is asked for
    started = time.monotonic()
    with pytest.raises(PdfRenderTimeout) as caught:
        pdf_service.html_to_pdf(page("<p>x</p>"), base_url=BASE)

    # Then it fails promptly with a message that says what happened
    assert time.monotonic() - started < 10
    assert "longer than 1 seconds" in str(caught.value)


def test_huge_document_is_stopped_at_the_time_limit(settings):
    settings.PDF_RENDER_TIMEOUT = 2
    rows = "".join(f"<tr><td>{i}</td><td>{'長い文章 ' * 20}</td></tr>" for i in range(20000))
    started = time.monotonic()
    with pytest.raises(PdfRenderTimeout):
        pdf_service.html_to_pdf(page(f"<table>{rows}</table>"), base_url=BASE)
    assert time.monotonic() - started < 15


def test_crashing_renderer_is_a_clear_error(monkeypatch, caplog):
    monkeypatch.setattr(pdf_service, "_CHILD_CODE", "raise SystemExit('boom')")
    with pytest.raises(PdfRenderError) as caught:
        pdf_service.html_to_pdf(page("<p>x</p>"), base_url=BASE)
    assert not isinstance(caught.value, PdfRenderTimeout)
    assert "could not be produced" in str(caught.value)
    assert any("boom" in r.getMessage() for r in caplog.records)


def test_staff_profile_prints_the_designation_note_and_who(login, buyer, profile, tmp_path):
    response = login(buyer).get(profile_url(profile))
    text = pdf_text(response.content, tmp_path)
    assert "Bunta Buyer" in text and "唯一の供給元" in text
