from django.db import migrations

TABLES = ["people_populationextract", "people_populationevent"]
MESSAGE = "data Dukcapil yang diimpor hanya dapat ditambah (append-only)"

SQLITE = [
    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for table in TABLES
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER {table}_no_{verb};" for table in TABLES for verb in ("update", "delete")
]
POSTGRESQL = [
    "CREATE FUNCTION people_population_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;",
    *(
        statement
        for table in TABLES
        for statement in (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION people_population_refuse_change();",
            # TRUNCATE fires no row trigger: a statement trigger refuses it.
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION people_population_refuse_change();",
        )
    ),
]
POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER {table}_{name} ON {table};"
        for table in TABLES
        for name in ("no_truncate", "append_only")
    ),
    "DROP FUNCTION people_population_refuse_change();",
]


def run(statements):
    def apply(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    """Everything an outside source said is kept as it said it (DESIGN.md): the database
    refuses UPDATE, DELETE and TRUNCATE of Dukcapil's imported extracts."""

    dependencies = [("people", "0006_population_events")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
