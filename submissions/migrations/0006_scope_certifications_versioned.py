# A submission keeps every scope certification (P-SCOPE): the one-to-one link becomes a foreign key and
# each certification gets its number; the certifications made so far are each their submission's first.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0005_release_on_submission"),
    ]

    operations = [
        migrations.AddField(
            model_name="scopecertification",
            name="number",
            field=models.PositiveIntegerField(
                default=1, help_text="1 for the first certification of the submission, then 2, 3, ..."
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="scopecertification",
            name="submission",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="scope_certifications",
                to="submissions.submission",
            ),
        ),
        migrations.AlterModelOptions(
            name="scopecertification",
            options={"ordering": ["submission", "number"]},
        ),
        migrations.AddConstraint(
            model_name="scopecertification",
            constraint=models.UniqueConstraint(
                fields=("submission", "number"), name="scopecertification_unique_number"
            ),
        ),
    ]
