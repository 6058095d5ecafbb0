"""The database-written CSV (PostgreSQL COPY) is byte for byte the CSV the Python writer
makes of the same rows: formula text neutralised (behind invisible characters too),
numbers, dates, local times, booleans, empty and missing cells, Japanese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from reports.exports import csv_response, queryset_csv_response
from suppliers.models import Supplier

pytestmark = pytest.mark.django_db

NAMES = [
    "Acme",
    "=1+1",
    "+81 3 1234",
    "-5",
    "@SUM(A1)",
    "\u200b=HYPERLINK()",
    "\u3000=cmd",
    " \t=x",
    "アクメ部品",
    'a,b "quoted"',
    "line\nbreak",
    "\u202e@evil",
    "",
    "\uff1d full-width equals",
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_csv_equals_the_python_writer():
    for n, name in enumerate(NAMES):
        supplier = Supplier.objects.create(
            code=f"CP-{n:02d}",
            legal_name=name or "x",
            local_name=name,
            country="JP",
            is_strategic_partner=bool(n % 2),
            transactions_started_on=dt.date(2020, 1, n + 1) if n % 3 else None,
        )
        Supplier.objects.filter(pk=supplier.pk).update(
            created_at=timezone.make_aware(dt.datetime(2026, 3, 31, 23, 30)) + dt.timedelta(hours=n)
        )
    rows = (
        Supplier.objects.filter(code__startswith="CP-")
        .order_by("code")
        .values_list(
            "code",
            "legal_name",
            "local_name",
            "country",
            "region",
            "is_strategic_partner",
            "transactions_started_on",
            "created_at",
            "pk",
        )
    )
    header = ["code", "=name", "local", "country", "region", "partner", "start", "at", "id"]
    by_python = _body(csv_response(list(rows), header=header, filename="x.csv"))
    by_database = _body(queryset_csv_response(rows, header=header, filename="x.csv"))
    assert by_database.decode("utf-8") == by_python.decode("utf-8")
