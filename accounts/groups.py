"""The `curators` group (docs/design.md §10.1): made by a migration, kept present after a flush."""

from core.roles import CURATORS_GROUP


def curators_group_ensure(group_model, permission_model) -> None:
    """Create the curators group: view rights on the archive and upload areas (P-UPLOAD-PRIVATE
    lets curators see them), change rights on studies.

    The models may be a migration's historical models.
    """
    curators, _ = group_model.objects.get_or_create(name=CURATORS_GROUP)
    curators.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label__in=["archive", "licensing", "uploads", "submissions"], codename__startswith="view_"
        ),
        *permission_model.objects.filter(content_type__app_label="archive", codename__startswith="change_"),
    )
