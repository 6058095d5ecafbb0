"""Strategic supply chain partners meetings: the meeting, invitations, attendance
and awards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procurement_portal import access
from suppliers.models import Supplier, SupplierStatus

from ..models import (
    MANAGERS_MAX,
    Award,
    AwardCategory,
    MeetingAttendance,
    PartnerMeeting,
)
from .base import MANAGE, _clean, _suppliers_by_code, _visible

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
