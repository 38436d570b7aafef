from django.db import migrations

TABLE = "enrollment_ledgerentry"
MESSAGE = "buku mutasi hanya dapat ditambah (append-only)"

SQLITE = [
    f"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER ledger_no_update;", "DROP TRIGGER ledger_no_delete;"]
POSTGRESQL = [
    "CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;",
    f"CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER ledger_append_only ON {TABLE};",
    "DROP FUNCTION ledger_refuse_change();",
]


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    """Pasal 5: every addition and removal is kept; the database refuses UPDATE and DELETE of
    ledger entries (TRUNCATE: 0006)."""

    dependencies = [("enrollment", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
