from django.db import migrations

MESSAGE = "log akses hanya dapat ditambah (append-only)"

# UU 27/2022: the log is kept whole for ACCESS_LOG_RETENTION_DAYS, then deleted. The one DELETE
# the trigger lets through is of a row older than the moment the cleanup command sets for its
# own transaction (audit.services.access_log_purge); UPDATE, TRUNCATE and any other DELETE are
# refused as before. The app's role has no DELETE grant at all: only the owner purges.
FORWARD = [
    "CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE purge_before text := current_setting('pbipemda.access_log_purge_before', true); "
    "BEGIN "
    "IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> '' "
    "AND OLD.at < purge_before::timestamptz THEN RETURN OLD; END IF; "
    f"RAISE EXCEPTION '{MESSAGE}'; END; $$;",
]
REVERSE = [
    "CREATE OR REPLACE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_second_step_lock")]

    operations = [migrations.RunPython(run(FORWARD), run(REVERSE))]
