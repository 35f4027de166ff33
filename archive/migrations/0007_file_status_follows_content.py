"""Give every copy of a content in a study the status a curator gave one of them (P-REMOVE, P-OBSOLETE).

Before, removing or obsoleting a file marked only the copy in the version named, so earlier
versions kept serving the same bytes. Where copies disagree, removed wins over obsolete: the
safe reading of a curator's decision. Undoing this would publish removed data again, so the
reverse step leaves the rows as they are.
"""

from django.db import migrations

STRENGTH = {"active": 0, "obsolete": 1, "removed": 2}


def spread_status_to_every_copy(apps, schema_editor):
    ArchiveFile = apps.get_model("archive", "ArchiveFile")
    marked = (
        ArchiveFile.objects.exclude(status="active")
        .order_by("version__number")
        .values_list("version__study_id", "sha256", "status", "status_reason", "status_changed_at")
    )
    strongest = {}
    for study_id, sha256, status, reason, changed_at in marked.iterator():
        kept = strongest.get((study_id, sha256))
        if kept is None or STRENGTH[status] >= STRENGTH[kept["status"]]:
            strongest[study_id, sha256] = {"status": status, "status_reason": reason, "status_changed_at": changed_at}
    for (study_id, sha256), fields in strongest.items():
        ArchiveFile.objects.filter(version__study_id=study_id, sha256=sha256).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("archive", "0006_unique_source_id")]

    operations = [migrations.RunPython(spread_status_to_every_copy, migrations.RunPython.noop)]
