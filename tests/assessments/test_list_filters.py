"""The improvement items list and the review queue filter by supplier (code or name),
risk, status, source and overdue; the score page's "Improvement items" link opens that
supplier's items (issue 10, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ImprovementItem, ImprovementSource
from assessments.review import services
from suppliers.models import PriorityRisk
from tests.assessments.test_review_services import submitted
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db
WEAK = {"forced-labour-policy": "no", "working-hours": "never", "ems": ["none"]}


def _rows(html: str, marker: str) -> int:
    return html.count(marker)


@pytest.fixture
def world(supplier, other_supplier, buyer):
    for s in (supplier, other_supplier):
        a = submitted(s, answers=WEAK)
        services.assessment_accept(actor=buyer, assessment_id=a.pk)
    ImprovementItem.objects.create(
        supplier=other_supplier,
        risk=PriorityRisk.objects.get(code="health_safety"),
        source=ImprovementSource.SITE_VISIT,
        description="Fire exit blocked",
        required_action="Clear it",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )


def _items(client, query: str) -> str:
    return client.get(reverse("assessments:items-staff") + query).content.decode()


def test_items_filter_by_supplier_code_or_name_source_risk_status_overdue(login, buyer, world):
    client = login(buyer)
    assert "7 items" in _items(client, "")
    assert "3 items" in _items(client, "?supplier=acme-001")
    assert "4 items" in _items(client, "?supplier=Other+Comp")
    html = _items(client, "?source=site_visit")
    assert "1 item" in html and "Fire exit blocked" in html
    assert "1 item" in _items(client, "?risk=health_safety")
    assert "1 item" in _items(client, "?overdue=on")
    assert "0 items" in _items(client, "?status=closed")
    assert "3 items" in _items(client, "?supplier=OTHER-002&source=self_assessment")


def test_items_api_filters_alike(api_client, buyer, world):
    api_client.force_authenticate(buyer)
    base = "/api/v1/improvement-items/"
    assert api_client.get(base + "?supplier=ACME-001").json()["count"] == 3
    assert api_client.get(base + "?source=site_visit").json()["count"] == 1
    assert api_client.get(base + "?source=nonsense").status_code == 400


def test_score_page_links_to_that_suppliers_items(login, buyer, supplier_user, supplier, world):
    assessment = supplier.assessments.get()
    url = reverse("assessments:review-scores", args=[assessment.pk])
    html = login(buyer).get(url).content.decode()
    assert f'href="{reverse("assessments:items-staff")}?supplier=ACME-001"' in html
    linked = _items(login(buyer), "?supplier=ACME-001")
    assert "3 items" in linked and "OTHER-002" not in linked
    html = login(supplier_user).get(url).content.decode()
    assert f'href="{reverse("assessments:items")}?supplier=ACME-001"' in html


def test_queue_filters_by_supplier_status_source_risk_and_overdue(login, buyer, supplier):
    late = submitted(supplier, due_date=timezone.localdate() - dt.timedelta(days=10))
    third = SupplierFactory(code="THIRD-003", legal_name="Third Metals", country="JP")
    other_version = submitted(third, fiscal_year=2025)
    client = login(buyer)
    url = reverse("assessments:review-queue")

    def count(query):
        return client.get(url + query).content.decode()

    assert "2 self-assessments waiting" in count("")
    assert "1 self-assessment waiting" in count("?supplier=third+met")
    assert "1 self-assessment waiting" in count("?supplier=acme-001")
    assert "1 self-assessment waiting" in count("?overdue=on")
    assert "2 self-assessments waiting" in count("?source=assigned")
    assert "0 self-assessments waiting" in count("?source=campaign")
    assert "2 self-assessments waiting" in count("?risk=human_rights")
    assert "0 self-assessments waiting" in count("?risk=information_security")
    services.assessment_accept(actor=buyer, assessment_id=late.pk)
    html = count("?status=accepted")
    assert "1 self-assessment<" in html or "1 self-assessment\n" in html
    assert reverse("assessments:review-detail", args=[late.pk]) in html
    assert other_version
