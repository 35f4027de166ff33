"""New versions of accessioned studies (P-PERMANENT): start from the newest version, keep, add and drop files."""

from django.db import transaction
from django.utils import timezone

from archive.models import FileStatus, Study, StudyStatus
from core import audit
from core.audit import AuditAction
from core.errors import NotAllowed, PolicyViolation
from submissions.models import Submission, SubmissionKind
from submissions.services.drafts import EDITABLE_STATES, kept_files_copy


def submission_version_start(*, study: Study, actor) -> Submission:
    """Start (or resume) the owner's draft of version n+1 of a study.

    The draft begins with the newest version's metadata and its active files,
    which are kept without uploading them again; the owner then edits the
    metadata, drops files and adds files from the upload area. Submitting it
    makes version n+1; earlier versions stay as they are.
    """
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if actor.pk != study.owner_id:
            raise NotAllowed(rule="P-PERMANENT", message="Only the study's owner can make a new version.")
        if study.status == StudyStatus.REMOVED:
            raise PolicyViolation(
                rule="P-REMOVE", field="study", message="This study was removed from the public record."
            )
        draft = study.submissions.filter(kind=SubmissionKind.NEW_VERSION, state__in=EDITABLE_STATES).first()
        if draft is not None:
            return draft
        newest = study.versions.order_by("-number").first()
        submission = Submission.objects.create(
            owner=actor,
            kind=SubmissionKind.NEW_VERSION,
            study=study,
            metadata=dict(newest.metadata),
            release_date=study.release_date,
            created_at=timezone.now(),
        )
        kept_files_copy(submission=submission, archive_files=newest.files.filter(status=FileStatus.ACTIVE))
        audit.record(
            actor=actor,
            action=AuditAction.SUBMISSION_VERSION_STARTED,
            target_type="submission",
            target_id=submission.pk,
            study=study,
            data={"from_version": newest.number},
        )
    return submission
