from django.db import migrations

TABLE = "bpjs_record"
MESSAGE = "riwayat BPJS hanya dapat ditambah (append-only)"

SQLITE = [
    f"CREATE TRIGGER bpjs_record_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER bpjs_record_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER bpjs_record_no_update;", "DROP TRIGGER bpjs_record_no_delete;"]
POSTGRESQL = [
    "CREATE FUNCTION bpjs_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;",
    f"CREATE TRIGGER bpjs_record_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION bpjs_record_refuse_change();",
    # TRUNCATE fires no row trigger: a statement trigger refuses it.
    f"CREATE TRIGGER bpjs_record_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION bpjs_record_refuse_change();",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER bpjs_record_no_truncate ON {TABLE};",
    f"DROP TRIGGER bpjs_record_append_only ON {TABLE};",
    "DROP FUNCTION bpjs_record_refuse_change();",
]


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    """Everything an outside source said is kept as it said it (DESIGN.md): the database
    refuses UPDATE, DELETE and TRUNCATE of the BPJS history."""

    dependencies = [("bpjs", "0001_bpjs_history_and_registration")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
