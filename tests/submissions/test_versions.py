"""New versions of a study (issue #5 point 6, P-PERMANENT): keep, drop and add files; every version stays."""

import os

import pytest
from django.conf import settings

from archive.models import ArchiveFile, StudyVersion
from archive.storage import archive_storage
from core.errors import NotAllowed, PolicyViolation
from submissions import scope
from submissions.services import (
    submission_acknowledge,
    submission_certify_scope,
    submission_files_set,
    submission_metadata_update,
    submission_submit,
    submission_version_start,
)
from tests.factories import make_study, study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS, archive_keys, ready_draft
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

V1 = {"images/a.tif": b"a pixels", "images/b.tif": b"b pixels", "README.txt": b"About v1"}


@pytest.fixture
def study(submitter, django_capture_on_commit_callbacks):
    """Version 1, deposited through a submission as a submitter would."""
    submission, _ = ready_draft(submitter, V1)
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=submission, actor=submitter)
    submission.refresh_from_db()
    return submission.study


def _ready(draft, owner):
    submission_certify_scope(
        submission=draft, actor=owner, form_version=scope.SCOPE_FORM_VERSION, answers=ACCEPTED_ANSWERS
    )
    submission_acknowledge(submission=draft, actor=owner, public_disclosure=True, right_to_submit=True)


def _files(version_number: int, study) -> dict[str, ArchiveFile]:
    return {f.path: f for f in ArchiveFile.objects.filter(version__study=study, version__number=version_number)}


def test_p_permanent_new_version_starts_from_the_newest_version(study, submitter):
    draft = submission_version_start(study=study, actor=submitter)
    assert draft.kind == "new_version" and draft.study == study and draft.state == "draft"
    assert draft.metadata == study.versions.get(number=1).metadata
    assert sorted(draft.files.values_list("path", "state", "upload_file")) == sorted(
        (path, "done", None) for path in V1
    )
    assert submission_version_start(study=study, actor=submitter) == draft  # resumed, not a second draft


def test_p_permanent_keep_drop_and_add_files_make_version_2(
    study, submitter, client, mailoutbox, django_capture_on_commit_callbacks
):
    v1_files = _files(1, study)
    keys_before = set(archive_keys())
    kept_mtime = os.path.getmtime(archive_storage().path(v1_files["images/a.tif"].storage_key))
    added = upload_file_put(owner=submitter, relative_path="images/c.tif", content=b"c pixels, new")
    draft = submission_version_start(study=study, actor=submitter)
    submission_files_set(
        submission=draft, actor=submitter, upload_file_ids=[added.pk], keep_paths=["images/a.tif", "README.txt"]
    )
    submission_metadata_update(
        submission=draft, actor=submitter, metadata=study_metadata("Mitochondrial dynamics, corrected")
    )
    _ready(draft, submitter)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft = submission_submit(submission=draft, actor=submitter)
    draft.refresh_from_db()
    assert draft.state == "accepted"

    study.refresh_from_db()
    assert list(study.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    v2_files = _files(2, study)
    assert set(v2_files) == {"images/a.tif", "README.txt", "images/c.tif"}
    assert study.files_count == 3 and study.title == "Mitochondrial dynamics, corrected"
    # Kept files point at the same stored object, which was not written again; only the new content was stored.
    for path in ("images/a.tif", "README.txt"):
        assert v2_files[path].storage_key == v1_files[path].storage_key
    assert os.path.getmtime(archive_storage().path(v1_files["images/a.tif"].storage_key)) == kept_mtime
    assert set(archive_keys()) - keys_before == {v2_files["images/c.tif"].storage_key}
    assert UploadFile.objects.count() == 0  # only the added file was in the upload area, and it moved

    # Version 1 is unchanged, at its own URL.
    assert set(_files(1, study)) == set(V1)
    assert StudyVersion.objects.get(study=study, number=1).metadata["title"] == study_metadata()["title"]
    page = client.get(f"/studies/{study.accession}/v1/")
    assert page.status_code == 200
    assert b"images/b.tif" in page.content and b"images/c.tif" not in page.content
    newest = client.get(f"/studies/{study.accession}/")
    assert b"images/c.tif" in newest.content

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == f"[{settings.PORTAL_NAME}] {study.accession}: version 2 is in the archive"
    assert f"/studies/{study.accession}/v1/" in mailoutbox[0].body


def test_p_permanent_an_added_file_replaces_a_kept_file_of_the_same_path(study, submitter):
    replacement = upload_file_put(owner=submitter, relative_path="README.txt", content=b"About v2")
    draft = submission_version_start(study=study, actor=submitter)
    submission_files_set(submission=draft, actor=submitter, upload_file_ids=[replacement.pk])
    readme = draft.files.get(path="README.txt")
    assert readme.upload_file_id == replacement.pk and readme.state == "pending"
    assert draft.files.count() == len(V1)


def test_p_permanent_other_users_cannot_start_a_version(study, other_user, curator):
    for user in (other_user, curator):
        with pytest.raises(NotAllowed) as excinfo:
            submission_version_start(study=study, actor=user)
        assert excinfo.value.rule == "P-PERMANENT" and excinfo.value.status == 403
    assert study.submissions.filter(kind="new_version").count() == 0


def test_p_permanent_other_users_cannot_change_the_owners_version_draft(study, submitter, other_user):
    draft = submission_version_start(study=study, actor=submitter)
    with pytest.raises(NotAllowed):
        submission_files_set(submission=draft, actor=other_user, keep_paths=[])
    assert draft.files.count() == len(V1)


def test_p_remove_a_removed_study_cannot_get_a_version(submitter):
    removed = make_study(owner=submitter, status="removed")
    with pytest.raises(PolicyViolation) as excinfo:
        submission_version_start(study=removed, actor=submitter)
    assert (excinfo.value.rule, excinfo.value.field) == ("P-REMOVE", "study")


def test_p_permanent_other_users_get_404_or_403_through_the_api(study, other_client, submitter):
    url = f"/api/v1/studies/{study.accession}/versions/"
    assert other_client.post(url).status_code == 403  # released: they see it, but do not own it
    confidential = make_study(owner=submitter, status="confidential", title="Confidential study")
    assert other_client.post(f"/api/v1/studies/{confidential.accession}/versions/").status_code == 404


def test_p_permanent_a_dropped_file_can_be_kept_again(study, submitter):
    draft = submission_version_start(study=study, actor=submitter)
    submission_files_set(submission=draft, actor=submitter, keep_paths=["README.txt"])
    assert set(draft.files.values_list("path", flat=True)) == {"README.txt"}
    submission_files_set(submission=draft, actor=submitter, keep_paths=["README.txt", "images/a.tif"])
    kept = {f.path: f for f in draft.files.all()}
    assert set(kept) == {"README.txt", "images/a.tif"}
    assert kept["images/a.tif"].state == "done" and kept["images/a.tif"].upload_file is None
    assert kept["images/a.tif"].storage_key == _files(1, study)["images/a.tif"].storage_key


def test_p_permanent_keeping_a_file_the_study_lacks_is_refused(study, submitter):
    draft = submission_version_start(study=study, actor=submitter)
    with pytest.raises(PolicyViolation) as excinfo:
        submission_files_set(submission=draft, actor=submitter, keep_paths=["README.txt", "not/there.tif"])
    assert excinfo.value.field == "keep_paths" and "not/there.tif" in excinfo.value.message
    assert draft.files.count() == len(V1)  # nothing changed
