"""Campaign recipients get into the portal (issue 10.1): the invitation e-mail itself is
the way in. A contact with an account of that supplier gets the assessment's own link; a
contact without one gets a one-time, expiring link that creates their supplier-user
account and lands on the assessment. Expired links offer a fresh one by e-mail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.campaigns import services as campaigns
from assessments.models import Assessment
from procurement_portal.accounts import services
from procurement_portal.accounts.models import Invitation, SupplierMembership, User
from procurement_portal.outbox.models import OutboxMessage
from tests.campaigns.helpers import draft
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long passphrase for the portal"


def _launch(buyer):
    campaign = draft(buyer)
    campaigns.campaign_launch(actor=buyer, campaign_id=campaign.pk)
    return campaign


def _link(message: OutboxMessage) -> str:
    return "/" + message.body_text.split("http://")[1].split("/", 1)[1].split()[0]


def test_contact_without_account_gets_a_link_that_creates_it_and_lands_on_the_assessment(
    client, buyer, supplier, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    ContactFactory(supplier=supplier, email="New.Person@Acme.example", language="en")

    _launch(buyer)

    message = OutboxMessage.objects.get(to="New.Person@Acme.example")
    link = _link(message)
    assessment = Assessment.objects.get(supplier=supplier)
    assert link.startswith("/accounts/invitation/")
    assert "create your account" in message.body_text
    invitation = Invitation.objects.get(email="new.person@acme.example")
    assert invitation.next_path == f"/assessments/{assessment.pk}/"
    assert invitation.invited_by == buyer and invitation.state == "pending"

    page = client.get(link)
    assert page.status_code == 200
    joined = client.post(
        link, {"full_name": "New Person", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert joined.status_code == 302 and joined["Location"] == f"/assessments/{assessment.pk}/"
    user = User.objects.get(email="new.person@acme.example")
    assert user.role == "supplier"
    assert SupplierMembership.objects.filter(user=user, supplier=supplier).exists()
    assert client.get(joined["Location"]).status_code == 200
    # Used once: the link now explains and offers the log-in page that returns there.
    again = client.get(link)
    assert again.status_code == 410
    assert f"next=%2Fassessments%2F{assessment.pk}%2F" in again.content.decode()


@pytest.mark.parametrize(
    ("contact_language", "page_language", "expected"),
    [("ja", "ja", "ja"), ("ja", "en", "en"), ("en", "ja", "ja")],
)
def test_the_new_account_speaks_the_language_it_was_made_in(
    client, buyer, supplier, settings, contact_language, page_language, expected
):
    # The notices that follow (a return, an acceptance) reach her in the language she
    # read the invitation page in and made the account in.
    settings.PORTAL_BASE_URL = "http://testserver"
    ContactFactory(supplier=supplier, email="hanako@acme.example", language=contact_language)
    _launch(buyer)
    link = _link(OutboxMessage.objects.get(to="hanako@acme.example"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = page_language

    client.post(link, {"full_name": "山田 花子", "password1": PASSWORD, "password2": PASSWORD})

    assert User.objects.get(email="hanako@acme.example").preferred_language == expected


def test_contact_with_an_account_of_that_supplier_gets_the_assessment_link(
    buyer, supplier, supplier_user, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    ContactFactory(supplier=supplier, email=supplier_user.email.upper())

    _launch(buyer)

    assessment = Assessment.objects.get(supplier=supplier)
    message = OutboxMessage.objects.get(to=supplier_user.email.upper())
    assert _link(message) == f"/assessments/{assessment.pk}/"
    assert "create your account" not in message.body_text
    assert not Invitation.objects.exists()


def test_account_of_another_supplier_joins_this_one_through_the_link(
    client, buyer, supplier, other_supplier_user, password, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    ContactFactory(supplier=supplier, email=other_supplier_user.email)
    _launch(buyer)
    link = _link(OutboxMessage.objects.get(to=other_supplier_user.email))
    assert link.startswith("/accounts/invitation/")

    response = client.post(link, {"password1": password})

    assert response.status_code == 302
    assert other_supplier_user.memberships.filter(supplier=supplier).exists()


def test_staff_resend_gives_a_fresh_working_link(client, buyer, supplier, settings):
    settings.PORTAL_BASE_URL = "http://testserver"
    contact = ContactFactory(supplier=supplier, email="late@acme.example")
    campaign = _launch(buyer)

    campaigns.campaign_invitation_resend(
        actor=buyer, campaign_id=campaign.pk, contact_id=contact.pk
    )

    links = [_link(m) for m in OutboxMessage.objects.filter(to="late@acme.example")]
    assert len(links) == 2 and all(link.startswith("/accounts/invitation/") for link in links)
    assert client.get(links[-1]).status_code == 200


def test_expired_link_offers_a_fresh_one_sent_to_the_same_address(
    client, buyer, supplier, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    settings.INVITATION_RENEW_LIMIT = 2
    ContactFactory(supplier=supplier, email="slow@acme.example", language="ja")
    _launch(buyer)
    link = _link(OutboxMessage.objects.get(to="slow@acme.example"))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    expired = client.get(link)
    renewed = client.post(link + "renew/")

    assert expired.status_code == 410
    assert "renew/" in expired.content.decode()
    assert renewed.status_code == 200
    fresh = OutboxMessage.objects.filter(to="slow@acme.example", key__startswith="invitation:")
    assert fresh.count() == 1 and fresh.get().language == "ja"
    new_link = _link(fresh.get())
    assert new_link != link
    new_invitation = Invitation.objects.filter(revoked_at__isnull=True).latest("created_at")
    assert new_invitation.next_path.startswith("/assessments/")
    assert client.get(new_link).status_code == 200
    # Asking again and again sends at most the limit, and the answer stays the same.
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    for _ in range(3):
        assert client.post(link + "renew/").status_code == 200
    assert OutboxMessage.objects.filter(to="slow@acme.example").count() == 1 + 2


def test_withdrawn_or_unknown_links_are_not_renewed(client, buyer, supplier):
    invitation, token = services.invitation_create(
        actor=buyer, supplier=supplier, email="gone@acme.example"
    )
    services.invitation_withdraw(actor=buyer, invitation=invitation)

    assert client.post(f"/accounts/invitation/{token}/renew/").status_code == 200
    assert client.post("/accounts/invitation/nonsense/renew/").status_code == 404
    assert OutboxMessage.objects.filter(to="gone@acme.example").count() == 1


def test_next_page_stored_in_an_invitation_is_always_a_portal_path(buyer, supplier):
    for unsafe in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        invitation, _ = services.invitation_create(
            actor=buyer, supplier=supplier, email="x@acme.example", next_path=unsafe
        )
        assert invitation.next_path == ""


def test_supplier_admin_finds_the_invite_page_on_their_home(client, supplier, supplier_user):
    client.force_login(supplier_user)
    assert "/people/" not in client.get("/").content.decode()
    SupplierMembership.objects.filter(user=supplier_user).update(is_supplier_admin=True)
    home = client.get("/").content.decode()
    assert f"/accounts/suppliers/{supplier.pk}/people/" in home
    assert client.get(f"/accounts/suppliers/{supplier.pk}/people/").status_code == 200


def test_login_page_links_to_password_reset_and_claims_only_what_exists(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in page
    # It names what a supplier user does in the portal today, and nothing more.
    points = page.split('class="auth-points"')[1].split("</ul>")[0]
    assert points.count("<li>") == 3
    assert "self-assessment" in points and "improvement items" in points
    assert "Sign declarations and acknowledge our procurement guidelines" in points
