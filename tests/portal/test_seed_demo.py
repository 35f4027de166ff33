import datetime
import hashlib
import io

import numpy as np
import pytest
import tifffile
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from PIL import Image

from archive.models import ArchiveFile, Study, StudyStatus, StudyVersion
from archive.selectors.visibility import studies_visible_to
from archive.storage import archive_storage, sha256_of
from core.links import portal_url
from core.roles import user_is_curator
from portal.demo.builder import DEMO_PASSWORD
from submissions.models import ProjectProposal, Submission
from uploads.models import UploadArea, UploadFile, UploadState
from uploads.selectors import upload_days_left
from uploads.services.retention import upload_expiry_after, upload_warnings_send
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def debug(settings):
    settings.DEBUG = True


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _logins(output: str) -> str:
    return output[output.index(portal_url("/")) :]


def test_seed_demo_builds_studies_in_every_status_and_prints_logins():
    output = seed_demo()

    assert {"released", "confidential", "obsolete", "removed"} == set(Study.objects.values_list("status", flat=True))
    assert 35 <= Study.objects.count() <= 45
    assert Study.objects.filter(status=StudyStatus.RELEASED, searchable=False).count() == 2
    assert Study.objects.filter(status=StudyStatus.OBSOLETE).count() == 3
    assert set(Study.objects.filter(status=StudyStatus.REMOVED).values_list("status_reason", flat=True)) == {
        "retraction",
        "investigation",
    }
    assert StudyVersion.objects.filter(number=2).exists()
    for study in Study.objects.all():
        images = study.versions.first().files.exclude(path="README.txt").count()
        assert 2 <= images <= 7, study.accession  # a second version may add one analysis image
    assert DEMO_PASSWORD in output and f"Open {portal_url('/')} " in output
    for username in ("alice", "bob", "carol", "admin"):
        assert f"  {username} " in output


def test_seed_demo_prints_the_address_the_portal_runs_on(settings):
    settings.PORTAL_URL = "http://127.0.0.1:8123"

    assert "Open http://127.0.0.1:8123/ and sign in" in seed_demo()


def test_p_release_date_seed_demo_confidential_studies_are_alices_and_one_is_shared_with_bob():
    seed_demo()
    users = {user.username: user for user in get_user_model().objects.all()}
    confidential = Study.objects.filter(status=StudyStatus.CONFIDENTIAL)
    assert confidential.count() >= 3
    assert set(confidential.values_list("owner__username", flat=True)) == {"alice"}
    assert studies_visible_to(users["bob"]).filter(status=StudyStatus.CONFIDENTIAL).count() == 1
    assert not studies_visible_to(None).filter(status=StudyStatus.CONFIDENTIAL).exists()
    assert user_is_curator(users["carol"]) and users["carol"].is_staff
    assert users["admin"].is_superuser


def test_p_licence_seed_demo_direct_studies_are_cc0_and_empiar_imports_cc_by():
    seed_demo()
    direct = Study.objects.filter(source="")
    brokered = Study.objects.filter(source="EMPIAR")
    assert set(direct.values_list("licence__spdx_id", flat=True)) == {"CC0-1.0"}
    assert 2 <= brokered.count() <= 3
    assert set(brokered.values_list("licence__spdx_id", flat=True)) == {"CC-BY-4.0"}
    assert all(
        source_id.startswith("EMPIAR-10") or source_id.startswith("EMPIAR-11")
        for source_id in brokered.values_list("source_id", flat=True)
    )


def test_seed_demo_users_sign_in_under_mandatory_email_verification(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    seed_demo()
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    response = Client().post("/accounts/login/", {"login": "alice", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]


def test_seed_demo_second_run_creates_nothing_and_prints_the_same_logins(settings):
    models = (Study, StudyVersion, ArchiveFile, get_user_model(), EmailAddress, UploadArea, UploadFile)
    first = seed_demo()
    counts = [model.objects.count() for model in models]
    stored = sorted(archive_storage().listdir("sha256")[0])

    second = seed_demo()

    assert [model.objects.count() for model in models] == counts
    assert sorted(archive_storage().listdir("sha256")[0]) == stored
    assert _logins(second) == _logins(first)
    assert "nothing created" in second


def test_p_integrity_seed_demo_files_are_real_images_stored_under_their_sha256():
    seed_demo()
    storage = archive_storage()
    files = ArchiveFile.objects.all()
    assert files.filter(path__endswith=".tif").exists() and files.filter(path__endswith=".png").exists()
    for file in files:
        with storage.open(file.storage_key) as stream:
            content = stream.read()
        assert sha256_of(io.BytesIO(content)) == (file.sha256, file.size), file.path
        if file.path.endswith(".tif"):
            image = tifffile.imread(io.BytesIO(content))
        elif file.path.endswith(".png"):
            image = np.asarray(Image.open(io.BytesIO(content)))
        else:
            assert file.path == "README.txt"
            continue
        assert image.ndim == 2 and 64 <= image.shape[0] <= 256 and 64 <= image.shape[1] <= 256
        assert image.max() > image.min()  # not a blank placeholder


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        seed_demo()
    assert not Study.objects.exists()


# A Tuesday in March: every deletion time the demo aims at is reachable (month ends are far).
SEEDED_AT = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(SEEDED_AT, tick=False)
def test_p_upload_retention_seed_demo_gives_alice_and_bob_upload_files_of_various_ages():
    seed_demo()

    for username in ("alice", "bob"):
        files = list(UploadFile.objects.filter(area__owner__username=username))
        assert 7 <= len(files) <= 9, username
        days_left = sorted(upload_days_left(f.expires_at, now=SEEDED_AT) for f in files)
        assert days_left[0] <= 2  # warned at 2 days
        assert 2 < days_left[1] <= 14  # warned at 14 days
        assert days_left[-1] >= 89  # uploaded today
        assert any(f.state == UploadState.UPLOADING for f in files), username
        for file in files:
            content = upload_storage_path(file.storage_name).read_bytes()
            assert len(content) == file.offset > 0
            assert file.expires_at == upload_expiry_after(file.uploaded_at or file.last_data_at)
            if file.state == UploadState.COMPLETE:
                assert file.offset == file.size and hashlib.sha256(content).hexdigest() == file.sha256
            else:
                assert file.offset < file.size and file.uploaded_at is None


@time_machine.travel(SEEDED_AT, tick=False)
def test_p_upload_retention_seed_demo_files_due_soon_are_warned_about_once(django_capture_on_commit_callbacks):
    seed_demo()
    with django_capture_on_commit_callbacks(execute=True):
        assert upload_warnings_send() == 2
        assert upload_warnings_send() == 0
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.org", "bob@example.org"]
    assert "pilot/old_scan.tif" in mail.outbox[0].body + mail.outbox[1].body


def test_seed_demo_adds_upload_areas_to_an_archive_seeded_before_they_existed():
    seed_demo()
    studies = Study.objects.count()
    UploadFile.objects.all().delete()

    seed_demo()

    assert UploadFile.objects.filter(area__owner__username="alice").count() == 8
    assert UploadFile.objects.filter(area__owner__username="bob").count() == 8
    assert Study.objects.count() == studies


def test_seed_demo_fills_the_review_queue_with_a_submission_and_a_draft_and_a_proposal():
    seed_demo()
    in_review = Submission.objects.get(owner__username="bob")
    assert in_review.state == "in_review" and in_review.review_reasons == ["no_publication"]
    assert in_review.files.count() == 3  # bob's em/grid1 folder
    assert Submission.objects.get(owner__username="alice").state == "draft"
    assert ProjectProposal.objects.get().state == "proposed"
    assert "nothing created" in seed_demo()  # a second run makes no more
    assert Submission.objects.count() == 2
