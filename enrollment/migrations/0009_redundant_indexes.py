import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LEDGER = "enrollment_ledgerentry"
MESSAGE = "buku mutasi hanya dapat ditambah (append-only)"


def restore_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds the table to drop an index of a column, which drops its triggers: put
    the append-only triggers of 0002 back (as 0005 and 0007 do)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for operation in ("UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS ledger_no_{operation.lower()} BEFORE {operation} "
            f"ON {LEDGER} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        )


class Migration(migrations.Migration):
    """An import writes fewer indexes: the ledger's person and the projection's village are
    indexed by a constraint or index leading with them, the projection's last entry is never
    looked up (the ledger refuses DELETE), and the ledger's four nearly empty references are
    indexed only where filled."""

    dependencies = [
        ("enrollment", "0008_indonesian_verbose_names"),
        ("people", "0005_person_name_trigram"),
        ("regions", "0003_village_logo"),
        ("sktm", "0007_indonesian_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="corrects",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="corrections",
                to="enrollment.ledgerentry",
                verbose_name="mengoreksi entri",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
                verbose_name="data ganda dari",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="letter",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sktm.letter",
                verbose_name="SKTM",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="mother",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="people.person",
                verbose_name="ibu",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="people.person",
                verbose_name="penduduk",
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="last_entry",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enrollment.ledgerentry",
                verbose_name="mutasi terakhir",
            ),
        ),
        migrations.AlterField(
            model_name="participation",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.village",
                verbose_name="kalurahan/desa",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("mother__isnull", False)),
                fields=["mother"],
                name="ledger_mother",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("duplicate_of__isnull", False)),
                fields=["duplicate_of"],
                name="ledger_duplicate_of",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("letter__isnull", False)),
                fields=["letter"],
                name="ledger_letter",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("corrects__isnull", False)),
                fields=["corrects"],
                name="ledger_corrects",
            ),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
