"""The six priority risks and the supplier categories, as rows, in both languages."""

from django.db import migrations

from suppliers.reference_data import CATEGORIES, RISKS, write_reference_data


def seed(apps, schema_editor):
    write_reference_data(apps.get_model("suppliers", "PriorityRisk"), apps.get_model("suppliers", "Category"))


def unseed(apps, schema_editor):
    apps.get_model("suppliers", "PriorityRisk").objects.filter(code__in=[r[0] for r in RISKS]).delete()
    apps.get_model("suppliers", "Category").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
