import pytest

from archive.services.access import reviewer_link_create
from submissions.services.drafts import submission_create_draft
from tests.factories import make_study
from uploads.services.upload import upload_file_put


@pytest.fixture
def route_values(submitter, other_user) -> dict:
    """A value for each path parameter of the URLconf, naming real rows the submitter owns where it matters."""
    study = make_study(owner=submitter, status="confidential")
    link, token = reviewer_link_create(study=study, actor=submitter)
    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})
    upload = upload_file_put(owner=submitter, relative_path="a.tif", content=b"pixels")
    return {
        "accession": study.accession,
        "version": 1,
        "path": "images/cell_01.tif",
        "link_id": link.pk,
        "username": other_user.username,
        "extension": "bib",
        "file_pk": 1,
        "token": token,
        "submission_id": draft.pk,
        "pk": draft.pk,
        "step": "metadata",
        "id": upload.pk,
        "upload_id": "00000000-0000-4000-8000-000000000000",
        "key": "abc",
        "uidb36": "1",
        "sitemaps": "studies",
    }
