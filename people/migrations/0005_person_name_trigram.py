"""A trigram index on UPPER(name), the expression Django's `icontains` compares on
PostgreSQL: a roster search by name reads the index instead of every resident. SQLite has no
pg_trgm and keeps its scan."""

from django.db import migrations

INDEX = "people_person_name_upper_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_person "
        "USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("people", "0004_plausible_dates_and_ascii_rt_rw")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
