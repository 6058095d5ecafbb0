"""Requests and reminders to sign: to the contacts of suppliers still missing a declaration.

One message per version, supplier, contact and round, keyed in the outbox
(``declaration:v<version>:s<supplier>:c<contact>:<round>``), so neither a second click
nor the weekly schedule ever sends the same round twice. A round is the ISO week: the
first message a contact gets for a version is the request, later weeks' are reminders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.outbox.models import OutboxMessage
from procurement_portal.outbox.services import EmailSpec, emails_enqueue_many
from suppliers.models import Contact, Supplier

from . import selectors
from .models import DeclarationVersion, VersionStatus
from .services import RECORD_ACTION

KEY_PREFIX = "declaration"


def _round() -> str:
    year, week, _day = timezone.localdate().isocalendar()
    return f"{year}-W{week:02d}"


def _language(*candidates: str) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    for language in candidates:
        if language in languages:
            return language
    return settings.LANGUAGE_CODE


def missing_for_version(version: DeclarationVersion, supplier_ids: Iterable[int] | None = None):
    """Suppliers asked to sign the version (its audience, or the given ids) that hold no
    valid signature of it today."""
    suppliers = (
        selectors.audience_suppliers(version)
        if supplier_ids is None
        else Supplier.objects.filter(pk__in=list(supplier_ids))
    )
    signed = selectors.valid_signatures_on(timezone.localdate()).filter(
        supplier=OuterRef("pk"), version=version
    )
    return suppliers.exclude(Exists(signed))


def requests_send(*, actor, version_id: int, supplier_ids: Iterable[int] | None = None) -> int:
    """Queue this week's request or reminder to every contact of the suppliers missing the
    version (all of its audience, or only ``supplier_ids``). ``actor`` is None for the
    schedule. Returns how many messages were queued now (0 when this week's are out)."""
    if actor is not None:
        access.require_capability(actor, RECORD_ACTION, _("You may not send reminders."))
    version = DeclarationVersion.objects.select_related("kind").get(pk=version_id)
    if version.status != VersionStatus.PUBLISHED:
        return 0
    suppliers = {s.pk: s for s in missing_for_version(version, supplier_ids)}
    if not suppliers:
        return 0
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(supplier_id__in=list(suppliers)).order_by("pk"):
        contacts[contact.supplier_id].append(contact)
    version_prefix = f"{KEY_PREFIX}:v{version.pk}:"
    asked_before = {
        key.rsplit(":", 1)[0]
        for key in OutboxMessage.objects.filter(key__startswith=version_prefix).values_list(
            "key", flat=True
        )
    }
    this_round = _round()
    path = reverse("declarations:sign", args=[version.pk])
    specs = []
    for supplier_id, supplier in suppliers.items():
        for contact in contacts[supplier_id]:
            stem = f"{version_prefix}s{supplier_id}:c{contact.pk}"
            language = _language(contact.language, supplier.preferred_language)
            specs.append(
                EmailSpec(
                    key=f"{stem}:{this_round}",
                    to=contact.email,
                    template=(
                        "declaration_reminder" if stem in asked_before else "declaration_request"
                    ),
                    language=language,
                    context={
                        "contact_name": contact.name,
                        "supplier_name": supplier.local_name
                        if language == "ja" and supplier.local_name
                        else supplier.legal_name,
                        "declaration": version.title_in(language),
                        "version_number": version.number,
                        "effective_date": version.effective_date,
                        "path": path,
                    },
                )
            )
    return len(emails_enqueue_many(messages=specs, group=f"{KEY_PREFIX}:v{version.pk}"))


def reminders_send_all() -> int:
    """The schedule's run: this week's round for every published version."""
    total = 0
    for version_id in DeclarationVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list(
        "pk", flat=True
    ):
        total += requests_send(actor=None, version_id=version_id)
    return total
