"""Fixtures for the visits tests: the shipped checklists and categories, a site of the
supplier, and a draft visit logged through the real service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import SiteFactory


@pytest.fixture
def visits_reference(db):
    from visits.reference_data import ensure_reference_data

    ensure_reference_data()


@pytest.fixture
def site(supplier):
    return SiteFactory(supplier=supplier, name="Kawasaki plant")


@pytest.fixture
def other_site(other_supplier):
    return SiteFactory(supplier=other_supplier, name="Jurong plant")


@pytest.fixture
def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def make_visit(visits_reference, buyer):
    from visits import services

    def make(*, supplier, site, kind="svr", actor=None, visit_date=None, **extra):
        return services.visit_create(
            actor=actor or buyer,
            supplier_id=supplier.pk,
            site_id=site.pk,
            kind=kind,
            visit_date=visit_date or (timezone.localdate() - dt.timedelta(days=1)),
            methods=extra.pop("methods", ["interview", "inspection"]),
            **extra,
        )

    return make


@pytest.fixture
def draft(make_visit, supplier, site):
    return make_visit(supplier=supplier, site=site)


def answer_all(visit, actor, *, findings=None, prefix="k"):
    """Answer every item conforming, except ``findings`` ({code: values})."""
    from visits import services

    findings = findings or {}
    for answer in visit.answers.select_related("item"):
        code = answer.item.code
        values = findings.get(code, {"outcome": "conforming"})
        services.answer_save(
            actor=actor,
            visit_id=visit.pk,
            item_code=code,
            client_key=f"{prefix}-{code}",
            base_revision=answer.revision,
            values=values,
        )


def finding(visit, *, outcome="minor", category="working_hours", days=30):
    return {
        "outcome": outcome,
        "note": "Overtime records of March exceed the agreement.",
        "guidance_category": category,
        "required_action": "Keep overtime within the agreement and record it.",
        "due_date": (visit.visit_date + dt.timedelta(days=days)).isoformat(),
    }
