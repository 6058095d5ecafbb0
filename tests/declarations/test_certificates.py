"""The certificate of a signature: rendered through the documents service in the
signer's language, its text read back out of the PDF, and who may download it."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from declarations.certificates import KIND, certificate_request, verification_url
from procurement_portal.documents.models import Document

from .certificate_helpers import SIGNERS, pdf_bytes, pdf_text, sign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["SHA-256 of the signed record", "Version 3", "Acme Parts Co., Ltd.", "ACME-001"]),
        ("ja", ["署名記録のSHA-256", "第3版", "アクメ部品株式会社", "ACME-001"]),
    ],
)
def test_certificate_text_holds_signer_date_version_and_hash(
    supplier_user, supplier, language, expected
):
    signature = sign(supplier_user, supplier, language=language)
    # Asked for by an English-speaking reader: printed in the signer's language anyway.
    document = certificate_request(signature=signature)
    assert document.kind == KIND
    assert document.language == language
    data = pdf_bytes(document)
    text = pdf_text(data)
    flat = "".join(text.split())
    name, title = SIGNERS[language]
    signed_on = timezone.localtime(signature.signed_at).date()
    for needle in [*expected, name, title, signature.content_hash, signed_on.isoformat()]:
        assert "".join(needle.split()) in flat, (needle, text)
    if language == "ja":
        assert f"{signed_on.year}年{signed_on.month}月{signed_on.day}日" in flat
        assert "環境・安全衛生マネジメントに関する宣言" in flat
    else:
        assert "Environment and safety-and-health management declaration" in text
    # The hash is in the document information too, where verification reads it first.
    assert PdfReader(io.BytesIO(data)).metadata["/Subject"] == f"SHA-256 {signature.content_hash}"
    # The QR code of the verification address travels inside the HTML as a data: URI.
    assert "data:image/png;base64," in document.html
    assert verification_url(signature.content_hash) in text.replace("\n", "")


def test_certificate_shows_nothing_of_the_browser_or_address(supplier_user, supplier):
    signature = sign(supplier_user, supplier)
    text = pdf_text(pdf_bytes(certificate_request(signature=signature)))
    for secret in ("203.0.113.77", "SecretBrowser", supplier_user.email):
        assert secret not in text


def test_asking_again_serves_the_same_document(supplier_user, supplier):
    signature = sign(supplier_user, supplier)
    first = certificate_request(signature=signature)
    again = certificate_request(signature=signature)
    assert again.pk == first.pk
    assert Document.objects.filter(kind=KIND).count() == 1


def _url(signature) -> str:
    return f"/declarations/signatures/{signature.pk}/certificate.pdf"


@pytest.mark.parametrize(
    "role",
    ["supplier_user", "buyer", "csco", "infosec_assessor", "compliance_officer", "admin_user"],
)
def test_download_for_the_supplier_and_staff(request, client, supplier_user, supplier, role):
    signature = sign(supplier_user, supplier, language="ja")
    client.force_login(request.getfixturevalue(role))
    response = client.get(_url(signature))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "declaration-ACME-001-env-safety-health-v3.pdf" in response["Content-Disposition"]
    assert signature.content_hash in "".join(pdf_text(response.content).split())


def test_another_suppliers_certificate_is_404(client, supplier_user, supplier, other_supplier_user):
    signature = sign(supplier_user, supplier)
    document = certificate_request(signature=signature)
    client.force_login(other_supplier_user)
    assert client.get(_url(signature)).status_code == 404
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.get("/declarations/signatures/987654/certificate.pdf").status_code == 404


def test_anonymous_is_sent_to_log_in(client, supplier_user, supplier):
    signature = sign(supplier_user, supplier)
    response = client.get(_url(signature))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_preparing_page_while_the_worker_renders(settings, client, supplier_user, supplier):
    signature = sign(supplier_user, supplier)
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the task waits for a worker (none here)
    settings.DOCUMENTS_WAIT_SECONDS = 0
    client.force_login(supplier_user)
    response = client.get(_url(signature))
    assert response.status_code == 202
    document = Document.objects.get(kind=KIND)
    assert response["Refresh"] == f"3; url=/documents/{document.pk}/"
    assert document.state == Document.State.PENDING


def test_a_paper_declaration_gets_a_certificate_with_its_date_only(buyer, supplier):
    import datetime as dt

    from declarations.services import paper_signature_record

    from .certificate_helpers import published_version

    signature = paper_signature_record(
        actor=buyer,
        supplier_code=supplier.code,
        version_id=published_version().pk,
        signed_on=dt.date(2019, 5, 10),
        signer_name="Taro Yamada",
        signer_title="President",
        language="en",
    )
    text = pdf_text(pdf_bytes(certificate_request(signature=signature)))
    assert "Taro Yamada" in text
    assert "Signed on paper" in text
    assert "(2019-05-10)" in text
    assert "12:00" not in text  # recorded at noon: the time is not the signer's
