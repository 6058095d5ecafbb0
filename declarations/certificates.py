"""The PDF certificate of a signature, asked of the documents service.

A certificate states what the signature record holds (supplier, declaration kind and
version, signer, signing date and channel) and its SHA-256, with a QR code of the public
verification page for that hash. It is printed in the signer's language, whoever asks
for it, so the supplier and staff download the same file: the language is part of the
document's key, and the content does not depend on the reader (no audience).

The documents service renders it in a worker (``document_request`` queues the render
task) and serves it through its one scoped download view: a certificate is visible to
whoever sees its subject, the signature (``visible_to``: another supplier's is a 404).

The hash is written into the PDF twice: as text on the page (a person can read it and
type it into the verification page) and in the document information (``/Subject``, from
the template's ``<meta name="description">``), which the verification page reads first
from an uploaded certificate.
"""

from __future__ import annotations

import re
from functools import lru_cache

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from procurement_portal.documents.models import Document
from procurement_portal.documents.services import document_request

from .models import Signature

KIND = "declaration-certificate"
TEMPLATE = "declarations/pdf/certificate.html"
SUBJECT_PREFIX = "SHA-256 "
HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def verification_url(content_hash: str) -> str:
    """The absolute address of the public verification page for one hash (in the QR)."""
    path = reverse("declarations:verify")
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?{urlencode({'hash': content_hash})}"


@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG ``data:`` URI: the PDF fetcher reads ``data:`` and
    the portal's static files only, so the picture travels inside the HTML. PNG rather
    than SVG: WeasyPrint draws an SVG path in Python, one module at a time, which cost
    more than the rest of the page; a PNG is decoded in C (and printed without smoothing,
    see certificate.css). Error correction "M" (15 %) survives a printed copy's smudges;
    a 4-module quiet zone is what scanners expect; 6 pixels a module is about 300 dpi at
    the printed 34 mm."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=4)


def certificate_filename(signature: Signature) -> str:
    version = signature.version
    return f"declaration-{signature.supplier.code}-{version.kind.code}-v{version.number}.pdf"


def certificate_context(signature: Signature) -> dict:
    """What the template shows, in the active language (the caller sets the signer's)."""
    version = signature.version
    url = verification_url(signature.content_hash)
    return {
        "signature": signature,
        "supplier": signature.supplier,
        "kind": version.kind,
        "version": version,
        "version_title": version.title_in(signature.language),
        "signed_at": timezone.localtime(signature.signed_at),
        # The date also as ISO 8601, the same in every language (for machines and for
        # readers of another script): written here, as templates name only locale formats.
        "signed_on_iso": timezone.localtime(signature.signed_at).date().isoformat(),
        "verify_url": url,
        "qr": qr_data_uri(url),
        "subject": SUBJECT_PREFIX + signature.content_hash,
    }


def _signature(signature_id: int) -> Signature:
    return Signature.objects.select_related("supplier", "version__kind").get(pk=signature_id)


def certificate_request(*, signature: Signature, start: bool = True) -> Document:
    """The signature's certificate: the stored one when it was made before, else a new
    row whose render task the documents service queues (``start=False`` leaves that to
    a caller that renders a batch). Always in the signer's language."""
    signature = _signature(signature.pk)
    with translation.override(signature.language):
        return document_request(
            kind=KIND,
            subject=signature,
            template_name=TEMPLATE,
            context=certificate_context(signature),
            filename=certificate_filename(signature),
            start=start,
        )
