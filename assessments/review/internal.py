"""What stays inside the company: the fields supplier users never see, on pages, in the
API, in PDFs and in the e-mail they are sent (the level notice says the company set the
level, not why). Decided once, here:

* **Information-security levels**: the reason for a staff override and who set it (the
  company's own reasoning and its people's names). A supplier sees its level, the level
  its assessment gave, and that the company set it; the history tells it the same, in
  sentences without names or reasons.
* **Improvement items**: who verified an item (a staff name). The reviewer's note, the
  history of steps and their notes are addressed to the supplier and stay visible.
* **Critical-supplier designations** (the registry, which cannot import this module,
  applies the same rule with ``access.sees_all_suppliers``): the staff's note and who
  designated; the year and the reasons stay visible (supplier page, API, profile PDF).

In the API an internal field keeps its place and is null for supplier users, so every
answer has the shape the schema documents.

Staff (every company-side role) see everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurement_portal import access

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

LEVEL_INTERNAL_FIELDS = frozenset({"override_reason", "set_by"})
ITEM_INTERNAL_FIELDS = frozenset({"verified_by"})


def sees_internal(user: User | None) -> bool:
    """Whether the user may see the company's internal fields (staff only)."""
    return access.sees_all_suppliers(user)


def without_internal(data: dict, fields: frozenset[str], user: User | None) -> dict:
    """``data`` (an API representation) with the internal ``fields`` emptied (null) unless
    the user is staff: the shape stays the one the schema documents."""
    if sees_internal(user):
        return data
    return {key: (None if key in fields else value) for key, value in data.items()}
