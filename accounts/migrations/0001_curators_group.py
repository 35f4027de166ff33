from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.groups import curators_group_ensure


def create_curators(apps, schema_editor):
    # Permissions are normally made after all migrations; curators need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    curators_group_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("archive", "0002_accession_sequence_and_search_index"),
        ("licensing", "0002_seed_licences"),
    ]
    operations = [migrations.RunPython(create_curators, migrations.RunPython.noop)]
