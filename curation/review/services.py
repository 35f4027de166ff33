"""A curator's decision on a submission waiting in review: accept, request changes or refuse.

Submissions wait in `in_review` for the reasons of `ReviewReason` (P-SCOPE's
case-by-case review, DICOM files with patient-identifying attributes, no
publication and no accepted project (P-PROJECT), a release date beyond the
bound (P-RELEASE-DATE)). Only curators decide; each decision writes its audit
row and e-mails the submitter once the transaction commits.
"""

import logging
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from archive.models import Thumbnail, ThumbnailStatus
from archive.services.thumbnails import thumbnail_make_from
from archive.storage import archive_storage
from archive.thumbnails import IMAGE_EXTENSIONS
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from core.roles import curator_required
from submissions.models import ReviewReason, Submission, SubmissionFile, SubmissionState
from submissions.notify import submission_notify
from submissions.scope import EGA_POINTER
from submissions.services.submit import submission_move_queue
from uploads.services.upload import upload_files_hold
from uploads.storage import upload_storage_path

logger = logging.getLogger(__name__)

REVIEW_RULE = "P-SCOPE"  # the review queue is where P-SCOPE's case-by-case review happens; other reasons join it


class RefusalReason(models.TextChoices):
    """Why a curator refuses a submission in review; the first two point the submitter to the EGA."""

    SCOPE = ReviewReason.SCOPE.value, "Identifiable human data: consent for publication not demonstrated"
    DICOM = ReviewReason.DICOM.value, "DICOM files identify patients"
    NO_PUBLICATION = ReviewReason.NO_PUBLICATION.value, "No publication and no accepted structured project"
    RELEASE_BEYOND_BOUND = ReviewReason.RELEASE_BEYOND_BOUND.value, "Release date beyond the bound not justified"
    OTHER = "other", "Other (explained in the message)"


EGA_REFUSALS = (RefusalReason.SCOPE, RefusalReason.DICOM)

# A refusal names why the submission waited for a curator, so a submission held only for its release date is
# never refused as identifiable human data (with the EGA paragraph); anything else is Other, said in the message.
REFUSAL_FOR_REVIEW_REASON = {
    ReviewReason.SCOPE: RefusalReason.SCOPE,
    ReviewReason.DICOM: RefusalReason.DICOM,
    ReviewReason.NO_PUBLICATION: RefusalReason.NO_PUBLICATION,
    ReviewReason.RELEASE_BEYOND_BOUND: RefusalReason.RELEASE_BEYOND_BOUND,
}


def refusal_reasons_for(submission: Submission) -> list[RefusalReason]:
    """Return the reasons `submission` may be refused for: those of its review reasons, then Other."""
    allowed = {REFUSAL_FOR_REVIEW_REASON.get(value) for value in submission.review_reasons} | {RefusalReason.OTHER}
    return [reason for reason in RefusalReason if reason in allowed]


def _check_curator(actor) -> None:
    """Refuse anyone but a curator before looking at what they sent."""
    curator_required(actor, rule=REVIEW_RULE, message="Only curators decide submissions in review.")


def _in_review(*, submission: Submission, actor) -> Submission:
    """Lock the submission's row and check that a curator may decide it now; call inside a transaction."""
    _check_curator(actor)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != SubmissionState.IN_REVIEW:
        raise PolicyViolation(
            rule=REVIEW_RULE,
            field="state",
            message=f"This submission is {submission.get_state_display().lower()}, not waiting for review.",
        )
    return submission


def _message_required(message: str) -> str:
    message = message.strip()
    if not message:
        raise PolicyViolation(rule=REVIEW_RULE, field="message", message="Tell the submitter why, in a message.")
    return message


def _hand_back(
    *, submission: Submission, actor, state: str, message: str, action: AuditAction, reason_category: str = ""
) -> Submission:
    """End the review without an accession: new state, the curator's message, the upload files given back.

    The files are the owner's again, under the usual retention (P-UPLOAD-RETENTION).
    Call inside a transaction.
    """
    submission = _in_review(submission=submission, actor=actor)
    submission.state = state
    submission.curator_message = message
    submission.save(update_fields=["state", "curator_message", "updated_at"])
    upload_files_hold(pks=submission.files.values("upload_file_id"), held=False)
    audit.record(
        actor=actor,
        action=action,
        target_type="submission",
        target_id=submission.pk,
        reason_category=reason_category,
        note=message,
        data={"review_reasons": submission.review_reasons},
    )
    return submission


def submission_review_accept(*, submission: Submission, actor, note: str = "") -> Submission:
    """Accept a submission in review: it becomes `submitted` and its move is queued, which accessions it.

    Its upload files stay held until the move takes them. Accepting a release
    date beyond the bound is the curator's logged decision (P-RELEASE-DATE):
    the date and the submitter's reason go into the audit row.
    """
    with transaction.atomic():
        submission = _in_review(submission=submission, actor=actor)
        submission.state = SubmissionState.SUBMITTED
        submission.curator_message = note.strip()
        submission.save(update_fields=["state", "curator_message", "updated_at"])
        data = {"review_reasons": submission.review_reasons}
        if ReviewReason.RELEASE_BEYOND_BOUND in submission.review_reasons:
            data |= {
                "release_date": submission.release_date.isoformat(),
                "release_date_reason": submission.release_date_reason,
            }
        audit.record(
            actor=actor,
            action=AuditAction.SUBMISSION_REVIEW_ACCEPTED,
            target_type="submission",
            target_id=submission.pk,
            note=submission.curator_message,
            data=data,
        )
        submission_move_queue(submission=submission)
        submission_notify(
            submission=submission,
            template="review_accepted",
            context={"release_now": submission.release_date <= timezone.localdate()},
        )
    logger.info("submission %s accepted in review by %s", submission.pk, actor.pk)
    return submission


def submission_changes_request(*, submission: Submission, actor, message: str) -> Submission:
    """Hand a submission in review back to its submitter with the curator's message.

    It becomes `changes_requested`, which the submitter can edit and submit
    again; its upload files are released (they are the owner's again, under
    the usual retention).
    """
    _check_curator(actor)
    message = _message_required(message)
    with transaction.atomic():
        submission = _hand_back(
            submission=submission,
            actor=actor,
            state=SubmissionState.CHANGES_REQUESTED,
            message=message,
            action=AuditAction.SUBMISSION_CHANGES_REQUESTED,
        )
        submission_notify(
            submission=submission,
            template="review_changes_requested",
            context={"retention_months": settings.UPLOAD_RETENTION_MONTHS},
        )
    logger.info("submission %s sent back for changes by %s", submission.pk, actor.pk)
    return submission


def submission_refuse(*, submission: Submission, actor, reason: str, message: str) -> Submission:
    """Refuse a submission in review for `reason`, one of `refusal_reasons_for` it, with the curator's message.

    It becomes `refused` for good; its upload files are released. When the data
    is out of scope (identifiable human data, identifying DICOM files) the
    e-mail points the submitter to the EGA (P-SCOPE).
    """
    _check_curator(actor)
    allowed = refusal_reasons_for(submission)
    if reason not in allowed:
        raise PolicyViolation(
            rule=REVIEW_RULE,
            field="reason",
            message="Refuse this submission for why it waits for a curator: "
            + "; ".join(choice.label for choice in allowed)
            + ".",
        )
    message = _message_required(message)
    with transaction.atomic():
        submission = _hand_back(
            submission=submission,
            actor=actor,
            state=SubmissionState.REFUSED,
            message=message,
            action=AuditAction.SUBMISSION_REFUSED,
            reason_category=reason,
        )
        submission_notify(
            submission=submission,
            template="review_refused",
            context={
                "reason": RefusalReason(reason).label,
                "ega_pointer": EGA_POINTER if reason in EGA_REFUSALS else "",
                "retention_months": settings.UPLOAD_RETENTION_MONTHS,
            },
        )
    logger.info("submission %s refused by %s: %s", submission.pk, actor.pk, reason)
    return submission


def review_file_thumbnail(*, submission_file: SubmissionFile, actor) -> Thumbnail | None:
    """Return the thumbnail of an image file of a submission in review, made from its bytes the first time.

    The curator decides seeing the data, before anything is archived: the bytes are
    read where they are (the upload area, or archive storage for a file kept from
    the study's previous version). Return None for a file that is no image, whose
    bytes are gone, or that cannot be read as one (its `failed` row remembers that).
    """
    _check_curator(actor)
    open_content = _content_opener(submission_file)
    if open_content is None or not submission_file.path.lower().endswith(IMAGE_EXTENSIONS):
        return None
    thumbnail = thumbnail_make_from(
        sha256=submission_file.sha256, size=submission_file.size, path=submission_file.path, open_content=open_content
    )
    return thumbnail if thumbnail.status == ThumbnailStatus.MADE else None


def _content_opener(submission_file: SubmissionFile) -> Callable[[], BinaryIO] | None:
    """Return how to open the bytes of a file in review, or None when they are gone."""
    if submission_file.upload_file is not None:
        location = upload_storage_path(submission_file.upload_file.storage_name)
        return (lambda: location.open("rb")) if location.exists() else None
    if submission_file.storage_key:
        return lambda: archive_storage().open(submission_file.storage_key, "rb")
    return None
