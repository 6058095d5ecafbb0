"""A small, hand-counted world for the annual figures of fiscal 2020 (1 April 2019 to
31 March 2020), holding the awkward cases of issue 14's proof. The expected figures,
counted by hand from the comments below, are in ``EXPECTED``.

Suppliers (region):
  A (Japan)  started 2019-04-01 (first day), declaration signed, critical, SA accepted,
             CDP 2020, a human-rights score in the lowest band, an open human-rights item.
  B (Japan)  started 2020-03-31 (last day), declaration revoked inside the year (2020-01-15),
             critical, SA returned for clarification and never resubmitted.
  C (Asia)   started 2020-04-01 (the day after), spend only in fiscal 2021.
  D (N. Am.) started 2019-10-10, social-only declaration revoked after the year
             (2020-05-01), critical only in fiscal 2019, spend in USD, infosec visit, no issue.
  E (EMEA)   old supplier re-signing, two SVRs with the same finding, an infosec visit with
             a significant finding, infosec SA submitted, spend in EUR without a rate.
  F (Japan)  old, critical, sustainability SA never submitted (draft), an item closed.
  G (Japan)  old, SA submitted rated high risk with an environment score in the lowest
             band, an environment item verified, SVR without issue, terminated 2020-03-01.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal

from django.utils import timezone

from assessments.models import (
    Campaign,
    CampaignSupplier,
    ImprovementItem,
    QuestionnaireKind,
    RiskScore,
)
from declarations.models import DeclarationKind, DeclarationVersion, Revocation, Signature
from suppliers.models import (
    CdpParticipation,
    CriticalDesignation,
    CurrencyRate,
    PriorityRisk,
    Site,
    Supplier,
    SupplierSpend,
)
from tests.assessments.builders import build_assessment, build_version

_seq = itertools.count(1)


def at(day: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day + " 10:00"))


def supplier(code: str, country: str, started: str | None, **kw) -> Supplier:
    return Supplier.objects.create(
        code=code,
        legal_name=f"{code} Co., Ltd.",
        country=country,
        transactions_started_on=dt.date.fromisoformat(started) if started else None,
        **kw,
    )


def sign(who: Supplier, version: DeclarationVersion, day: str) -> Signature:
    n = next(_seq)
    return Signature.objects.create(
        supplier=who,
        version=version,
        channel="paper",
        signed_at=at(day),
        signer_name="Signer",
        signer_title="CEO",
        language="en",
        canonical="{}",
        content_hash=hashlib.sha256(f"{who.code}{n}".encode()).hexdigest(),
        previous_hash="0" * 64,
        sequence=1000 + n,
    )


def revoke(signature: Signature, day: str) -> None:
    Revocation.objects.create(
        signature=signature, reason="withdrawn", effective_date=dt.date.fromisoformat(day)
    )


def declaration_version(code: str, *, environmental: bool, social: bool) -> DeclarationVersion:
    kind, _created = DeclarationKind.objects.get_or_create(
        code=code,
        defaults={
            "name_en": code,
            "name_ja": code,
            "covers_environmental": environmental,
            "covers_social": social,
        },
    )
    return DeclarationVersion.objects.create(
        kind=kind,
        number=1,
        effective_date=dt.date(2019, 4, 1),
        title_en="Declaration",
        title_ja="宣誓書",
        text_en="We declare.",
        text_ja="宣誓します。",
        status="published",
        audience="all_active",
    )


def risk(code: str) -> PriorityRisk:
    return PriorityRisk.objects.get(code=code)


def item(who: Supplier, risk_code: str, raised: str, **kw) -> ImprovementItem:
    row = ImprovementItem.objects.create(
        supplier=who,
        risk=risk(risk_code),
        description="finding",
        required_action="fix it",
        due_date=dt.date(2020, 12, 31),
        **kw,
    )
    ImprovementItem.objects.filter(pk=row.pk).update(created_at=at(raised))
    return row


def build_world() -> dict[str, Supplier]:
    s = {
        "A": supplier("A-JP", "JP", "2019-04-01"),
        "B": supplier("B-JP", "JP", "2020-03-31"),
        "C": supplier("C-CN", "CN", "2020-04-01"),
        "D": supplier("D-US", "US", "2019-10-10"),
        "E": supplier("E-DE", "DE", "2010-01-01"),
        "F": supplier("F-JP", "JP", "2012-06-01"),
        "G": supplier(
            "G-JP",
            "JP",
            "2011-01-01",
            status="terminated",
            terminated_on=dt.date(2020, 3, 1),
            termination_reason="Refused to remedy",
        ),
    }
    # 1. spend: C's is in another year; E's currency has no rate for fiscal 2020.
    CurrencyRate.objects.create(fiscal_year=2020, currency="USD", rate=Decimal("110"))
    CurrencyRate.objects.create(fiscal_year=2021, currency="USD", rate=Decimal("120"))
    for key, year, amount, currency in [
        ("A", 2020, "1000000", "JPY"),
        ("D", 2020, "100", "USD"),
        ("E", 2020, "50", "EUR"),
        ("G", 2020, "89000", "JPY"),
        ("C", 2021, "500", "USD"),
        ("A", 2019, "999999", "JPY"),
    ]:
        SupplierSpend.objects.create(
            supplier=s[key], fiscal_year=year, amount=Decimal(amount), currency=currency
        )
    # 2. critical: D only the year before.
    for key, year in [("A", 2020), ("B", 2020), ("F", 2020), ("D", 2019)]:
        CriticalDesignation.objects.create(
            supplier=s[key], fiscal_year=year, large_procurement_amount=True
        )
    # 3. declarations.
    both = declaration_version("test-both", environmental=True, social=True)
    social_only = declaration_version("test-social", environmental=False, social=True)
    sign(s["A"], both, "2019-05-01")
    revoke(sign(s["B"], both, "2019-06-01"), "2020-01-15")  # revoked inside the year
    revoke(sign(s["D"], social_only, "2019-11-01"), "2020-05-01")  # revoked after it
    sign(s["C"], both, "2020-03-01")  # not new (started the day after the year)
    sign(s["E"], both, "2019-07-01")  # an old supplier re-signing
    # 4. document checks.
    sus = build_version(code="fig-sus", kind=QuestionnaireKind.SUSTAINABILITY)
    isq = build_version(code="fig-isq", kind=QuestionnaireKind.INFORMATION_SECURITY)
    sa_a = build_assessment(
        supplier=s["A"],
        version=sus,
        fiscal_year=2020,
        status="accepted",
        submitted_at=at("2019-09-01"),
        rating="low",
    )
    sa_b = build_assessment(
        supplier=s["B"],
        version=sus,
        fiscal_year=2020,
        status="returned",
        submitted_at=at("2019-09-02"),
        rating="medium",
    )
    sa_f = build_assessment(supplier=s["F"], version=sus, fiscal_year=2020, status="in_progress")
    sa_g = build_assessment(
        supplier=s["G"],
        version=sus,
        fiscal_year=2020,
        status="accepted",
        submitted_at=at("2019-10-01"),
        rating="high",
    )
    build_assessment(
        supplier=s["E"],
        version=isq,
        fiscal_year=2020,
        status="submitted",
        submitted_at=at("2019-10-05"),
        rating="medium",
    )
    build_assessment(  # another year: counts nowhere in fiscal 2020
        supplier=s["D"],
        version=sus,
        fiscal_year=2019,
        status="accepted",
        submitted_at=at("2018-10-01"),
    )
    for assessment, code, rating, score in [
        (sa_a, "human_rights", "high", "30"),
        (sa_a, "environment", "low", "90"),
        (sa_g, "environment", "high", "20"),
        (sa_b, "environment", "medium", "60"),
    ]:
        RiskScore.objects.create(
            assessment=assessment,
            risk=risk(code),
            score=Decimal(score),
            earned=Decimal(score),
            possible=Decimal(100),
            rating=rating,
        )
    CdpParticipation.objects.create(supplier=s["A"], fiscal_year=2020)
    CdpParticipation.objects.create(supplier=s["G"], fiscal_year=2019)
    # 5. on-site.
    _visits(s)
    # 7. improvement items.
    item(
        s["G"],
        "environment",
        "2019-12-01",
        status="verified",
        action_plan="plan",
        action_plan_submitted_at=at("2019-12-20"),
        verified_at=at("2020-02-15"),
    )
    item(s["A"], "human_rights", "2020-03-01")
    item(s["F"], "fair_trade", "2019-06-01", status="closed", closed_at=at("2020-01-10"))
    item(s["F"], "fair_trade", "2020-04-10")  # raised after the year
    # 8. a campaign: A and B responded (B's was returned), F did not.
    campaign = Campaign.objects.create(
        name="SAQ 2020",
        version=sus,
        fiscal_year=2020,
        opens_on=dt.date(2019, 6, 1),
        due_date=dt.date(2019, 9, 30),
        status="launched",
    )
    for key, assessment in [("A", sa_a), ("B", sa_b), ("F", sa_f)]:
        CampaignSupplier.objects.create(campaign=campaign, supplier=s[key], assessment=assessment)
    return s


def _visits(s: dict[str, Supplier]) -> None:
    from visits.models import ChecklistItem, ChecklistTemplate, GuidanceCategory, Visit, VisitAnswer

    svr = ChecklistTemplate.objects.create(
        kind="svr", version=91, status="published", title_en="SVR"
    )
    infosec = ChecklistTemplate.objects.create(
        kind="infosec", version=91, status="published", title_en="Infosec"
    )
    svr_item = ChecklistItem.objects.create(
        template=svr, code="hours", text_en="Working hours", risk=risk("health_safety")
    )
    infosec_item = ChecklistItem.objects.create(
        template=infosec, code="labels", text_en="Labels", risk=risk("information_security")
    )
    x, y = GuidanceCategory.objects.order_by("position", "code")[:2]

    def visit(key, kind, day, result, status="submitted"):
        site = Site.objects.get_or_create(supplier=s[key], name="Main plant", country="JP")[0]
        return Visit.objects.create(
            supplier=s[key],
            site=site,
            kind=kind,
            visit_date=dt.date.fromisoformat(day),
            fiscal_year=2020,
            status=status,
            template=svr if kind == "svr" else infosec,
            result=result,
        )

    for day in ("2019-05-10", "2019-11-20"):  # E twice, the same finding
        v = visit("E", "svr", day, "minor")
        VisitAnswer.objects.create(visit=v, item=svr_item, outcome="minor", guidance_category=x)
    visit("G", "svr", "2019-08-01", "none")
    visit("A", "svr", "2020-04-02", "minor")  # the next year
    visit("F", "svr", "2019-08-15", "", status="draft")  # never submitted
    v = visit("E", "infosec", "2019-09-01", "significant")
    VisitAnswer.objects.create(
        visit=v, item=infosec_item, outcome="significant", guidance_category=y
    )
    visit("D", "infosec", "2019-12-01", "none")


def expected(categories: list[str]) -> dict:
    """The figures of fiscal 2020, counted by hand (see the module's docstring)."""
    x, y = categories[:2]
    figures = {
        "spend.total": Decimal("1100000.00"),
        "spend.japan.amount": Decimal("1089000.00"),
        "spend.japan.share": Decimal("99.0"),
        "spend.north_america.amount": Decimal("11000.00"),
        "spend.north_america.share": Decimal("1.0"),
        "spend.asia.amount": Decimal("0.00"),
        "spend.emea.amount": Decimal("0.00"),
        "spend.unconverted_rows": 1,
        "critical.total": 3,
        "critical.japan": 3,
        "critical.north_america": 0,
        "new_suppliers.total": 3,
        "new_suppliers.japan": 2,
        "new_suppliers.north_america": 1,
        "new_suppliers.asia": 0,
        "new_declared.total": 2,
        "new_declared.japan": 1,
        "new_declared.north_america": 1,
        "document_checks.critical_assessed": 2,
        "document_checks.cdp_participants": 1,
        "document_checks.infosec_assessed": 1,
        "onsite.svr_submitted": 3,
        "onsite.svr_with_issues": 2,
        "onsite.infosec_suppliers_visited": 2,
        "onsite.infosec_significant": 1,
        f"onsite.guidance.{x}": 1,
        f"onsite.guidance.{y}": 1,
        "gri_environmental.new_suppliers": 3,
        "gri_environmental.new_screened": 2,
        "gri_environmental.new_screened_percent": Decimal("66.7"),
        "gri_environmental.assessed": 4,
        "gri_environmental.significant": 1,
        "gri_environmental.improvements_agreed": 1,
        "gri_environmental.improvements_agreed_percent": Decimal("100.0"),
        "gri_environmental.terminated": 1,
        "gri_environmental.terminated_percent": Decimal("100.0"),
        "gri_social.new_screened": 3,
        "gri_social.new_screened_percent": Decimal("100.0"),
        "gri_social.assessed": 4,
        "gri_social.significant": 1,
        "gri_social.improvements_agreed": 0,
        "gri_social.improvements_agreed_percent": Decimal("0.0"),
        "gri_social.terminated": 0,
        "csco.spend_covered": Decimal("1089000.00"),
        "csco.spend_covered_percent": Decimal("99.0"),
        "csco.items_open.91-180.environment": 1,
        "csco.items_open.0-30.human_rights": 1,
        "csco.items_open.0-30.fair_trade": 0,
        "csco.items_open.181-365.fair_trade": 0,
        "csco.high_risk": 1,
        "csco.high_risk_visited": 1,
        "csco.high_risk_visited_percent": Decimal("100.0"),
    }
    return figures
