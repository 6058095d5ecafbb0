"""The reports' share of the other supplier's world for the route walk: the registry rows
the figures added (a CDP Supply Chain participation at OTHER_ID), so the walk proves the
API and pages over them are scoped like every other supplier record."""

from __future__ import annotations

from suppliers.models import CdpParticipation


def build(*, other, buyer) -> None:
    from tests.test_route_scoping import OTHER_ID

    CdpParticipation.objects.create(pk=OTHER_ID, supplier=other, fiscal_year=2020, note="hidden")


def snapshot() -> tuple:
    from tests.test_route_scoping import OTHER_ID

    return (list(CdpParticipation.objects.filter(pk=OTHER_ID).values()),)
