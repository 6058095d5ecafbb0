"""The six priority risks and the supplier categories, as rows, in both languages."""

from django.db import migrations

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


def seed(apps, schema_editor):
    PriorityRisk = apps.get_model("suppliers", "PriorityRisk")
    Category = apps.get_model("suppliers", "Category")
    for position, (code, en, ja) in enumerate(RISKS, start=1):
        PriorityRisk.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_ja": ja, "position": position}
        )
    for code, en, ja in CATEGORIES:
        Category.objects.update_or_create(code=code, defaults={"name_en": en, "name_ja": ja})


def unseed(apps, schema_editor):
    apps.get_model("suppliers", "PriorityRisk").objects.filter(code__in=[r[0] for r in RISKS]).delete()
    apps.get_model("suppliers", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
