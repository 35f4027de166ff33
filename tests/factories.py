"""Factories that build records through the services, as the portal itself does."""

import datetime
import io

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from archive.models import Study
from archive.services.accession import FileEntry, study_create
from archive.services.status import study_hide, study_make_obsolete, study_remove
from archive.storage import content_store


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


def make_curator(username: str = "curator"):
    user = UserFactory(username=username, is_staff=True)  # curators work in /admin/
    user.groups.add(Group.objects.get(name="curators"))
    return user


def stored_file(path: str, content: bytes, attributes: dict | None = None) -> FileEntry:
    """Put `content` into archive storage and describe it as a file of a version."""
    key, sha256, size = content_store(io.BytesIO(content))
    return FileEntry(path=path, size=size, sha256=sha256, storage_key=key, attributes=attributes or {})


def study_metadata(title: str = "Mitochondrial dynamics in HeLa cells", **overrides) -> dict:
    metadata = {
        "title": title,
        "description": "Live-cell confocal time-lapse of mitochondrial fission and fusion.",
        "authors": [
            {"name": "Ada Lovelace", "orcid": "0000-0002-1825-0097", "affiliation": "EMBL-EBI"},
            {"name": "Rosalind Franklin", "affiliation": "King's College London"},
        ],
        "organism": "Homo sapiens",
        "imaging_method": "confocal microscopy",
        "keywords": ["mitochondria", "live imaging"],
        "publication_doi": "10.1038/s41592-021-01234-5",
    }
    metadata.update(overrides)
    return metadata


def make_study(
    *,
    owner=None,
    status: str = "released",
    title: str = "Mitochondrial dynamics in HeLa cells",
    files: list[FileEntry] | None = None,
    release_date: datetime.date | None = None,
    hidden: bool = False,
    licence: str | None = None,
    source: str = "",
    **metadata,
) -> Study:
    """Accession a study and bring it to `status` through the services."""
    owner = owner or UserFactory()
    today = timezone.localdate()
    if release_date is None:
        release_date = today if status != "confidential" else today + datetime.timedelta(days=90)
    if files is None:
        files = [stored_file("images/cell_01.tif", b"TIFF pixels of cell 01"), stored_file("README.txt", b"About")]
    study = study_create(
        owner=owner,
        metadata=study_metadata(title, **metadata),
        files=files,
        release_date=release_date,
        licence=licence,
        source=source,
    )
    if status == "obsolete":
        study = study_make_obsolete(
            study=study, actor=make_curator(), reason_category="superseded", note="Replaced by a newer study."
        )
    elif status == "removed":
        study = study_remove(study=study, actor=make_curator(), reason_category="retraction", note="Internal note")
    if hidden:
        study = study_hide(study=study, actor=make_curator(), reason_category="error", note="Erroneous entry")
    return study
