"""The declarations API, role by role: what each may read and do, and the bad input of the
issue refused with the field named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from declarations.models import Channel, Revocation, Signature, VersionStatus
from procurement_portal.fiscal import current_fiscal_year

from .helpers import make_version, sign

pytestmark = pytest.mark.django_db

API = "/api/v1"
ROLES = [
    "supplier_user",
    "other_supplier_user",
    "buyer",
    "infosec_assessor",
    "csco",
    "compliance_officer",
    "admin_user",
]
STAFF = {"buyer", "infosec_assessor", "csco", "compliance_officer", "admin_user"}
RECORDERS = {"buyer", "admin_user"}


@pytest.fixture
def as_role(request, api_client):
    def login(role):
        if role != "anonymous":
            api_client.force_authenticate(request.getfixturevalue(role))
        return api_client

    return login


@pytest.fixture
def signed(supplier_user, new_supplier, version):
    return sign(supplier_user, new_supplier, version)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_reading_kinds_versions_and_signatures(request, as_role, role, signed, version):
    draft = make_version(number=2, publish=False)
    client = as_role(role)
    kinds = client.get(f"{API}/declaration-kinds/")
    versions = client.get(f"{API}/declaration-versions/")
    signatures = client.get(f"{API}/declaration-signatures/")
    detail = client.get(f"{API}/declaration-signatures/{signed.pk}/")
    if role == "anonymous":
        for response in (kinds, versions, signatures, detail):
            assert response.status_code in (401, 403)
        return
    assert kinds.status_code == versions.status_code == signatures.status_code == 200
    assert {k["code"] for k in kinds.json()["results"]} == {
        "env-safety-health",
        "responsible-business-conduct",
    }
    version_ids = {v["id"] for v in versions.json()["results"]}
    assert version.pk in version_ids
    # Drafts are company-side work.
    assert (draft.pk in version_ids) == (role in STAFF)
    listed = [s["id"] for s in signatures.json()["results"]]
    if role == "other_supplier_user":
        assert listed == []
        assert detail.status_code == 404
    else:
        assert listed == [signed.pk]
        assert detail.status_code == 200
        body = detail.json()
        assert body["content_hash"] == signed.content_hash
        assert body["supplier_code"] == "ACME-001"
        assert body["revocation"] is None
        assert "ip_address" not in body


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_signing_through_the_api(as_role, role, new_supplier, other_supplier, version):
    client = as_role(role)
    response = client.post(
        f"{API}/declaration-signatures/",
        {
            "supplier": new_supplier.pk,
            "version": version.pk,
            "signer_name": "Sachiko Suzuki",
            "signer_title": "Director",
            "confirmed": True,
            "language": "ja",
        },
        format="json",
        HTTP_USER_AGENT="api-client/1.0",
    )
    if role == "supplier_user":
        assert response.status_code == 201, response.json()
        signature = Signature.objects.get()
        assert signature.language == "ja"
        assert signature.user_agent == "api-client/1.0"
        assert response.json()["content_hash"] == signature.content_hash
    elif role == "other_supplier_user":
        # Another supplier's id is answered like one that does not exist, at its field.
        assert response.status_code == 400
        assert "supplier" in response.json()
    elif role == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 403
    if role != "supplier_user":
        assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"signer_name": ""}, "signer_name"),
        ({"signer_name": "x" * 300}, "signer_name"),
        ({"signer_title": "   "}, "signer_title"),
        ({"confirmed": False}, "confirmed"),
        ({"signer_name": "Sachiko\u0000"}, "signer_name"),
    ],
)
def test_bad_signing_input_names_the_field(
    api_client, supplier_user, new_supplier, version, change, field
):
    api_client.force_authenticate(supplier_user)
    body = {
        "supplier": new_supplier.pk,
        "version": version.pk,
        "signer_name": "Sachiko Suzuki",
        "signer_title": "Director",
        "confirmed": True,
    }
    body.update(change)
    response = api_client.post(f"{API}/declaration-signatures/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Signature.objects.exists()


def test_signing_twice_an_outdated_or_a_draft_version_is_refused_at_version(
    api_client, supplier_user, new_supplier, version
):
    api_client.force_authenticate(supplier_user)
    body = {
        "supplier": new_supplier.pk,
        "version": version.pk,
        "signer_name": "Sachiko Suzuki",
        "signer_title": "Director",
        "confirmed": True,
    }
    assert api_client.post(f"{API}/declaration-signatures/", body, format="json").status_code == 201
    twice = api_client.post(f"{API}/declaration-signatures/", body, format="json")
    assert twice.status_code == 400 and "already signed" in twice.json()["version"][0]

    draft = make_version(kind_code="responsible-business-conduct", publish=False)
    unpublished = api_client.post(
        f"{API}/declaration-signatures/", {**body, "version": draft.pk}, format="json"
    )
    assert unpublished.status_code == 400 and "not published" in unpublished.json()["version"][0]

    make_version(number=2)
    outdated = api_client.post(f"{API}/declaration-signatures/", body, format="json")
    assert outdated.status_code == 400 and "outdated" in outdated.json()["version"][0]
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_recording_a_paper_declaration(as_role, role, new_supplier, version):
    client = as_role(role)
    response = client.post(
        f"{API}/declaration-signatures/paper/",
        {
            "supplier_code": "ACME-001",
            "version": version.pk,
            "signed_on": "2019-06-14",
            "signer_name": "山田 太郎",
            "signer_title": "代表取締役",
            "language": "ja",
        },
        format="json",
    )
    if role in RECORDERS:
        assert response.status_code == 201, response.json()
        signature = Signature.objects.get()
        assert signature.channel == Channel.PAPER
        assert signature.signed_on == dt.date(2019, 6, 14)
        assert signature.recorded_by is not None
    else:
        assert response.status_code in ((401, 403) if role == "anonymous" else (403,))
        assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"signed_on": "2099-01-01"}, "signed_on"),
        ({"supplier_code": "NOPE-404"}, "supplier_code"),
        ({"signer_name": ""}, "signer_name"),
    ],
)
def test_bad_paper_input_names_the_field(api_client, buyer, new_supplier, version, change, field):
    api_client.force_authenticate(buyer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    if change.get("signed_on") == "2099-01-01":
        change = {"signed_on": tomorrow.isoformat()}
    body = {
        "supplier_code": "ACME-001",
        "version": version.pk,
        "signed_on": "2019-06-14",
        "signer_name": "Taro Yamada",
        "signer_title": "President",
        "language": "en",
        **change,
    }
    response = api_client.post(f"{API}/declaration-signatures/paper/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_revoking(as_role, role, signed):
    client = as_role(role)
    response = client.post(
        f"{API}/declaration-signatures/{signed.pk}/revoke/",
        {"reason": "The contract ended."},
        format="json",
    )
    if role in RECORDERS:
        assert response.status_code == 201, response.json()
        assert response.json()["revocation"]["reason"] == "The contract ended."
        assert Revocation.objects.get().effective_date == timezone.localdate()
    else:
        expected = {"anonymous": (401, 403), "other_supplier_user": (404,)}.get(role, (403,))
        assert response.status_code in expected
        assert not Revocation.objects.exists()


def test_revoking_without_reason_before_the_signature_or_twice_is_refused(
    api_client, buyer, signed
):
    api_client.force_authenticate(buyer)
    url = f"{API}/declaration-signatures/{signed.pk}/revoke/"
    blank = api_client.post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()
    early = signed.signed_on - dt.timedelta(days=1)
    before = api_client.post(
        url, {"reason": "Back-dated", "effective_date": early.isoformat()}, format="json"
    )
    assert before.status_code == 400 and "effective_date" in before.json()
    assert not Revocation.objects.exists()
    assert api_client.post(url, {"reason": "Ended"}, format="json").status_code == 201
    twice = api_client.post(url, {"reason": "Again"}, format="json")
    assert twice.status_code == 400 and "signature" in twice.json()
    assert Revocation.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_publishing_and_reminding(as_role, role, version):
    draft = make_version(number=2, publish=False)
    client = as_role(role)
    published = client.post(f"{API}/declaration-versions/{draft.pk}/publish/")
    reminded = client.post(f"{API}/declaration-versions/{version.pk}/remind/")
    draft.refresh_from_db()
    if role == "anonymous":
        assert published.status_code in (401, 403) and reminded.status_code in (401, 403)
    elif role in ("supplier_user", "other_supplier_user"):
        # Supplier users never see a draft: 404; the published version is visible: 403.
        assert (published.status_code, reminded.status_code) == (404, 403)
    else:
        assert published.status_code == (200 if role == "admin_user" else 403)
        assert reminded.status_code == (200 if role in RECORDERS else 403)
    assert draft.status == (VersionStatus.PUBLISHED if role == "admin_user" else "draft")


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_coverage_endpoint(as_role, role, signed, version):
    kind = version.kind
    client = as_role(role)
    year = current_fiscal_year().year
    response = client.get(f"{API}/declaration-kinds/{kind.pk}/coverage/?fiscal_year={year}")
    if role in STAFF:
        assert response.status_code == 200
        body = response.json()
        assert (body["total"], body["covered"]) == (1, 1)
        japan = next(r for r in body["regions"] if r["region"] == "japan")
        assert (japan["total"], japan["covered"], japan["missing"]) == (1, 1, 0)
        assert body["missing"] == []
    else:
        assert response.status_code in ((401, 403) if role == "anonymous" else (403,))


def test_coverage_refuses_a_fiscal_year_out_of_range(api_client, csco, version):
    api_client.force_authenticate(csco)
    response = api_client.get(f"{API}/declaration-kinds/{version.kind.pk}/coverage/?fiscal_year=12")
    assert response.status_code == 400 and "fiscal_year" in response.json()
