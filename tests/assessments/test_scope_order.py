"""Scope first, then the action: a supplier user is refused (403) on its own objects'
staff actions, and told nothing (404) about another supplier's (issue 8, item 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import ImprovementItem
from tests.assessments.builders import build_assessment, build_version

pytestmark = pytest.mark.django_db


def _item(supplier, version):
    assessment = build_assessment(supplier=supplier, version=version, status="accepted")
    risk = assessment.version.sections.first().questions.first().risk
    return ImprovementItem.objects.create(
        supplier=supplier,
        risk=risk,
        assessment=assessment,
        description="d",
        required_action="a",
        due_date="2027-01-31",
        status="action_plan_submitted",
    )


@pytest.mark.parametrize("action", ["verify", "close", "reopen"])
def test_item_follow_up_by_a_supplier_user_is_404_for_others_and_403_for_its_own(
    supplier, other_supplier, supplier_user, action
):
    version = build_version()
    mine, theirs = _item(supplier, version), _item(other_supplier, version)
    api = APIClient()
    api.force_authenticate(supplier_user)
    url = f"/api/v1/improvement-items/{{}}/{action}/"
    assert api.post(url.format(theirs.pk), {"note": "x"}).status_code == 404
    assert api.post(url.format(mine.pk), {"note": "x"}).status_code == 403


@pytest.mark.parametrize("name", ["review-detail", "review-accept", "review-return"])
def test_review_pages_look_up_before_refusing(
    client, supplier, other_supplier, supplier_user, name
):
    version = build_version()
    mine = build_assessment(supplier=supplier, version=version, status="submitted")
    theirs = build_assessment(supplier=other_supplier, version=version, status="submitted")
    client.force_login(supplier_user)
    method = client.get if name == "review-detail" else client.post
    assert method(reverse(f"assessments:{name}", args=[theirs.pk])).status_code == 404
    assert method(reverse(f"assessments:{name}", args=[mine.pk])).status_code == 403


def test_api_review_accept_on_another_suppliers_assessment_is_404(
    supplier, other_supplier, supplier_user
):
    theirs = build_assessment(supplier=other_supplier, status="submitted")
    api = APIClient()
    api.force_authenticate(supplier_user)
    assert api.post(f"/api/v1/reviews/{theirs.pk}/accept/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"
