"""Demo data of dissemination, made through the real services (``manage.py seed_demo``):
the programme's documents with versions and a PDF in English and Japanese (rendered by
WeasyPrint, uploaded through the one upload rule), published to small audiences so the
demo's e-mail stays readable; acknowledgements done and missing (the demo supplier's
company is asked and has one still to acknowledge); one partners meeting with attendance
and awards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from procurement_portal.accounts.models import Role, SupplierMembership, User
from suppliers.models import Supplier, SupplierStatus

from . import services
from .models import AwardCategory, GuidelineDocument, GuidelineVersion, VersionStatus

AUDIENCE_SIZE = 12  # suppliers asked per demo version, the demo supplier's company first

DOCUMENTS = (
    (
        "group-procurement-policy",
        "procurement_policy",
        "Group Procurement Policy",
        "グループ調達方針",
        ("1.0", "2.0"),
    ),
    (
        "supply-chain-guidelines",
        "supply_chain_guidelines",
        "Guidelines for Responsible Business Conduct in Supply Chains",
        "サプライチェーンにおける責任ある企業行動ガイドライン",
        ("3.0",),
    ),
    (
        "green-procurement",
        "green_procurement",
        "Green Procurement Guidelines",
        "グリーン調達ガイドライン",
        ("2026-04",),
    ),
    (
        "chemical-substances",
        "chemical_substances",
        "Specifications for Chemical Substances in Products",
        "製品含有化学物質規定",
        (),
    ),
    (
        "infosec-outsourcers",
        "information_security",
        "Information Security Rules for Outsourcers",
        "委託先情報セキュリティ規程",
        ("5.1",),
    ),
)


@dataclass
class DisseminationDemoResult:
    documents: int = 0
    versions: int = 0
    acknowledgements: int = 0
    meetings: int = 0


def _pdf(title: str, number: str, language: str) -> SimpleUploadedFile:
    from procurement_portal.documents.rendering import html_to_pdf_in_process

    body = (
        "本書はデモ用の文書です。サプライヤーの皆様には内容をご確認のうえ、ポータルで確認登録をお願いします。"
        if language == "ja"
        else "This is a demo document. Suppliers are asked to read it and acknowledge it "
        "in the portal."
    )
    html = (
        f'<html lang="{language}"><body style="font-family: sans-serif">'
        f"<h1>{escape(title)}</h1><p>{escape(number)}</p><p>{escape(body)}</p></body></html>"
    )
    data = html_to_pdf_in_process(html, base_url="http://127.0.0.1/")
    return SimpleUploadedFile(f"{title} {number} ({language}).pdf", data, "application/pdf")


def build_dissemination_demo() -> DisseminationDemoResult:
    result = DisseminationDemoResult()
    buyer = User.objects.filter(role=Role.PROCUREMENT, email="buyer@demo.example").first()
    membership = (
        SupplierMembership.objects.filter(user__email="supplier@demo.example")
        .select_related("supplier", "user")
        .first()
    )
    if buyer is None or membership is None or GuidelineDocument.objects.exists():
        return result
    home = membership.supplier
    others = list(
        Supplier.objects.filter(status=SupplierStatus.ACTIVE)
        .exclude(pk=home.pk)
        .order_by("code")
        .values_list("code", flat=True)[: AUDIENCE_SIZE - 1]
    )
    codes = [home.code, *others]
    today = timezone.localdate()
    for code, category, title_en, title_ja, numbers in DOCUMENTS:
        document = services.document_create(
            actor=buyer, code=code, title_en=title_en, title_ja=title_ja, category=category
        )
        result.documents += 1
        for position, number in enumerate(numbers or ("0.9",)):
            version = services.version_create(
                actor=buyer,
                document_id=document.pk,
                number=number,
                changes_en="First edition." if position == 0 else "Clarified subcontractor duties.",
                changes_ja="初版。" if position == 0 else "再委託先の義務を明確化。",
                audience="listed",
                audience_codes=codes,
                reminder_every_days=14,
            )
            services.version_file_attach(
                actor=buyer,
                version_id=version.pk,
                language="en",
                upload=_pdf(title_en, number, "en"),
            )
            services.version_file_attach(
                actor=buyer,
                version_id=version.pk,
                language="ja",
                upload=_pdf(title_ja, number, "ja"),
            )
            result.versions += 1
            if not numbers:
                continue  # the chemical-substance specification stays a draft
            days_ago = 30 * (len(numbers) - position)
            services.version_publish(
                actor=buyer, version_id=version.pk, published_on=today - dt.timedelta(days=days_ago)
            )
    # The demo supplier acknowledged the policy and the guidelines; green procurement and
    # the information-security rules are still to do. Every other supplier with an even
    # position in the list acknowledged everything, so coverage is part done.
    current = GuidelineVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "document"
    )
    done_by_home = {"group-procurement-policy", "supply-chain-guidelines"}
    for version in current:
        if version.document.code in done_by_home:
            services.acknowledgement_create(
                user=membership.user, version_id=version.pk, supplier_id=home.pk
            )
            result.acknowledgements += 1
        for code in others[1::2]:
            _acknowledge_as_supplier(version, code)
            result.acknowledgements += 1
    result.meetings = _meeting(buyer=buyer, codes=codes)
    return result


def _acknowledge_as_supplier(version, code: str) -> None:
    """Another demo supplier's acknowledgement, by a user acting for it (made once)."""
    supplier = Supplier.objects.get(code=code)
    user, created = User.objects.get_or_create(
        email=f"reader-{code.lower()}@demo.example",
        defaults={"full_name": f"Reader {code}", "role": Role.SUPPLIER},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        SupplierMembership.objects.create(user=user, supplier=supplier)
    services.acknowledgement_create(user=user, version_id=version.pk, supplier_id=supplier.pk)


def _meeting(*, buyer, codes: list[str]) -> int:
    meeting = services.meeting_create(
        actor=buyer,
        date=timezone.localdate() - dt.timedelta(days=60),
        title="Strategic Supply Chain Partners Meeting",
        place="Tokyo",
    )
    services.meeting_invite(actor=buyer, meeting_id=meeting.pk, supplier_codes=codes)
    suppliers = {s.code: s for s in Supplier.objects.filter(code__in=codes)}
    for position, code in enumerate(codes):
        if position % 4 == 3:
            continue  # invited, did not come (attendance not recorded)
        services.attendance_record(
            actor=buyer,
            meeting_id=meeting.pk,
            supplier_id=suppliers[code].pk,
            managers_attended=1 + (position * 7) % 4,
        )
    services.award_create(
        actor=buyer,
        meeting_id=meeting.pk,
        supplier_code=codes[0],
        category=AwardCategory.ENVIRONMENT,
        note="Cut packaging waste by 40 % across its plants.",
    )
    services.award_create(
        actor=buyer,
        meeting_id=meeting.pk,
        supplier_code=codes[1],
        category=AwardCategory.QUALITY,
        note="Zero defects shipped for the year.",
    )
    return 1
