"""API tokens (issue 8.4): hashed at rest, each with a lifetime (staff shorter than
suppliers), several per user, revoked on password change or reset, deactivation and role
change; a user sees and revokes their own, on a page and through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement_portal.accounts.models import ApiToken, Role
from procurement_portal.accounts.tokens import api_token_issue

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _works(api_client, token: str, scheme: str = "Token") -> bool:
    api_client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
    status = api_client.get("/api/v1/suppliers/").status_code
    api_client.credentials()
    return status == 200


def test_issued_token_is_stored_only_as_a_hash_and_expires(api_client, supplier_user, password):
    response = api_client.post(TOKEN_URL, {"email": supplier_user.email, "password": password})

    assert response.status_code == 200
    token = response.json()["token"]
    row = ApiToken.objects.get(user=supplier_user)
    stored = " ".join(str(v) for v in ApiToken.objects.values().get().values())
    assert token not in stored and token[15:] not in stored
    assert row.expiry is not None and response.json()["expiry"]


def test_staff_tokens_live_shorter_than_supplier_tokens(supplier_user, buyer, settings):
    settings.API_TOKEN_TTL_STAFF = timedelta(hours=8)
    settings.API_TOKEN_TTL_SUPPLIER = timedelta(days=30)
    staff, _ = api_token_issue(user=buyer)
    supplier, _ = api_token_issue(user=supplier_user)
    now = timezone.now()
    assert abs((staff.expiry - now) - timedelta(hours=8)) < timedelta(minutes=1)
    assert abs((supplier.expiry - now) - timedelta(days=30)) < timedelta(minutes=1)


def test_token_and_bearer_headers_both_work_and_use_is_noted(api_client, supplier_user):
    row, token = api_token_issue(user=supplier_user)
    assert _works(api_client, token, "Token")
    assert _works(api_client, token, "Bearer")
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert not _works(api_client, token[:-1] + ("0" if token[-1] != "0" else "1"), "Bearer")


def test_expired_token_is_refused(api_client, supplier_user):
    row, token = api_token_issue(user=supplier_user)
    ApiToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert not _works(api_client, token)


def test_several_tokens_per_user(api_client, supplier_user):
    _, first = api_token_issue(user=supplier_user)
    _, second = api_token_issue(user=supplier_user)
    assert _works(api_client, first) and _works(api_client, second)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda u: u.set_password("a brand new passphrase 7"), id="password"),
        pytest.param(lambda u: setattr(u, "is_active", False), id="deactivated"),
        pytest.param(lambda u: setattr(u, "role", Role.CSCO), id="role"),
    ],
)
def test_password_deactivation_and_role_changes_revoke_every_token(
    api_client, supplier_user, change
):
    _, first = api_token_issue(user=supplier_user)
    _, second = api_token_issue(user=supplier_user)

    change(supplier_user)
    supplier_user.save()

    assert not ApiToken.objects.filter(user=supplier_user).exists()
    assert not _works(api_client, first) and not _works(api_client, second)


def test_logging_in_or_renaming_keeps_the_tokens(client, supplier_user, password):
    api_token_issue(user=supplier_user)
    client.post("/accounts/login/", {"username": supplier_user.email, "password": password})
    supplier_user.full_name = "New Name"
    supplier_user.save()
    assert ApiToken.objects.filter(user=supplier_user).count() == 1


def test_password_reset_through_the_pages_revokes_tokens(client, api_client, supplier_user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    _, token = api_token_issue(user=supplier_user)
    uid = urlsafe_base64_encode(force_bytes(supplier_user.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(supplier_user)}/"
    form = client.get(link, follow=True)
    new = "another long passphrase 42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    assert not _works(api_client, token)


def test_staff_deactivating_a_supplier_user_revokes_their_tokens(
    client, api_client, buyer, supplier, supplier_user
):
    _, token = api_token_issue(user=supplier_user)
    client.force_login(buyer)
    client.post(f"/accounts/suppliers/{supplier.pk}/people/{supplier_user.pk}/deactivate/")
    assert not _works(api_client, token)


def test_user_lists_and_revokes_own_tokens_through_the_api(
    api_client, supplier_user, other_supplier_user
):
    mine, token = api_token_issue(user=supplier_user, name="script")
    other, other_token = api_token_issue(user=other_supplier_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    listed = api_client.get("/api/v1/auth/tokens/").json()
    refused = api_client.delete(f"/api/v1/auth/tokens/{other.pk}/")
    revoked = api_client.delete(f"/api/v1/auth/tokens/{mine.pk}/")

    assert [row["id"] for row in listed] == [mine.pk]
    assert listed[0]["prefix"] == token[:8] and listed[0]["name"] == "script"
    assert set(listed[0]) == {"id", "name", "prefix", "created", "expiry", "last_used_at"}
    assert refused.status_code == 404
    assert revoked.status_code == 204
    assert not _works(api_client, token)
    assert _works(api_client, other_token)


def test_token_page_shows_own_tokens_and_revokes_one(client, api_client, supplier_user, buyer):
    mine, token = api_token_issue(user=supplier_user)
    theirs, _ = api_token_issue(user=buyer)
    client.force_login(supplier_user)

    page = client.get("/accounts/tokens/")
    foreign = client.post(f"/accounts/tokens/{theirs.pk}/revoke/")
    revoke = client.post(f"/accounts/tokens/{mine.pk}/revoke/")

    assert page.status_code == 200 and token[:8] in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert foreign.status_code == 404 and ApiToken.objects.filter(pk=theirs.pk).exists()
    assert revoke.status_code == 302
    assert not _works(api_client, token)
