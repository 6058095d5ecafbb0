"""The dissemination panel of the staff supplier page (registered with
``suppliers.panels`` from ``DisseminationConfig.ready()``, since suppliers must not import
this app): which guideline versions the supplier was asked to read and acknowledged, and
its partners meetings and awards. Four scoped queries, however much there is."""

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
    attendances, awards = selectors.supplier_meetings(user=user, supplier_id=supplier.pk)
    return Panel(
        template="dissemination/_supplier_panel.html",
        context={
            "entries": selectors.supplier_acknowledgements(user=user, supplier_id=supplier.pk),
            "attendances": attendances,
            "awards": awards,
        },
        order=40,
    )
