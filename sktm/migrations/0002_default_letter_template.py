from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "default_letter.html"


def add_default_template(apps, schema_editor):
    LetterTemplate = apps.get_model("sktm", "LetterTemplate")
    if not LetterTemplate.objects.exists():
        LetterTemplate.objects.create(name="SKTM (bawaan)", body=DEFAULT.read_text())


class Migration(migrations.Migration):
    dependencies = [("sktm", "0001_initial")]

    operations = [migrations.RunPython(add_default_template, migrations.RunPython.noop)]
