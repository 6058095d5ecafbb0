"""The default scoring policy again, for a database left without an active one.

Until now ``scoring.current_policy()`` created the default row on first read when none was
active (a write on read paths, done by importing migration 0002). It is read-only now and
raises when there is no active policy, so a database that relied on that (its policies
deleted or all deactivated since 0002 ran) gets the default here, once, as 0002 would."""

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
    if not ScoringPolicy.objects.filter(is_active=True).exists():
        ScoringPolicy.objects.create(**DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_campaign_skipped_count")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
