"""Signatures committed at the same moment still make one unbroken chain: the chain head
is locked (a PostgreSQL advisory lock held to the end of the transaction) while a
signature is appended."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from declarations.models import Signature
from declarations.services import verify_chain
from tests.factories import MembershipFactory, SupplierFactory, UserFactory

from .helpers import make_version, sign

SIGNERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_chain_in_order():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; the lock under test is PostgreSQL's")
    version = make_version()
    pairs = []
    for n in range(SIGNERS):
        supplier = SupplierFactory(code=f"RACE-{n}")
        user = UserFactory(email=f"race{n}@example.com", role="supplier")
        MembershipFactory(user=user, supplier=supplier)
        pairs.append((user, supplier))
    start = threading.Barrier(SIGNERS)
    errors = []

    def signer(user, supplier):
        try:
            start.wait()
            sign(user, supplier, version)
        except Exception as exc:  # reported below with the others
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=signer, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = list(Signature.objects.order_by("sequence").values_list("sequence", flat=True))
    assert rows == list(range(1, SIGNERS + 1))
    report = verify_chain()
    assert report.ok and report.checked == SIGNERS
