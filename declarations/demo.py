"""Demo data of declarations, made through the real services (``manage.py seed_demo``).

The story: the environment and safety-and-health declaration was asked of last year's
new suppliers in North America (version 1, mostly signed on paper and loaded by staff);
this year version 2 asks the new suppliers of the year, the demo supplier's company
among them, and the wider responsible business conduct declaration is asked of this
year's new suppliers in Japan. The demo supplier user has signed version 2 in the portal
and still has the responsible business conduct declaration to sign; some new suppliers
have signed on paper, one signature is revoked, the rest are missing on the coverage
page. Audiences stay small so the demo's e-mail stays readable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from procurement_portal.accounts.models import Role, SupplierMembership, User
from procurement_portal.fiscal import FiscalYear, current_fiscal_year
from suppliers.models import Supplier, SupplierStatus
from suppliers.services import supplier_update

from . import services
from .models import Audience, DeclarationKind, DeclarationVersion
from .selectors import audience_suppliers

ESH_TEXT_EN = """We, the undersigned supplier, declare that we:

1. comply with the environmental, health and safety laws of every country we operate in;
2. run an environmental management system and an occupational health and safety
   management system (such as ISO 14001 and ISO 45001, or equivalent);
3. identify and reduce the environmental impact of our operations and products,
   including energy use, greenhouse gas emissions, waste, water and chemical substances;
4. prevent occupational accidents and illness, and train our workers accordingly;
5. ask the same of our own suppliers, and report serious incidents without delay."""

ESH_TEXT_JA = "\n".join(
    [
        "当社は、以下のとおり宣言します。",
        "",
        "1. 事業を行うすべての国の環境・労働安全衛生に関する法令を遵守します。",
        "2. ISO 14001 や ISO 45001 などの環境マネジメントシステムおよび"
        "労働安全衛生マネジメントシステムを運用します。",
        "3. エネルギー使用、温室効果ガス排出、廃棄物、水、化学物質を含め、"
        "事業活動と製品の環境負荷を把握し、低減します。",
        "4. 労働災害と職業性疾病を防止し、従業員に必要な教育を行います。",
        "5. 当社の調達先にも同様の取り組みを求め、重大な事故は遅滞なく報告します。",
    ]
)

RBC_TEXT_EN = """We, the undersigned supplier, have read the Guidelines for Responsible
Business Conduct in Supply Chains and declare that we respect human rights (no forced or
child labour, freedom of association, appropriate wages and working hours), occupational
health and safety, fair trade, the environment, information security and product
quality and safety, as the guidelines describe, and that we ask the same of our own
suppliers."""

RBC_TEXT_JA = (
    "当社は「サプライチェーンにおける責任ある企業行動ガイドライン」を読み、"
    "強制労働・児童労働の禁止、結社の自由、適切な賃金と労働時間を含む人権、"
    "労働安全衛生、公正取引、環境、情報セキュリティ、製品の品質・安全性を"
    "ガイドラインのとおり尊重し、当社の調達先にも同様の取り組みを求めることを宣言します。"
)


@dataclass
class DeclarationDemoResult:
    versions: int = 0
    portal_signatures: int = 0
    paper_signatures: int = 0
    revocations: int = 0

    def __str__(self) -> str:
        return (
            f"{self.versions} declaration versions, {self.portal_signatures} signed in the "
            f"portal, {self.paper_signatures} on paper, {self.revocations} revoked"
        )


def _publish(admin: User, **fields) -> DeclarationVersion:
    version = services.version_save(actor=admin, version=DeclarationVersion(**fields))
    return services.version_publish(actor=admin, version_id=version.pk)


def _paper(buyer: User, supplier: Supplier, version: DeclarationVersion, day: dt.date, n: int):
    japanese = supplier.region == "japan"
    return services.paper_signature_record(
        actor=buyer,
        supplier_code=supplier.code,
        version_id=version.pk,
        signed_on=day,
        signer_name=f"山田 太郎 {n}" if japanese else f"Alex Morgan {n}",
        signer_title="代表取締役" if japanese else "President",
        language="ja" if japanese else "en",
    )


def build_declaration_demo() -> DeclarationDemoResult:
    result = DeclarationDemoResult()
    admin = User.objects.filter(role=Role.ADMIN, email="admin@demo.example").first()
    buyer = User.objects.filter(role=Role.PROCUREMENT, email="buyer@demo.example").first()
    membership = (
        SupplierMembership.objects.filter(user__email="supplier@demo.example")
        .select_related("supplier", "user")
        .first()
    )
    if admin is None or buyer is None or membership is None:
        return result
    if DeclarationVersion.objects.exists():
        return result
    home, supplier_user = membership.supplier, membership.user
    this_year = current_fiscal_year()
    last_year = FiscalYear(this_year.year - 1)
    started = home.transactions_started_on
    if started is None or not this_year.contains(started):
        # The demo supplier's company is one of this year's new suppliers: it is asked to
        # sign both declarations.
        supplier_update(actor=buyer, supplier=home, transactions_started_on=this_year.start)
    if home.status not in (SupplierStatus.ACTIVE, SupplierStatus.ONBOARDING):
        return result

    esh = DeclarationKind.objects.get(code="env-safety-health")
    rbc = DeclarationKind.objects.get(code="responsible-business-conduct")
    texts = {"text_en": ESH_TEXT_EN, "text_ja": ESH_TEXT_JA}
    v1 = _publish(
        admin,
        kind=esh,
        number=1,
        effective_date=last_year.start,
        title_en="Declaration on environment and safety-and-health management",
        title_ja="環境・安全衛生マネジメントに関する宣言",
        audience=Audience.NEW_SUPPLIERS,
        audience_fiscal_year=last_year.year,
        audience_regions=["north_america"],
        **texts,
    )
    # Last year's new suppliers signed on paper, staff recorded it: two in three.
    for n, supplier in enumerate(audience_suppliers(v1).order_by("code")):
        if n % 3 != 2:
            day = min(supplier.transactions_started_on + dt.timedelta(days=14), last_year.end)
            _paper(buyer, supplier, v1, day, n)
            result.paper_signatures += 1

    v2 = _publish(
        admin,
        kind=esh,
        number=2,
        effective_date=this_year.start,
        title_en="Declaration on environment and safety-and-health management",
        title_ja="環境・安全衛生マネジメントに関する宣言",
        audience=Audience.NEW_SUPPLIERS,
        audience_fiscal_year=this_year.year,
        **texts,
    )
    _publish(
        admin,
        kind=rbc,
        number=1,
        effective_date=this_year.start,
        title_en="Declaration on responsible business conduct in supply chains",
        title_ja="サプライチェーンにおける責任ある企業行動に関する宣言",
        text_en=RBC_TEXT_EN,
        text_ja=RBC_TEXT_JA,
        audience=Audience.NEW_SUPPLIERS,
        audience_fiscal_year=this_year.year,
        audience_regions=["japan"],
    )
    result.versions = 3

    services.signature_create(
        actor=supplier_user,
        supplier_id=home.pk,
        version_id=v2.pk,
        signer_name=supplier_user.full_name or "佐藤 花子",
        signer_title="品質保証部長",
        confirmed=True,
        language="ja",
        ip_address="192.0.2.10",
        user_agent="seed_demo",
    )
    result.portal_signatures = 1

    # Half of this year's other new suppliers signed on paper; one was revoked since.
    signed = []
    others = audience_suppliers(v2).exclude(pk=home.pk).order_by("code")
    for n, supplier in enumerate(others):
        if n % 2 == 0:
            day = max(supplier.transactions_started_on or this_year.start, this_year.start)
            day = min(day, this_year.end, timezone.localdate())
            signed.append(_paper(buyer, supplier, v2, day, n))
            result.paper_signatures += 1
    if signed:
        services.signature_revoke(
            actor=buyer,
            signature_id=signed[0].pk,
            reason="Signed by a person without authority to sign for the company.",
        )
        result.revocations = 1
    return result
