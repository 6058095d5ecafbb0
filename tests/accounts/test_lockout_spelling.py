"""Lock-out counts an account's failures together, however its address is spelled
(issue 8.2): log-in matches addresses without regard to case, so the counter must too."""

import pytest

pytestmark = pytest.mark.django_db

IP = "198.51.100.7"


def _spellings(email: str) -> list[str]:
    return [email.upper(), email.title(), f"  {email}  ", email.swapcase(), email.capitalize()]


def test_failures_in_every_spelling_share_one_counter(client, supplier_user, password, settings):
    for spelling in _spellings(supplier_user.email)[: settings.AXES_FAILURE_LIMIT]:
        client.post("/accounts/login/", {"username": spelling, "password": "guess"}, REMOTE_ADDR=IP)

    # The right password, in yet another spelling, is refused while locked.
    response = client.post(
        "/accounts/login/",
        {"username": supplier_user.email.replace("s", "S", 1), "password": password},
        REMOTE_ADDR=IP,
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {supplier_user.email}


def test_page_api_and_admin_attempts_count_together(
    client, api_client, admin_user, password, settings
):
    email = admin_user.email
    attempts = [
        lambda: client.post(
            "/accounts/login/", {"username": email.upper(), "password": "x"}, REMOTE_ADDR=IP
        ),
        lambda: api_client.post(
            "/api/v1/auth/token/", {"email": email.title(), "password": "x"}, REMOTE_ADDR=IP
        ),
        lambda: client.post(
            "/admin/login/", {"username": email.swapcase(), "password": "x"}, REMOTE_ADDR=IP
        ),
    ]
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempts[n % 3]()

    page = client.post(
        "/accounts/login/", {"username": email.capitalize(), "password": password}, REMOTE_ADDR=IP
    )
    api = api_client.post(
        "/api/v1/auth/token/", {"email": email.upper(), "password": password}, REMOTE_ADDR=IP
    )
    admin = client.post(
        "/admin/login/", {"username": email.title(), "password": password}, REMOTE_ADDR=IP
    )

    assert (page.status_code, api.status_code, admin.status_code) == (429, 429, 429)


def test_any_spelling_with_the_right_password_logs_in_when_not_locked(
    client, supplier_user, password
):
    response = client.post(
        "/accounts/login/",
        {"username": supplier_user.email.upper(), "password": password},
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
