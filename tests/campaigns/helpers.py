"""Builders for the campaign tests (the shared ones stay in tests/assessments/builders.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from assessments.campaigns import services
from tests.assessments.builders import build_version
from tests.factories import ContactFactory, SupplierFactory


def suppliers_with_contacts(n: int, *, prefix: str = "C", country: str = "JP", **kw) -> list:
    """``n`` active suppliers with one contact each (alternately English and Japanese)."""
    made = []
    for i in range(n):
        supplier = SupplierFactory(code=f"{prefix}-{i:05d}", country=country, **kw)
        ContactFactory(
            supplier=supplier,
            name=f"Contact {prefix}{i}",
            email=f"{prefix.lower()}{i}@supplier.example",
            language="ja" if i % 2 else "en",
        )
        made.append(supplier)
    return made


def the_version():
    """The test questionnaire's published version (built once per test)."""
    from assessments.models import QuestionnaireVersion

    existing = QuestionnaireVersion.objects.filter(questionnaire__code="test-saq", number=1).first()
    return existing or build_version()


def draft(actor, *, version=None, **fields):
    today = timezone.localdate()
    values = {
        "name": "Sustainability survey",
        "version": version or the_version(),
        "fiscal_year": 2026,
        "opens_on": today,
        "due_date": today + dt.timedelta(days=30),
        **fields,
    }
    return services.campaign_create(actor=actor, **values)
