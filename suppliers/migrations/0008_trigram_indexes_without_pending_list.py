"""The supplier search's trigram indexes take new rows at once (PostgreSQL only).

GIN indexes collect inserted rows in a "pending list" by default (``fastupdate``) and fold
them in at the next VACUUM; a search reads the whole pending list linearly. After a bulk
import of 50,000 suppliers, and until autovacuum came by, a search for a rare name took
about 300 ms of database time instead of under 1 ms (bench/README.md). The registry is
written rarely and searched all day: each insert now pays its index entry itself, and
what a pending list holds now is folded in here.
"""

from django.db import migrations

INDEXES = ("supplier_code_trgm", "supplier_legal_name_trgm", "supplier_local_name_trgm")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        # (strict: an index that is not there gives NULL, not an error)
        schema_editor.execute("SELECT gin_clean_pending_list(to_regclass(%s))", [name])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0007_cdp_termination_rates")]
    operations = [migrations.RunPython(forwards, backwards)]
