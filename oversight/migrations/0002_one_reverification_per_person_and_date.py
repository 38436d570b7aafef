from django.db import migrations, models


def drop_repeated_checks(apps, schema_editor):
    """Before the constraint: a check recorded twice on one date (the form sent twice) keeps
    its first record. A repeat that opened a removal is kept, and the constraint then fails
    the migration, for an admin to look at."""
    Reverification = apps.get_model("oversight", "Reverification")
    seen = set()
    for pk, person, checked_on, removal in Reverification.objects.order_by("pk").values_list(
        "pk", "person_id", "checked_on", "removal_id"
    ):
        if (person, checked_on) in seen and removal is None:
            Reverification.objects.filter(pk=pk).delete()
        seen.add((person, checked_on))


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]

    operations = [
        migrations.RunPython(drop_repeated_checks, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reverification",
            constraint=models.UniqueConstraint(
                fields=("person", "checked_on"), name="reverification_one_per_person_and_date"
            ),
        ),
    ]
