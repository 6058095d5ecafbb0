"""The spend import format: procurement amount per supplier and fiscal year."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.models import Supplier, SupplierSpend

from . import cells
from .base import BATCH, CleanRow, Column, ImportKind, chunked, update_rows
from .readers import Cell
from .report import RowError

_field = SupplierSpend._meta.get_field
DEFAULT_CURRENCY = _field("currency").default


class SpendImport(ImportKind):
    name = "spend"
    key = ("supplier_code", "fiscal_year")
    columns = (
        Column("supplier_code", required=True, example="ACME-001"),
        Column("fiscal_year", required=True, example="2020"),
        Column("amount", required=True, example="1,234,567"),
        Column("currency", example=DEFAULT_CURRENCY),
    )
    more_examples = (("EURO-17", "2020", "98000.50", "EUR"),)

    def __init__(self) -> None:
        super().__init__()
        self.supplier_ids: dict[str, int] = {}

    @cached_property
    def cleaners(self) -> dict[str, Callable[[Cell], Any]]:
        return {
            "supplier_code": cells.cell_as_text,
            "fiscal_year": lambda c: cells.integer(_field("fiscal_year"), c),
            "amount": lambda c: cells.decimal(_field("amount"), c),
            "currency": self._currency,
        }

    @staticmethod
    def _currency(cell: Cell) -> str:
        if cell is None:
            return DEFAULT_CURRENCY
        return cells.text(_field("currency"), cells.cell_as_text(cell).upper())

    def cross_row_errors(self, rows: list[CleanRow]) -> list[RowError]:
        errors = self.duplicate_errors(rows)
        codes = sorted({r.values["supplier_code"] for r in rows if "supplier_code" in r.values})
        for chunk in chunked(codes):
            self.supplier_ids.update(
                Supplier.objects.filter(code__in=chunk).values_list("code", "id")
            )
        for row in rows:
            code = row.values.get("supplier_code")
            if code is not None and code not in self.supplier_ids:
                errors.append(
                    RowError(
                        row.number,
                        "supplier_code",
                        _("No supplier has the code “%(code)s”. Import the supplier first.")
                        % {"code": code},
                        code,
                    )
                )
        return errors

    def write(self, rows: list[CleanRow], *, dry_run: bool) -> tuple[int, int, int]:
        existing: dict[tuple[int, int], tuple[int, Any, str]] = {}
        for chunk in chunked(sorted({self.supplier_ids[r.values["supplier_code"]] for r in rows})):
            for pk, supplier_id, year, amount, currency in SupplierSpend.objects.filter(
                supplier_id__in=chunk
            ).values_list("id", "supplier_id", "fiscal_year", "amount", "currency"):
                existing[(supplier_id, year)] = (pk, amount, currency)
        to_create: list[SupplierSpend] = []
        to_update: list[SupplierSpend] = []
        unchanged = 0
        now = timezone.now()
        for row in rows:
            v = row.values
            supplier_id = self.supplier_ids[v["supplier_code"]]
            currency = v.get("currency", DEFAULT_CURRENCY)
            old = existing.get((supplier_id, v["fiscal_year"]))
            if old is None:
                to_create.append(
                    SupplierSpend(
                        supplier_id=supplier_id,
                        fiscal_year=v["fiscal_year"],
                        amount=v["amount"],
                        currency=currency,
                    )
                )
            elif (old[1], old[2]) == (v["amount"], currency):
                unchanged += 1
            else:
                to_update.append(
                    SupplierSpend(pk=old[0], amount=v["amount"], currency=currency, updated_at=now)
                )
        if not dry_run:
            SupplierSpend.objects.bulk_create(to_create, batch_size=BATCH)
            update_rows(SupplierSpend, to_update, ["amount", "currency", "updated_at"])
        return len(to_create), len(to_update), unchanged
