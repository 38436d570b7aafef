import datetime

from django.db import migrations

# DTSEN replaced DTKS as the register PBI follows with Inpres 4/2025 (5 February 2025); the
# kabupaten counts desil 1 to 5 as poor until it sets otherwise in the admin.
DEFAULT = {"valid_from": datetime.date(2025, 2, 5), "desil": 5}


def seed(apps, schema_editor):
    DesilThreshold = apps.get_model("regions", "DesilThreshold")
    DesilThreshold.objects.get_or_create(
        valid_from=DEFAULT["valid_from"],
        defaults={"desil": DEFAULT["desil"], "basis": "Inpres 4/2025 (DTSEN); ambang awal"},
    )


def unseed(apps, schema_editor):
    apps.get_model("regions", "DesilThreshold").objects.filter(**DEFAULT).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0004_desil_threshold")]

    operations = [migrations.RunPython(seed, unseed)]
