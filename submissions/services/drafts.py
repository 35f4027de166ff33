"""Drafts: starting one, its metadata, files, scope certification, acknowledgements and release date."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

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
from uploads.models import UploadFile, UploadState

logger = logging.getLogger(__name__)


def _check_owner(*, submission: Submission, actor) -> None:
    if actor.pk != submission.owner_id:
        raise NotAllowed(rule="P-SCOPE", message="Only the submitter can answer for a submission.")


# A curator's "request changes" hands a submission back to its owner to edit and submit again.
EDITABLE_STATES = (SubmissionState.DRAFT, SubmissionState.CHANGES_REQUESTED)


def _check_draft(*, submission: Submission, rule: str) -> None:
    if submission.state not in EDITABLE_STATES:
        raise PolicyViolation(rule=rule, message="This submission has been submitted; it can no longer change.")


def submission_create_draft(
    *, owner, metadata: dict, release_date: datetime.date | None = None, licence: str | None = None
) -> Submission:
    """Start a draft submission of a new study.

    A licence other than CC0-1.0 is refused (P-LICENCE); a release date, if
    given, must already be one that submitting today would accept.
    """
    now = timezone.now()
    licence_for_study(source="", requested=licence)
    if release_date is not None:
        release_date_validate(release_date=release_date, submitted_at=now, now=now)
    with transaction.atomic():
        return Submission.objects.create(owner=owner, metadata=metadata, release_date=release_date, created_at=now)


def submission_certify_scope(*, submission: Submission, actor, form_version: str, answers: dict) -> ScopeCertification:
    """Store the submitter's scope self-certification and its outcome (P-SCOPE).

    A submission is certified once and the answers are never edited. A refused
    outcome is stored too (what was answered is part of the record), the
    submission becomes `refused`, and PolicyViolation points to the EGA after
    the record is committed.
    """
    if form_version != scope.SCOPE_FORM_VERSION:
        raise PolicyViolation(
            rule="P-SCOPE", field="version", message=f"Answer the current scope form, {scope.SCOPE_FORM_VERSION}."
        )
    answers = scope.scope_answers_validate(answers)
    outcome = scope.scope_outcome(answers)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        _check_owner(submission=submission, actor=actor)
        _check_draft(submission=submission, rule="P-SCOPE")
        if ScopeCertification.objects.filter(submission=submission).exists():
            raise PolicyViolation(
                rule="P-SCOPE", field="answers", message="The scope of this submission is already certified."
            )
        certification = ScopeCertification.objects.create(
            submission=submission,
            form_version=form_version,
            answers=answers,
            outcome=outcome,
            certified_at=timezone.now(),
        )
        if outcome == scope.REFUSED:
            submission.state = SubmissionState.REFUSED
            submission.save(update_fields=["state", "updated_at"])
    if outcome == scope.REFUSED:
        raise PolicyViolation(rule="P-SCOPE", field="answers", message=scope.scope_refusal_message(answers))
    return certification


def submission_acknowledge(
    *, submission: Submission, actor, public_disclosure: bool, right_to_submit: bool
) -> DisclosureAcknowledgement:
    """Record the two acknowledgements of P-DISCLOSURE; both must be given."""
    if public_disclosure is not True:
        raise PolicyViolation(
            rule="P-DISCLOSURE",
            field="public_disclosure",
            message="Acknowledge that everything shown on the public pages is disclosed to the public.",
        )
    if right_to_submit is not True:
        raise PolicyViolation(
            rule="P-DISCLOSURE", field="right_to_submit", message="Confirm that you have the right to submit this data."
        )
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if actor.pk != submission.owner_id:
            raise NotAllowed(rule="P-DISCLOSURE", message="Only the submitter can make these acknowledgements.")
        _check_draft(submission=submission, rule="P-DISCLOSURE")
        acknowledgement, _ = DisclosureAcknowledgement.objects.get_or_create(
            submission=submission,
            defaults={"public_disclosure": True, "right_to_submit": True, "acknowledged_at": timezone.now()},
        )
    return acknowledgement


def submission_files_set(*, submission: Submission, actor, upload_file_ids: list[int]) -> list[SubmissionFile]:
    """Replace the draft's file list with complete files of the owner's own upload area."""
    ids = set(upload_file_ids)
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if actor.pk != submission.owner_id:
            raise NotAllowed(rule="P-UPLOAD-PRIVATE", message="Only the submitter can choose the files.")
        _check_draft(submission=submission, rule="P-MOVE-ON-SUBMIT")
        uploads = list(
            UploadFile.objects.filter(pk__in=ids, area__owner=actor, state=UploadState.COMPLETE).order_by(
                "relative_path"
            )
        )
        if len(uploads) != len(ids):
            raise PolicyViolation(
                rule="P-UPLOAD-PRIVATE",
                field="files",
                message="Choose files from your own upload area whose upload has finished.",
            )
        submission.files.all().delete()
        files = SubmissionFile.objects.bulk_create(
            [
                SubmissionFile(submission=submission, upload_file=u, path=u.relative_path, size=u.size, sha256=u.sha256)
                for u in uploads
            ],
            batch_size=1000,
        )
        submission.save(update_fields=["updated_at"])
    return files
