"""Trigram indexes for the supplier search (PostgreSQL only).

supplier_list(search=...) filters UPPER(code|legal_name|local_name) LIKE '%TERM%'. No
b-tree serves a leading wildcard, so at 50,000 suppliers each search scanned the table
twice (count and page, ~85 ms; bench/README.md). GIN trigram indexes on the same
expressions let PostgreSQL answer with a BitmapOr (~1 ms). SQLite keeps scanning, which
is fine at its sizes, hence RunPython instead of Meta.indexes.
"""

from django.db import migrations

INDEXES = {
    "supplier_code_trgm": "code",
    "supplier_legal_name_trgm": "legal_name",
    "supplier_local_name_trgm": "local_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # trusted since PG 13
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON suppliers_supplier "
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0004_currency_is_iso4217")]
    operations = [migrations.RunPython(create, drop)]
