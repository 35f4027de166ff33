"""A file's removal or obsoletion holds for its content in every version of the study (P-REMOVE, P-OBSOLETE).

A file is its content: the same SHA-256 in an earlier version (at its path or another)
is the same data, so it leaves the public record with it and comes back with it.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from archive.models import ArchiveFile, FileStatus
from archive.services.accession import study_version_add
from archive.tasks import thumbnails_make_missing
from core.models import CurationEvent
from curation.services.actions import files_curate
from tests.archive.test_thumbnails import png_bytes
from tests.factories import make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

CELL = png_bytes(40, 20)


def _post(client, study, action: str, **body):
    return client.post(f"/api/v1/curation/studies/{study.accession}/{action}/", body, content_type="application/json")


def _two_version_study(*, newest_path: str = "img/cell.png"):
    """v1 has img/cell.png and a.txt; v2 keeps the same image (at `newest_path`) and adds b.txt."""
    study = make_study(files=[stored_file("img/cell.png", CELL), stored_file("a.txt", b"a")])
    study_version_add(
        study=study, metadata=study_metadata("v2"), files=[stored_file(newest_path, CELL), stored_file("b.txt", b"b")]
    )
    thumbnails_make_missing()
    return study


def _public_view_of_v1(client: Client, study, path: str) -> dict:
    """What an anonymous visitor gets of `path` in version 1: each route's status, or whether it is listed."""
    args = [study.accession, 1]
    manifest = client.get(reverse("study-version-manifest", args=args))
    api = client.get(f"/api/v1/studies/{study.accession}/files/", {"version": 1}).json()["results"]
    return {
        "file": client.get(reverse("study-version-file", args=[*args, path])).status_code,
        "thumbnail": client.get(reverse("study-version-thumbnail", args=[*args, path])).status_code,
        "manifest": path in b"".join(manifest.streaming_content).decode(),
        "page": path in client.get(reverse("study-version", args=args)).content.decode(),
        "api": {row["path"]: row["status"] for row in api}.get(path),
    }


SERVED = {"file": 200, "thumbnail": 200, "manifest": True, "page": True, "api": "active"}
GONE = {"file": 410, "thumbnail": 410, "manifest": False, "page": False, "api": None}


def _statuses(study) -> dict[tuple[int, str], str]:
    files = ArchiveFile.objects.filter(version__study=study)
    return {(number, path): status for number, path, status in files.values_list("version__number", "path", "status")}


def test_p_remove_file_by_api_leaves_every_version_then_restore_brings_it_back(curator_client, anonymous_client):
    study = _two_version_study()
    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == SERVED

    removed = _post(curator_client, study, "remove", reason_category="investigation", files=["img/cell.png"])

    assert removed.status_code == 200 and removed.json()["files_changed"] == 2
    assert anonymous_client.get(reverse("study-file", args=[study.accession, "img/cell.png"])).status_code == 410
    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == GONE
    assert _public_view_of_v1(anonymous_client, study, "a.txt")["file"] == 200
    v1_file = ArchiveFile.objects.get(version__number=1, version__study=study, path="img/cell.png")
    assert (v1_file.status, v1_file.status_reason) == (FileStatus.REMOVED, "investigation")
    event = CurationEvent.objects.get(action="files.removed")
    assert (event.data["paths"], event.data["versions"]) == (["img/cell.png"], [1, 2])

    restored = _post(curator_client, study, "restore", reason_category="error", files=["img/cell.png"])

    assert restored.status_code == 200 and restored.json()["files_changed"] == 2
    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == SERVED
    assert set(_statuses(study).values()) == {FileStatus.ACTIVE}


def test_p_remove_follows_the_content_to_an_earlier_path(curator_client, anonymous_client):
    study = _two_version_study(newest_path="img/renamed.png")

    assert (
        _post(curator_client, study, "remove", reason_category="ownership", files=["img/renamed.png"]).status_code
        == 200
    )

    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == GONE


def test_p_remove_leaves_other_content_at_the_same_path_alone(curator_client):
    study = make_study(files=[stored_file("a.txt", b"a")])
    study_version_add(study=study, metadata=study_metadata("v2"), files=[stored_file("a.txt", b"a corrected")])

    assert _post(curator_client, study, "remove", reason_category="other", files=["a.txt"]).status_code == 200

    assert _statuses(study) == {(1, "a.txt"): FileStatus.ACTIVE, (2, "a.txt"): FileStatus.REMOVED}


def test_p_obsolete_file_by_api_marks_every_version(curator_client, anonymous_client):
    study = _two_version_study()

    answer = _post(curator_client, study, "obsolete", reason_category="superseded", files=["img/cell.png"])

    assert answer.status_code == 200
    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == {**SERVED, "api": "obsolete"}
    assert _statuses(study)[(1, "img/cell.png")] == FileStatus.OBSOLETE


def _admin_file_action(client, action: str, files, **form):
    selected = [file.pk for file in files]
    changelist = reverse("admin:archive_archivefile_changelist")
    return client.post(changelist, {"action": action, "_selected_action": selected, "confirm": "yes", **form})


def test_p_remove_admin_bulk_action_on_an_old_version_reaches_every_version_and_restores(
    curator_client, anonymous_client
):
    study = _two_version_study()
    v1_file = ArchiveFile.objects.get(version__number=1, version__study=study, path="img/cell.png")
    v2_file = ArchiveFile.objects.get(version__number=2, version__study=study, path="img/cell.png")

    assert (
        _admin_file_action(curator_client, "remove_files", [v1_file], reason_category="provenance").status_code == 302
    )

    assert anonymous_client.get(reverse("study-file", args=[study.accession, "img/cell.png"])).status_code == 410
    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == GONE

    assert _admin_file_action(curator_client, "restore_files", [v2_file], reason_category="error").status_code == 302

    assert _public_view_of_v1(anonymous_client, study, "img/cell.png") == SERVED
    assert set(_statuses(study).values()) == {FileStatus.ACTIVE}


def test_p_remove_admin_bulk_action_counts_each_file_once(curator):
    study = _two_version_study()
    both_copies = ArchiveFile.objects.filter(version__study=study, path="img/cell.png")

    assert files_curate(actor=curator, action="remove", files=both_copies, reason_category="other") == 2

    assert [e.data["versions"] for e in CurationEvent.objects.filter(action="files.removed")] == [[1, 2]]


def test_p_remove_a_new_version_keeps_removed_content_removed(curator_client, anonymous_client):
    study = _two_version_study()
    _post(curator_client, study, "remove", reason_category="retraction", files=["img/cell.png"])

    study_version_add(study=study, metadata=study_metadata("v3"), files=[stored_file("again/cell.png", CELL)])

    v3_file = ArchiveFile.objects.get(version__number=3, version__study=study)
    assert (v3_file.status, v3_file.status_reason) == (FileStatus.REMOVED, "retraction")
    url = reverse("study-version-file", args=[study.accession, 3, "again/cell.png"])
    assert anonymous_client.get(url).status_code == 410


def test_p_remove_migration_spreads_a_removal_made_before_to_every_copy():
    study = _two_version_study()
    # The state the old code left: only the newest copy removed, an earlier one obsolete.
    copies = ArchiveFile.objects.filter(version__study=study, path="img/cell.png")
    copies.filter(version__number=2).update(status=FileStatus.REMOVED, status_reason="retraction")
    copies.filter(version__number=1).update(status=FileStatus.OBSOLETE, status_reason="superseded")
    migration = importlib.import_module("archive.migrations.0007_file_status_follows_content")

    migration.spread_status_to_every_copy(django_apps, None)

    assert set(copies.values_list("status", "status_reason")) == {(FileStatus.REMOVED, "retraction")}
    assert _statuses(study)[(1, "a.txt")] == FileStatus.ACTIVE
