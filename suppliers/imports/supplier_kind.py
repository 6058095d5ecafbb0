"""The supplier import format: one row per supplier, keyed on its code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.models import Category, Supplier, SupplierStatus

from . import cells
from .base import BATCH, CleanRow, Column, ImportKind, chunked, update_rows
from .readers import Cell

_field = Supplier._meta.get_field
# Columns an empty cell leaves as they are on an existing supplier (a blank must not
# silently re-activate a suspended supplier); new suppliers get the model default.
KEEP_WHEN_EMPTY = {"status", "preferred_language"}


class SupplierImport(ImportKind):
    name = "suppliers"
    key = ("code",)
    columns = (
        Column("code", required=True, example="ACME-001"),
        Column("legal_name", required=True, example="Acme Parts Co., Ltd."),
        Column("local_name", example="アクメ部品株式会社"),
        Column("country", required=True, example="JP"),
        Column("preferred_language", example="ja"),
        Column("categories", example="hardware;components"),
        Column("status", example=SupplierStatus.ACTIVE),
        Column("transactions_started_on", example="2019-04-01"),
        Column("is_strategic_partner", example="yes"),
        Column("handles_confidential_info", example="no"),
    )
    more_examples = (
        ("EURO-17", "Euro Logistics GmbH", "", "Germany", "en", "logistics", "", "", "no", "no"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.category_ids = dict(Category.objects.values_list("code", "id"))
        self.country = cells.CountryLookup()

    @cached_property
    def cleaners(self) -> dict[str, Callable[[Cell], Any]]:
        def optional(parse: Callable[[Cell], Any]) -> Callable[[Cell], Any]:
            return lambda cell: None if cell is None else parse(cell)

        return {
            "code": lambda c: cells.text(_field("code"), c),
            "legal_name": lambda c: cells.text(_field("legal_name"), c),
            "local_name": lambda c: cells.text(_field("local_name"), c),
            "country": self.country,
            "preferred_language": optional(lambda c: cells.choice(_field("preferred_language"), c)),
            "categories": self._categories,
            "status": optional(self._status),
            "transactions_started_on": optional(cells.date),
            "is_strategic_partner": cells.boolean,
            "handles_confidential_info": cells.boolean,
        }

    @staticmethod
    def _status(cell: Cell) -> str:
        # A termination needs its date and reason, which a registry row does not carry:
        # it is recorded on the supplier's page or through the API.
        value = cells.choice(_field("status"), cell)
        if value == SupplierStatus.TERMINATED:
            raise cells.CellError(
                _("Terminate a supplier on its page, with the date and the reason.")
            )
        return value

    def _categories(self, cell: Cell) -> frozenset[int]:
        codes = [c.strip() for c in cells.cell_as_text(cell).split(";") if c.strip()]
        unknown = [c for c in codes if c not in self.category_ids]
        if unknown:
            raise cells.CellError(
                _("Unknown category %(unknown)s. The categories are: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(self.category_ids))}
            )
        return frozenset(self.category_ids[c] for c in codes)

    # --- writing -----------------------------------------------------------------------

    def write(self, rows: list[CleanRow], *, dry_run: bool) -> tuple[int, int, int]:
        plan = self._plan(rows)
        if not dry_run:
            self._save(plan)
        return len(plan.create), len(plan.updated_codes), plan.unchanged

    def _plan(self, rows: list[CleanRow]) -> _Plan:
        """Compare every row with the database: what to create, update, or leave alone."""
        fields = [n for n in self.present if n not in ("code", "categories")]
        plan = _Plan(fields=fields, with_categories="categories" in self.present)
        plan.existing = self._existing([r.values["code"] for r in rows], fields)
        current = (
            self._current_categories([e["id"] for e in plan.existing.values()])
            if plan.with_categories
            else {}
        )
        now = timezone.now()
        for row in rows:
            values = dict(row.values)
            categories = values.pop("categories", None)
            old = plan.existing.get(values["code"])
            if old is None:
                plan.create.append(Supplier(**{k: v for k, v in values.items() if v is not None}))
                if categories:
                    plan.categories[values["code"]] = categories
                continue
            for name in KEEP_WHEN_EMPTY:
                if name in values and values[name] is None:
                    values[name] = old[name]
            changed = any(values[f] != old[f] for f in fields)
            if changed:
                plan.update.append(Supplier(pk=old["id"], updated_at=now, **values))
            if plan.with_categories and categories != current.get(old["id"], frozenset()):
                plan.categories[values["code"]] = categories
                changed = True
            if changed:
                plan.updated_codes.add(values["code"])
            else:
                plan.unchanged += 1
        return plan

    def _existing(self, codes: list[str], fields: list[str]) -> dict[str, dict]:
        existing: dict[str, dict] = {}
        for chunk in chunked(codes):
            for values in Supplier.objects.filter(code__in=chunk).values("id", "code", *fields):
                existing[values["code"]] = values
        return existing

    def _current_categories(self, supplier_ids: list[int]) -> dict[int, frozenset[int]]:
        through = Supplier.categories.through
        found: dict[int, set[int]] = defaultdict(set)
        for chunk in chunked(supplier_ids):
            pairs = through.objects.filter(supplier_id__in=chunk).values_list(
                "supplier_id", "category_id"
            )
            for supplier_id, category_id in pairs:
                found[supplier_id].add(category_id)
        return {k: frozenset(v) for k, v in found.items()}

    def _save(self, plan: _Plan) -> None:
        Supplier.objects.bulk_create(plan.create, batch_size=BATCH)
        if plan.update:
            update_rows(Supplier, plan.update, [*plan.fields, "updated_at"])
        if not plan.categories:
            return
        ids = {code: e["id"] for code, e in plan.existing.items()}
        ids.update({s.code: s.pk for s in plan.create if s.pk is not None})
        missing = [s.code for s in plan.create if s.pk is None]
        for chunk in chunked(missing):  # databases that do not return ids from bulk inserts
            ids.update(Supplier.objects.filter(code__in=chunk).values_list("code", "id"))
        through = Supplier.categories.through
        replaced = [ids[code] for code in plan.categories if code in plan.existing]
        for chunk in chunked(replaced):
            through.objects.filter(supplier_id__in=chunk).delete()
        through.objects.bulk_create(
            [
                through(supplier_id=ids[code], category_id=category_id)
                for code, categories in plan.categories.items()
                for category_id in sorted(categories)
            ],
            batch_size=BATCH * 5,
        )


@dataclass
class _Plan:
    fields: list[str]
    with_categories: bool
    existing: dict[str, dict] = field(default_factory=dict)
    create: list[Supplier] = field(default_factory=list)
    update: list[Supplier] = field(default_factory=list)
    # code -> the complete new category set, for new suppliers and changed ones
    categories: dict[str, frozenset[int]] = field(default_factory=dict)
    updated_codes: set[str] = field(default_factory=set)
    unchanged: int = 0
