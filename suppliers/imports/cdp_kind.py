"""The CDP Supply Chain import format: which suppliers took part in the programme in a
fiscal year (CDP sends the list of responding suppliers once a year)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.utils import timezone

from suppliers.models import CdpParticipation

from . import cells
from .base import BATCH, CleanRow, Column, chunked, update_rows
from .readers import Cell
from .spend_kind import SpendImport

_field = CdpParticipation._meta.get_field


class CdpImport(SpendImport):
    """Keyed on supplier code and fiscal year like spend, and checked the same way (every
    code must name a supplier already in the registry), so it borrows spend's checks."""

    name = "cdp"
    key = ("supplier_code", "fiscal_year")
    columns = (
        Column("supplier_code", required=True, example="ACME-001"),
        Column("fiscal_year", required=True, example="2020"),
        Column("responded", example="yes"),
        Column("note", example="Climate change questionnaire"),
    )
    more_examples = (("EURO-17", "2020", "no", ""),)

    @cached_property
    def cleaners(self) -> dict[str, Callable[[Cell], Any]]:
        return {
            "supplier_code": cells.cell_as_text,
            "fiscal_year": lambda c: cells.integer(_field("fiscal_year"), c),
            # An empty cell means the supplier is in the programme and answered.
            "responded": lambda c: True if c is None else cells.boolean(c),
            "note": lambda c: "" if c is None else cells.text(_field("note"), c),
        }

    def write(self, rows: list[CleanRow], *, dry_run: bool) -> tuple[int, int, int]:
        existing: dict[tuple[int, int], tuple[int, bool, str]] = {}
        for chunk in chunked(sorted({self.supplier_ids[r.values["supplier_code"]] for r in rows})):
            for pk, supplier_id, year, responded, note in CdpParticipation.objects.filter(
                supplier_id__in=chunk
            ).values_list("id", "supplier_id", "fiscal_year", "responded", "note"):
                existing[(supplier_id, year)] = (pk, responded, note)
        to_create: list[CdpParticipation] = []
        to_update: list[CdpParticipation] = []
        unchanged = 0
        now = timezone.now()
        for row in rows:
            v = row.values
            supplier_id = self.supplier_ids[v["supplier_code"]]
            responded = v.get("responded", True)
            old = existing.get((supplier_id, v["fiscal_year"]))
            note = v.get("note", old[2] if old else "")
            if old is None:
                to_create.append(
                    CdpParticipation(
                        supplier_id=supplier_id,
                        fiscal_year=v["fiscal_year"],
                        responded=responded,
                        note=note,
                    )
                )
            elif (old[1], old[2]) == (responded, note):
                unchanged += 1
            else:
                to_update.append(
                    CdpParticipation(pk=old[0], responded=responded, note=note, updated_at=now)
                )
        if not dry_run:
            CdpParticipation.objects.bulk_create(to_create, batch_size=BATCH)
            update_rows(CdpParticipation, to_update, ["responded", "note", "updated_at"])
        return len(to_create), len(to_update), unchanged
