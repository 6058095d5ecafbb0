"""A signature can never be changed or deleted, and a change behind the portal's back is
found by the hash chain (issue 12, items 2 and 3)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from declarations.models import ZERO_HASH, Revocation, Signature
from declarations.services import signature_revoke, verify_chain
from tests.factories import MembershipFactory, SupplierFactory

from .helpers import sign

pytestmark = pytest.mark.django_db


def _three_signatures(supplier_user, supplier, version):
    others = []
    for n in range(2):
        other = SupplierFactory(code=f"CHAIN-{n}")
        MembershipFactory(user=supplier_user, supplier=other)
        others.append(other)
    supplier_user._access_member_ids = None
    return [sign(supplier_user, s, version) for s in (supplier, *others)]


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_signature_hashes_its_canonical_record_and_names_the_one_before(
    supplier_user, supplier, version
):
    first, second, third = _three_signatures(supplier_user, supplier, version)
    assert [s.sequence for s in (first, second, third)] == [1, 2, 3]
    assert first.previous_hash == ZERO_HASH
    assert second.previous_hash == first.content_hash
    assert third.previous_hash == second.content_hash
    for signature in (first, second, third):
        assert hashlib.sha256(signature.canonical.encode()).hexdigest() == signature.content_hash
    record = json.loads(first.canonical)
    assert record["supplier_code"] == "ACME-001"
    assert record["signer_name"] == "Sachiko Suzuki"
    assert record["text"] == version.text_en
    assert record["version"] == version.number
    assert verify_chain().ok


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE declarations_signature SET signer_name = 'Mallory' WHERE id = %s",
        "DELETE FROM declarations_signature WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_signature(supplier_user, supplier, version, sql):
    signature = sign(supplier_user, supplier, version)
    with pytest.raises(DatabaseError):
        _raw(sql, [signature.pk])
    stored = Signature.objects.get(pk=signature.pk)
    assert stored.signer_name == "Sachiko Suzuki"


def test_the_orm_cannot_change_or_delete_a_signature_even_in_bulk(supplier_user, supplier, version):
    signature = sign(supplier_user, supplier, version)
    with pytest.raises(ValidationError):
        signature.save()
    with pytest.raises(ValidationError):
        signature.delete()
    # Queryset writes skip the model's methods: the database trigger still refuses them.
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(signer_title="CEO")
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=signature.pk)._raw_delete(connection.alias)
    # Deleting the supplier is refused too: its signatures protect it.
    with pytest.raises(ProtectedError), transaction.atomic():
        supplier.delete()
    assert Signature.objects.get(pk=signature.pk).signer_title == "Director"


def test_a_revocation_cannot_be_changed_or_deleted(supplier_user, supplier, version, buyer):
    signature = sign(supplier_user, supplier, version)
    revocation = signature_revoke(actor=buyer, signature_id=signature.pk, reason="Contract ended")
    for sql in (
        "UPDATE declarations_revocation SET reason = 'x' WHERE id = %s",
        "DELETE FROM declarations_revocation WHERE id = %s",
    ):
        with pytest.raises(DatabaseError):
            _raw(sql, [revocation.pk])
    assert Revocation.objects.get(pk=revocation.pk).reason == "Contract ended"


@pytest.fixture
def trigger_disabled():
    """What an attacker with the database owner's rights would do: switch the trigger
    off, change rows, switch it back on (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is switched off with PostgreSQL's ALTER TABLE")

    def tamper(sql, params):
        with transaction.atomic(), connection.cursor() as cursor:
            # The test's own transaction still holds the inserts' deferred foreign-key
            # checks, and PostgreSQL alters no table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE declarations_signature "
                "DISABLE TRIGGER declarations_signature_immutable"
            )
            cursor.execute(sql, params)
            cursor.execute(
                "ALTER TABLE declarations_signature ENABLE TRIGGER declarations_signature_immutable"
            )

    return tamper


def test_verify_reports_a_row_changed_behind_the_portals_back(
    supplier_user, supplier, version, trigger_disabled, capsys
):
    _first, second, _third = _three_signatures(supplier_user, supplier, version)
    call_command("verify_declarations")
    assert "3 signature(s) checked" in capsys.readouterr().out

    trigger_disabled(
        "UPDATE declarations_signature SET signer_name = 'Mallory' WHERE id = %s", [second.pk]
    )

    report = verify_chain()
    assert (report.ok, report.broken_sequence, report.broken_id) == (False, 2, second.pk)
    assert "signer_name" in report.problem
    with pytest.raises(CommandError, match=r"signature #2 .*signer_name"):
        call_command("verify_declarations")


def test_verify_reports_a_rewritten_record_and_a_removed_row(
    supplier_user, supplier, version, trigger_disabled
):
    _first, second, _third = _three_signatures(supplier_user, supplier, version)
    # Rewriting the record and its hash together breaks the next row's link instead.
    forged = second.canonical.replace("Sachiko Suzuki", "Mallory")
    trigger_disabled(
        "UPDATE declarations_signature SET canonical = %s, content_hash = %s, "
        "signer_name = 'Mallory' WHERE id = %s",
        [forged, hashlib.sha256(forged.encode()).hexdigest(), second.pk],
    )
    report = verify_chain()
    assert (report.broken_sequence, report.problem) == (
        3,
        "previous_hash does not match the hash of the signature before it",
    )

    trigger_disabled("DELETE FROM declarations_signature WHERE id = %s", [second.pk])
    report = verify_chain()
    assert report.broken_sequence == 3
    assert "signature number 2 is missing" in report.problem
