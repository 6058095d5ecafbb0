"""The visit plan: each part of each score from the policy's thresholds, the weighted
mean, the ranking, and the queries it takes (one for the rows, however many suppliers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import InformationSecurityLevel
from procurement_portal.fiscal import FiscalYear
from tests.assessments.builders import build_assessment, build_version
from tests.factories import SpendFactory, SupplierFactory
from tests.visits.conftest import answer_all
from visits import planning, services
from visits.models import VisitPlanPolicy

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def policy(visits_reference):
    return VisitPlanPolicy.objects.create(
        version=2,
        name="Test",
        weight_spend=Decimal(2),
        weight_information=Decimal(1),
        weight_confidentiality=Decimal(1),
        weight_self_assessment=Decimal(1),
        weight_time_since_visit=Decimal(1),
        spend_full_amount=Decimal(1000),
        top_confidentiality_level=4,
        no_assessment_points=Decimal(80),
        months_full=24,
        recommend_from=Decimal(50),
    )


def _row(rows, supplier):
    return next(r for r in rows if r.supplier.pk == supplier.pk)


def test_each_part_of_the_score_follows_the_policy(policy, buyer, supplier, site, make_visit):
    SpendFactory(supplier=supplier, fiscal_year=YEAR - 1, amount=Decimal(250))
    SpendFactory(supplier=supplier, fiscal_year=YEAR + 1, amount=Decimal(999_999))  # later: unused
    supplier.handles_confidential_info = True
    supplier.save()
    InformationSecurityLevel.objects.create(supplier=supplier, fiscal_year=YEAR - 1, level=2)
    version = build_version(kind="sustainability", code="plan-saq")
    build_assessment(supplier=supplier, version=version, fiscal_year=YEAR - 1, status="accepted")
    from assessments.models import Assessment

    Assessment.objects.filter(supplier=supplier).update(overall_score=Decimal("70.0"))
    start = FiscalYear(YEAR).start
    six_months_before = dt.date(start.year - (start.month <= 6), (start.month - 7) % 12 + 1, 1)
    visit = make_visit(supplier=supplier, site=site, visit_date=six_months_before)
    answer_all(visit, buyer)
    services.visit_submit(actor=buyer, visit_id=visit.pk)
    never = SupplierFactory(code="NEVER-1")

    rows = planning.plan_rows(actor=buyer, fiscal_year=YEAR, policy=policy)
    row = _row(rows, supplier)
    assert row.components == {
        "spend": Decimal("25.0"),
        "information": Decimal("100.0"),
        "confidentiality": Decimal("50.0"),
        "self_assessment": Decimal("30.0"),
        "time_since_visit": Decimal("25.0"),  # 6 months of 24
    }
    # (2 x 25 + 100 + 50 + 30 + 25) / 6
    assert row.score == Decimal("42.5") and not row.recommended
    other = _row(rows, never)
    assert other.components["self_assessment"] == Decimal("80.0")  # none: the policy's points
    assert other.components["time_since_visit"] == Decimal("100.0")  # never visited
    assert other.score == Decimal("30.0")
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert rows.index(row) < rows.index(other)


def test_the_plan_reads_every_supplier_in_one_query(policy, buyer):
    for n in range(3):
        SupplierFactory(code=f"Q{n}")
    with CaptureQueriesContext(connection) as few:
        planning.plan_rows(actor=buyer, fiscal_year=YEAR, policy=policy)
    for n in range(3, 40):
        SpendFactory(supplier=SupplierFactory(code=f"Q{n}"), fiscal_year=YEAR)
    with CaptureQueriesContext(connection) as many:
        rows = planning.plan_rows(actor=buyer, fiscal_year=YEAR, policy=policy)
    assert len(rows) >= 40
    assert len(many) == len(few) <= 3


def test_information_security_assessors_plan_information_security_visits_only(
    policy, infosec_assessor, supplier
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        planning.plan_visits_create(
            actor=infosec_assessor, fiscal_year=YEAR, kind="svr", supplier_ids=[supplier.pk]
        )
    made = planning.plan_visits_create(
        actor=infosec_assessor, fiscal_year=YEAR, kind="infosec", supplier_ids=[supplier.pk]
    )
    assert made[0].plan_policy == policy and made[0].status == "planned"
