import django.db.models.deletion
from django.db import migrations, models

LEDGER = "enrollment_ledgerentry"
MESSAGE = "buku mutasi hanya dapat ditambah (append-only)"

# Entries written before this migration: the village of the person's household now, the only
# one known (and the one every figure grouped them by until now).
FILL_POSTGRESQL = f"""
UPDATE {LEDGER} entry SET village_id = household.village_id
FROM people_person person JOIN people_household household ON household.id = person.household_id
WHERE person.id = entry.person_id
"""
FILL_SQLITE = f"""
UPDATE {LEDGER} SET village_id = (
  SELECT household.village_id FROM people_person person
  JOIN people_household household ON household.id = person.household_id
  WHERE person.id = {LEDGER}.person_id)
"""


def fill_ledger_villages(apps, schema_editor):
    """The one UPDATE the ledger ever takes, with its append-only triggers (0002, 0006) lifted
    for this statement only, inside the migration's transaction: nothing else can write in
    between, and a failure restores them with everything else."""
    if schema_editor.connection.vendor == "postgresql":
        # The new column's foreign key is checked at once, so that no deferred check is
        # pending when the table is altered again.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {LEDGER} DISABLE TRIGGER ledger_append_only")
        schema_editor.execute(FILL_POSTGRESQL)
        schema_editor.execute(f"ALTER TABLE {LEDGER} ENABLE TRIGGER ledger_append_only")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_no_update")
        schema_editor.execute(FILL_SQLITE)
        restore_sqlite_triggers(apps, schema_editor)


def restore_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds a table to make a column NOT NULL, which drops its triggers: put the
    append-only triggers of 0002 back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for operation in ("UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS ledger_no_{operation.lower()} BEFORE {operation} "
            f"ON {LEDGER} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )


class Migration(migrations.Migration):
    """Each ledger entry keeps the village of its person when written; the projection carries
    the re-verification schedule's base, indexed with the village."""

    dependencies = [
        ("enrollment", "0006_truncate_refused"),
        ("people", "0002_personchange"),
        ("regions", "0002_village_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="village",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.village",
                verbose_name="kalurahan/desa",
            ),
        ),
        migrations.RunPython(fill_ledger_villages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ledgerentry",
            name="village",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.village",
                verbose_name="kalurahan/desa",
            ),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="participation",
            name="has_moved_village",
            field=models.BooleanField(default=False, verbose_name="pindah desa sejak mutasi"),
        ),
        migrations.AddField(
            model_name="participation",
            name="reverified_on",
            field=models.DateField(blank=True, null=True, verbose_name="verifikasi ulang terakhir"),
        ),
        migrations.AddField(
            model_name="participation",
            name="verified_on",
            field=models.DateField(null=True, verbose_name="terakhir diverifikasi"),
        ),
        # The re-verification dates are filled from oversight.LatestReverification by
        # oversight's migration 0003; until then each base is the spell's start.
        migrations.RunSQL(
            "UPDATE enrollment_participation SET verified_on = since", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="participation",
            name="verified_on",
            field=models.DateField(verbose_name="terakhir diverifikasi"),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["village", "verified_on", "person"], name="participation_village_due"
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["verified_on", "village", "person"], name="participation_due"
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                condition=models.Q(("has_moved_village", True)),
                fields=["person"],
                name="participation_moved",
            ),
        ),
    ]
