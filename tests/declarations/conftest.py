"""Declarations fixtures: a published version and a new supplier of the current year."""

from __future__ import annotations

import pytest

from procurement_portal.fiscal import current_fiscal_year

from .helpers import make_version


@pytest.fixture
def version(db):
    return make_version()


@pytest.fixture
def new_supplier(supplier):
    """The supplier fixture, made a new supplier of the current fiscal year."""
    supplier.transactions_started_on = current_fiscal_year().start
    supplier.save(update_fields=["transactions_started_on"])
    return supplier
