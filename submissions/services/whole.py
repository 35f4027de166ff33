"""A draft made or changed whole in one call (the API's create and PATCH): each part by its service, all or nothing.

The one exception is a confirmed refusing scope answer (P-SCOPE): like the
wizard's scope step, it is recorded and closes the submission, and the
request's other parts are not applied. Unconfirmed, it refuses the request
whole like any other part.
"""

import datetime

from django.db import transaction

from licensing.selectors import licence_for_study
from submissions.models import Submission
from submissions.scope import ScopeRefused
from submissions.services.drafts import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_files_set,
    submission_metadata_update,
    submission_project_set,
    submission_release_date_set,
)


def submission_create_whole(
    *,
    owner,
    metadata: dict,
    release_date: datetime.date | None,
    release_date_reason: str,
    licence: str | None,
    parts: dict,
) -> Submission:
    """Start a draft with its metadata and release date, then apply `parts`; one refusal undoes all.

    Confirmed refusing scope answers leave the draft on record, refused, with them.
    """
    with transaction.atomic():
        submission = submission_create_draft(
            owner=owner,
            metadata=metadata,
            release_date=release_date,
            release_date_reason=release_date_reason,
            licence=licence,
        )
        refusal = _scope_certify(submission=submission, actor=owner, parts=parts)
        if refusal is None:
            _parts_apply(submission=submission, actor=owner, parts=parts)
    if refusal is not None:
        raise refusal
    return submission


def submission_update_whole(*, submission: Submission, actor, metadata: dict, parts: dict) -> Submission:
    """Change a draft: the metadata fields given, the release date, and `parts`; one refusal undoes all.

    Scope answers add a certification when they differ from those in force. Confirmed refusing ones are
    recorded alone: the submission is refused and nothing else changes.
    """
    with transaction.atomic():
        refusal = _scope_certify(submission=submission, actor=actor, parts=parts)
        if refusal is None:
            submission = _changes_apply(submission=submission, actor=actor, metadata=metadata, parts=parts)
    if refusal is not None:
        raise refusal
    return submission


def _scope_certify(*, submission: Submission, actor, parts: dict) -> ScopeRefused | None:
    """Certify the scope answers given, before any other part; return the refusal, already on record, if any.

    The refusal is returned, not raised, so that the caller's transaction commits it.
    """
    if scope := parts.get("scope"):
        try:
            submission_certify_scope(
                submission=submission,
                actor=actor,
                form_version=scope["version"],
                answers=scope["answers"],
                confirm_refusal=scope.get("confirm_refusal", False),
            )
        except ScopeRefused as refusal:
            return refusal
    return None


def _changes_apply(*, submission: Submission, actor, metadata: dict, parts: dict) -> Submission:
    if "licence" in parts:  # P-LICENCE: a direct submission cannot ask for another licence
        licence_for_study(source=submission.study.source if submission.study else "", requested=parts["licence"])
    if metadata:
        submission = submission_metadata_update(
            submission=submission, actor=actor, metadata={**submission.metadata, **metadata}
        )
    if "release_date" in parts:
        submission = submission_release_date_set(
            submission=submission,
            actor=actor,
            release_date=parts["release_date"],
            reason=parts.get("release_date_reason", ""),
        )
    _parts_apply(submission=submission, actor=actor, parts=parts)
    return submission


def _parts_apply(*, submission: Submission, actor, parts: dict) -> None:
    """Apply the project, files and acknowledgements given in `parts`, each by its service.

    The caller holds the transaction, so the first refusal undoes every part.
    """
    if "project" in parts:
        submission_project_set(submission=submission, actor=actor, project_id=parts["project"])
    if {"files", "folders", "keep_paths"} & set(parts):
        upload_file_ids = parts.get("files")
        if upload_file_ids is None and "folders" not in parts:  # only keep_paths: the upload choice stays
            upload_file_ids = [f.upload_file_id for f in submission.files.all() if f.upload_file_id]
        submission_files_set(
            submission=submission,
            actor=actor,
            upload_file_ids=upload_file_ids or (),
            folders=parts.get("folders", ()),
            keep_paths=parts.get("keep_paths"),
        )
    if acknowledgements := parts.get("acknowledgements"):
        submission_acknowledge(submission=submission, actor=actor, **acknowledgements)
