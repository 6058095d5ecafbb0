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

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from procurement_portal.accounts.roles import Role

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
    # Review every kind of questionnaire; reviewers without it (information-security
    # assessors) review the information-security questionnaires only.
    REVIEW_EVERY_QUESTIONNAIRE = "review_every_questionnaire"
    # Invite people to act for a supplier and end their access; the supplier's own
    # administrators may too, for their company (the rule registered by accounts).
    INVITE_USERS = "invite_users"
    # Read the CSCO dashboard and its drill-down lists (aggregates across every supplier).
    VIEW_DASHBOARD = "view_dashboard"
    # Export the annual figures for the sustainability report.
    EXPORT_ANNUAL_FIGURES = "export_annual_figures"


VIEW = "view"  # the object-level action "may see it": the scope alone


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
            Action.REVIEW_EVERY_QUESTIONNAIRE,
            Action.INVITE_USERS,
            Action.VIEW_DASHBOARD,
        }
    ),
    # Information-security assessors review (information-security) self-assessments and
    # set levels; they change nothing in the registry.
    Role.INFOSEC_ASSESSOR: frozenset({Action.VIEW_ALL_SUPPLIERS, Action.REVIEW_ASSESSMENTS}),
    Role.CSCO: frozenset({Action.VIEW_ALL_SUPPLIERS, Action.VIEW_DASHBOARD}),
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
            Action.REVIEW_EVERY_QUESTIONNAIRE,
            Action.INVITE_USERS,
            Action.VIEW_DASHBOARD,
            Action.EXPORT_ANNUAL_FIGURES,
        }
    ),
}


def _is_live(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user: User | None, action: Action | str, obj: Any = None) -> bool:
    """Whether the user may do the action: the role's capability, or with ``obj`` the rule
    registered for the object's model and action (the capability when there is none)."""
    if not _is_live(user):
        return False
    if obj is not None:
        return _allowed(user, action, obj)
    return Action(action) in _CAPABILITIES.get(user.role, frozenset())


def roles_that_can(action: Action | str) -> list[str]:
    """The roles holding a capability (for finding whom to notify, never for deciding)."""
    return [role for role, actions in _CAPABILITIES.items() if Action(action) in actions]


def sees_all_suppliers(user: User | None) -> bool:
    return can(user, Action.VIEW_ALL_SUPPLIERS)


def is_supplier_user(user: User | None) -> bool:
    """A live user acting for suppliers (a member of their own company only)."""
    return can(user, Action.VIEW_OWN_SUPPLIER)


def acts_for_suppliers(user: User | None) -> bool:
    """Whether the account is a supplier-side account, live or not (accounts' services
    ask this of people they invite, erase or deactivate)."""
    return user is not None and getattr(user, "role", None) == Role.SUPPLIER


def member_supplier_ids(user: User | None) -> models.QuerySet:
    """Subquery of the supplier ids a supplier user acts for (empty for everyone else)."""
    # Through the apps registry: accounts.models imports this module (ScopedQuerySet), so
    # importing it back would make the two modules depend on each other.
    SupplierMembership = apps.get_model("accounts", "SupplierMembership")

    if not is_supplier_user(user):
        return SupplierMembership.objects.none().values("supplier_id")
    return SupplierMembership.objects.filter(user_id=user.pk).values("supplier_id")


def _member_ids_set(user: User) -> frozenset[int]:
    """The member supplier ids as a set, cached on the user object for the request."""
    cached = getattr(user, "_access_member_ids", None)
    if cached is None:
        cached = frozenset(member_supplier_ids(user).values_list("supplier_id", flat=True))
        user._access_member_ids = cached
    return cached


# --- the registry: how each model is scoped, and its object rules ---------------------------


@dataclass(frozen=True)
class Scope:
    supplier_path: str | None = None  # "" for Supplier itself
    staff_only: bool = False  # company-side records: supplier users see none of them
    shared: bool = False  # reference data every live user reads (risks, categories...)
    # Rows seen through another record (a generated document through its subject): a
    # function ``(user, queryset) -> queryset`` that keeps the rows the user may see.
    follows: Callable[[Any, models.QuerySet], models.QuerySet] | None = None


Rule = Callable[["User", Any], bool]
_DECLARED: dict[str, Scope] = {}
_RULES: dict[tuple[str, str], Rule] = {}
_ROW_RULES: dict[tuple[str, str], Callable[[User, models.QuerySet], models.QuerySet]] = {}


def _label(model_or_label) -> str:
    if isinstance(model_or_label, str):
        return model_or_label
    return model_or_label._meta.label


def declare(
    model_label: str,
    *,
    staff_only: bool = False,
    shared: bool = False,
    follows: Callable[[Any, models.QuerySet], models.QuerySet] | None = None,
) -> None:
    """Declare the scope of a model that has no ``supplier_path`` (apps call this from
    ``AppConfig.ready()``; a model may instead say ``staff_only = True`` itself), or whose
    rows are visible through another record (``follows``)."""
    _DECLARED[model_label] = Scope(staff_only=staff_only, shared=shared, follows=follows)


def rule(model_label: str, action: Action | str):
    """Register (as a decorator) the object rule for one model and action: a function
    ``(user, obj) -> bool``, called for a live user who sees the object."""

    def register(function: Rule) -> Rule:
        _RULES[(model_label, str(action))] = function
        return function

    return register


def row_rule(model_label: str, action: Action | str):
    """Register the row filter of ``visible_to(user, ..., action=action)`` for one model:
    a function ``(user, queryset) -> queryset`` narrowing the visible rows further.

    A row filter for ``VIEW`` narrows what the user sees at all, for every action; its
    object rule, ``rule(model_label, VIEW)``, makes ``sees`` and ``require`` agree with
    it (visits: a supplier sees one only once its letter is issued)."""

    def register(function):
        _ROW_RULES[(model_label, str(action))] = function
        return function

    return register


def scope_of(model) -> Scope:
    label = _label(model)
    if label in _DECLARED:
        return _DECLARED[label]
    if getattr(model, "staff_only", False):
        return Scope(staff_only=True)
    if getattr(model, "shared", False):
        return Scope(shared=True)
    path = getattr(model, "supplier_path", None)
    if path is None:
        raise TypeError(f"{label} declares no scope (supplier_path, staff_only or shared)")
    return Scope(supplier_path=path)


def visible_to(user: User | None, rows, action: Action | str = VIEW) -> models.QuerySet:
    """The rows (a queryset, or a model for all its rows) the user may see, and with an
    ``action`` other than ``"view"`` may also act on: nothing without the capability,
    and narrowed by the model's row rule for that action when one is registered."""
    queryset = rows if isinstance(rows, models.QuerySet) else rows._default_manager.all()
    model = queryset.model
    scope = scope_of(model)
    if not _is_live(user):
        return queryset.none()
    if scope.follows is not None:
        queryset = scope.follows(user, queryset)
    elif scope.shared or sees_all_suppliers(user):
        pass
    elif scope.staff_only or not is_supplier_user(user):
        return queryset.none()
    else:
        path = scope.supplier_path
        lookup = f"{path}__in" if path else "pk__in"
        queryset = queryset.filter(**{lookup: member_supplier_ids(user)})
    view_filter = _ROW_RULES.get((_label(model), VIEW))
    if view_filter is not None:
        queryset = view_filter(user, queryset)
    if str(action) != VIEW:
        if not can(user, action):
            return queryset.none()
        row_filter = _ROW_RULES.get((_label(model), str(action)))
        if row_filter is not None:
            queryset = row_filter(user, queryset)
    return queryset


@dataclass(frozen=True)
class _SupplierSide:
    """Any live supplier user, with no membership: what the VIEW row rules decide for
    the supplier side as such (see ``as_supplier_sees``)."""

    role: str = Role.SUPPLIER
    pk: None = None
    is_authenticated: bool = True
    is_active: bool = True


def as_supplier_sees(rows) -> models.QuerySet:
    """The rows of ``rows`` the supplier's own side may see at all: the model's ``VIEW``
    row rule applied as for a supplier user, the supplier scope left to the caller (who
    has already picked the supplier). For telling a supplier about its records, whose
    contacts may have no account: a visit's improvement item before its letter is
    issued is the company's working file, and no notice may name it."""
    queryset = rows if isinstance(rows, models.QuerySet) else rows._default_manager.all()
    view_filter = _ROW_RULES.get((_label(queryset.model), VIEW))
    return queryset if view_filter is None else view_filter(_SupplierSide(), queryset)


def _owner_id(obj, path: str) -> int | None:
    if path == "":
        return obj.pk
    parts = path.split("__")
    target = obj
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{parts[-1]}_id", None)


def sees(user: User | None, obj) -> bool:
    """Whether the object is in the user's scope (``visible_to`` for one object)."""
    if not _is_live(user):
        return False
    scope = scope_of(type(obj))
    if scope.follows is not None:
        return scope.follows(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
    if scope.shared or sees_all_suppliers(user):
        in_scope = True
    elif scope.staff_only or not is_supplier_user(user):
        return False
    else:
        in_scope = _owner_id(obj, scope.supplier_path) in _member_ids_set(user)
    view_rule = _RULES.get((_label(type(obj)), VIEW))
    return in_scope and (view_rule is None or bool(view_rule(user, obj)))


def _allowed(user: User, action: Action | str, obj) -> bool:
    if not sees(user, obj):
        return False
    if str(action) == VIEW:
        return True
    function = _RULES.get((_label(type(obj)), str(action)))
    if function is not None:
        return bool(function(user, obj))
    return Action(action) in _CAPABILITIES.get(user.role, frozenset())


def require(user: User | None, action: Action | str, obj, message: str | None = None) -> None:
    """Raise ``Http404`` when the object is not visible to the user at all (scope first:
    a 403 would confirm it exists), ``PermissionDenied`` when it is visible but the action
    is not allowed. Staff-only kinds answer 403 to everyone else, as their lists do."""
    if not sees(user, obj):
        if _is_live(user) and scope_of(type(obj)).staff_only:
            raise PermissionDenied(message)
        raise Http404
    if not _allowed(user, action, obj):
        raise PermissionDenied(message)


def require_capability(user: User | None, action: Action | str, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the user's role allows the action (no object)."""
    if not can(user, action):
        raise PermissionDenied(message)


def require_staff(user: User | None, message: str | None = None) -> None:
    """Raise ``PermissionDenied`` unless the user is company staff (sees every supplier):
    pages and endpoints over company-side records (queues, campaigns, imports)."""
    require_capability(user, Action.VIEW_ALL_SUPPLIERS, message)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what a user may see.

    Models opt in by using ``ScopedQuerySet.as_manager()`` (or a subclass) and setting
    ``supplier_path`` on the model: ``""`` for Supplier itself, ``"supplier"`` for a model
    with a ``supplier`` foreign key, ``"assessment__supplier"`` for something deeper.
    """

    def visible_to(self, user: User | None, action: Action | str = VIEW) -> Self:
        return visible_to(user, self, action)
