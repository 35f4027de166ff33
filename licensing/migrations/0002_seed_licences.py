from django.db import migrations

from licensing.defaults import licences_ensure


def seed(apps, schema_editor):
    licences_ensure(apps.get_model("licensing", "Licence"))


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
