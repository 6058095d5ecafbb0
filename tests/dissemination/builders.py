"""Small builders for the dissemination tests: real services, tiny valid PDFs."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from dissemination import services


def tiny_pdf(text: str = "Guideline") -> bytes:
    """A one-page PDF made by pypdf (the upload rule parses it, so it must be real)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "guideline.pdf", text: str = "Guideline") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tiny_pdf(text), content_type="application/pdf")


def published_version(*, actor, code="green-proc", number="1.0", ja=True, **fields):
    """A document (made once per code) with a version carrying its PDFs, published."""
    from dissemination.models import GuidelineDocument

    document = GuidelineDocument.objects.filter(code=code).first() or services.document_create(
        actor=actor,
        code=code,
        title_en="Green Procurement Guidelines",
        title_ja="グリーン調達ガイドライン",
        category="green_procurement",
    )
    version = services.version_create(
        actor=actor,
        document_id=document.pk,
        number=number,
        changes_en="Scope widened to packaging.",
        changes_ja="包装材を対象に追加。",
        **fields,
    )
    services.version_file_attach(
        actor=actor, version_id=version.pk, language="en", upload=pdf_upload("green-en.pdf")
    )
    if ja:
        services.version_file_attach(
            actor=actor, version_id=version.pk, language="ja", upload=pdf_upload("グリーン.pdf")
        )
    return services.version_publish(actor=actor, version_id=version.pk)
