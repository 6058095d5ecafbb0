"""Panels that higher layers add to the supplier page, without suppliers importing them.

``assessments`` and ``reports`` import ``suppliers``, so the supplier page must not import
them back to show a supplier's assessments or to link its profile PDF. Instead an app
above registers a *provider* here from its ``AppConfig.ready()``; the supplier page asks
every provider for what it adds and includes the template it names. Suppliers knows only
this registry; what the panels say and which URLs they link stays in the app that owns
them.

A provider is ``provider(*, user, supplier) -> Panel | None``: ``None`` (or nothing) when
the user is not to see it. It does its own scoped reads (``visible_to(user)``) with a
fixed number of queries, so the page's query count stays flat however much the supplier
has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User

    from .models import Supplier

Slot = Literal["actions", "main"]


@dataclass(frozen=True)
class Panel:
    """What a provider adds: a template and its data (``panel`` in the template)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    slot: Slot = "main"  # "actions": a link in the page head; "main": a section
    order: int = 100


Provider = Callable[..., "Panel | None"]

_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, by name: ``ready()`` may run twice in tests) a panel provider."""
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def panels_for(*, user: User, supplier: Supplier) -> dict[str, list[Panel]]:
    """Every registered panel the user may see, by slot, in order."""
    found = [
        panel
        for provider in list(_providers.values())
        if (panel := provider(user=user, supplier=supplier)) is not None
    ]
    found.sort(key=lambda p: p.order)
    return {
        "actions": [p for p in found if p.slot == "actions"],
        "main": [p for p in found if p.slot == "main"],
    }
