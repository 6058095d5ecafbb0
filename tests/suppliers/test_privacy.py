"""Personal data of supplier contacts: access is logged, exported on request, erased by
pseudonymisation, and erased automatically after the retention period."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from procurement_portal.accounts.models import Role, SupplierMembership, User
from suppliers.models import Contact, Supplier
from suppliers.privacy import contacts_apply_retention
from tests.factories import ContactFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hanako(supplier):
    contact = ContactFactory(
        supplier=supplier,
        name="Hanako Yamada",
        email="hanako@acme.example",
        phone="+81 3 1234 5678",
    )
    contact.job_title = "Sustainability manager"
    contact.save()
    return contact


def _url(contact, suffix=""):
    return f"/api/v1/contacts/{contact.pk}/{suffix}"


@pytest.mark.parametrize(
    ("role_fixture", "expected"),
    [
        ("compliance_officer", 200),
        ("admin_user", 200),
        ("buyer", 403),
        ("csco", 403),
        ("supplier_user", 403),
        ("other_supplier_user", 404),
    ],
)
def test_personal_data_export_permissions(request, api_client, hanako, role_fixture, expected):
    api_client.force_authenticate(request.getfixturevalue(role_fixture))
    assert api_client.get(_url(hanako, "personal-data/")).status_code == expected


def test_export_holds_contact_account_history_and_invitations(
    api_client, compliance_officer, hanako, supplier
):
    user = UserFactory(email="hanako@acme.example", full_name="Hanako Yamada", role=Role.SUPPLIER)
    MembershipFactory(user=user, supplier=supplier)
    api_client.force_authenticate(compliance_officer)

    data = api_client.get(_url(hanako, "personal-data/")).json()

    assert data["contact"]["email"] == "hanako@acme.example"
    assert data["contact"]["phone"] == "+81 3 1234 5678"
    assert data["account"]["suppliers"] == ["ACME-001"]
    assert any(e["action"] == "update" for e in data["contact_history"])


def test_erasure_pseudonymises_contact_account_and_history(
    api_client, compliance_officer, hanako, supplier
):
    user = UserFactory(email="hanako@acme.example", full_name="Hanako Yamada", role=Role.SUPPLIER)
    MembershipFactory(user=user, supplier=supplier)
    api_client.force_authenticate(compliance_officer)

    response = api_client.post(_url(hanako, "erase/"))

    assert response.status_code == 200
    hanako.refresh_from_db()
    user.refresh_from_db()
    assert "Hanako" not in hanako.name and hanako.email.endswith("@erased.invalid")
    assert hanako.phone == "" and hanako.job_title == ""
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@erased.invalid") and user.full_name == ""
    # Records stay: the contact row, the membership, the supplier.
    assert Contact.objects.filter(pk=hanako.pk).exists()
    assert SupplierMembership.objects.filter(user=user, supplier=supplier).exists()
    # Nothing in the audit trail still holds the old values.
    for entry in LogEntry.objects.all():
        text = f"{entry.changes} {entry.changes_text} {entry.object_repr}"
        assert "hanako@acme.example" not in text and "1234 5678" not in text, entry
    # Running it again changes nothing and does not fail.
    assert api_client.post(_url(hanako, "erase/")).status_code == 200


def test_buyer_cannot_erase(api_client, buyer, hanako):
    api_client.force_authenticate(buyer)
    assert api_client.post(_url(hanako, "erase/")).status_code == 403
    hanako.refresh_from_db()
    assert hanako.email == "hanako@acme.example"


def test_viewing_contact_details_is_logged(api_client, buyer, hanako):
    api_client.force_authenticate(buyer)
    api_client.get(_url(hanako))
    api_client.get("/api/v1/contacts/")
    accesses = LogEntry.objects.get_for_object(hanako).filter(action=LogEntry.Action.ACCESS)
    assert accesses.count() == 2


def test_retention_erases_contacts_of_long_inactive_suppliers(supplier, other_supplier, hanako):
    old = ContactFactory(supplier=other_supplier, email="old@other.example")
    Supplier.objects.filter(pk=other_supplier.pk).update(status="inactive")
    long_ago = timezone.now() - dt.timedelta(days=4 * 365)
    Supplier.objects.filter(pk=other_supplier.pk).update(updated_at=long_ago)
    Contact.objects.filter(pk=old.pk).update(updated_at=long_ago)

    assert contacts_apply_retention() == 1

    old.refresh_from_db()
    hanako.refresh_from_db()
    assert old.email.endswith("@erased.invalid")
    assert hanako.email == "hanako@acme.example"  # active supplier: kept
    assert contacts_apply_retention() == 0
    assert User.objects.count() == 0
