"""Screening for clinical data: DICOM files that carry patient-identifying attributes (P-SCOPE)."""

from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

# The attributes that name or locate a person (DICOM PS3.15 basic profile, the patient module's core).
IDENTIFYING_ATTRIBUTES = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "OtherPatientIDs",
    "OtherPatientNames",
    "PatientMotherBirthName",
    "MedicalRecordLocator",
    "ReferringPhysicianName",
    "InstitutionName",
    "AccessionNumber",
)
DICOM_PREAMBLE = 128
UNREADABLE = "unreadable DICOM header"


def looks_like_dicom(path: Path) -> bool:
    """Tell DICOM files by their `DICM` marker after the 128-byte preamble, whatever their name."""
    try:
        with path.open("rb") as handle:
            handle.seek(DICOM_PREAMBLE)
            return handle.read(4) == b"DICM"
    except OSError:
        return False


def dicom_identifying_attributes(path: Path) -> list[str]:
    """Return the names of the patient-identifying attributes a DICOM file fills in; [] for other files."""
    if not looks_like_dicom(path):
        return []
    try:
        dataset = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=list(IDENTIFYING_ATTRIBUTES))
    except (InvalidDicomError, OSError, ValueError, EOFError):
        # Marked as DICOM but unreadable: a curator looks rather than letting it through unseen.
        return [UNREADABLE]
    # pydicom reads nonsense leniently; a Part 10 header names its storage class and a valid transfer syntax.
    meta = getattr(dataset, "file_meta", None) or {}
    if not meta.get("MediaStorageSOPClassUID") or not UID(str(meta.get("TransferSyntaxUID") or "")).is_valid:
        return [UNREADABLE]
    return [name for name in IDENTIFYING_ATTRIBUTES if str(dataset.get(name, "") or "").strip()]
