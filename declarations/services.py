"""Declarations: publishing texts, signing, paper records, revocations and the hash chain.

Every signature, whether signed in the portal or recorded from paper, is appended to one
hash chain: its ``canonical`` JSON names what was signed (kind, version, the text in the
signer's language, supplier code, signer, language, time, channel), this row's
``sequence`` and the previous row's hash, and ``content_hash`` is the SHA-256 of exactly
that text. Appending takes a lock on the chain head (a PostgreSQL advisory lock held to
the end of the transaction), so two signatures committed at the same moment still get
consecutive sequence numbers, each naming the other's hash in order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.core.errors import NotAllowed
from procurement_portal.core.text import text_problem, validate_date_range
from procurement_portal.uploads import (
    display_name,
    private_storage,
    safe_storage_name,
    validate_upload,
)
from suppliers.models import LANGUAGE_CHOICES, Supplier

from .models import (
    SIGNER_FIELD_MAX_LENGTH,
    ZERO_HASH,
    Channel,
    DeclarationVersion,
    Revocation,
    Signature,
    VersionStatus,
)

logger = logging.getLogger(__name__)

# Who may do what. Declaration texts are administrators' work, like questionnaires;
# recording paper declarations, revoking and reminding are procurement staff's, like
# the rest of the supplier registry. The CSCO and other readers hold neither.
AUTHOR_ACTION = access.Action.MANAGE_QUESTIONNAIRES
RECORD_ACTION = access.Action.MANAGE_SUPPLIERS

SCAN_KINDS = {"pdf", "png", "jpeg"}
SCAN_MAX_BYTES = 20 * 1024 * 1024
SCAN_FOLDER = "declarations/scans"
CANONICAL_FORMAT = 1
_CHAIN_LOCK = zlib.crc32(b"declarations.signature_chain")
_LANGUAGES = {code for code, _label in LANGUAGE_CHOICES}


# --- versions ------------------------------------------------------------------------------


@transaction.atomic
def version_publish(*, actor, version_id: int) -> DeclarationVersion:
    """Publish a draft: it becomes the kind's only signable version (the one before is
    retired) and is frozen from now on; the suppliers of its audience are asked to sign
    it once the transaction commits (signers of an earlier version sign again)."""
    access.require_capability(actor, AUTHOR_ACTION, _("You may not publish declarations."))
    version = DeclarationVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            {"status": _("Only a draft can be published; this version is %(status)s.")
             % {"status": version.get_status_display()}}
        )  # fmt: skip
    newer = DeclarationVersion.objects.filter(kind_id=version.kind_id, number__gt=version.number)
    if newer.exclude(status=VersionStatus.DRAFT).exists():
        raise ValidationError({"number": _("A later version of this kind is already published.")})
    version.full_clean()
    now = timezone.now()
    DeclarationVersion.objects.filter(
        kind_id=version.kind_id, status=VersionStatus.PUBLISHED
    ).update(status=VersionStatus.RETIRED, updated_at=now)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at", "updated_at"])

    from .tasks import send_declaration_requests

    transaction.on_commit(lambda: send_declaration_requests.delay(version.pk))
    return version


def version_save(*, actor, version: DeclarationVersion) -> DeclarationVersion:
    """Create or change a draft (the admin's form calls this): a published or retired
    version is frozen and refused, by ``clean()``."""
    access.require_capability(actor, AUTHOR_ACTION, _("You may not edit declarations."))
    if version.pk is None:
        version.status = VersionStatus.DRAFT
        version.published_at = None
    version.full_clean()
    version.save()
    return version


# --- the canonical record and the chain ----------------------------------------------------


def canonical_json(payload: dict) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def signature_payload(
    *,
    sequence: int,
    previous_hash: str,
    channel: str,
    version: DeclarationVersion,
    supplier_code: str,
    signer_name: str,
    signer_title: str,
    language: str,
    signed_at: dt.datetime,
) -> dict:
    return {
        "format": CANONICAL_FORMAT,
        "sequence": sequence,
        "previous_hash": previous_hash,
        "channel": channel,
        "kind": version.kind.code,
        "version_id": version.pk,
        "version": version.number,
        "effective_date": version.effective_date.isoformat(),
        "title": version.title_in(language),
        "text": version.text_in(language),
        "supplier_code": supplier_code,
        "signer_name": signer_name,
        "signer_title": signer_title,
        "language": language,
        "signed_at": _utc_text(signed_at),
    }


def _lock_chain() -> tuple[int, str]:
    """Hold the chain for this transaction and return (next sequence, previous hash)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    head = Signature.objects.order_by("-sequence").values_list("sequence", "content_hash").first()
    if head is None:
        return 1, ZERO_HASH
    return head[0] + 1, head[1]


def _append(*, supplier: Supplier, version: DeclarationVersion, **fields) -> Signature:
    """Insert one signature at the chain's head (inside the caller's transaction)."""
    sequence, previous_hash = _lock_chain()
    payload = signature_payload(
        sequence=sequence,
        previous_hash=previous_hash,
        channel=fields["channel"],
        version=version,
        supplier_code=supplier.code,
        signer_name=fields["signer_name"],
        signer_title=fields["signer_title"],
        language=fields["language"],
        signed_at=fields["signed_at"],
    )
    canonical = canonical_json(payload)
    return Signature.objects.create(
        supplier=supplier,
        version=version,
        canonical=canonical,
        content_hash=sha256_hex(canonical),
        previous_hash=previous_hash,
        sequence=sequence,
        **fields,
    )


# --- checks shared by portal and paper signatures ------------------------------------------


def _signer_text(errors: dict, field: str, value, label: str) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        errors[field] = _("Type the %(what)s.") % {"what": label}
    elif len(text) > SIGNER_FIELD_MAX_LENGTH:
        errors[field] = _("Use at most %(max)s characters (this has %(count)s).") % {
            "max": SIGNER_FIELD_MAX_LENGTH,
            "count": len(text),
        }
    else:
        problem = text_problem(str(value), multiline=False)
        if problem:
            errors[field] = problem
    return text


def _language(errors: dict, language: str | None) -> str:
    if language not in _LANGUAGES:
        errors["language"] = _("Choose English (en) or Japanese (ja).")
    return language or ""


# --- portal signatures ---------------------------------------------------------------------


def signature_create(
    *,
    actor,
    supplier_id: int | None,
    version_id: int | None,
    signer_name: str,
    signer_title: str,
    confirmed: bool,
    language: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> Signature:
    """A supplier user signs the current version of a declaration for their company.

    Refused, naming the field: a supplier the user does not act for, a version that is not
    the kind's current published one, a version this supplier already signed, a blank or
    over-long name or title, a missing confirmation. Nothing is saved when refused.
    """
    if not access.is_supplier_user(actor):
        raise NotAllowed(_("Only a supplier's own users sign its declarations."))
    errors: dict[str, str] = {}
    supplier = Supplier.objects.visible_to(actor).filter(pk=supplier_id).first()
    if supplier is None:
        errors["supplier"] = _("You can sign only for a company you act for.")
    version = DeclarationVersion.objects.select_related("kind").filter(pk=version_id).first()
    if version is None or version.status == VersionStatus.DRAFT:
        errors["version"] = _("This declaration version is not published.")
    elif version.status == VersionStatus.RETIRED:
        errors["version"] = _(
            "This version is outdated: a newer version of this declaration replaces it."
        )
    name = _signer_text(errors, "signer_name", signer_name, _("full name"))
    title = _signer_text(errors, "signer_title", signer_title, _("job title"))
    language = _language(errors, language)
    if confirmed is not True:
        errors["confirmed"] = _("Confirm that you sign this declaration for your company.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            already = Signature.objects.filter(
                supplier=supplier, version=version, channel=Channel.PORTAL
            ).first()
            if already is not None:
                raise ValidationError(
                    {"version": _("Your company already signed this version on %(date)s.")
                     % {"date": date_format(already.signed_on)}}
                )  # fmt: skip
            return _append(
                supplier=supplier,
                version=version,
                channel=Channel.PORTAL,
                signed_at=timezone.now(),
                signer_name=name,
                signer_title=title,
                language=language,
                ip_address=ip_address or None,
                user_agent=(user_agent or "")[:500],
                signed_by=actor,
            )
    except IntegrityError as exc:
        # Two submissions of the same signature at once: the unique (supplier, version)
        # constraint kept the first.
        raise ValidationError({"version": _("Your company already signed this version.")}) from exc


# --- paper signatures ----------------------------------------------------------------------


def _paper_moment(day: dt.date) -> dt.datetime:
    """A paper declaration carries a date only: it is recorded at noon of that day in the
    portal's time zone, so its local date is the one written on the paper."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def paper_signature_check(
    *,
    supplier_code: str,
    version_id: int | None,
    signed_on,
    signer_name: str,
    signer_title: str,
    language: str,
) -> tuple[dict, dict]:
    """The checks of a paper record without saving anything: (clean values, errors by
    field). The bulk import runs them on every row before writing any."""
    errors: dict[str, str] = {}
    code = (supplier_code or "").strip()
    supplier = Supplier.objects.filter(code__iexact=code).first() if code else None
    if not code:
        errors["supplier_code"] = _("Give the supplier code.")
    elif supplier is None:
        errors["supplier_code"] = _("No supplier has the code “%(code)s”.") % {"code": code}
    version = DeclarationVersion.objects.select_related("kind").filter(pk=version_id).first()
    if version is None or version.status == VersionStatus.DRAFT:
        errors["version"] = _("Choose a published declaration version.")
    if not isinstance(signed_on, dt.date) or isinstance(signed_on, dt.datetime):
        errors["signed_on"] = _("Give the date written on the declaration.")
    elif signed_on > timezone.localdate():
        errors["signed_on"] = _("The date cannot be in the future.")
    else:
        try:
            validate_date_range(signed_on)
        except ValidationError as exc:
            errors["signed_on"] = exc.messages[0]
    name = _signer_text(errors, "signer_name", signer_name, _("full name"))
    title = _signer_text(errors, "signer_title", signer_title, _("job title"))
    language = _language(errors, language)
    values = {
        "supplier": supplier,
        "version": version,
        "signed_on": signed_on,
        "signer_name": name,
        "signer_title": title,
        "language": language,
    }
    return values, errors


def _store_scan(scan) -> tuple[str, str]:
    try:
        kind = validate_upload(scan, allowed=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"scan": exc.messages}) from exc
    stored = private_storage.save(f"{SCAN_FOLDER}/{safe_storage_name(kind)}", scan)
    return stored, display_name(getattr(scan, "name", ""))[:200]


def paper_signature_record(
    *,
    actor,
    supplier_code: str,
    version_id: int | None,
    signed_on,
    signer_name: str,
    signer_title: str,
    language: str,
    scan=None,
    check_duplicate: bool = True,
) -> Signature:
    """Record a declaration signed on paper (or before the portal), with its scanned file:
    the same immutable row and the same chain as a portal signature. Historical dates
    are allowed, future ones and unknown supplier codes are refused."""
    access.require_capability(actor, RECORD_ACTION, _("You may not record declarations."))
    values, errors = paper_signature_check(
        supplier_code=supplier_code,
        version_id=version_id,
        signed_on=signed_on,
        signer_name=signer_name,
        signer_title=signer_title,
        language=language,
    )
    if errors:
        raise ValidationError(errors)
    stored_name, shown_name = ("", "")
    if scan is not None:
        stored_name, shown_name = _store_scan(scan)
    try:
        with transaction.atomic():
            if check_duplicate and paper_duplicate(values):
                raise ValidationError(
                    {"signed_on": _("This paper declaration is already recorded.")}
                )
            return _append(
                supplier=values["supplier"],
                version=values["version"],
                channel=Channel.PAPER,
                signed_at=_paper_moment(values["signed_on"]),
                signer_name=values["signer_name"],
                signer_title=values["signer_title"],
                language=values["language"],
                recorded_by=actor,
                scan=stored_name,
                scan_name=shown_name,
            )
    except Exception:
        if stored_name:
            private_storage.delete(stored_name)
        raise


def paper_duplicate(values: dict) -> bool:
    """The same paper declaration (supplier, version, date, signer) is already on record."""
    return Signature.objects.filter(
        supplier=values["supplier"],
        version=values["version"],
        channel=Channel.PAPER,
        signed_at=_paper_moment(values["signed_on"]),
        signer_name=values["signer_name"],
    ).exists()


# --- revocations ---------------------------------------------------------------------------


def signature_revoke(
    *, actor, signature_id: int, reason: str, effective_date: dt.date | None = None
) -> Revocation:
    """Revoke a signature from ``effective_date`` (today by default; an earlier date for
    records of past years, never before the signature). Refused twice."""
    signature = Signature.objects.select_related("supplier").filter(pk=signature_id).first()
    if signature is None:
        raise Http404
    access.require(actor, RECORD_ACTION, signature, _("You may not revoke declarations."))
    errors: dict[str, str] = {}
    reason_text = (reason or "").strip()
    if not reason_text:
        errors["reason"] = _("Give the reason for the revocation.")
    else:
        problem = text_problem(reason_text)
        if problem:
            errors["reason"] = problem
        elif len(reason_text) > 4000:
            errors["reason"] = _("Use at most 4000 characters.")
    day = effective_date or timezone.localdate()
    if not isinstance(day, dt.date):
        errors["effective_date"] = _("Give a date.")
    elif day < signature.signed_on:
        errors["effective_date"] = _(
            "The revocation cannot take effect before the signature (%(date)s)."
        ) % {"date": date_format(signature.signed_on)}
    else:
        try:
            validate_date_range(day)
        except ValidationError as exc:
            errors["effective_date"] = exc.messages[0]
    if Revocation.objects.filter(signature=signature).exists():
        errors["signature"] = _("This signature is already revoked.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Revocation.objects.create(
                signature=signature, reason=reason_text, effective_date=day, revoked_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError({"signature": _("This signature is already revoked.")}) from exc


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found: how many rows it checked and the first broken link."""

    checked: int
    broken_sequence: int | None = None
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


_ROW_FIELDS = (
    "pk",
    "sequence",
    "previous_hash",
    "content_hash",
    "canonical",
    "channel",
    "version_id",
    "supplier__code",
    "signer_name",
    "signer_title",
    "language",
    "signed_at",
)


def _row_problem(row: dict, expected_sequence: int, previous_hash: str) -> str:
    if row["sequence"] != expected_sequence:
        return (
            f"sequence {row['sequence']} follows {expected_sequence - 1}: "
            f"signature number {expected_sequence} is missing"
        )
    if row["previous_hash"] != previous_hash:
        return "previous_hash does not match the hash of the signature before it"
    if sha256_hex(row["canonical"]) != row["content_hash"]:
        return "content_hash is not the SHA-256 of the canonical record"
    try:
        record = json.loads(row["canonical"])
    except ValueError:
        return "the canonical record is not JSON"
    columns = {
        "sequence": row["sequence"],
        "previous_hash": row["previous_hash"],
        "channel": row["channel"],
        "version_id": row["version_id"],
        "supplier_code": row["supplier__code"],
        "signer_name": row["signer_name"],
        "signer_title": row["signer_title"],
        "language": row["language"],
        "signed_at": _utc_text(row["signed_at"]),
    }
    for name, value in columns.items():
        if record.get(name) != value:
            return f"column {name} differs from the signed record"
    return ""


def verify_chain(*, chunk: int = 2000) -> ChainReport:
    """Walk every signature in sequence order and report the first broken link: a missing
    sequence number, a previous hash that is not the one before, a hash that is not the
    SHA-256 of the stored record, or a column that differs from what was signed."""
    previous_hash = ZERO_HASH
    expected = 1
    rows = Signature.objects.order_by("sequence").values(*_ROW_FIELDS)
    for row in rows.iterator(chunk_size=chunk):
        problem = _row_problem(row, expected, previous_hash)
        if problem:
            return ChainReport(
                checked=expected - 1,
                broken_sequence=row["sequence"],
                broken_id=row["pk"],
                problem=problem,
            )
        previous_hash = row["content_hash"]
        expected += 1
    return ChainReport(checked=expected - 1)
