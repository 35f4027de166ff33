"""Submitting a draft: every rule checked, files held, the move queued."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from archive.metadata import StudyMetadata
from archive.release_dates import release_date_validate
from archive.services.accession import accession_allocate
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from licensing.selectors import licence_for_study
from submissions import scope
from submissions.file_list import FILE_LIST_RULE
from submissions.models import (
    DisclosureAcknowledgement,
    ReviewReason,
    ScopeCertification,
    Submission,
    SubmissionFile,
    SubmissionFileState,
    SubmissionKind,
    SubmissionState,
)
from submissions.notify import submission_notify
from submissions.review_rules import dicom_screening, review_reasons
from submissions.services.drafts import _editable
from uploads.models import UploadFile, UploadState
from uploads.services.upload import upload_files_hold

logger = logging.getLogger(__name__)


def _submit_check(*, submission: Submission, now: datetime.datetime) -> list[str]:
    """Check every rule a submission must meet; return why it must wait for a curator ([] when it need not)."""
    StudyMetadata.from_dict(submission.metadata, publication_required=True)
    certification = ScopeCertification.objects.filter(submission=submission).first()
    if certification is None:
        raise PolicyViolation(rule="P-SCOPE", field="scope", message="Answer the clinical-scope form first.")
    if certification.outcome == scope.REFUSED:
        raise PolicyViolation(rule="P-SCOPE", field="scope", message="The scope certification refused this data.")
    if not DisclosureAcknowledgement.objects.filter(
        submission=submission, public_disclosure=True, right_to_submit=True
    ).exists():
        raise PolicyViolation(
            rule="P-DISCLOSURE", field="disclosure", message="Make both acknowledgements before submitting."
        )
    beyond_bound = False
    if submission.kind == SubmissionKind.NEW_STUDY:
        if submission.release_on_submission:
            submission.release_date = timezone.localdate(now)
        if submission.release_date is None:
            raise PolicyViolation(rule="P-RELEASE-DATE", field="release_date", message="Choose a release date.")
        beyond_bound = release_date_validate(
            release_date=submission.release_date,
            submitted_at=now,
            actor_is_curator=bool(submission.release_date_reason),
            reason=submission.release_date_reason,
            now=now,
        )
    licence_for_study(source="", requested=None)  # a direct submission is CC0-1.0 (P-LICENCE)
    if missing := (submission.file_list or {}).get("missing"):
        raise PolicyViolation(
            rule=FILE_LIST_RULE,
            field="file_list",
            message="The File List names files that are not in the submission: " + ", ".join(missing[:20]),
        )
    files = list(submission.files.all())
    if not files:
        raise PolicyViolation(rule="P-MOVE-ON-SUBMIT", field="files", message="Choose at least one file.")
    _uploads_lock(submission=submission, files=files)
    reasons = review_reasons(
        submission=submission,
        scope_outcome=certification.outcome,
        screening=submission.screening,
        beyond_bound=beyond_bound,
    )
    return [str(reason) for reason in reasons]


def _uploads_lock(*, submission: Submission, files: list[SubmissionFile]) -> None:
    """Lock the upload rows of the files still to move; refuse if any is gone or taken by another submission.

    Locking serialises submissions that share a file: only one may take it.
    """
    upload_ids = [f.upload_file_id for f in files if f.state == SubmissionFileState.PENDING]
    locked = set(
        UploadFile.objects.select_for_update()
        .filter(pk__in=[pk for pk in upload_ids if pk is not None], state=UploadState.COMPLETE)
        .values_list("pk", flat=True)
    )
    taken = set(
        SubmissionFile.objects.filter(upload_file_id__in=locked)
        .exclude(submission=submission)
        .filter(submission__state__in=[SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW])
        .values_list("upload_file_id", flat=True)
    )
    gone = [
        f.path
        for f in files
        if f.state == SubmissionFileState.PENDING and (f.upload_file_id not in locked or f.upload_file_id in taken)
    ]
    if gone:
        raise PolicyViolation(
            rule="P-MOVE-ON-SUBMIT",
            field="files",
            message="These files are no longer in your upload area: " + ", ".join(gone[:20]),
        )


def submission_screen(*, submission: Submission, actor) -> list[dict]:
    """Screen the draft's files for patient-identifying DICOM attributes and keep the list (P-SCOPE).

    Submitting runs it; a non-empty list sends the submission to a curator.
    """
    findings = dicom_screening(submission)
    with transaction.atomic():
        # Screening is the first step of submitting: a submission already made is refused under submitting's rule.
        submission = _editable(submission=submission, actor=actor, rule="P-MOVE-ON-SUBMIT")
        submission.screening = findings
        submission.save(update_fields=["screening", "updated_at"])
    return findings


def submission_submit(*, submission: Submission, actor) -> Submission:
    """Submit a draft: screen its files, check every rule, then queue the move of its files into the archive.

    A submission that needs a curator (scope review, identifying DICOM
    files, no publication and no accepted project, a release date beyond the
    bound) waits in state `in_review`, with no accession, until a curator
    decides; otherwise it becomes `submitted` and the move task
    (`submission_files_move`) is queued once the transaction commits. The
    owner is e-mailed either way.
    """
    submission_screen(submission=submission, actor=actor)
    now = timezone.now()
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule="P-MOVE-ON-SUBMIT")
        reasons = _submit_check(submission=submission, now=now)
        # From here until they are moved, these bytes are the only copy: keep them.
        upload_files_hold(pks=list(submission.files.values_list("upload_file_id", flat=True)), held=True)
        submission.submitted_at = now
        submission.review_reasons = reasons
        submission.state = SubmissionState.IN_REVIEW if reasons else SubmissionState.SUBMITTED
        submission.save(update_fields=["state", "submitted_at", "review_reasons", "release_date", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.SUBMISSION_SUBMITTED,
            target_type="submission",
            target_id=submission.pk,
            study=submission.study,
            data={"state": submission.state, "review_reasons": reasons},
        )
        if reasons:
            labels = [ReviewReason(reason).label for reason in reasons]
            submission_notify(submission=submission, template="in_review", context={"reasons": labels})
        else:  # the owner hears from the move, with the accession
            submission_move_queue(submission=submission)
    logger.info("submission %s submitted by %s: %s %s", submission.pk, actor.pk, submission.state, reasons)
    return submission


def submission_move_queue(*, submission: Submission) -> None:
    """Give a new study its accession and queue the move task once the transaction commits.

    Submitting calls it, and so does a curator's acceptance of a submission in
    review. The accession is known at once (the submitter sees it while the
    files move); the study takes it when the move is done.
    """
    if submission.kind == SubmissionKind.NEW_STUDY and not submission.accession:
        submission.accession_number, submission.accession = accession_allocate()
        submission.save(update_fields=["accession", "accession_number", "updated_at"])
    pk = submission.pk
    transaction.on_commit(lambda: async_task("submissions.tasks.submission_files_move", pk))
