"""Signatures and revocations can never be changed or deleted, below the ORM too.

A row trigger refuses every UPDATE and DELETE on both tables, whoever asks: the portal,
a management shell, or someone with a SQL prompt (only a superuser disabling the
trigger gets past it, and the hash chain then shows what changed). PostgreSQL raises
SQLSTATE 23001 (restrict_violation), which Django reports as an IntegrityError; SQLite,
the embedded default, aborts the statement the same way.

TRUNCATE fires no row trigger in PostgreSQL, so a test database can still be emptied
between transactional tests; deleting a supplier that has signatures is refused by the
foreign key (PROTECT) before the trigger is reached.
"""

from django.db import migrations

TABLES = ("declarations_signature", "declarations_revocation")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION declarations_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: declaration records are never changed or deleted',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION declarations_refuse_change()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON "
                    f"{table} BEGIN SELECT RAISE(ABORT, '{operation} on {table} refused: "
                    "declaration records are never changed or deleted'); END"
                )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS declarations_refuse_change()")
    elif vendor == "sqlite":
        for table in TABLES:
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
