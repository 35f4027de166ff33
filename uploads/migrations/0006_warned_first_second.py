from django.db import migrations


class Migration(migrations.Migration):
    """The warning stamps are named for UPLOAD_WARNING_DAYS' first and second entries, not for 14 and 2 days."""

    dependencies = [("uploads", "0005_tus_metadata")]

    operations = [
        migrations.RenameField(model_name="uploadfile", old_name="warned_14_at", new_name="warned_first_at"),
        migrations.RenameField(model_name="uploadfile", old_name="warned_2_at", new_name="warned_second_at"),
    ]
