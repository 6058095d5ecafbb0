"""Access scoping: the one place that decides what a user may see and change.

Every page, API endpoint, export and task asks this module, never the role field
directly. Two questions are answered here:

* **visibility**: which rows of a supplier-owned model a user may see.
  ``ScopedQuerySet.visible_to(user)`` filters any queryset whose model declares
  ``supplier_path`` (the lookup from that model to ``suppliers.Supplier``; ``""`` for the
  supplier itself). Company-side roles see every supplier; a supplier user sees only the
  suppliers they are a member of; anyone else sees nothing. Another supplier's object is
  therefore simply absent, and pages and the API answer 404.
* **capability**: what a role may do (``can(user, action)``). The CSCO reads everything
  and changes nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Self

from django.apps import apps
from django.db import models

from procurement_portal.accounts.roles import STAFF_ROLES, Role

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User


class Action(StrEnum):
    VIEW_ALL_SUPPLIERS = "view_all_suppliers"
    MANAGE_SUPPLIERS = "manage_suppliers"  # create/update suppliers, sites, contacts
    MANAGE_SPEND = "manage_spend"  # spend and critical designations
    IMPORT_DATA = "import_data"
    MANAGE_USERS = "manage_users"
    VIEW_OWN_SUPPLIER = "view_own_supplier"
    HANDLE_PRIVACY_REQUESTS = "handle_privacy_requests"  # export / erase personal data
    ANSWER_ASSESSMENTS = "answer_assessments"  # a supplier user answers its own company's
    ASSIGN_ASSESSMENTS = "assign_assessments"  # give a supplier a questionnaire for a year
    REVIEW_ASSESSMENTS = "review_assessments"  # comment, return, accept; items; levels
    MANAGE_QUESTIONNAIRES = "manage_questionnaires"  # import, export, publish


_CAPABILITIES: dict[str, frozenset[Action]] = {
    Role.SUPPLIER: frozenset({Action.VIEW_OWN_SUPPLIER, Action.ANSWER_ASSESSMENTS}),
    Role.PROCUREMENT: frozenset(
        {
            Action.VIEW_ALL_SUPPLIERS,
            Action.MANAGE_SUPPLIERS,
            Action.MANAGE_SPEND,
            Action.IMPORT_DATA,
            Action.ASSIGN_ASSESSMENTS,
            Action.REVIEW_ASSESSMENTS,
        }
    ),
    # Information-security assessors review (information-security) self-assessments and
    # set levels; they change nothing in the registry.
    Role.INFOSEC_ASSESSOR: frozenset({Action.VIEW_ALL_SUPPLIERS, Action.REVIEW_ASSESSMENTS}),
    Role.CSCO: frozenset({Action.VIEW_ALL_SUPPLIERS}),
    Role.COMPLIANCE: frozenset({Action.VIEW_ALL_SUPPLIERS, Action.HANDLE_PRIVACY_REQUESTS}),
    Role.ADMIN: frozenset(
        {
            Action.VIEW_ALL_SUPPLIERS,
            Action.MANAGE_SUPPLIERS,
            Action.MANAGE_SPEND,
            Action.IMPORT_DATA,
            Action.MANAGE_USERS,
            Action.HANDLE_PRIVACY_REQUESTS,
            Action.ASSIGN_ASSESSMENTS,
            Action.REVIEW_ASSESSMENTS,
            Action.MANAGE_QUESTIONNAIRES,
        }
    ),
}


def _is_live(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user: User | None, action: Action | str) -> bool:
    """Whether the user's role allows the action (no object involved)."""
    if not _is_live(user):
        return False
    return Action(action) in _CAPABILITIES.get(user.role, frozenset())


def sees_all_suppliers(user: User | None) -> bool:
    return _is_live(user) and user.role in STAFF_ROLES


def member_supplier_ids(user: User | None) -> models.QuerySet:
    """Subquery of the supplier ids a supplier user acts for (empty for everyone else)."""
    # Through the apps registry: accounts.models imports this module (ScopedQuerySet), so
    # importing it back would make the two modules depend on each other.
    SupplierMembership = apps.get_model("accounts", "SupplierMembership")

    if not _is_live(user) or user.role != Role.SUPPLIER:
        return SupplierMembership.objects.none().values("supplier_id")
    return SupplierMembership.objects.filter(user_id=user.pk).values("supplier_id")


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see.

    Models opt in by using ``ScopedQuerySet.as_manager()`` (or a subclass) and setting
    ``supplier_path`` on the model: ``""`` for Supplier itself, ``"supplier"`` for a model
    with a ``supplier`` foreign key, ``"assessment__supplier"`` for something deeper.
    """

    def visible_to(self, user: User | None) -> Self:
        if sees_all_suppliers(user):
            return self.all()
        if not _is_live(user) or user.role != Role.SUPPLIER:
            return self.none()
        path = getattr(self.model, "supplier_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} declares no supplier_path")
        lookup = f"{path}__in" if path else "pk__in"
        return self.filter(**{lookup: member_supplier_ids(user)})
