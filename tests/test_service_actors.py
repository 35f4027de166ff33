"""Every public service that takes an `actor` refuses a wrong one itself (docs/design.md §1: every public service checks
its actor), so no view, API view, admin action or command has to remember to check first.

`WRONG_ACTOR_CALLS` names each such service with a call by a wrong actor; the meta-test finds every public
service with an `actor` parameter and fails when one is missing here, so a new service is covered when it lands.
"""

import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from archive.models import ArchiveFile
from core.errors import NotAllowed
from core.models import CurationEvent
from curation.models import FixityCheck, FixityReport, FixityResult
from submissions.models import Submission, SubmissionFile
from tests.curation.test_projects import proposal
from tests.factories import make_study, study_metadata

APPS = ("accounts", "archive", "uploads", "submissions", "curation")

# These take `actor` only to name the author of the audit row: the move job (no one) and `study_import` (which
# checks its curator) create studies and versions through them, after their own checks.
ACTOR_RECORDED_ONLY = {"study_create", "study_version_add"}


def _service_modules():
    """The dotted names of every services module or package module of the apps."""
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root).with_suffix("")
            if relative.name == "services" or "services" in relative.parts[:-1]:
                parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
                yield ".".join(parts)


def _public_services_with_actor() -> dict[str, object]:
    found = {}
    for name in _service_modules():
        module = importlib.import_module(name)
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or function_name.startswith("_"):
                continue
            if "actor" in inspect.signature(function).parameters:
                found[function_name] = function
    return found


def _draft(owner) -> Submission:
    from submissions.services.drafts import submission_create_draft

    return submission_create_draft(owner=owner, metadata=study_metadata())


def _confidential(owner):
    return make_study(owner=owner, status="confidential")


def _reviewer_link(owner):
    from archive.services.access import reviewer_link_create

    return reviewer_link_create(study=_confidential(owner), actor=owner)[0]


def _fixity_report():
    now = timezone.now()
    fixity = FixityCheck.objects.create(storage_key="sha256/00/00/x", sha256="0" * 64, size=1, registered_at=now)
    return FixityReport.objects.create(
        fixity=fixity, result=FixityResult.MISSING, expected_sha256="0" * 64, expected_size=1, detected_at=now
    )


def _later() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=30)


_STATUS = {"reason_category": "error"}

# service name -> call(service, owner, stranger): the owner owns what the call touches; `stranger` is a
# signed-in user who is neither its owner nor a curator. Curator-only services are called by the owner.
WRONG_ACTOR_CALLS = {
    "curator_check": lambda service, owner, stranger: service(actor=owner),
    "profile_update": lambda service, owner, stranger: service(actor=AnonymousUser(), orcid="", affiliation=""),
    "reviewer_link_create": lambda service, owner, stranger: service(study=_confidential(owner), actor=stranger),
    "reviewer_link_revoke": lambda service, owner, stranger: service(link=_reviewer_link(owner), actor=stranger),
    "study_collaborator_add": lambda service, owner, stranger: service(
        study=_confidential(owner), user=stranger, actor=stranger
    ),
    "study_collaborator_invite": lambda service, owner, stranger: service(
        study=_confidential(owner), actor=stranger, username_or_email=stranger.username
    ),
    "study_collaborator_remove": lambda service, owner, stranger: service(
        study=_confidential(owner), actor=stranger, username=owner.username
    ),
    "study_release_date_change": lambda service, owner, stranger: service(
        study=_confidential(owner), actor=stranger, release_date=_later()
    ),
    "study_hide": lambda service, owner, stranger: service(study=make_study(owner=owner), actor=owner, **_STATUS),
    "study_unhide": lambda service, owner, stranger: service(
        study=make_study(owner=owner, hidden=True), actor=owner, **_STATUS
    ),
    "study_make_obsolete": lambda service, owner, stranger: service(
        study=make_study(owner=owner), actor=owner, **_STATUS
    ),
    "study_remove": lambda service, owner, stranger: service(study=make_study(owner=owner), actor=owner, **_STATUS),
    "study_restore": lambda service, owner, stranger: service(
        study=make_study(owner=owner, status="removed"), actor=owner, **_STATUS
    ),
    "files_set_status": lambda service, owner, stranger: service(
        version=make_study(owner=owner).versions.get(), actor=owner, paths=["README.txt"], status="removed", **_STATUS
    ),
    "studies_curate": lambda service, owner, stranger: service(
        actor=owner, action="hide", studies=[make_study(owner=owner)], **_STATUS
    ),
    "study_files_curate": lambda service, owner, stranger: service(
        actor=owner, action="remove", study=make_study(owner=owner), paths=["README.txt"], **_STATUS
    ),
    "files_curate": lambda service, owner, stranger: service(
        actor=owner,
        action="remove",
        files=ArchiveFile.objects.filter(version__study=make_study(owner=owner)),
        **_STATUS,
    ),
    "fixity_report_resolve": lambda service, owner, stranger: service(
        report=_fixity_report(), actor=owner, note="Looks fine to me."
    ),
    "study_import": lambda service, owner, stranger: service(actor=owner, manifest={}),
    "upload_files_remove": lambda service, owner, stranger: service(actor=owner, pks=[]),
    "submission_metadata_update": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, metadata=study_metadata()
    ),
    "submission_release_date_set": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, release_date=_later()
    ),
    "submission_project_set": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, project_id=None
    ),
    "submission_certify_scope": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, form_version="scope-v1", answers={}
    ),
    "submission_acknowledge": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, public_disclosure=True, right_to_submit=True
    ),
    "submission_files_set": lambda service, owner, stranger: service(submission=_draft(owner), actor=stranger),
    "submission_file_list_check": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, name="files.csv", content=b"path\n"
    ),
    "submission_screen": lambda service, owner, stranger: service(submission=_draft(owner), actor=stranger),
    "submission_submit": lambda service, owner, stranger: service(submission=_draft(owner), actor=stranger),
    "submission_version_start": lambda service, owner, stranger: service(study=make_study(owner=owner), actor=stranger),
    "submission_update_whole": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=stranger, metadata=study_metadata(), parts={}
    ),
    "submission_review_accept": lambda service, owner, stranger: service(submission=_draft(owner), actor=owner),
    # Input a curator would be told to fix: the wrong actor must be refused before it is read.
    "submission_changes_request": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=owner, message=""
    ),
    "review_file_thumbnail": lambda service, owner, stranger: service(
        submission_file=SubmissionFile(submission=_draft(owner), path="cell.png", size=1, sha256="0" * 64),
        actor=owner,
    ),
    "submission_refuse": lambda service, owner, stranger: service(
        submission=_draft(owner), actor=owner, reason="not-a-reason", message=""
    ),
    "project_propose": lambda service, owner, stranger: service(actor=AnonymousUser(), title="An atlas"),
    "project_score": lambda service, owner, stranger: service(
        project=proposal(owner), actor=owner, volume=1, curation=1, metadata=1, funding=1, impact=1
    ),
    "project_decide": lambda service, owner, stranger: service(
        project=proposal(owner), actor=owner, decision="accept", note="Fits."
    ),
}


def test_every_public_service_with_an_actor_is_listed_here():
    services = set(_public_services_with_actor())

    assert services - ACTOR_RECORDED_ONLY - set(WRONG_ACTOR_CALLS) == set(), "add a wrong-actor call for each"
    assert set(WRONG_ACTOR_CALLS) - services == set(), "a listed service is gone or was renamed"


@pytest.mark.parametrize("name", sorted(WRONG_ACTOR_CALLS))
def test_public_service_refuses_a_wrong_actor(name, submitter, other_user, django_capture_on_commit_callbacks):
    service = _public_services_with_actor()[name]
    events_at_call = []

    def service_counted(**kwargs):
        # The set-up (studies, drafts, links) may write audit rows; the refused call itself writes none.
        events_at_call.append(CurationEvent.objects.count())
        return service(**kwargs)

    with django_capture_on_commit_callbacks(), pytest.raises(NotAllowed):
        WRONG_ACTOR_CALLS[name](service_counted, submitter, other_user)
    assert CurationEvent.objects.count() == events_at_call[0]
