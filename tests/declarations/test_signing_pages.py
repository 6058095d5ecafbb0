"""A supplier user reads and signs a declaration in the browser; every bad input of the
issue is refused at its field and nothing is saved."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation

from declarations.models import Channel, Signature
from tests.factories import MembershipFactory, SupplierFactory

from .helpers import TEXT_JA, make_version, sign

pytestmark = pytest.mark.django_db


def _post(client, version, **overrides):
    data = {
        "supplier": "",
        "signer_name": "Sachiko Suzuki",
        "signer_title": "Director",
        "confirmed": "on",
    }
    data.update(overrides)
    return client.post(
        reverse("declarations:sign", args=[version.pk]),
        data,
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) pytest",
        REMOTE_ADDR="198.51.100.7",
    )


def test_supplier_user_sees_what_to_sign_signs_it_and_sees_it_signed(
    login, supplier_user, new_supplier, version
):
    client = login(supplier_user)
    home = client.get(reverse("declarations:home"))
    assert home.status_code == 200
    sign_url = reverse("declarations:sign", args=[version.pk])
    assert sign_url in home.content.decode()

    page = client.get(sign_url)
    assert page.status_code == 200
    assert "We comply with the law." in page.content.decode()

    response = _post(client, version, supplier=new_supplier.pk)

    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == signature.get_absolute_url()
    assert (signature.supplier, signature.version, signature.channel) == (
        new_supplier,
        version,
        Channel.PORTAL,
    )
    assert signature.ip_address == "198.51.100.7"
    assert signature.user_agent == "Mozilla/5.0 (iPhone) pytest"
    assert signature.signed_by == supplier_user
    assert signature.language == "en"
    detail = client.get(signature.get_absolute_url()).content.decode()
    assert signature.content_hash in detail
    home = client.get(reverse("declarations:home")).content.decode()
    assert sign_url not in home
    assert signature.get_absolute_url() in home


def test_the_text_is_shown_and_signed_in_japanese(login, supplier_user, new_supplier, version):
    client = login(supplier_user)
    with translation.override("ja"):
        client.cookies["django_language"] = "ja"
        page = client.get(
            reverse("declarations:sign", args=[version.pk]), HTTP_ACCEPT_LANGUAGE="ja"
        )
        assert "法令を遵守します。" in page.content.decode()
        _post(client, version, supplier=new_supplier.pk, signer_name="鈴木 幸子")
    signature = Signature.objects.get()
    assert signature.language == "ja"
    assert json.loads(signature.canonical)["text"] == TEXT_JA


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"signer_name": "   "}, "Full name", "This field is required."),
        ({"signer_name": "x" * 300}, "Full name", "at most 200 characters"),
        ({"signer_title": ""}, "Job title", "This field is required."),
        ({"signer_title": "y" * 201}, "Job title", "at most 200 characters"),
        ({"confirmed": ""}, "confirmed", "Confirm that you sign"),
        ({"signer_name": "Sachiko\x07"}, "Full name", "U+0007"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    login, supplier_user, new_supplier, version, overrides, field, message
):
    client = login(supplier_user)
    response = _post(client, version, supplier=new_supplier.pk, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if field != "confirmed":
        assert f"{field}:" in html
    assert not Signature.objects.exists()


def test_signing_the_same_version_twice_is_refused(login, supplier_user, new_supplier, version):
    client = login(supplier_user)
    _post(client, version, supplier=new_supplier.pk)
    response = _post(client, version, supplier=new_supplier.pk)
    assert response.status_code == 200
    assert "already signed this version" in response.content.decode()
    assert Signature.objects.count() == 1


def test_an_outdated_version_cannot_be_signed(login, supplier_user, new_supplier, version):
    newer = make_version(number=2)
    version.refresh_from_db()
    assert version.status == "retired"
    client = login(supplier_user)
    page = client.get(reverse("declarations:sign", args=[version.pk])).content.decode()
    assert "can no longer be signed" in page
    response = _post(client, version, supplier=new_supplier.pk)
    assert "This version is outdated" in response.content.decode()
    assert not Signature.objects.exists()
    # The new version is the one offered now.
    home = client.get(reverse("declarations:home")).content.decode()
    assert reverse("declarations:sign", args=[newer.pk]) in home


def test_an_unpublished_version_is_not_found_by_a_supplier(login, supplier_user, new_supplier):
    draft = make_version(number=1, publish=False)
    client = login(supplier_user)
    assert client.get(reverse("declarations:sign", args=[draft.pk])).status_code == 404
    assert _post(client, draft, supplier=new_supplier.pk).status_code == 404
    assert not Signature.objects.exists()


def test_signing_for_another_supplier_is_refused(
    login, supplier_user, new_supplier, other_supplier, version
):
    client = login(supplier_user)
    response = _post(client, version, supplier=other_supplier.pk)
    assert response.status_code == 200
    assert not Signature.objects.exists()
    # Through the service (what the API calls) the field is named too.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        sign(supplier_user, other_supplier, version)
    assert "supplier" in caught.value.message_dict
    assert not Signature.objects.exists()


def test_a_user_acting_for_two_companies_chooses_which_one_signs(
    login, supplier_user, new_supplier, version
):
    second = SupplierFactory(
        code="SECOND-1", transactions_started_on=new_supplier.transactions_started_on
    )
    MembershipFactory(user=supplier_user, supplier=second)
    client = login(supplier_user)
    page = client.get(reverse("declarations:sign", args=[version.pk])).content.decode()
    assert second.display_name in page and new_supplier.display_name in page
    _post(client, version, supplier=second.pk)
    assert Signature.objects.get().supplier == second


def test_staff_cannot_sign_for_a_supplier(login, buyer, new_supplier, version):
    client = login(buyer)
    assert client.get(reverse("declarations:sign", args=[version.pk])).status_code == 403
    assert _post(client, version, supplier=new_supplier.pk).status_code == 403
    assert not Signature.objects.exists()


def test_another_suppliers_signature_is_not_found(
    login, supplier_user, other_supplier_user, new_supplier, version
):
    signature = sign(supplier_user, new_supplier, version)
    client = login(other_supplier_user)
    assert client.get(signature.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("declarations:signature-revoke", args=[signature.pk])).status_code == 404
    )


def test_anonymous_users_are_sent_to_log_in(client, version):
    response = client.get(reverse("declarations:sign", args=[version.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_signing_page_fits_a_phone_and_labels_every_input(
    login, supplier_user, new_supplier, version
):
    html = (
        login(supplier_user).get(reverse("declarations:sign", args=[version.pk])).content.decode()
    )
    assert 'name="viewport"' in html
    for name in ("signer_name", "signer_title", "confirmed"):
        assert f'for="id_{name}"' in html
