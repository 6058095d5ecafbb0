"""Helpers of the declarations tests: a version authored and published, a signature."""

from __future__ import annotations

import datetime as dt

from declarations import services
from declarations.models import Audience, DeclarationKind, DeclarationVersion
from procurement_portal.fiscal import current_fiscal_year

TEXT_EN = "We manage environment, safety and health.\n\nWe comply with the law."
TEXT_JA = "当社は環境・安全衛生を管理します。\n\n法令を遵守します。"


def make_version(
    *,
    kind_code: str = "env-safety-health",
    number: int = 1,
    audience: str = Audience.NEW_SUPPLIERS,
    fiscal_year: int | None = None,
    regions: list | None = None,
    publish: bool = True,
    author=None,
) -> DeclarationVersion:
    from tests.factories import UserFactory

    kind = DeclarationKind.objects.get(code=kind_code)
    author = author or UserFactory(email="author@portal.example", role="admin")
    version = services.version_save(
        actor=author,
        version=DeclarationVersion(
            kind=kind,
            number=number,
            effective_date=dt.date(2020, 4, 1),
            title_en=f"{kind.name_en} v{number}",
            title_ja=f"{kind.name_ja} 第{number}版",
            text_en=TEXT_EN,
            text_ja=TEXT_JA,
            audience=audience,
            audience_fiscal_year=(
                None
                if audience == Audience.ALL_ACTIVE
                else fiscal_year or current_fiscal_year().year
            ),
            audience_regions=regions or [],
        ),
    )
    if publish:
        version = services.version_publish(actor=author, version_id=version.pk)
    return version


def sign(user, supplier, version, **overrides):
    values = {
        "actor": user,
        "supplier_id": supplier.pk,
        "version_id": version.pk,
        "signer_name": "Sachiko Suzuki",
        "signer_title": "Director",
        "confirmed": True,
        "language": "en",
        "ip_address": "203.0.113.5",
        "user_agent": "pytest",
    }
    values.update(overrides)
    return services.signature_create(**values)
