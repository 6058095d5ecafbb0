"""The guideline library: documents, versions, their PDFs, publication and
acknowledgements."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.core.errors import Conflict
from procurement_portal.uploads import display_name, safe_storage_name, validate_upload
from suppliers.models import Supplier, SupplierStatus
from suppliers.regions import Region

from ..models import (
    Acknowledgement,
    AcknowledgementRequest,
    Audience,
    FileLanguage,
    GuidelineDocument,
    GuidelineFile,
    GuidelineVersion,
    VersionStatus,
)
from .base import (
    ACKNOWLEDGE,
    GUIDELINE_FILE_MAX_BYTES,
    MANAGE,
    _clean,
    _suppliers_by_code,
    _visible,
)

# --- documents and versions ---------------------------------------------------------------


@transaction.atomic
def document_create(
    *, actor, code: str, title_en: str, title_ja: str = "", category: str
) -> GuidelineDocument:
    access.require_capability(actor, MANAGE)
    document = GuidelineDocument(code=code, title_en=title_en, title_ja=title_ja, category=category)
    _clean(document)
    document.save()
    return document


@transaction.atomic
def document_update(*, actor, document_id: int, **changes) -> GuidelineDocument:
    document = _visible(GuidelineDocument, actor, document_id, lock=True)
    access.require(actor, MANAGE, document)
    allowed = {"title_en", "title_ja", "category"}
    for name, value in changes.items():
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(document, name, value)
    _clean(document)
    document.save(update_fields=[*changes, "updated_at"])
    return document


def _check_audience(version: GuidelineVersion) -> None:
    if version.audience == Audience.CRITICAL and not version.audience_fiscal_year:
        raise ValidationError(
            {"audience_fiscal_year": _("Give the fiscal year whose critical suppliers to ask.")}
        )
    if version.audience == Audience.REGIONS:
        regions = version.audience_regions
        if not isinstance(regions, list) or not regions:
            raise ValidationError({"audience_regions": _("Choose at least one region.")})
        unknown = [r for r in regions if r not in Region.values]
        if unknown:
            raise ValidationError(
                {
                    "audience_regions": _("Unknown region: %(r)s.")
                    % {"r": ", ".join(map(str, unknown))}
                }
            )
    if version.audience == Audience.LISTED:
        codes = version.audience_codes
        if not isinstance(codes, list) or not codes:
            raise ValidationError({"audience_codes": _("Give at least one supplier code.")})
        found = _suppliers_by_code(codes, "audience_codes")
        version.audience_codes = sorted(s.code for s in found)
    else:
        version.audience_codes = []
    if version.audience != Audience.CRITICAL:
        version.audience_fiscal_year = None
    if version.audience != Audience.REGIONS:
        version.audience_regions = []


_VERSION_FIELDS = (
    "number",
    "changes_en",
    "changes_ja",
    "audience",
    "audience_fiscal_year",
    "audience_regions",
    "audience_codes",
    "reminder_every_days",
)


@transaction.atomic
def version_create(*, actor, document_id: int, number: str, **fields) -> GuidelineVersion:
    document = _visible(GuidelineDocument, actor, document_id)
    access.require(actor, MANAGE, document)
    unknown = set(fields) - set(_VERSION_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    version = GuidelineVersion(document=document, number=number, **fields)
    _check_audience(version)
    _clean(version)
    version.save()
    return version


@transaction.atomic
def version_update(*, actor, version_id: int, **changes) -> GuidelineVersion:
    """Change a draft. A published or retired version is frozen: what suppliers were asked
    to read stays what they read."""
    version = _visible(GuidelineVersion, actor, version_id, lock=True)
    access.require(actor, MANAGE, version)
    if not version.is_draft:
        raise Conflict(_("This version is published: it cannot be changed."), status=version.status)
    for name, value in changes.items():
        if name not in _VERSION_FIELDS:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(version, name, value)
    _check_audience(version)
    _clean(version)
    version.save()
    return version


@transaction.atomic
def version_file_attach(*, actor, version_id: int, language: str, upload) -> GuidelineFile:
    """Attach (or replace) a draft's PDF in one language, checked by the one upload rule."""
    version = _visible(GuidelineVersion, actor, version_id, lock=True)
    access.require(actor, MANAGE, version)
    if not version.is_draft:
        raise Conflict(
            _("This version is published: its files cannot change."), status=version.status
        )
    if language not in FileLanguage.values:
        raise ValidationError({"language": _("Choose English or Japanese.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a PDF file.")})
    try:
        validate_upload(upload, allowed={"pdf"}, max_bytes=GUIDELINE_FILE_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    old = GuidelineFile.objects.filter(version=version, language=language).first()
    if old is not None:
        old.file.delete(save=False)
        old.delete()
    row = GuidelineFile(
        version=version,
        language=language,
        original_name=display_name(getattr(upload, "name", "")),
        size=getattr(upload, "size", 0) or 0,
    )
    row.file.save(safe_storage_name("pdf"), upload, save=False)
    # The file is on disk before the row is saved: remove it again if the row is not.
    stored = row.file.name
    try:
        row.save()
    except Exception:
        row.file.storage.delete(stored)
        raise
    return row


def audience_suppliers(version: GuidelineVersion) -> QuerySet:
    """The suppliers a version's audience names, as of now (active ones only)."""
    rows = Supplier.objects.filter(status=SupplierStatus.ACTIVE)
    if version.audience == Audience.CRITICAL:
        rows = rows.filter(critical_designations__fiscal_year=version.audience_fiscal_year)
    elif version.audience == Audience.REGIONS:
        rows = rows.filter(region__in=version.audience_regions)
    elif version.audience == Audience.LISTED:
        rows = rows.filter(code__in=version.audience_codes)
    return rows.distinct()


def _ask_audience(version: GuidelineVersion) -> int:
    """One request row per supplier of the audience, in one INSERT ... SELECT: tens of
    thousands of suppliers never travel to Python and back. Returns the rows made."""
    audience = audience_suppliers(version).order_by().values("pk")
    sql, params = audience.query.sql_with_params()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(AcknowledgementRequest._meta.db_table)
    with connection.cursor() as cursor:
        # "WHERE true" lets SQLite tell the SELECT's end from the ON CONFLICT clause.
        cursor.execute(
            # The table name is the model's, quoted by the backend; the SELECT is the ORM's
            # own SQL with its parameters passed apart: no user text is formatted in.
            f"INSERT INTO {table} (created_at, updated_at, version_id, supplier_id) "  # noqa: S608  # nosec B608
            f"SELECT %s, %s, %s, audience.* FROM ({sql}) AS audience WHERE true "  # nosec B608
            "ON CONFLICT DO NOTHING",
            [now, now, version.pk, *params],
        )
        return cursor.rowcount


@transaction.atomic
def version_publish(
    *, actor, version_id: int, published_on: dt.date | None = None
) -> GuidelineVersion:
    """Freeze a draft, fix its audience as request rows, retire the document's earlier
    published versions (suppliers acknowledge the current one), and have the requests
    e-mailed after the commit."""
    version = _visible(GuidelineVersion, actor, version_id, lock=True)
    access.require(actor, MANAGE, version)
    if not version.is_draft:
        raise Conflict(_("This version is already published."), status=version.status)
    if not version.files.filter(language=FileLanguage.EN).exists():
        raise ValidationError(
            {"files": _("Attach the English PDF first: it is what every supplier can read.")}
        )
    _check_audience(version)
    now = timezone.now()
    version.status = VersionStatus.PUBLISHED
    version.published_on = published_on or timezone.localdate()
    version.published_at = now
    version.published_by = actor
    GuidelineVersion.objects.filter(
        document_id=version.document_id, status=VersionStatus.PUBLISHED
    ).exclude(pk=version.pk).update(status=VersionStatus.RETIRED, updated_at=now)
    version.asked_count = _ask_audience(version)
    version.save()
    from ..tasks import send_version_requests

    transaction.on_commit(lambda: send_version_requests.delay(version.pk))
    return version


@transaction.atomic
def version_retire(*, actor, version_id: int) -> GuidelineVersion:
    version = _visible(GuidelineVersion, actor, version_id, lock=True)
    access.require(actor, MANAGE, version)
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict(_("Only a published version can be retired."), status=version.status)
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status", "updated_at"])
    return version


# --- acknowledgements ---------------------------------------------------------------------


@transaction.atomic
def acknowledgement_create(
    *, user, version_id: int, supplier_id: int | None = None
) -> tuple[Acknowledgement, bool]:
    """A supplier user acknowledges a version asked of their company. Returns the
    acknowledgement and whether it is new: acknowledging again changes nothing."""
    asked = AcknowledgementRequest.objects.visible_to(user).filter(version_id=version_id)
    if supplier_id is not None:
        asked = asked.filter(supplier_id=supplier_id)
    rows = list(asked.select_related("version").order_by("pk")[:2])
    if not rows:
        raise Http404
    access.require_capability(user, ACKNOWLEDGE)
    if len(rows) > 1:
        raise ValidationError({"supplier": _("Choose the company you acknowledge for.")})
    request_row = AcknowledgementRequest.objects.select_for_update().get(pk=rows[0].pk)
    access.require(user, ACKNOWLEDGE, request_row)
    version = rows[0].version
    if version.status == VersionStatus.RETIRED:
        raise ValidationError(
            {"version": _("This version was retired: acknowledge the current version instead.")}
        )
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"version": _("This version is not published.")})
    existing = Acknowledgement.objects.filter(
        supplier_id=request_row.supplier_id, version_id=version.pk
    ).first()
    if existing is not None:
        return existing, False
    ack = Acknowledgement.objects.create(
        supplier_id=request_row.supplier_id,
        version=version,
        user=user,
        acknowledged_at=timezone.now(),
    )
    return ack, True
