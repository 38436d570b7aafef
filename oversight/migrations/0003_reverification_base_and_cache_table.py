from django.core.management import call_command
from django.db import migrations

# Each projection row's latest re-verification, and the schedule's base from it.
FILL = """
UPDATE enrollment_participation SET
  reverified_on = (SELECT checked_on FROM oversight_latestreverification latest
                   WHERE latest.person_id = enrollment_participation.person_id),
  verified_on = CASE
    WHEN (SELECT checked_on FROM oversight_latestreverification latest
          WHERE latest.person_id = enrollment_participation.person_id) > since
    THEN (SELECT checked_on FROM oversight_latestreverification latest
          WHERE latest.person_id = enrollment_participation.person_id)
    ELSE since END
WHERE person_id IN (SELECT person_id FROM oversight_latestreverification)
"""


def create_cache_table(apps, schema_editor):
    """The table of the database cache (settings.CACHES), where the figures are kept."""
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0002_one_reverification_per_person_and_date"),
        ("enrollment", "0007_ledger_village_and_reverification_base"),
    ]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
