"""The declarations panel of the staff supplier page (registered with suppliers.panels,
which sits below declarations and must not import it). Two queries however many
signatures the supplier has: its signatures with their versions and revocations, and the
current versions it has not signed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from procurement_portal import access
from suppliers.panels import Panel

from . import selectors

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User
    from suppliers.models import Supplier


def panel(*, user: User, supplier: Supplier) -> Panel | None:
    if not access.sees_all_suppliers(user):
        return None
    signatures = list(selectors.signatures_visible_to(user).filter(supplier_id=supplier.pk))
    signed = {s.version_id for s in signatures}
    unsigned = [v for v in selectors.current_versions() if v.pk not in signed]
    return Panel(
        template="declarations/_supplier_panel.html",
        context={"signatures": signatures, "unsigned": unsigned, "supplier": supplier},
        order=20,
    )
