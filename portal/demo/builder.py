"""Build the demo archive through the archive services, exactly once."""

import datetime
import io
from dataclasses import dataclass

import numpy as np
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from archive.models import Study
from archive.services.access import study_collaborator_add
from archive.services.accession import FileEntry, study_create, study_version_add
from archive.services.status import study_hide, study_make_obsolete, study_remove
from archive.storage import content_store
from core.roles import CURATORS_GROUP
from portal.demo.catalogue import LIGHT_SHEET, PEOPLE, SBF_SEM, STED, STUDIES, TEM, DemoStudy
from portal.demo.images import SIZES, as_8bit, png_bytes, synthetic_image, tiff_bytes
from portal.demo.submissions import demo_submissions_seed
from portal.demo.uploads import demo_uploads_seed

DEMO_PASSWORD = "demo-password-2026"
# Released demo studies are spread over this many days before today.
HISTORY_DAYS = 4 * 365
# Confidential demo studies open this many days from today (within the RELEASE_DATE_MAX_YEARS bound of P-RELEASE-DATE).
CONFIDENTIAL_DAYS = (45, 120, 200, 365, 600)
WELLS = ("A01", "A02", "B01", "B02")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


LOGINS = (
    DemoLogin("alice", "submitter; owns the confidential studies; upload files, some deleted soon"),
    DemoLogin("bob", "submitter; invited to one of alice's confidential studies; a submission in review"),
    DemoLogin("carol", "curator; also signs in to /admin/"),
    DemoLogin("admin", "superuser; /admin/"),
)


@dataclass(frozen=True)
class DemoResult:
    created: bool
    studies: int
    upload_files: int = 0
    submissions: int = 0


def demo_seed() -> DemoResult:
    """Create the demo users, studies and upload areas unless they exist; a second run changes nothing.

    alice owning studies marks a seeded archive, and alice having upload files
    seeded upload areas (so an archive seeded before upload areas existed gets them), and
    bob having submissions seeded submissions.
    """
    studies = 0 if Study.objects.filter(owner__username="alice").exists() else _studies_seed()
    upload_files = demo_uploads_seed()
    submissions = demo_submissions_seed()
    return DemoResult(
        created=bool(studies or upload_files or submissions),
        studies=studies,
        upload_files=upload_files,
        submissions=submissions,
    )


def _studies_seed() -> int:
    """Create the demo users and studies in one transaction, so a failed run leaves no half demo behind.

    Stored file contents may stay; storage is content-addressed, so a retry reuses them.
    """
    # The demo logins share one published password, so it is hashed once (hashing is deliberately slow).
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        users = {
            "alice": _user("alice", "Alice", "Marchetti", password=password),
            "bob": _user("bob", "Bob", "Okafor", password=password),
            "carol": _user("carol", "Carol", "Lindqvist", password=password, staff=True, curator=True),
            "admin": _user("admin", "Archive", "Administrator", password=password, staff=True, superuser=True),
        }
        today = timezone.localdate()
        public = [spec for spec in STUDIES if spec.fate != "confidential"]
        confidential = iter(CONFIDENTIAL_DAYS)
        # Confidential studies come last: they were submitted recently, so their accessions are the newest.
        for index, spec in sorted(enumerate(STUDIES), key=lambda item: item[1].fate == "confidential"):
            if spec.fate == "confidential":
                release_date, created_at = today + datetime.timedelta(days=next(confidential)), timezone.now()
            else:
                # Oldest first, so accession numbers grow with release dates as in a real archive.
                days_ago = round(HISTORY_DAYS * (len(public) - public.index(spec)) / len(public))
                release_date = today - datetime.timedelta(days=days_ago)
                created_at = datetime.datetime.combine(release_date, datetime.time(9, 30), tzinfo=datetime.UTC)
            _study(index, spec, users, release_date=release_date, created_at=created_at)
    return len(STUDIES)


def _user(
    username: str, first_name: str, last_name: str, *, password: str, staff=False, superuser=False, curator=False
):
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.org",
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": staff,
            "is_superuser": superuser,
            "password": password,
        },
    )
    if curator:
        user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    # Sign-in requires a verified address (ACCOUNT_EMAIL_VERIFICATION=mandatory).
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _metadata(spec: DemoStudy) -> dict:
    return {
        "title": spec.title,
        "description": spec.description,
        "authors": [PEOPLE[i] for i in spec.authors],
        "organism": spec.organism,
        "imaging_method": spec.imaging_method,
        "keywords": list(spec.keywords),
    }


def _study(index: int, spec: DemoStudy, users: dict, *, release_date: datetime.date, created_at) -> Study:
    files = _image_files(index, spec)
    study = study_create(
        owner=users[spec.owner],
        metadata=_metadata(spec),
        files=[*files, _readme(spec, files)],
        release_date=release_date,
        licence="CC-BY-4.0" if spec.source_id else None,
        source="EMPIAR" if spec.source_id else "",
        source_id=spec.source_id,
        now=created_at,
    )
    if spec.revision:
        extra = _stored("analysis/overview.png", png_bytes(synthetic_image(seed=index * 100 + 99, kind="nuclei")))
        revised = [*files, extra]
        metadata = {**_metadata(spec), "description": f"{spec.description} {spec.revision}"}
        study_version_add(study=study, metadata=metadata, files=[*revised, _readme(spec, revised)], note=spec.revision)
    if spec.shared_with:
        study_collaborator_add(study=study, user=users[spec.shared_with], actor=users[spec.owner])
    if spec.fate == "hidden":
        study = study_hide(study=study, actor=users["carol"], reason_category=spec.reason, note=spec.note)
    elif spec.fate == "obsolete":
        study = study_make_obsolete(study=study, actor=users["carol"], reason_category=spec.reason, note=spec.note)
    elif spec.fate == "removed":
        study = study_remove(study=study, actor=users["carol"], reason_category=spec.reason, note=spec.note)
    return study


def _image_files(index: int, spec: DemoStudy) -> list[FileEntry]:
    """Return 2 to 6 stored images laid out as the imaging method would produce them, preview last."""
    count = 2 + index % 5
    size = SIZES[index % len(SIZES)]
    if spec.imaging_method in (TEM, SBF_SEM):
        raw = [(f"raw/slices/slice_{n:04}.tif", "em") for n in range(count - 1)]
        preview_path, previewed = "preview/slice_0000.png", 1
    elif spec.imaging_method == LIGHT_SHEET:
        raw = [(f"raw/stack/z{n:03}.tif", "tissue") for n in range(count - 1)]
        preview_path, previewed = "preview/max_projection.png", len(raw)
    else:
        second = "foci" if spec.imaging_method == STED else "cells"
        channels = [
            pair
            for well in WELLS
            for pair in ((f"raw/plate1/{well}_ch1.tif", "nuclei"), (f"raw/plate1/{well}_ch2.tif", second))
        ]
        raw = channels[: count - 1]
        preview_path, previewed = "processed/A01_overlay.png", 2
    images = [synthetic_image(seed=index * 100 + n, kind=kind, size=size) for n, (_, kind) in enumerate(raw)]
    files = [_stored(path, tiff_bytes(image)) for (path, _), image in zip(raw, images, strict=True)]
    # The preview is a maximum projection of the raw images it summarises (a slice, a stack, a well's channels).
    preview = np.max(np.stack([as_8bit(image) for image in images[:previewed]]), axis=0)
    return [*files, _stored(preview_path, png_bytes(preview))]


def _readme(spec: DemoStudy, files: list[FileEntry]) -> FileEntry:
    listing = "\n".join(f"- {f.path} ({f.size} bytes)" for f in files)
    text = (
        f"{spec.title}\n\n{spec.description}\n\nFiles:\n{listing}\n\n"
        "Demonstration data made by `manage.py seed_demo`: the images are computer-generated, "
        "not microscope acquisitions.\n"
    )
    return _stored("README.txt", text.encode())


def _stored(path: str, content: bytes) -> FileEntry:
    key, sha256, size = content_store(io.BytesIO(content))
    return FileEntry(path=path, size=size, sha256=sha256, storage_key=key)
