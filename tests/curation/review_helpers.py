"""Submissions waiting in review, one for each reason, built through the submission services."""

import datetime
import io

import pydicom
from django.utils import timezone
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

from submissions import scope
from submissions.services import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_files_set,
    submission_submit,
)
from submissions.services.drafts import submission_project_set
from tests.factories import study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS, NEEDS_REVIEW_ANSWERS
from uploads.services.upload import upload_file_put


def dicom_bytes(**attributes) -> bytes:
    """A small DICOM file (header only) carrying `attributes`, e.g. PatientName."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = pydicom.Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = SecondaryCaptureImageStorage
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    for name, value in attributes.items():
        setattr(dataset, name, value)
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def submitted(
    owner,
    *,
    title: str = "Mitochondrial dynamics in HeLa cells",
    answers: dict = ACCEPTED_ANSWERS,
    contents: dict[str, bytes] | None = None,
    release_date: datetime.date | None = None,
    release_date_reason: str = "",
    project=None,
    **metadata,
):
    """Submit a draft that meets every rule; it waits in review when the arguments give it a reason to."""
    contents = contents or {f"{title[:20]}/img.tif": title.encode() * 10}
    uploads = [upload_file_put(owner=owner, relative_path=path, content=data) for path, data in contents.items()]
    submission = submission_create_draft(
        owner=owner,
        metadata=study_metadata(title, **metadata),
        release_date=release_date or timezone.localdate(),
        release_date_reason=release_date_reason,
    )
    submission_certify_scope(submission=submission, actor=owner, form_version=scope.SCOPE_FORM_VERSION, answers=answers)
    submission_acknowledge(submission=submission, actor=owner, public_disclosure=True, right_to_submit=True)
    submission_files_set(submission=submission, actor=owner, upload_file_ids=[u.pk for u in uploads])
    if project is not None:
        submission_project_set(submission=submission, actor=owner, project_id=project.pk)
    return submission_submit(submission=submission, actor=owner)


def in_review_for_scope(owner, **kwargs):
    return submitted(owner, title="Patient-derived organoids", answers=NEEDS_REVIEW_ANSWERS, **kwargs)


def in_review_for_dicom(owner, **kwargs):
    contents = {"scans/slice1.dcm": dicom_bytes(PatientName="Doe^Jane", PatientID="P-123")}
    return submitted(owner, title="Confocal slices in DICOM", contents=contents, **kwargs)


def in_review_for_no_publication(owner, **kwargs):
    return submitted(
        owner,
        title="Reference atlas of the fly brain",
        publication_doi="",
        no_publication_reason="A reference atlas, published here first.",
        **kwargs,
    )


def in_review_for_release_date(owner, **kwargs):
    return submitted(
        owner,
        title="Embargoed screen",
        release_date=timezone.localdate() + datetime.timedelta(days=3 * 365),
        release_date_reason="Patent application pending until 2029.",
        **kwargs,
    )
