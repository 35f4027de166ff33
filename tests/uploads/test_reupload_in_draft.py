"""A file that a draft submission has chosen, uploaded again at the same path (issue #10, point 5).

The new upload replaces the old one in the upload area; it must take the old
one's place in the draft too, and no choice whose upload has gone may be left
behind that the submitter cannot clear.
"""

import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from archive.models import ArchiveFile
from submissions.models import Submission, SubmissionFile, SubmissionState
from tests.factories import study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS
from tests.uploads.conftest import TUS_URL, metadata
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

SUBMISSIONS_URL = "/api/v1/submissions/"
FIRST, CORRECTED, OTHER = b"first pixels", b"corrected pixels, twice as many", b"other pixels"


@pytest.fixture
def token_client(submitter) -> Client:
    return Client(headers={"Authorization": f"Token {Token.objects.create(user=submitter).key}"})


def _json(client, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def _draft(client, uploads: list[UploadFile]) -> str:
    body = {
        **study_metadata(),
        "files": [u.pk for u in uploads],
        "release_date": timezone.localdate().isoformat(),
        "scope": {"version": "scope-v1", "answers": ACCEPTED_ANSWERS},
        "acknowledgements": {"public_disclosure": True, "right_to_submit": True},
    }
    response = _json(client, "post", SUBMISSIONS_URL, body)
    assert response.status_code == 201, response.content
    return f"{SUBMISSIONS_URL}{response.json()['id']}/"


def _upload_over_tus(client, path: str, data: bytes) -> UploadFile:
    response = client.post(
        TUS_URL,
        data,
        content_type="application/offset+octet-stream",
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": metadata(relativePath=path),
        },
    )
    assert response.status_code == 201, response.content
    return UploadFile.objects.get(upload_id=response["Location"].rstrip("/").rsplit("/", 1)[1])


def _submit_and_move(client, draft_url: str, captured) -> str:
    with captured(execute=True):  # the move runs after the answer, as from the queue
        response = _json(client, "post", draft_url + "submit/")
    assert response.status_code == 202, response.content
    assert Submission.objects.get().state == SubmissionState.ACCEPTED
    return response.json()["accession"]


def test_p_move_on_submit_a_file_uploaded_again_takes_its_place_in_the_draft(
    token_client, submitter, django_capture_on_commit_callbacks
):
    first = upload_file_put(owner=submitter, relative_path="images/a.tif", content=FIRST)
    other = upload_file_put(owner=submitter, relative_path="images/b.tif", content=OTHER)
    draft_url = _draft(token_client, [first, other])

    with django_capture_on_commit_callbacks(execute=True):
        again = _upload_over_tus(token_client, "images/a.tif", CORRECTED)

    assert not UploadFile.objects.filter(pk=first.pk).exists()  # replaced in the upload area
    files = {f["path"]: f for f in token_client.get(draft_url).json()["files"]}
    assert set(files) == {"images/a.tif", "images/b.tif"}
    assert (files["images/a.tif"]["size"], files["images/a.tif"]["sha256"]) == (
        len(CORRECTED),
        hashlib.sha256(CORRECTED).hexdigest(),
    )
    assert SubmissionFile.objects.get(path="images/a.tif").upload_file == again

    response = _json(token_client, "patch", draft_url, {"files": [again.pk, other.pk]})
    assert response.status_code == 200, response.content

    accession = _submit_and_move(token_client, draft_url, django_capture_on_commit_callbacks)
    archived = ArchiveFile.objects.get(version__study__accession=accession, path="images/a.tif")
    assert archived.sha256 == hashlib.sha256(CORRECTED).hexdigest()


def test_p_move_on_submit_a_draft_whose_file_was_uploaded_again_submits_without_a_patch(
    token_client, submitter, django_capture_on_commit_callbacks
):
    first = upload_file_put(owner=submitter, relative_path="images/a.tif", content=FIRST)
    draft_url = _draft(token_client, [first])
    with django_capture_on_commit_callbacks(execute=True):
        _upload_over_tus(token_client, "images/a.tif", CORRECTED)

    accession = _submit_and_move(token_client, draft_url, django_capture_on_commit_callbacks)

    archived = ArchiveFile.objects.get(version__study__accession=accession)
    assert (archived.path, archived.sha256) == ("images/a.tif", hashlib.sha256(CORRECTED).hexdigest())


def test_p_move_on_submit_a_chosen_file_deleted_from_the_upload_area_can_be_chosen_again(
    token_client, submitter, django_capture_on_commit_callbacks
):
    first = upload_file_put(owner=submitter, relative_path="images/a.tif", content=FIRST)
    other = upload_file_put(owner=submitter, relative_path="images/b.tif", content=OTHER)
    draft_url = _draft(token_client, [first, other])
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client.delete(f"/api/v1/uploads/files/{first.pk}/").status_code == 204

    refused = _json(token_client, "post", draft_url + "submit/")
    assert refused.status_code == 400
    assert refused.json()["rule"] == "P-MOVE-ON-SUBMIT" and "images/a.tif" in refused.json()["files"][0]

    # Choosing without the deleted file clears its place; choosing a new upload at its path fills it again.
    assert _json(token_client, "patch", draft_url, {"files": [other.pk]}).status_code == 200
    assert list(SubmissionFile.objects.values_list("path", flat=True)) == ["images/b.tif"]
    again = _upload_over_tus(token_client, "images/a.tif", CORRECTED)
    response = _json(token_client, "patch", draft_url, {"files": [again.pk, other.pk]})
    assert response.status_code == 200, response.content

    accession = _submit_and_move(token_client, draft_url, django_capture_on_commit_callbacks)
    assert ArchiveFile.objects.filter(version__study__accession=accession).count() == 2


def test_p_move_on_submit_a_chosen_file_deleted_then_uploaded_again_can_replace_it_in_one_patch(
    token_client, submitter, django_capture_on_commit_callbacks
):
    first = upload_file_put(owner=submitter, relative_path="images/a.tif", content=FIRST)
    draft_url = _draft(token_client, [first])
    with django_capture_on_commit_callbacks(execute=True):
        assert token_client.delete(f"/api/v1/uploads/files/{first.pk}/").status_code == 204
    again = _upload_over_tus(token_client, "images/a.tif", CORRECTED)

    response = _json(token_client, "patch", draft_url, {"files": [again.pk]})

    assert response.status_code == 200, response.content
    assert SubmissionFile.objects.get().upload_file == again
