"""Onboarding: staff invite a supplier's contact; the one-time link sets a password."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement_portal.accounts import services
from procurement_portal.accounts.models import Invitation, SupplierMembership, User
from procurement_portal.outbox.models import OutboxMessage
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-long passphrase for the portal"


def _invite(client, supplier, email="hanako@acme.example", **extra):
    return client.post(
        f"/accounts/suppliers/{supplier.pk}/people/", {"email": email, **extra}, follow=False
    )


def _token_from_outbox(email: str) -> str:
    message = OutboxMessage.objects.get(to=email)
    return message.body_text.split("/accounts/invitation/")[1].split("/")[0]


def test_staff_invite_and_the_person_joins_through_the_link(client, buyer, supplier):
    ContactFactory(supplier=supplier, email="hanako@acme.example", language="ja")
    client.force_login(buyer)

    response = _invite(client, supplier)

    assert response.status_code == 302
    message = OutboxMessage.objects.get(to="hanako@acme.example")
    assert message.language == "ja"  # the contact's language
    token = _token_from_outbox("hanako@acme.example")
    client.logout()
    page = client.get(f"/accounts/invitation/{token}/")
    assert page.status_code == 200
    response = client.post(
        f"/accounts/invitation/{token}/",
        {"full_name": "Hanako Yamada", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"  # their home, not the registry page
    user = User.objects.get(email="hanako@acme.example")
    assert user.role == "supplier" and user.check_password(NEW_PASSWORD)
    assert SupplierMembership.objects.filter(user=user, supplier=supplier).exists()
    assert client.get(f"/suppliers/{supplier.pk}/").status_code == 200


def test_used_link_cannot_be_used_again(client, buyer, supplier):
    _invitation, token = services.invitation_create(
        actor=buyer, supplier=supplier, email="a@acme.example"
    )
    services.invitation_accept(token=token, full_name="A", password=NEW_PASSWORD)

    response = client.get(f"/accounts/invitation/{token}/")

    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_expired_link_is_refused_and_creates_nothing(client, buyer, supplier):
    invitation, token = services.invitation_create(
        actor=buyer, supplier=supplier, email="late@acme.example"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.post(
        f"/accounts/invitation/{token}/",
        {"full_name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@acme.example").exists()


def test_unknown_link_is_404(client):
    assert client.get("/accounts/invitation/not-a-real-token/").status_code == 404


def test_weak_password_is_refused_naming_the_field(client, buyer, supplier):
    _, token = services.invitation_create(actor=buyer, supplier=supplier, email="w@acme.example")
    response = client.post(
        f"/accounts/invitation/{token}/",
        {"full_name": "W", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="w@acme.example").exists()


def test_newer_invitation_withdraws_the_older_link(buyer, supplier):
    _, old = services.invitation_create(actor=buyer, supplier=supplier, email="x@acme.example")
    services.invitation_create(actor=buyer, supplier=supplier, email="x@acme.example")
    with pytest.raises(services.InvitationError, match="withdrawn"):
        services.invitation_for_token(token=old)


def test_supplier_admin_invites_colleagues_of_own_supplier_only(
    client, supplier_user, supplier, other_supplier
):
    SupplierMembership.objects.filter(user=supplier_user).update(is_supplier_admin=True)
    client.force_login(supplier_user)

    assert _invite(client, supplier, email="colleague@acme.example").status_code == 302
    assert _invite(client, other_supplier, email="x@other.example").status_code == 404
    assert not Invitation.objects.filter(supplier=other_supplier).exists()


def test_plain_supplier_user_and_csco_cannot_invite(client, supplier_user, csco, supplier):
    client.force_login(supplier_user)
    assert _invite(client, supplier).status_code == 403
    client.force_login(csco)
    assert _invite(client, supplier).status_code == 403
    assert not Invitation.objects.exists()


def test_staff_account_address_is_refused(client, buyer, csco, supplier):
    client.force_login(buyer)
    response = _invite(client, supplier, email=csco.email)
    assert response.status_code == 200
    assert "company staff account" in response.content.decode()


def test_staff_deactivate_a_supplier_user_who_then_cannot_log_in(
    client, buyer, supplier, supplier_user, password
):
    other_client = client.__class__()
    other_client.force_login(supplier_user)
    client.force_login(buyer)

    response = client.post(
        f"/accounts/suppliers/{supplier.pk}/people/{supplier_user.pk}/deactivate/"
    )

    assert response.status_code == 302
    supplier_user.refresh_from_db()
    assert not supplier_user.is_active
    # Their open session ends at once, and the password no longer works.
    assert other_client.get(f"/suppliers/{supplier.pk}/").status_code == 302
    login = other_client.post(
        "/accounts/login/", {"username": supplier_user.email, "password": password}
    )
    assert login.status_code == 200
    assert "The e-mail address or password is not correct." in login.content.decode()


def test_people_page_lists_members_and_invitations(client, buyer, supplier, supplier_user):
    MembershipFactory(supplier=supplier)
    services.invitation_create(actor=buyer, supplier=supplier, email="p@acme.example")
    client.force_login(buyer)
    page = client.get(f"/accounts/suppliers/{supplier.pk}/people/").content.decode()
    assert supplier_user.email in page and "p@acme.example" in page
