"""Builders for the certificate and verification tests: a published declaration version
and a supplier user's signature of it, made through the declarations services."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from pypdf import PdfReader

from declarations import services
from declarations.models import Audience, DeclarationKind, DeclarationVersion, VersionStatus
from procurement_portal.documents.models import Document, documents_storage

SIGNERS = {
    "en": ("Sachiko Supplier", "Head of Quality"),
    "ja": ("山田 花子", "品質保証部長"),
}


def published_version(*, number: int = 3) -> DeclarationVersion:
    # Seeded by a migration; a browser test's flush removes it, so made again there.
    kind, _ = DeclarationKind.objects.get_or_create(
        code="env-safety-health",
        defaults={
            "name_en": "Environment and safety-and-health management declaration",
            "name_ja": "環境・安全衛生マネジメントに関する宣言",
            "covers_environmental": True,
            "covers_social": True,
        },
    )
    return DeclarationVersion.objects.create(
        kind=kind,
        number=number,
        effective_date=dt.date(2026, 4, 1),
        title_en="Environment and safety-and-health management declaration",
        title_ja="環境・労働安全衛生マネジメント宣誓書",
        text_en="We manage the environment, safety and health.",
        text_ja="当社は環境と安全衛生を管理します。",
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        audience=Audience.ALL_ACTIVE,
    )


def sign(user, supplier, *, language: str = "en", version=None):
    version = version or published_version()
    name, title = SIGNERS[language]
    return services.signature_create(
        actor=user,
        supplier_id=supplier.pk,
        version_id=version.pk,
        signer_name=name,
        signer_title=title,
        confirmed=True,
        language=language,
        ip_address="203.0.113.77",
        user_agent="SecretBrowser/9.9",
    )


def pdf_bytes(document: Document) -> bytes:
    document.refresh_from_db()
    assert document.state == Document.State.READY, document.error
    with documents_storage().open(document.file.name, "rb") as stored:
        return stored.read()


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)
