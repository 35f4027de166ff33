"""Which submissions wait for a curator before they are accessioned, and why (one rule, read by submit and pages)."""

import datetime

from archive.release_dates import release_date_bounds
from submissions.dicom import dicom_identifying_attributes
from submissions.models import (
    ACCEPTED_PROJECT_STATES,
    ProjectProposal,
    ReviewReason,
    Submission,
    SubmissionFileState,
    SubmissionKind,
)
from submissions.scope import NEEDS_REVIEW
from uploads.storage import upload_storage_path


def project_is_accepted(project: ProjectProposal | None) -> bool:
    """Say whether `project` lets submissions without a publication through: only when accepted outright."""
    return project is not None and project.state in ACCEPTED_PROJECT_STATES


def publication_or_project(submission: Submission) -> bool:
    """A new study needs a related publication, or to belong to an accepted structured project (P-PROJECT)."""
    if submission.kind == SubmissionKind.NEW_VERSION or submission.metadata.get("publication_doi"):
        return True
    return project_is_accepted(submission.project)


def dicom_screening(submission: Submission) -> list[dict]:
    """List the draft's DICOM files that carry patient-identifying attributes (P-SCOPE); read only, nothing kept.

    Only file headers are read.
    """
    pending = submission.files.filter(state=SubmissionFileState.PENDING, upload_file__isnull=False)
    findings = []
    for path, storage_name in pending.values_list("path", "upload_file__storage_name").iterator(chunk_size=2000):
        if attributes := dicom_identifying_attributes(upload_storage_path(storage_name)):
            findings.append({"path": path, "attributes": attributes})
    return findings


def review_reasons(
    *, submission: Submission, scope_outcome: str | None, screening: list[dict], beyond_bound: bool
) -> list[ReviewReason]:
    """Return why a curator must look at a submission before it is accessioned ([] when nobody need)."""
    reasons = []
    if scope_outcome == NEEDS_REVIEW:
        reasons.append(ReviewReason.SCOPE)
    if screening:
        reasons.append(ReviewReason.DICOM)
    if not publication_or_project(submission):
        reasons.append(ReviewReason.NO_PUBLICATION)
    if beyond_bound:
        reasons.append(ReviewReason.RELEASE_BEYOND_BOUND)
    return reasons


def release_beyond_bound(submission: Submission, *, now: datetime.datetime) -> bool:
    """Whether a new study's release date lies past the RELEASE_DATE_MAX_YEARS bound at `now` (P-RELEASE-DATE)."""
    if submission.kind != SubmissionKind.NEW_STUDY or submission.release_on_submission or not submission.release_date:
        return False
    return submission.release_date > release_date_bounds(submitted_at=now)[1]
