"""The notices the portal sends: one registry, read by ``notify`` and the preferences page.

Each kind names its audience (supplier users or company staff), whether the programme
requires it (then no one can turn it off), and its label in both languages (the gettext
catalogue). The e-mail is ``emails/notifications/<code>_subject.txt`` and
``<code>_body.txt`` inside the common layout (``emails/notification.*``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SUPPLIER = "supplier"
STAFF = "staff"


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: Promise
    audience: str
    required: bool = False

    @property
    def subject_template(self) -> str:
        return f"emails/notifications/{self.code}_subject.txt"

    @property
    def body_template(self) -> str:
        return f"emails/notifications/{self.code}_body.txt"


ASSESSMENT_RETURNED = "assessment_returned"
ASSESSMENT_ACCEPTED = "assessment_accepted"
ITEMS_RAISED = "items_raised"
ITEM_VERIFIED = "item_verified"
ITEM_CLOSED = "item_closed"
ITEM_REOPENED = "item_reopened"
ITEMS_OVERDUE = "items_overdue"
LEVEL_OVERRIDDEN = "level_overridden"
REVIEWER_REPLIED = "reviewer_replied"
ASSESSMENT_RESUBMITTED = "assessment_resubmitted"
SUPPLIER_REPLIED = "supplier_replied"
ACTION_PLAN_SUBMITTED = "action_plan_submitted"

KINDS: dict[str, NoticeKind] = {
    k.code: k
    for k in (
        NoticeKind(
            ASSESSMENT_RETURNED,
            _("A self-assessment is returned for clarification"),
            SUPPLIER,
            required=True,
        ),
        NoticeKind(ASSESSMENT_ACCEPTED, _("A self-assessment is accepted"), SUPPLIER),
        NoticeKind(ITEMS_RAISED, _("New improvement items are raised"), SUPPLIER),
        NoticeKind(ITEM_VERIFIED, _("An improvement item is verified"), SUPPLIER),
        NoticeKind(ITEM_CLOSED, _("An improvement item is closed"), SUPPLIER),
        NoticeKind(
            ITEM_REOPENED,
            _("An improvement item is reopened (a better plan is needed)"),
            SUPPLIER,
            required=True,
        ),
        NoticeKind(ITEMS_OVERDUE, _("Improvement items are overdue"), SUPPLIER, required=True),
        NoticeKind(LEVEL_OVERRIDDEN, _("The information-security level is set by staff"), SUPPLIER),
        NoticeKind(REVIEWER_REPLIED, _("A reviewer replies to a comment"), SUPPLIER),
        NoticeKind(
            ASSESSMENT_RESUBMITTED, _("A returned self-assessment is submitted again"), STAFF
        ),
        NoticeKind(SUPPLIER_REPLIED, _("A supplier replies to a comment"), STAFF),
        NoticeKind(ACTION_PLAN_SUBMITTED, _("A supplier submits an action plan"), STAFF),
    )
}


def kind(code: str) -> NoticeKind:
    """The registered kind (KeyError for an unknown code: a programming error)."""
    return KINDS[code]


def kinds_for(audience: str) -> list[NoticeKind]:
    return [k for k in KINDS.values() if k.audience == audience]
