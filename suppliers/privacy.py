"""Personal data of supplier contacts: export on request, erasure, retention.

Erasure pseudonymises: the contact row stays (signed records and answers keep pointing at
it), but every personal field is replaced, the portal account with the same address is
pseudonymised and deactivated, and the audit trail's copies of the old values are masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement_portal import access
from procurement_portal.accounts.models import Invitation, User

from .models import Contact, SupplierStatus

ERASED = "[erased]"
CONTACT_PERSONAL_FIELDS = ("name", "email", "phone", "job_title")
USER_PERSONAL_FIELDS = ("email", "full_name")


def _check(actor: User | None) -> None:
    if actor is not None and not access.can(actor, access.Action.HANDLE_PRIVACY_REQUESTS):
        raise PermissionDenied(_("You may not handle requests about personal data."))


def _log_entries(obj) -> list[dict[str, Any]]:
    entries = LogEntry.objects.get_for_object(obj).select_related("actor").order_by("timestamp")
    return [
        {
            "when": e.timestamp.isoformat(),
            "action": e.get_action_display(),
            "by": e.actor.get_full_name() if e.actor else None,
            "changes": e.changes_dict,
        }
        for e in entries
    ]


def contact_personal_data(*, actor: User | None, contact: Contact) -> dict[str, Any]:
    """Everything the portal holds about the person behind a contact, as JSON-ready data."""
    _check(actor)
    user = User.objects.filter(email__iexact=contact.email).first()
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "contact": {
            "supplier_code": contact.supplier.code,
            "supplier": contact.supplier.legal_name,
            **{f: getattr(contact, f) for f in CONTACT_PERSONAL_FIELDS},
            "language": contact.language,
            "is_primary": contact.is_primary,
            "created_at": contact.created_at.isoformat(),
            "updated_at": contact.updated_at.isoformat(),
        },
        "contact_history": _log_entries(contact),
        "account": None,
        "invitations": [
            {
                "supplier_code": inv.supplier.code,
                "sent_at": inv.created_at.isoformat(),
                "state": inv.state,
            }
            for inv in Invitation.objects.filter(email__iexact=contact.email).select_related(
                "supplier"
            )
        ],
    }
    if user is not None:
        data["account"] = {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "preferred_language": user.preferred_language,
            "active": user.is_active,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "suppliers": list(user.memberships.values_list("supplier__code", flat=True)),
            "history": _log_entries(user),
        }
    return data


def _mask_history(obj, fields: tuple[str, ...]) -> None:
    ct = ContentType.objects.get_for_model(obj.__class__)
    for entry in LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)):
        changes = entry.changes_dict
        for field in fields:
            if field in changes:
                changes[field] = [ERASED if v not in (None, "") else v for v in changes[field]]
        LogEntry.objects.filter(pk=entry.pk).update(
            changes=changes, changes_text="", object_repr=ERASED, serialized_data=None
        )


@transaction.atomic
def contact_erase(*, actor: User | None, contact: Contact) -> Contact:
    """Pseudonymise a contact (and the account with the same address). Safe to run twice."""
    _check(actor)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    original_email = contact.email
    user = (
        User.objects.select_for_update().filter(email__iexact=original_email).first()
        if "@erased.invalid" not in original_email
        else None
    )
    contact.name = _("Erased contact")
    contact.email = f"erased-{contact.pk}@erased.invalid"
    contact.phone = ""
    contact.job_title = ""
    contact.is_primary = False
    contact.save(update_fields=[*CONTACT_PERSONAL_FIELDS, "is_primary", "updated_at"])
    _mask_history(contact, CONTACT_PERSONAL_FIELDS)
    if user is not None and access.acts_for_suppliers(user):
        user.email = f"erased-user-{user.pk}@erased.invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password", "updated_at"])
        _mask_history(user, USER_PERSONAL_FIELDS)
    Invitation.objects.filter(email__iexact=original_email).update(
        email=contact.email, revoked_at=timezone.now()
    )
    return contact


def contacts_past_retention(*, now: dt.datetime | None = None):
    """Contacts of inactive suppliers untouched for longer than the retention period."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.CONTACT_RETENTION_DAYS)
    return Contact.objects.filter(
        supplier__status=SupplierStatus.INACTIVE,
        supplier__updated_at__lt=cutoff,
        updated_at__lt=cutoff,
    ).exclude(email__endswith="@erased.invalid")


def contacts_apply_retention(*, now: dt.datetime | None = None) -> int:
    """Erase every contact past retention; returns how many were erased."""
    count = 0
    for contact in contacts_past_retention(now=now).select_related("supplier").iterator():
        contact_erase(actor=None, contact=contact)
        count += 1
    return count
