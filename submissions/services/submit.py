"""Submitting a draft: every rule checked, files held, the move queued."""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_q.tasks import async_task

from archive.metadata import FIELD_LABELS as METADATA_LABELS
from archive.metadata import MetadataInvalid, StudyMetadata
from archive.release_dates import release_date_validate
from archive.services.accession import accession_allocate
from core import audit
from core.audit import AuditAction
from core.errors import PolicyViolation
from licensing.selectors import licence_for_study
from submissions import scope
from submissions.file_list import FILE_LIST_RULE, file_list_report_of
from submissions.models import (
    DisclosureAcknowledgement,
    ReviewReason,
    Submission,
    SubmissionFile,
    SubmissionFileState,
    SubmissionKind,
    SubmissionState,
)
from submissions.notify import submission_notify
from submissions.review_rules import dicom_screening, release_beyond_bound, review_reasons
from submissions.services.drafts import _editable
from uploads.models import UploadState
from uploads.services.upload import upload_files_hold

logger = logging.getLogger(__name__)


# Which wizard step fixes each field that submitting checks (metadata fields are all on "metadata").
FIELD_STEPS = {
    "files": "files",
    "file_list": "files",
    "scope": "scope",
    "disclosure": "agreements",
    "release_date": "release",
    "reason": "release",
}
FIELD_LABELS = {
    **METADATA_LABELS,
    "files": "Files",
    "file_list": "File List",
    "scope": "Scope",
    "disclosure": "Acknowledgements",
    "release_date": "Release date",
    "reason": "Release date",
}


@dataclass(frozen=True)
class SubmitProblem:
    """One thing that keeps a draft from being submitted: the rule, the field, what to do, and the step to do it."""

    rule: str
    field: str
    message: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, "Submission")

    @property
    def step(self) -> str:
        return FIELD_STEPS.get(self.field, "metadata")

    @classmethod
    def of(cls, error: PolicyViolation) -> "SubmitProblem":
        return cls(rule=error.rule, field=error.field, message=error.message)


class SubmissionNotReady(PolicyViolation):
    """Every problem that keeps a draft from being submitted, so the submitter can fix them all at once."""

    def __init__(self, *, problems: list[SubmitProblem]):
        self.problems = problems
        super().__init__(rule=problems[0].rule, field=problems[0].field, message=problems[0].message)

    @property
    def errors(self) -> dict[str, list[str]]:
        """The messages by field, as `MetadataInvalid.errors` gives them."""
        errors: dict[str, list[str]] = {}
        for problem in self.problems:
            errors.setdefault(problem.field, []).append(problem.message)
        return errors

    def as_dict(self) -> dict:
        return {**self.errors, "rule": self.rule, "rules": {problem.field: problem.rule for problem in self.problems}}


def _release_on(submission: Submission, now: datetime.datetime) -> datetime.date | None:
    return timezone.localdate(now) if submission.release_on_submission else submission.release_date


def submission_problems(*, submission: Submission, now: datetime.datetime | None = None) -> list[SubmitProblem]:
    """List every rule the draft does not meet yet, in the order submitting checks them ([] when it may be submitted).

    The review step shows this list and `submission_submit` refuses with it, so
    they never disagree. It reads only, in a fixed number of queries whatever
    the number of files.
    """
    now = now or timezone.now()
    problems: list[SubmitProblem] = []
    try:
        StudyMetadata.from_dict(submission.metadata, publication_required=True)
    except MetadataInvalid as invalid:
        problems += [
            SubmitProblem(rule=invalid.rule, field=field, message=message)
            for field, messages in invalid.errors.items()
            for message in messages
        ]
    certification = submission.scope_certification_in_force
    if certification is None:
        problems.append(SubmitProblem(rule="P-SCOPE", field="scope", message="Answer the clinical-scope form first."))
    elif certification.outcome == scope.REFUSED:
        problems.append(
            SubmitProblem(rule="P-SCOPE", field="scope", message="The scope certification refused this data.")
        )
    if not DisclosureAcknowledgement.objects.filter(
        submission=submission, public_disclosure=True, right_to_submit=True
    ).exists():
        problems.append(
            SubmitProblem(
                rule="P-DISCLOSURE", field="disclosure", message="Make both acknowledgements before submitting."
            )
        )
    if submission.kind == SubmissionKind.NEW_STUDY:
        release_date = _release_on(submission, now)
        if release_date is None:
            problems.append(
                SubmitProblem(rule="P-RELEASE-DATE", field="release_date", message="Choose a release date.")
            )
        else:
            try:
                release_date_validate(
                    release_date=release_date,
                    submitted_at=now,
                    actor_is_curator=bool(submission.release_date_reason),
                    reason=submission.release_date_reason,
                    now=now,
                )
            except PolicyViolation as error:
                problems.append(SubmitProblem.of(error))
    if missing := (submission.file_list or {}).get("missing"):
        named = "The File List names files that are not in the submission: " + ", ".join(missing[:20])
        hints = file_list_report_of(submission.file_list)["hints"]  # the path meant, when only the top folder differs
        problems.append(
            SubmitProblem(
                rule=FILE_LIST_RULE, field="file_list", message=" ".join([f"{named}.", *hints]) if hints else named
            )
        )
    if not submission.files.exists():
        problems.append(SubmitProblem(rule="P-MOVE-ON-SUBMIT", field="files", message="Choose at least one file."))
    elif gone := _uploads_gone(submission=submission):
        problems.append(
            SubmitProblem(
                rule="P-MOVE-ON-SUBMIT",
                field="files",
                message="These files are no longer in your upload area: " + ", ".join(gone),
            )
        )
    return problems


def _submit_check(*, submission: Submission, now: datetime.datetime) -> list[str]:
    """Check every rule a submission must meet; return why it must wait for a curator ([] when it need not)."""
    if problems := submission_problems(submission=submission, now=now):
        raise SubmissionNotReady(problems=problems)
    if submission.kind == SubmissionKind.NEW_STUDY:
        submission.release_date = _release_on(submission, now)
    licence_for_study(source="", requested=None)  # a direct submission is CC0-1.0 (P-LICENCE)
    reasons = review_reasons(
        submission=submission,
        scope_outcome=submission.scope_certification_in_force.outcome,
        screening=submission.screening,
        beyond_bound=release_beyond_bound(submission, now=now),
    )
    return [str(reason) for reason in reasons]


GONE_LISTED = 20  # the paths a refusal names: enough to find the problem, never the whole submission


def _uploads_gone(*, submission: Submission) -> list[str]:
    """The first paths of the files still to move whose upload is gone or taken by another submission.

    One query, never the submission's files in Python. Submitting holds the
    uploads before it checks (the hold's UPDATE locks their rows): that
    serialises submissions that share a file, so only one may take it.
    """
    taken = SubmissionFile.objects.filter(
        upload_file_id=OuterRef("upload_file_id"),
        submission__state__in=[SubmissionState.SUBMITTED, SubmissionState.IN_REVIEW],
    ).exclude(submission=submission)
    gone = submission.files.filter(state=SubmissionFileState.PENDING).filter(
        Q(upload_file__isnull=True) | ~Q(upload_file__state=UploadState.COMPLETE) | Exists(taken)
    )
    return list(gone.order_by("pk").values_list("path", flat=True)[:GONE_LISTED])


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
        # From here until they are moved, these bytes are the only copy: keep them. The one UPDATE also locks the
        # upload rows before the check reads them; a refusal rolls it back.
        upload_files_hold(pks=submission.files.values("upload_file_id"), held=True)
        reasons = _submit_check(submission=submission, now=now)
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
