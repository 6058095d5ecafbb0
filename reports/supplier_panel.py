"""The supplier page's links to the profile PDF and the timeline, registered with
``suppliers.panels`` from ``ReportsConfig.ready()`` (suppliers must not import reports,
the floor above it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from suppliers.panels import Panel

if TYPE_CHECKING:
    from procurement_portal.accounts.models import User
    from suppliers.models import Supplier


def supplier_profile_link(*, user: User, supplier: Supplier) -> Panel:
    """Whoever sees the supplier page may download its profile: the PDF view applies the
    same scope (``selectors.supplier_detail``)."""
    return Panel(
        template="reports/_supplier_profile_link.html",
        context={"url": reverse("reports:supplier-profile-pdf", kwargs={"pk": supplier.pk})},
        slot="actions",
        order=10,
    )


def supplier_timeline_link(*, user: User, supplier: Supplier) -> Panel:
    """Whoever sees the supplier page may read its timeline (same scope, and each event
    through its own model's ``visible_to``)."""
    return Panel(
        template="reports/_supplier_timeline_link.html",
        context={"url": reverse("reports:timeline", kwargs={"pk": supplier.pk})},
        slot="actions",
        order=11,
    )
