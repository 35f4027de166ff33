"""Submitting a draft: every rule checked, files held, the move queued."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from archive.services import release_date_validate
from licensing.selectors import licence_for_study
from portal.errors import NotAllowed, PolicyViolation
from submissions import scope
from submissions.models import (
    DisclosureAcknowledgement,
    ScopeCertification,
    Submission,
    SubmissionFile,
    SubmissionState,
)
from submissions.services.drafts import _check_draft
from uploads.models import UploadFile, UploadState
from uploads.services import upload_files_hold

logger = logging.getLogger(__name__)


def _submit_check(*, submission: Submission, now: datetime.datetime) -> str:
    """Check every rule a submission must meet; return the scope outcome."""
    if not (submission.metadata.get("title") or "").strip():
        raise PolicyViolation(rule="P-PERMANENT", field="title", message="A study needs a title.")
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
    if submission.release_date is None:
        raise PolicyViolation(rule="P-RELEASE-DATE", field="release_date", message="Choose a release date.")
    release_date_validate(release_date=submission.release_date, submitted_at=now, now=now)
    licence_for_study(source="", requested=None)  # a direct submission is CC0-1.0 (P-LICENCE)
    files = list(submission.files.all())
    if not files:
        raise PolicyViolation(rule="P-MOVE-ON-SUBMIT", field="files", message="Choose at least one file.")
    # Locking the upload rows serialises submissions that share a file: only one may take it.
    upload_ids = [f.upload_file_id for f in files]
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
    gone = [f.path for f in files if f.upload_file_id not in locked or f.upload_file_id in taken]
    if gone:
        raise PolicyViolation(
            rule="P-MOVE-ON-SUBMIT",
            field="files",
            message="These files are no longer in your upload area: " + ", ".join(gone[:20]),
        )
    return certification.outcome


def submission_submit(*, submission: Submission, actor) -> Submission:
    """Submit a draft: check every rule, then queue the move of its files into the archive.

    A scope outcome of `needs_review` stops in state `in_review`, with no
    accession, until a curator decides; otherwise the submission becomes
    `submitted` and the move task (`submission_files_move`) is queued once the
    transaction commits.
    """
    now = timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if actor.pk != submission.owner_id:
            raise NotAllowed(rule="P-MOVE-ON-SUBMIT", message="Only the submitter can submit.")
        _check_draft(submission=submission, rule="P-MOVE-ON-SUBMIT")
        outcome = _submit_check(submission=submission, now=now)
        # From here until they are moved, these bytes are the only copy: keep them.
        upload_files_hold(pks=list(submission.files.values_list("upload_file_id", flat=True)), held=True)
        submission.submitted_at = now
        if outcome == scope.NEEDS_REVIEW:
            submission.state = SubmissionState.IN_REVIEW
        else:
            submission.state = SubmissionState.SUBMITTED
            pk = submission.pk
            transaction.on_commit(lambda: async_task("submissions.tasks.submission_files_move", pk))
        submission.save(update_fields=["state", "submitted_at", "updated_at"])
    logger.info("submission %s submitted by %s: %s", submission.pk, actor.pk, submission.state)
    return submission
