"""The two declaration kinds of the programme, present in every database.

Kinds are reference data (versions and their texts are authored by administrators):
the environment and safety-and-health management declaration covers environmental and
social criteria (social through health and safety), and so does the wider responsible
business conduct declaration.
"""

from django.db import migrations

KINDS = [
    {
        "code": "env-safety-health",
        "name_en": "Environment and safety-and-health management declaration",
        "name_ja": "環境・安全衛生マネジメントに関する宣言",
        "covers_environmental": True,
        "covers_social": True,
    },
    {
        "code": "responsible-business-conduct",
        "name_en": "Responsible business conduct declaration",
        "name_ja": "責任ある企業行動に関する宣言",
        "covers_environmental": True,
        "covers_social": True,
    },
]


def seed(apps, schema_editor):
    DeclarationKind = apps.get_model("declarations", "DeclarationKind")
    for kind in KINDS:
        DeclarationKind.objects.get_or_create(code=kind["code"], defaults=kind)


def unseed(apps, schema_editor):
    DeclarationKind = apps.get_model("declarations", "DeclarationKind")
    DeclarationKind.objects.filter(code__in=[k["code"] for k in KINDS], versions=None).delete()


class Migration(migrations.Migration):
    dependencies = [("declarations", "0002_immutable_rows")]
    operations = [migrations.RunPython(seed, unseed)]
