"""Public verification of a declaration certificate: by its SHA-256, or by the PDF.

Anyone holding a certificate (a customer, an auditor) may ask whether it matches a
signature on record, without an account. The answer names the signature only with what
the certificate itself prints: supplier, declaration kind and version, signing date and
signer. Nothing else of the record (address, browser, account, e-mail) is shown, and a
revocation is told by its effective date alone, since a certificate of a revoked
declaration must not pass for a valid one.

This is the one read of signatures that does not start from ``visible_to(user)``: the
visitor is anonymous, and the question is answered for exactly one record, the one
whose 256-bit hash the visitor already holds, which cannot be guessed.

An uploaded certificate goes through ``procurement_portal.uploads.validate_upload`` (a
real, readable PDF, nothing else), then its hash is read from the document information
the portal writes (``/Subject``), else from the page text. A hash found there proves
nothing by itself (anyone can type one onto a page), so the PDF's text must also carry
the record's supplier code, signer name and hash: a certificate whose text was changed
after it was issued is refused as altered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader

from procurement_portal.uploads import validate_upload

from .certificates import SUBJECT_PREFIX
from .models import Signature

HASH_LENGTH = 64
# Certificates are one page of a few tens of KB; a bound keeps parsing cheap.
CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024
CERTIFICATE_MAX_PAGES = 5
_HEX = re.compile(r"[0-9a-f]+")
_HASH_IN_TEXT = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


@dataclass(frozen=True)
class Match:
    """What the verification page may say about the signature a hash belongs to."""

    content_hash: str
    supplier_name: str
    supplier_local_name: str
    supplier_code: str
    kind_name_en: str
    kind_name_ja: str
    version_number: int
    signed_on: dt.date
    signer_name: str
    revoked_from: dt.date | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_from is not None and self.revoked_from <= timezone.localdate()


@dataclass
class Outcome:
    """The answer: ``match`` when the hash is on record; ``altered`` lists what the
    uploaded certificate's text lacks of the record it names."""

    content_hash: str
    match: Match | None = None
    altered: list[str] = field(default_factory=list)

    @property
    def confirmed(self) -> bool:
        return self.match is not None and not self.altered


def parse_hash(value: str, *, field_name: str = "hash") -> str:
    """A SHA-256 as typed or pasted: spaces and line breaks are dropped (a hash copied
    from a PDF may wrap), letters may be capitals. Anything else is refused naming the
    field and the problem."""
    text = re.sub(r"\s+", "", value or "").lower()
    if not text:
        raise ValidationError({field_name: _("Give the certificate's SHA-256 hash.")})
    if not _HEX.fullmatch(text):
        raise ValidationError(
            {
                field_name: _(
                    "A SHA-256 hash has only the characters 0-9 and a-f; this one has others."
                )
            }
        )
    if len(text) != HASH_LENGTH:
        raise ValidationError(
            {
                field_name: _(
                    "A SHA-256 hash is %(expected)s characters long; this one has %(count)s."
                )
                % {"expected": HASH_LENGTH, "count": len(text)}
            }
        )
    return text


@dataclass(frozen=True)
class CertificateText:
    content_hash: str
    text: str


def read_certificate(uploaded_file, *, field_name: str = "certificate") -> CertificateText:
    """The hash and the page text of an uploaded certificate PDF, or a ``ValidationError``
    naming ``field_name``: not a PDF (whatever its name says), damaged, encrypted, too
    large, or without a hash inside."""
    try:
        validate_upload(uploaded_file, allowed={"pdf"}, max_bytes=CERTIFICATE_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({field_name: exc.messages}) from None
    try:
        reader = PdfReader(uploaded_file, strict=False)
        pages = reader.pages[:CERTIFICATE_MAX_PAGES]
        text = "\n".join(page.extract_text() or "" for page in pages)
        subject = str((reader.metadata or {}).get("/Subject") or "")
    except Exception:  # pypdf's failures are many; the file was a readable PDF above
        raise ValidationError(
            {field_name: _("The text of this PDF cannot be read, so no hash was found in it.")}
        ) from None
    finally:
        uploaded_file.seek(0)
    found = ""
    if subject.startswith(SUBJECT_PREFIX):
        candidate = subject.removeprefix(SUBJECT_PREFIX).strip().lower()
        if len(candidate) == HASH_LENGTH and _HEX.fullmatch(candidate):
            found = candidate
    if not found:
        hashes = set(_HASH_IN_TEXT.findall(text.lower()))
        if len(hashes) == 1:
            found = hashes.pop()
    if not found:
        raise ValidationError(
            {
                field_name: _(
                    "No certificate hash was found in this PDF: upload a declaration "
                    "certificate issued by the portal, or type its hash instead."
                )
            }
        )
    return CertificateText(content_hash=found, text=text)


def _match(content_hash: str) -> tuple[Signature | None, Match | None]:
    signature = (
        Signature.objects.select_related("supplier", "version__kind", "revocation")
        .filter(content_hash=content_hash)
        .first()
    )
    if signature is None:
        return None, None
    revocation = getattr(signature, "revocation", None)
    kind = signature.version.kind
    return signature, Match(
        content_hash=signature.content_hash,
        supplier_name=signature.supplier.legal_name,
        supplier_local_name=signature.supplier.local_name,
        supplier_code=signature.supplier.code,
        kind_name_en=kind.name_en,
        kind_name_ja=kind.name_ja,
        version_number=signature.version.number,
        signed_on=signature.signed_on,
        signer_name=signature.signer_name,
        revoked_from=revocation.effective_date if revocation is not None else None,
    )


def verify_hash(content_hash: str) -> Outcome:
    """Whether ``content_hash`` (already parsed) is the hash of a signature on record."""
    return Outcome(content_hash=content_hash, match=_match(content_hash)[1])


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def verify_certificate(certificate: CertificateText) -> Outcome:
    """The hash read from a certificate, and whether the certificate's text still
    carries the record's supplier code, signer name and hash (spaces and line breaks
    aside, which text extraction does not keep faithfully)."""
    signature, match = _match(certificate.content_hash)
    outcome = Outcome(content_hash=certificate.content_hash, match=match)
    if signature is None:
        return outcome
    text = _squashed(certificate.text)
    expected = {
        _("supplier code"): signature.supplier.code,
        _("signer"): signature.signer_name,
        _("hash"): signature.content_hash,
    }
    outcome.altered = [label for label, value in expected.items() if _squashed(value) not in text]
    return outcome
