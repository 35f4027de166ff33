from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_curators(apps, schema_editor):
    # Permissions are normally made after all migrations; curators need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="curators")
    curators.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["archive", "licensing"], codename__startswith="view_"),
        *Permission.objects.filter(content_type__app_label="archive", codename__startswith="change_"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("archive", "0002_accession_sequence_and_search_index"),
        ("licensing", "0002_seed_licences"),
    ]
    operations = [migrations.RunPython(create_curators, migrations.RunPython.noop)]
