"""Screening for clinical data (issue #5 point 3, P-SCOPE): DICOM files with patient-identifying attributes."""

import io

import pytest
from PIL import Image
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

from archive.models import Study
from submissions.services import submission_screen, submission_submit
from tests.submissions.move_helpers import ready_draft

pytestmark = pytest.mark.django_db


def _dicom(**patient) -> bytes:
    """A real DICOM file (Part 10: preamble, DICM, file meta) of an 8×8 secondary-capture image."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "OT"
    dataset.StudyInstanceUID = generate_uid()
    dataset.SeriesInstanceUID = generate_uid()
    for name, value in patient.items():
        setattr(dataset, name, value)
    dataset.Rows = dataset.Columns = 8
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = dataset.BitsStored = 8
    dataset.HighBit = 7
    dataset.PixelRepresentation = 0
    dataset.PixelData = bytes(range(64))
    buffer = io.BytesIO()
    dcmwrite(buffer, dataset, enforce_file_format=True)
    return buffer.getvalue()


def _tiff() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, format="TIFF")
    return buffer.getvalue()


IDENTIFYING = _dicom(PatientName="Doe^Jane", PatientID="HOSP-12345", PatientBirthDate="19700101")
ANONYMISED = _dicom(PatientName="", PatientID="")
BROKEN = {
    "bad-transfer-syntax": b"\0" * 128 + b"DICM" + b"\x02\x00\x10\x00UI\xff\xffnot a header",
    "garbage": b"\0" * 128 + b"DICM" + b"garbage, not tags",
    "marker-only": b"\0" * 128 + b"DICM",
    "truncated": IDENTIFYING[:200],
}


def test_p_scope_dicom_with_patient_name_and_id_is_listed_with_its_attributes(submitter):
    submission, _ = ready_draft(submitter, {"scans/patient.dcm": IDENTIFYING, "scans/clean.dcm": ANONYMISED})
    findings = submission_screen(submission=submission, actor=submitter)
    assert findings == [{"path": "scans/patient.dcm", "attributes": ["PatientName", "PatientID", "PatientBirthDate"]}]
    submission.refresh_from_db()
    assert submission.screening == findings


def test_p_scope_dicom_identifying_sends_the_submission_to_review_without_accession(
    submitter, mailoutbox, django_capture_on_commit_callbacks
):
    submission, _ = ready_draft(submitter, {"scan.dcm": IDENTIFYING, "cells.tif": _tiff()})
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_submit(submission=submission, actor=submitter)
    assert submission.state == "in_review"
    assert submission.review_reasons == ["dicom_identifying"]
    assert submission.accession == "" and Study.objects.count() == 0
    assert [f["path"] for f in submission.screening] == ["scan.dcm"]
    assert "patient-identifying" in mailoutbox[0].body


def test_p_scope_anonymised_dicom_and_tiff_are_not_flagged(submitter, django_capture_on_commit_callbacks):
    # Named .tif but DICOM inside, and .dcm holding a TIFF: the content decides, not the name.
    contents = {"anon.dcm": ANONYMISED, "mislabelled.tif": ANONYMISED, "cells.tif": _tiff(), "tiff.dcm": _tiff()}
    submission, _ = ready_draft(submitter, contents)
    assert submission_screen(submission=submission, actor=submitter) == []
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_submit(submission=submission, actor=submitter)
    submission.refresh_from_db()
    assert submission.state == "accepted" and submission.review_reasons == []


@pytest.mark.parametrize("content", list(BROKEN.values()), ids=list(BROKEN))
def test_p_scope_dicom_marker_with_a_broken_header_is_flagged_for_a_curator(submitter, content):
    submission, _ = ready_draft(submitter, {"broken.dcm": content})
    assert submission_screen(submission=submission, actor=submitter) == [
        {"path": "broken.dcm", "attributes": ["unreadable DICOM header"]}
    ]


def test_p_scope_dicom_identifying_file_in_a_disguised_name_is_found(submitter):
    submission, _ = ready_draft(submitter, {"data/image_0001": IDENTIFYING})
    assert [f["path"] for f in submission_screen(submission=submission, actor=submitter)] == ["data/image_0001"]
