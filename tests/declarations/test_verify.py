"""The public verification page: by hash (typed, or from the certificate's QR code) and
by uploaded certificate PDF; what it reveals; bad input named by field; the rate limit."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from declarations import services
from declarations.certificates import certificate_request, verification_url
from procurement_portal.documents.rendering import html_to_pdf

from .certificate_helpers import SIGNERS, pdf_bytes, sign

pytestmark = pytest.mark.django_db
URL = "/declarations/verify/"
SECRETS = ("203.0.113.77", "SecretBrowser", "supplier@acme.example", "Head of Quality")


@pytest.fixture
def signature(supplier_user, supplier):
    return sign(supplier_user, supplier)


@pytest.fixture
def certificate(signature) -> bytes:
    return pdf_bytes(certificate_request(signature=signature))


def _pdf(data: bytes, name: str = "certificate.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _body(response) -> str:
    return response.content.decode()


def test_the_qr_codes_address_confirms_the_signature_without_logging_in(client, signature):
    url = verification_url(signature.content_hash)
    assert url.startswith("http") and url.endswith(f"{URL}?hash={signature.content_hash}")
    response = client.get(f"{URL}?hash={signature.content_hash}")
    assert response.status_code == 200
    body = _body(response)
    assert "Certificate confirmed" in body
    for shown in ("Acme Parts Co., Ltd.", "ACME-001", SIGNERS["en"][0], signature.content_hash):
        assert shown in body
    assert "Environment and safety-and-health management declaration" in body
    # nothing beyond what the certificate shows
    for secret in SECRETS:
        assert secret not in body


def test_japanese_page_names_the_kind_and_supplier_in_japanese(client, signature):
    client.cookies["django_language"] = "ja"
    body = _body(client.get(f"{URL}?hash={signature.content_hash}", HTTP_ACCEPT_LANGUAGE="ja"))
    assert "証明書を確認しました" in body
    assert "アクメ部品株式会社" in body
    assert "環境・安全衛生マネジメントに関する宣言" in body


def test_a_typed_hash_may_have_capitals_and_spaces(client, signature):
    typed = " ".join([signature.content_hash[:32].upper(), signature.content_hash[32:]])
    response = client.post(URL, {"hash": typed})
    assert response.status_code == 200
    assert "Certificate confirmed" in _body(response)


def test_an_unknown_hash_is_not_confirmed(client, signature):
    unknown = ("0" if signature.content_hash[0] != "0" else "1") + signature.content_hash[1:]
    response = client.get(f"{URL}?hash={unknown}")
    assert response.status_code == 200
    body = _body(response)
    assert "No matching signature" in body
    assert "Certificate confirmed" not in body
    assert "ACME-001" not in body


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("xyz" * 22, "only the characters 0-9 and a-f"),
        ("ab" * 31, "64 characters long; this one has 62"),
        ("ab" * 33, "64 characters long; this one has 66"),
        ("", "Type the certificate&#x27;s SHA-256 hash or choose its PDF."),
        ("ab\x00cd", "SHA-256 hash:"),
    ],
)
def test_bad_hashes_are_refused_naming_the_field(client, value, message):
    response = client.post(URL, {"hash": value})
    assert response.status_code == 400
    body = _body(response)
    assert message in body
    assert "SHA-256 hash:" in body  # the field's label opens its error


def test_the_uploaded_certificate_is_confirmed(client, signature, certificate):
    response = client.post(URL, {"certificate": _pdf(certificate)})
    assert response.status_code == 200
    body = _body(response)
    assert "Certificate confirmed" in body
    assert signature.content_hash in body


def test_a_japanese_certificate_is_confirmed(client, supplier_user, supplier):
    signature = sign(supplier_user, supplier, language="ja")
    data = pdf_bytes(certificate_request(signature=signature))
    body = _body(client.post(URL, {"certificate": _pdf(data)}))
    assert "Certificate confirmed" in body
    assert SIGNERS["ja"][0] in body


def test_a_certificate_with_changed_text_is_refused_as_altered(client, signature):
    document = certificate_request(signature=signature)
    forged_html = document.html.replace(SIGNERS["en"][0], "Mallory Forger")
    forged = html_to_pdf(forged_html, base_url=document.base_url)
    response = client.post(URL, {"certificate": _pdf(forged)})
    body = _body(response)
    assert "Certificate altered" in body
    assert "Certificate confirmed" not in body
    assert "signer" in body


def test_a_certificate_with_a_changed_hash_is_not_confirmed(client, signature):
    document = certificate_request(signature=signature)
    other = ("f" if signature.content_hash[0] != "f" else "e") + signature.content_hash[1:]
    forged = html_to_pdf(
        document.html.replace(signature.content_hash, other), base_url=document.base_url
    )
    body = _body(client.post(URL, {"certificate": _pdf(forged)}))
    assert "No matching signature" in body
    assert "Certificate confirmed" not in body


def test_a_pdf_without_a_hash_is_refused_naming_the_field(client, signature):
    plain = html_to_pdf("<p>Just a letter.</p>", base_url="http://testserver/")
    response = client.post(URL, {"certificate": _pdf(plain)})
    assert response.status_code == 400
    assert "Or the certificate PDF: No certificate hash was found in this PDF" in _body(response)


def _zip_with(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("certificate.pdf", data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda pdf: b"just some text, not a PDF", "certificate.pdf"),
        (lambda pdf: b"%PDF-1.7\n<html><script>alert(1)</script></html>", "certificate.pdf"),
        (lambda pdf: b"GIF89a" + pdf, "certificate.pdf"),  # a picture that is also a PDF
        (lambda pdf: _zip_with(pdf), "certificate.pdf"),  # an archive named PDF
        (lambda pdf: b"\x89PNG\r\n\x1a\n" + pdf, "certificate.png"),
    ],
)
def test_what_is_not_a_pdf_is_refused_naming_the_field(client, certificate, make, name):
    response = client.post(URL, {"certificate": _pdf(make(certificate), name)})
    assert response.status_code == 400
    body = _body(response)
    assert "Or the certificate PDF:" in body
    assert "Certificate confirmed" not in body


def test_hash_and_pdf_together_are_refused(client, signature, certificate):
    response = client.post(URL, {"hash": signature.content_hash, "certificate": _pdf(certificate)})
    assert response.status_code == 400
    assert "Give either the hash or the PDF, not both." in _body(response)


def test_a_revoked_declaration_is_not_passed_as_valid(client, buyer, signature):
    services.signature_revoke(
        actor=buyer, signature_id=signature.pk, reason="Supplier merged into another"
    )
    body = _body(client.get(f"{URL}?hash={signature.content_hash}"))
    assert "Signature on record, revoked" in body
    assert "Certificate confirmed" not in body
    assert "Supplier merged" not in body  # the reason is staff's, not the public's
    assert timezone.localdate().strftime("%Y") in body


def test_checks_are_rate_limited_per_address(settings, client, signature):
    settings.DECLARATIONS_VERIFY_RATE = "2/minute"
    url = f"{URL}?hash={signature.content_hash}"
    assert client.get(URL).status_code == 200  # the empty form is no check
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Too many checks from your address" in _body(refused)
    assert int(refused["Retry-After"]) > 0
    assert "ACME-001" not in _body(refused)
    other = client.get(url, REMOTE_ADDR="198.51.100.9")  # another address has its own
    assert other.status_code == 200
