"""Drafts: starting one, its metadata, files, scope certification, acknowledgements and release date."""

import datetime
import functools
import logging
import operator
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, F, JSONField, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from archive.metadata import METADATA_RULE, metadata_clean
from archive.models import FileStatus
from archive.release_dates import release_date_validate
from core import audit
from core.audit import AuditAction
from core.errors import NotAllowed, PolicyViolation
from core.insert_select import insert_select
from licensing.selectors import licence_for_study
from submissions import scope
from submissions.file_list import FILE_LIST_RULE, file_list_parse, file_list_report_of
from submissions.models import (
    DisclosureAcknowledgement,
    ProjectProposal,
    ScopeCertification,
    Submission,
    SubmissionFile,
    SubmissionFileState,
    SubmissionKind,
    SubmissionState,
)
from uploads.models import UploadFile, UploadState

logger = logging.getLogger(__name__)


# A curator's "request changes" hands a submission back to its owner to edit and submit again.
EDITABLE_STATES = (SubmissionState.DRAFT, SubmissionState.CHANGES_REQUESTED)


def _check_draft(*, submission: Submission, rule: str) -> None:
    if submission.state == SubmissionState.REFUSED:
        raise PolicyViolation(rule=rule, message="This submission was refused; it can no longer change.")
    if submission.state not in EDITABLE_STATES:
        raise PolicyViolation(rule=rule, message="This submission has been submitted; it can no longer change.")


def _check_owner(*, submission: Submission, actor, rule: str) -> None:
    if actor.pk != submission.owner_id:
        raise NotAllowed(rule=rule, message="Only the submitter can change a submission.")


def _editable(*, submission: Submission, actor, rule: str) -> Submission:
    """Lock the submission's row and check that `actor` owns it and may still edit it; call inside a transaction."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_owner(submission=submission, actor=actor, rule=rule)
    _check_draft(submission=submission, rule=rule)
    return submission


def submission_create_draft(
    *,
    owner,
    metadata: dict,
    release_date: datetime.date | None = None,
    release_date_reason: str = "",
    licence: str | None = None,
) -> Submission:
    """Start a draft submission of a new study.

    The metadata may be incomplete (submitting checks it whole). A licence
    other than CC0-1.0 is refused (P-LICENCE); a release date, if given, must
    already be one that submitting today would accept.
    """
    now = timezone.now()
    licence_for_study(source="", requested=licence)
    metadata = metadata_clean(metadata, complete=False)
    beyond = release_date is not None and _release_date_check(
        release_date=release_date, reason=release_date_reason, now=now
    )
    with transaction.atomic():
        submission = Submission.objects.create(
            owner=owner,
            metadata=metadata,
            release_date=release_date,
            release_date_reason=release_date_reason.strip() if beyond else "",  # a reason only asks to go beyond
            created_at=now,
        )
        audit.record(
            actor=owner, action=AuditAction.SUBMISSION_CREATED, target_type="submission", target_id=submission.pk
        )
    return submission


def submission_metadata_update(*, submission: Submission, actor, metadata: dict) -> Submission:
    """Replace the draft's study metadata (REMBI study-level fields); it may stay incomplete until submitting."""
    metadata = metadata_clean(metadata, complete=False)
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule=METADATA_RULE)
        submission.metadata = metadata
        submission.save(update_fields=["metadata", "updated_at"])
    return submission


def _release_date_check(*, release_date: datetime.date, reason: str, now: datetime.datetime) -> bool:
    """Check a submitter's date (P-RELEASE-DATE); return whether it asks a curator to go beyond the bound.

    From today to RELEASE_DATE_MAX_YEARS years ahead is the submitter's own choice; a later date is
    only a request, with a reason, that a curator accepts or not in review.
    """
    return release_date_validate(
        release_date=release_date, submitted_at=now, actor_is_curator=bool(reason.strip()), reason=reason, now=now
    )


def submission_release_date_set(
    *,
    submission: Submission,
    actor,
    release_date: datetime.date | None = None,
    reason: str = "",
    on_submission: bool = False,
) -> Submission:
    """Choose the draft's release date: on submission, a day up to RELEASE_DATE_MAX_YEARS years ahead, or ask for later.

    "On submission" means the day it is submitted, which may be after today.
    """
    now = timezone.now()
    if on_submission:
        release_date, reason = timezone.localdate(now), ""
    elif release_date is None:
        raise PolicyViolation(rule="P-RELEASE-DATE", field="release_date", message="Choose a release date.")
    beyond = _release_date_check(release_date=release_date, reason=reason, now=now)
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule="P-RELEASE-DATE")
        submission.release_date = release_date
        submission.release_on_submission = on_submission
        submission.release_date_reason = reason.strip() if beyond else ""
        submission.save(update_fields=["release_date", "release_on_submission", "release_date_reason", "updated_at"])
    return submission


def projects_nameable_by(owner) -> QuerySet[ProjectProposal]:
    """The structured projects a submission of `owner` may name (P-PROJECT): the ones `owner` proposed."""
    return ProjectProposal.objects.filter(proposer=owner)


def submission_project_set(*, submission: Submission, actor, project_id: int | None) -> Submission:
    """Name the structured project the study belongs to (P-PROJECT), or none.

    Another user's project is refused with the same answer as an id that does
    not exist, so that nobody learns which proposals exist.
    """
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule="P-PROJECT")
        project = None
        if project_id is not None:
            project = projects_nameable_by(submission.owner).filter(pk=project_id).first()
            if project is None:
                raise PolicyViolation(
                    rule="P-PROJECT", field="project", message="You have proposed no structured project with this id."
                )
        submission.project = project
        submission.save(update_fields=["project", "updated_at"])
    return submission


def submission_certify_scope(
    *, submission: Submission, actor, form_version: str, answers: dict, confirm_refusal: bool = False
) -> ScopeCertification:
    """Certify the submission's scope (P-SCOPE): store the answers, their form version and outcome as a new record.

    A draft may be certified again until it is submitted: each certification
    is kept as it was given, with the next number, and the latest is in force;
    answers the same as those in force add nothing. Answers that refuse the
    data take effect only with `confirm_refusal`: without it nothing is stored
    and ScopeRefusalUnconfirmed says what would happen. Confirmed, the refused
    certification is stored, the submission becomes `refused`, and ScopeRefused,
    pointing to the EGA, is raised after the record is saved: a caller's own
    transaction must let it commit (as `submission_create_whole` does) for the
    refusal to stand.
    """
    # Another's submission is refused before its answers are read, whatever they are.
    _check_owner(submission=submission, actor=actor, rule="P-SCOPE")
    if form_version != scope.SCOPE_FORM_VERSION:
        raise PolicyViolation(
            rule="P-SCOPE", field="version", message=f"Answer the current scope form, {scope.SCOPE_FORM_VERSION}."
        )
    answers = scope.scope_answers_validate(answers)
    outcome = scope.scope_outcome(answers)
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule="P-SCOPE")
        in_force = submission.scope_certification_in_force
        if in_force is not None and (in_force.form_version, in_force.answers) == (form_version, answers):
            return in_force
        if outcome == scope.REFUSED and not confirm_refusal:
            raise scope.ScopeRefusalUnconfirmed(answers)
        certification = ScopeCertification.objects.create(
            submission=submission,
            number=in_force.number + 1 if in_force else 1,
            form_version=form_version,
            answers=answers,
            outcome=outcome,
            certified_at=timezone.now(),
        )
        if outcome == scope.REFUSED:
            submission.state = SubmissionState.REFUSED
            submission.save(update_fields=["state", "updated_at"])
    if outcome == scope.REFUSED:
        raise scope.ScopeRefused(answers)
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
        submission = _editable(submission=submission, actor=actor, rule="P-DISCLOSURE")
        acknowledgement, _ = DisclosureAcknowledgement.objects.get_or_create(
            submission=submission,
            defaults={"public_disclosure": True, "right_to_submit": True, "acknowledged_at": timezone.now()},
        )
    return acknowledgement


def submission_files_set(
    *,
    submission: Submission,
    actor,
    upload_file_ids: Sequence[int] = (),
    folders: Sequence[str] = (),
    keep_paths: Sequence[str] | None = None,
    drop_paths: Sequence[str] = (),
) -> int:
    """Choose the draft's files: complete files of the owner's upload area, by id or by whole folder.

    The choice replaces the files chosen from the upload area before. For a
    new version, `keep_paths` says which files of the study's current version
    stay (kept files are not uploaded again); None leaves them as they are,
    less `drop_paths` (the wizard's unticked files of one page of them). A
    file chosen from the upload area replaces a kept file of the same path.
    The File List's attributes are matched again. The chosen rows are copied
    by the database (one INSERT … SELECT), never read into Python; return how
    many were chosen from the upload area.
    """
    ids = set(upload_file_ids)
    folder_prefixes = [folder.strip("/") + "/" for folder in folders if folder.strip("/")]
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule="P-MOVE-ON-SUBMIT")
        complete = UploadFile.objects.filter(area__owner=actor, state=UploadState.COMPLETE)
        if ids and complete.filter(pk__in=ids).count() != len(ids):
            raise PolicyViolation(
                rule="P-UPLOAD-PRIVATE",
                field="files",
                message="Choose files from your own upload area whose upload has finished.",
            )
        for prefix in folder_prefixes:
            if not complete.filter(relative_path__startswith=prefix).exists():
                raise PolicyViolation(
                    rule="P-UPLOAD-PRIVATE", field="folders", message=f"No finished uploads in the folder {prefix}."
                )
        chosen = _uploads_chosen(complete, ids, folder_prefixes)
        kept = submission.files.filter(upload_file__isnull=True, state=SubmissionFileState.DONE)
        if keep_paths is not None:
            _kept_files_set(submission, set(keep_paths))
        if drop_paths:
            kept.filter(path__in=list(drop_paths)).delete()
        kept.filter(path__in=chosen.values("relative_path")).delete()
        # Every earlier choice from the upload area goes, also one whose upload was deleted or purged since.
        submission.files.exclude(upload_file__isnull=True, state=SubmissionFileState.DONE).delete()
        added = insert_select(
            SubmissionFile,
            chosen,
            order_by=("path",),  # files are numbered in path order, as the move and the pages walk them
            submission=Value(submission.pk),
            upload_file=F("pk"),
            path=F("relative_path"),
            size=F("size"),
            sha256=F("sha256"),
            storage_key=Value(""),
            state=Value(SubmissionFileState.PENDING.value),
            attributes=Value({}, output_field=JSONField()),  # a File List's rows are matched just below
        )
        if submission.file_list:
            _file_list_compare(submission)
        submission.save(update_fields=["file_list", "updated_at"])
    return added


def _uploads_chosen(complete: QuerySet[UploadFile], ids: set[int], folder_prefixes: list[str]) -> QuerySet:
    """The finished uploads chosen by id or folder, one per path (the newest, where a held file's replacement waits)."""
    conditions = [Q(pk__in=ids)] if ids else []
    conditions += [Q(relative_path__startswith=prefix) for prefix in folder_prefixes]
    if not conditions:
        return complete.none()
    chosen_by = functools.reduce(operator.or_, conditions)
    newer = complete.filter(chosen_by, relative_path=OuterRef("relative_path"), pk__gt=OuterRef("pk"))
    return complete.filter(chosen_by).exclude(Exists(newer))


def submission_files_upload_replaced(*, replaced: UploadFile, upload: UploadFile) -> int:
    """Put `upload` in the place of `replaced`, the file it replaces at its path, in editable submissions.

    A file uploaded again at the same path replaces the older one in the upload
    area; a draft (or a submission handed back for changes) that chose the older
    one now holds the new one, with its size and checksum, as a submitter
    re-uploading a corrected file expects. Submitted submissions hold their
    files (P-MOVE-ON-SUBMIT), which are never replaced; a refused one keeps its
    record. Only the owner's submissions can have chosen the file. Runs inside
    the upload's completing transaction; return how many files were updated.
    """
    return SubmissionFile.objects.filter(upload_file=replaced, submission__state__in=EDITABLE_STATES).update(
        upload_file=upload, size=upload.size, sha256=upload.sha256
    )


def _kept_files_set(submission: Submission, keep_paths: set[str]) -> None:
    """For a new version, keep exactly these files of the study's newest version (dropped ones may come back)."""
    if submission.kind != SubmissionKind.NEW_VERSION:
        raise PolicyViolation(
            rule="P-PERMANENT", field="keep_paths", message="Only a new version keeps files of an earlier one."
        )
    kept = submission.files.filter(upload_file__isnull=True, state=SubmissionFileState.DONE)
    kept.exclude(path__in=list(keep_paths)).delete()
    present = set(kept.values_list("path", flat=True))
    newest = submission.study.versions.order_by("-number").first()
    wanted = newest.files.filter(status=FileStatus.ACTIVE, path__in=list(keep_paths - present))
    if unknown := keep_paths - present - set(wanted.values_list("path", flat=True)):
        raise PolicyViolation(
            rule="P-PERMANENT",
            field="keep_paths",
            message="These files are not in the study's current version: " + ", ".join(sorted(unknown)[:20]),
        )
    kept_files_copy(submission=submission, archive_files=wanted)


def kept_files_copy(*, submission: Submission, archive_files: QuerySet) -> int:
    """Copy files of the study into a new version's draft as kept: already in the archive, so nothing to move.

    One INSERT … SELECT: a version of a million files is not read into Python.
    """
    return insert_select(
        SubmissionFile,
        archive_files,
        submission=Value(submission.pk),
        path=F("path"),
        size=F("size"),
        sha256=F("sha256"),
        storage_key=F("storage_key"),
        attributes=F("attributes"),
        state=Value(SubmissionFileState.DONE.value),
    )


def _file_list_compare(submission: Submission) -> None:
    """Match the stored File List's rows with the chosen files: attributes onto files, missing and extra listed."""
    rows = submission.file_list["rows"]
    # submission_id and upload_file_id too: each deferred one read back would cost a query per file.
    files = list(submission.files.only("pk", "submission_id", "upload_file_id", "path", "attributes"))
    for f in files:
        f.attributes = rows.get(f.path, f.attributes if f.upload_file_id is None else {})
    SubmissionFile.objects.bulk_update(files, ["attributes"], batch_size=1000)
    paths = {f.path for f in files}
    submission.file_list["missing"] = sorted(set(rows) - paths)  # rows naming files not chosen
    submission.file_list["extra"] = sorted(paths - set(rows))  # chosen files without a row


def submission_file_list_check(*, submission: Submission, actor, name: str, content: bytes) -> dict:
    """Read a File List (TSV or CSV with a `Files` column), check it against the chosen files and keep it.

    Return the report: its attribute columns, the rows that name files not in
    the submission (`missing`: submitting is refused until they are fixed) and
    the chosen files without a row (`extra`: allowed, they get no attributes).
    A malformed table is refused whole and the previous File List stays.
    """
    _check_owner(submission=submission, actor=actor, rule=FILE_LIST_RULE)  # before reading another's table
    columns, rows = file_list_parse(name=name, content=content)
    with transaction.atomic():
        submission = _editable(submission=submission, actor=actor, rule=FILE_LIST_RULE)
        submission.file_list = {"name": name[:255], "columns": columns, "rows": rows}
        _file_list_compare(submission)
        submission.save(update_fields=["file_list", "updated_at"])
    return file_list_report(submission)


def file_list_report(submission: Submission) -> dict:
    """What the submitter is shown of the File List check (`file_list.file_list_report_of`)."""
    return file_list_report_of(submission.file_list or {})
