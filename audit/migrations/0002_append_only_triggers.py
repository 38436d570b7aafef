from django.db import migrations

TABLE = "audit_accesslog"
MESSAGE = "log akses hanya dapat ditambah (append-only)"

FORWARD = [
    "CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;",
    f"CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION access_log_refuse_change();",
    f"CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION access_log_refuse_change();",
]
REVERSE = [
    f"DROP TRIGGER access_log_no_truncate ON {TABLE};",
    f"DROP TRIGGER access_log_append_only ON {TABLE};",
    "DROP FUNCTION access_log_refuse_change();",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    """UU 27/2022 Pasal 31: the record of every processing of personal data is kept whole; the
    database refuses UPDATE, DELETE and TRUNCATE of it (PostgreSQL; SQLite has no roles and
    serves development only)."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(REVERSE))]
