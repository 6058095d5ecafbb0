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

from .base import ACKNOWLEDGE, MANAGE, REMINDER_MIN_INTERVAL
from .library import (
    acknowledgement_create,
    audience_suppliers,
    document_create,
    document_update,
    version_create,
    version_file_attach,
    version_publish,
    version_retire,
    version_update,
)
from .mail import reminders_due, version_remind, version_requests_send
from .meetings import (
    attendance_record,
    award_create,
    award_delete,
    meeting_create,
    meeting_invite,
    meeting_update,
)

__all__ = [
    "ACKNOWLEDGE",
    "MANAGE",
    "REMINDER_MIN_INTERVAL",
    "acknowledgement_create",
    "attendance_record",
    "audience_suppliers",
    "award_create",
    "award_delete",
    "document_create",
    "document_update",
    "meeting_create",
    "meeting_invite",
    "meeting_update",
    "reminders_due",
    "version_create",
    "version_file_attach",
    "version_publish",
    "version_remind",
    "version_requests_send",
    "version_retire",
    "version_update",
]
