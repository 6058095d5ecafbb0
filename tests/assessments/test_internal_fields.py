"""What stays inside the company (issue 8, item 12): a supplier user never reads the
reason for a level override nor the names of the staff who set it, on its level page or
in the API; staff read both. The level history is written in sentences, the levels are
explained, and the override form marks its required fields (issue 10, minor)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import InformationSecurityLevel

pytestmark = pytest.mark.django_db
REASON = "Confidential: incident at the Osaka plant in May"


@pytest.fixture
def overridden(login, buyer, supplier):
    InformationSecurityLevel.objects.create(
        supplier=supplier, fiscal_year=2026, level=3, computed_level=3
    )
    response = login(buyer).post(
        reverse("assessments:level-override", args=[supplier.pk]),
        {"fiscal_year": 2026, "level": 1, "reason": REASON},
    )
    assert response.status_code == 302
    return InformationSecurityLevel.objects.get(supplier=supplier, fiscal_year=2026)


def test_supplier_level_page_hides_the_reason_and_staff_names(login, supplier_user, overridden):
    url = reverse("assessments:level-supplier", args=[overridden.supplier_id])
    html = login(supplier_user).get(url).content.decode()
    assert REASON not in html
    assert "Bunta Buyer" not in html
    assert "The company set the level to 1." in html
    assert "set by staff" in html  # that it was set by hand is not internal
    assert "What the levels mean" in html
    assert "Level 3</strong>: an overall score of 80 or more" in html


def test_staff_read_the_reason_and_who_in_sentences(login, buyer, overridden):
    url = reverse("assessments:level-supplier", args=[overridden.supplier_id])
    html = login(buyer).get(url).content.decode()
    assert f"Staff set the level to 1. Reason: {REASON}" in html
    assert "The accepted self-assessment gave level 3. The level is now 3." in html
    assert "follows the self-assessment again" not in html
    assert "Bunta Buyer" in html
    assert "→" not in html  # no raw "before → after"
    assert "Level 1</strong>: an overall score from 0 up to (not including) 60" in html
    assert '<span class="req" aria-hidden="true">*</span>' in html  # required fields marked


def test_api_leaves_the_reason_out_for_supplier_users(api_client, supplier_user, buyer, overridden):
    api_client.force_authenticate(supplier_user)
    rows = api_client.get("/api/v1/infosec-levels/").json()["results"]
    assert rows and rows[0]["override_reason"] is None and "set_by" not in rows[0]
    one = api_client.get(f"/api/v1/infosec-levels/{overridden.pk}/").json()
    assert one["override_reason"] is None and REASON not in str(one)
    api_client.force_authenticate(buyer)
    assert (
        api_client.get(f"/api/v1/infosec-levels/{overridden.pk}/").json()["override_reason"]
        == REASON
    )


@pytest.fixture
def designated(supplier, buyer):
    from tests.factories import DesignationFactory

    return DesignationFactory(
        supplier=supplier, fiscal_year=2026, note="Sole source; margin talks", designated_by=buyer
    )


def test_critical_designation_note_and_designator_are_internal(
    login, api_client, supplier_user, buyer, designated
):
    """The same rule for the registry: the supplier page and API give a supplier user the
    year and the reasons of a critical designation, never the staff's note or name (the
    profile PDF alike: tests/reports/test_pdf.py)."""
    url = reverse("suppliers:detail", args=[designated.supplier_id])
    html = login(supplier_user).get(url).content.decode()
    assert "Sole source; margin talks" not in html and "Bunta Buyer" not in html
    assert "Critical-supplier designations" in html
    staff_html = login(buyer).get(url).content.decode()
    assert "Sole source; margin talks" in staff_html and "Bunta Buyer" in staff_html
    api_client.force_authenticate(supplier_user)
    body = api_client.get(f"/api/v1/suppliers/{designated.supplier_id}/").json()
    row = body["critical_designations"][0]
    assert row["note"] is None and row["designated_by_name"] is None and row["reasons"]
    api_client.force_authenticate(buyer)
    row = api_client.get(f"/api/v1/critical-designations/{designated.pk}/").json()
    assert row["note"] == "Sole source; margin talks" and row["designated_by_name"]
