"""The guidance categories of findings, and the first visit plan policy: data the portal
needs from the start (staff add categories and policy versions in the admin later)."""

from django.db import migrations

CATEGORIES = [
    ("confidential_labelling", "Confidential labelling", "機密表示"),
    ("confidential_disposal_return", "Disposal and return of confidential items", "機密物の廃棄・返却"),
    ("information_handling", "Handling of information and media", "情報・媒体の取扱い"),
    ("access_control", "Physical access control", "入退室管理"),
    ("working_hours", "Working hours", "労働時間"),
    ("wages", "Wages and benefits", "賃金・手当"),
    ("occupational_safety", "Occupational safety measures", "労働安全対策"),
    ("emergency_preparedness", "Emergency preparedness", "緊急時への備え"),
    ("chemical_management", "Management of chemical substances", "化学物質管理"),
    ("waste_emissions", "Waste and emissions", "廃棄物・排出物"),
    ("other", "Other", "その他"),
]


def seed(apps, schema_editor):
    GuidanceCategory = apps.get_model("visits", "GuidanceCategory")
    for position, (code, en, ja) in enumerate(CATEGORIES, start=1):
        GuidanceCategory.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_ja": ja, "position": position}
        )
    VisitPlanPolicy = apps.get_model("visits", "VisitPlanPolicy")
    VisitPlanPolicy.objects.get_or_create(version=1, defaults={"name": "Initial weights"})


def unseed(apps, schema_editor):
    apps.get_model("visits", "GuidanceCategory").objects.filter(
        code__in=[code for code, _en, _ja in CATEGORIES]
    ).delete()
    apps.get_model("visits", "VisitPlanPolicy").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
