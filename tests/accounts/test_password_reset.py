"""Password reset by e-mail, through the outbox, with a one-time link."""

import pytest

from procurement_portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

NEW = "another long passphrase 42"


def test_reset_link_sets_a_new_password_once(client, supplier_user, smtp_server):
    response = client.post("/accounts/password-reset/", {"email": supplier_user.email})
    assert response.status_code == 302

    [mail] = smtp_server.wait_for(1, timeout=5)
    body = mail.get_body(("plain",)).get_content()
    path = "/accounts/reset/" + body.split("/accounts/reset/")[1].split()[0]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    supplier_user.refresh_from_db()
    assert supplier_user.check_password(NEW)

    again = client.get(path, follow=True)
    assert "already been used or has expired" in again.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert not OutboxMessage.objects.exists()
