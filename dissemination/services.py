"""Every write of the dissemination app: the guideline library, acknowledgements and
partners meetings. Views, the API, the admin's actions, tasks and the demo call these.

Company-side writes need ``Action.MANAGE_SUPPLIERS``: keeping the guideline library and
the meetings record is the procurement staff's upkeep of the supplier programme, the same
people (procurement staff, administrators) who keep the registry; the CSCO and the other
company roles read. A supplier user acknowledges for their own company with
``ACKNOWLEDGE`` (the supplier side's capability of answering what the company asks).

Objects are looked up through the user's ``visible_to`` first, so another supplier's
version or meeting is a 404 before any role is checked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.access import Action
from procurement_portal.core.errors import Conflict
from procurement_portal.outbox.services import EmailSpec, emails_enqueue_many
from procurement_portal.uploads import display_name, safe_storage_name, validate_upload
from suppliers.models import Contact, Supplier, SupplierStatus
from suppliers.regions import Region

from .models import (
    MANAGERS_MAX,
    Acknowledgement,
    AcknowledgementRequest,
    Audience,
    Award,
    AwardCategory,
    FileLanguage,
    GuidelineDocument,
    GuidelineFile,
    GuidelineVersion,
    MeetingAttendance,
    PartnerMeeting,
    VersionStatus,
)

MANAGE = Action.MANAGE_SUPPLIERS
ACKNOWLEDGE = Action.ANSWER_ASSESSMENTS
# A second reminder round by hand within this long of the last is refused as a double click.
REMINDER_MIN_INTERVAL = dt.timedelta(hours=12)
GUIDELINE_FILE_MAX_BYTES = 20 * 1024 * 1024


def _visible(model: type[Model], user, pk, *, lock: bool = False) -> Model:
    rows: QuerySet = model.objects.visible_to(user)
    if lock:
        rows = model.objects.select_for_update().filter(pk__in=rows.values("pk"))
    try:
        return rows.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _clean(obj: Model, *, exclude: Iterable[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude))


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
    supplier_ids = list(audience_suppliers(version).values_list("pk", flat=True))
    AcknowledgementRequest.objects.bulk_create(
        [AcknowledgementRequest(version=version, supplier_id=pk) for pk in supplier_ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    version.asked_count = len(supplier_ids)
    version.save()
    from .tasks import send_version_requests

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


# --- e-mail: requests and reminders -------------------------------------------------------


def _contacts_by_supplier(supplier_ids: Iterable[int]) -> dict[int, list[Contact]]:
    found: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(supplier_id__in=list(supplier_ids)).select_related(
        "supplier"
    ):
        found[contact.supplier_id].append(contact)
    return found


def _specs(version: GuidelineVersion, supplier_ids, *, kind: str, key_part: str) -> list[EmailSpec]:
    document = version.document
    path = reverse("dissemination:library")
    specs = []
    for contacts in _contacts_by_supplier(supplier_ids).values():
        for contact in contacts:
            lang = contact.language if contact.language in FileLanguage.values else "en"
            title = document.title_ja if lang == "ja" and document.title_ja else document.title_en
            changes = (
                version.changes_ja if lang == "ja" and version.changes_ja else version.changes_en
            )
            supplier = contact.supplier
            specs.append(
                EmailSpec(
                    key=f"dissemination:{kind}:{version.pk}:{key_part}{contact.pk}",
                    to=contact.email,
                    template=f"dissemination_{kind}",
                    language=lang,
                    context={
                        "contact_name": contact.name,
                        "supplier_name": (
                            supplier.local_name
                            if lang == "ja" and supplier.local_name
                            else supplier.legal_name
                        ),
                        "title": title,
                        "number": version.number,
                        "changes": changes,
                        "path": path,
                    },
                )
            )
    return specs


def version_requests_send(*, version_id: int) -> int:
    """E-mail every contact of every supplier asked to read a published version, once
    (keyed by version and contact; a retried task queues nothing again). Suppliers that
    already acknowledged are not asked. Returns the number of messages queued now."""
    version = GuidelineVersion.objects.select_related("document").filter(pk=version_id).first()
    if version is None or version.status != VersionStatus.PUBLISHED:
        return 0
    missing = _missing_supplier_ids(version)
    specs = _specs(version, missing, kind="request", key_part="")
    return len(emails_enqueue_many(messages=specs, group=f"dissemination:{version.pk}"))


def _missing_supplier_ids(version: GuidelineVersion) -> list[int]:
    done = Acknowledgement.objects.filter(version=version).values("supplier_id")
    return list(
        AcknowledgementRequest.objects.filter(version=version)
        .exclude(supplier_id__in=done)
        .values_list("supplier_id", flat=True)
    )


@transaction.atomic
def version_remind(*, actor=None, version_id: int) -> int:
    """Start a new reminder round to the contacts of the suppliers that have not
    acknowledged. Each round's messages are keyed by round and contact, so a retried task
    never sends a round twice; a second round by hand soon after the last is refused.
    ``actor=None`` is the schedule (beat). Returns the number of messages queued."""
    if actor is None:
        version = GuidelineVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            return 0
    else:
        version = _visible(GuidelineVersion, actor, version_id, lock=True)
        access.require(actor, MANAGE, version)
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict(
            _("Only a published version's readers can be reminded."), status=version.status
        )
    now = timezone.now()
    if (
        actor is not None
        and version.last_reminded_at
        and now - version.last_reminded_at < REMINDER_MIN_INTERVAL
    ):
        raise Conflict(
            _("A reminder was sent less than 12 hours ago: the next one can go later."),
            status=version.status,
        )
    missing = _missing_supplier_ids(version)
    if not missing:
        return 0
    version.reminder_round += 1
    version.last_reminded_at = now
    version.save(update_fields=["reminder_round", "last_reminded_at", "updated_at"])
    version = GuidelineVersion.objects.select_related("document").get(pk=version.pk)
    specs = _specs(version, missing, kind="reminder", key_part=f"{version.reminder_round}:")
    return len(emails_enqueue_many(messages=specs, group=f"dissemination:{version.pk}"))


def reminders_due(*, now: dt.datetime | None = None) -> list[int]:
    """Published versions with a reminder interval whose last e-mail (request or
    reminder) is that many days old: the ids beat hands to ``version_remind``."""
    now = now or timezone.now()
    due = []
    for version in GuidelineVersion.objects.filter(
        status=VersionStatus.PUBLISHED, reminder_every_days__gt=0
    ).only("pk", "reminder_every_days", "last_reminded_at", "published_at"):
        last = version.last_reminded_at or version.published_at
        if last is None or now - last >= dt.timedelta(days=version.reminder_every_days):
            due.append(version.pk)
    return due


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


# --- partners meetings --------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor, date: dt.date, title: str, place: str = "") -> PartnerMeeting:
    access.require_capability(actor, MANAGE)
    meeting = PartnerMeeting(date=date, title=title, place=place, created_by=actor)
    _clean(meeting, exclude=["created_by"])
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting_id: int, **changes) -> PartnerMeeting:
    meeting = _visible(PartnerMeeting, actor, meeting_id, lock=True)
    access.require(actor, MANAGE, meeting)
    for name, value in changes.items():
        if name not in {"date", "title", "place"}:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(meeting, name, value)
    _clean(meeting, exclude=["created_by"])
    meeting.save()
    return meeting


def _suppliers_by_code(codes: Iterable[str], field: str) -> list[Supplier]:
    wanted = {c.strip().upper(): c.strip() for c in codes if c and c.strip()}
    found = {s.code.upper(): s for s in Supplier.objects.filter(code__in=list(wanted.values()))}
    if len(found) < len(wanted):
        # Codes are unique regardless of case: look the rest up case-insensitively.
        for code in set(wanted) - set(found):
            supplier = Supplier.objects.filter(code__iexact=wanted[code]).first()
            if supplier is not None:
                found[code] = supplier
    unknown = [wanted[c] for c in wanted if c not in found]
    if unknown:
        raise ValidationError(
            {field: _("Unknown supplier code: %(codes)s.") % {"codes": ", ".join(unknown[:20])}}
        )
    return list(found.values())


@transaction.atomic
def meeting_invite(
    *, actor, meeting_id: int, supplier_codes: Iterable[str] = (), strategic_partners: bool = False
) -> int:
    """Put suppliers on a meeting's list as invited (by code, and/or every active strategic
    supply-chain partner). Suppliers already listed stay as they are. Returns how many
    were added."""
    meeting = _visible(PartnerMeeting, actor, meeting_id, lock=True)
    access.require(actor, MANAGE, meeting)
    suppliers = _suppliers_by_code(supplier_codes, "supplier_codes")
    ids = {s.pk for s in suppliers}
    if strategic_partners:
        ids |= set(
            Supplier.objects.filter(
                is_strategic_partner=True, status=SupplierStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
    if not ids:
        raise ValidationError({"supplier_codes": _("Name at least one supplier to invite.")})
    listed = set(meeting.attendances.values_list("supplier_id", flat=True))
    new = sorted(ids - listed)
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=meeting, supplier_id=pk, invited=True) for pk in new],
        ignore_conflicts=True,
    )
    return len(new)


def _managers(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = "x"
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"managers_attended": _("Give a whole number.")}) from None
    if isinstance(value, float) and value != number:
        raise ValidationError({"managers_attended": _("Give a whole number.")})
    if not 0 <= number <= MANAGERS_MAX:
        raise ValidationError(
            {
                "managers_attended": _("Managers attended must be from 0 to %(max)s.")
                % {"max": MANAGERS_MAX}
            }
        )
    return number


@transaction.atomic
def attendance_record(
    *, actor, meeting_id: int, supplier_id: int, managers_attended, invited: bool | None = None
) -> MeetingAttendance:
    """Record how many of a supplier's managers came (a supplier not invited may still
    have come: it is added, not invited). Bounds 0..200; blank means not known."""
    meeting = _visible(PartnerMeeting, actor, meeting_id, lock=True)
    access.require(actor, MANAGE, meeting)
    number = _managers(managers_attended)
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise ValidationError({"supplier": _("Unknown supplier.")})
    row, _created = MeetingAttendance.objects.select_for_update().get_or_create(
        meeting=meeting, supplier=supplier, defaults={"invited": bool(invited)}
    )
    row.managers_attended = number
    if invited is not None:
        row.invited = invited
    row.save(update_fields=["managers_attended", "invited", "updated_at"])
    return row


@transaction.atomic
def award_create(
    *, actor, meeting_id: int, supplier_code: str, category: str, note: str = ""
) -> Award:
    meeting = _visible(PartnerMeeting, actor, meeting_id, lock=True)
    access.require(actor, MANAGE, meeting)
    if category not in AwardCategory.values:
        raise ValidationError({"category": _("Choose an award category.")})
    (supplier,) = _suppliers_by_code([supplier_code], "supplier_code") or [None]
    if supplier is None:
        raise ValidationError({"supplier_code": _("Give the supplier's code.")})
    award = Award(meeting=meeting, supplier=supplier, category=category, note=note)
    _clean(award)
    award.save()
    return award


@transaction.atomic
def award_delete(*, actor, award_id: int) -> None:
    award = _visible(Award, actor, award_id, lock=True)
    access.require(actor, MANAGE, award)
    award.delete()
