from django.db import migrations

LEDGER = "enrollment_ledgerentry"
REGISTRY = "enrollment_registryrecord"
REGISTRY_MESSAGE = "data DTKS/DTSEN hanya dapat ditambah (append-only)"

FORWARD = [
    # ledger_refuse_change() of 0002 raises whatever fires it, a row or a statement.
    f"CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON {LEDGER} "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();",
    "CREATE FUNCTION registry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REGISTRY_MESSAGE}'; END; $$;",
    f"CREATE TRIGGER registry_append_only BEFORE UPDATE OR DELETE ON {REGISTRY} "
    "FOR EACH ROW EXECUTE FUNCTION registry_refuse_change();",
    f"CREATE TRIGGER registry_no_truncate BEFORE TRUNCATE ON {REGISTRY} "
    "FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_change();",
]
REVERSE = [
    f"DROP TRIGGER registry_no_truncate ON {REGISTRY};",
    f"DROP TRIGGER registry_append_only ON {REGISTRY};",
    "DROP FUNCTION registry_refuse_change();",
    f"DROP TRIGGER ledger_no_truncate ON {LEDGER};",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    """Pasal 5: the ledger and the DTKS/DTSEN listings that are its evidence are kept whole.
    TRUNCATE fires no row trigger, so a statement trigger refuses it too. SQLite has no
    TRUNCATE; the app's own role, which may not UPDATE, DELETE or TRUNCATE these tables at
    all, is in docs/production.md."""

    dependencies = [("enrollment", "0005_corrections")]

    operations = [migrations.RunPython(run(FORWARD), run(REVERSE))]
