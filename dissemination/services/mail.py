"""E-mail of the guideline library: the request a publication sends, and reminder
rounds to the suppliers still missing, all keyed in the outbox."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.core.errors import Conflict
from procurement_portal.outbox.services import EmailSpec, emails_enqueue_many
from suppliers.models import Contact

from ..models import (
    Acknowledgement,
    AcknowledgementRequest,
    FileLanguage,
    GuidelineVersion,
    VersionStatus,
)
from .base import MANAGE, REMINDER_MIN_INTERVAL, _visible


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
