"""The first scoring policy, so that a fresh portal can score without set-up. Staff
change it by adding a newer policy (admin); this row stays as what old scores used."""

from django.db import migrations

DEFAULT = {
    "name": "Default policy",
    "low_risk_min": 80,
    "medium_risk_min": 50,
    "improvement_below": 50,
    "improvement_due_days": 90,
    "infosec_levels": [
        {"level": 1, "min_score": 0},
        {"level": 2, "min_score": 60},
        {"level": 3, "min_score": 80},
    ],
}


def create(apps, schema_editor):
    ScoringPolicy = apps.get_model("assessments", "ScoringPolicy")
    if not ScoringPolicy.objects.exists():
        ScoringPolicy.objects.create(**DEFAULT)


def remove(apps, schema_editor):
    apps.get_model("assessments", "ScoringPolicy").objects.filter(name=DEFAULT["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
