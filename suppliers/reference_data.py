"""Rows every installation has: the six priority risks and the supplier categories.

Migration 0002 writes them; ``ensure_reference_data`` writes them again where they may have
gone (a test database flushed after a transactional test). Both are idempotent.
"""

RISKS = [
    ("human_rights", "Human rights", "人権"),
    ("health_safety", "Occupational health and safety", "労働安全衛生"),
    ("fair_trade", "Fair trade", "公正取引"),
    ("environment", "Environment", "環境"),
    ("information_security", "Information security", "情報セキュリティ"),
    ("quality_safety", "Product quality and safety", "製品の品質・安全性"),
]

CATEGORIES = [
    ("hardware", "Hardware", "ハードウェア"),
    ("software", "Software", "ソフトウェア"),
    ("services", "Services", "サービス"),
    ("components", "Components", "部品"),
    ("logistics", "Logistics", "物流"),
]


def write_reference_data(priority_risk_model, category_model) -> None:
    for position, (code, en, ja) in enumerate(RISKS, start=1):
        priority_risk_model.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_ja": ja, "position": position}
        )
    for code, en, ja in CATEGORIES:
        category_model.objects.update_or_create(code=code, defaults={"name_en": en, "name_ja": ja})


def ensure_reference_data() -> None:
    from .models import Category, PriorityRisk

    if PriorityRisk.objects.count() < len(RISKS) or Category.objects.count() < len(CATEGORIES):
        write_reference_data(PriorityRisk, Category)
