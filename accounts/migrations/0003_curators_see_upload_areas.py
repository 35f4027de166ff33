from django.db import migrations


def grant(apps, schema_editor):
    # Reuse 0001's step: make the permissions now, then (re)build the group's rights.
    from importlib import import_module

    import_module("accounts.migrations.0001_curators_group").create_curators(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile"),
        ("uploads", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
