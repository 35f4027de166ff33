"""Demo submissions and a project proposal, so the wizard, the review queue and the dashboard have something to show.

Made through the submissions services, as a submitter would: bob's electron
microscopy grid waits in the review queue (no publication yet), alice has a
draft to resume, and bob has proposed a structured project.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from curation.projects.services import project_propose
from submissions import scope
from submissions.models import ProjectCategory, Submission
from submissions.services import (
    submission_acknowledge,
    submission_certify_scope,
    submission_create_draft,
    submission_files_set,
    submission_release_date_set,
    submission_submit,
)

NO_HUMAN_MATERIAL = {
    "human_material": scope.NO,
    "primary_medical_use": scope.NO,
    "identifiable_individual": scope.NOT_APPLICABLE,
    "identifying_phenotypic_data": scope.NOT_APPLICABLE,
    "publication_consent": scope.NOT_APPLICABLE,
    "public_release_consent": scope.YES,
}
AUTHOR_BOB = {"name": "Bob Okafor", "affiliation": "EMBL Heidelberg"}


def demo_submissions_seed() -> int:
    """Create the demo submissions and proposal unless bob has submissions; return how many submissions were made."""
    if Submission.objects.filter(owner__username="bob").exists():
        return 0
    users = {user.username: user for user in get_user_model().objects.filter(username__in={"alice", "bob"})}
    alice, bob = users["alice"], users["bob"]
    in_review = submission_create_draft(
        owner=bob,
        metadata={
            "title": "Cryo-EM grid atlas of Chlamydomonas reinhardtii, grid 1",
            "description": "Square overviews of a cryo-EM grid, a reference for grid screening.",
            "authors": [AUTHOR_BOB],
            "organism": "Chlamydomonas reinhardtii",
            "organism_taxon_id": "3055",
            "imaging_method": "cryo-electron microscopy",
            "imaging_method_fbbi_id": "FBbi:00000256",
            "keywords": ["cryo-EM", "grid atlas"],
            "no_publication_reason": "A reference atlas for the community; no paper is planned.",
        },
    )
    submission_files_set(submission=in_review, actor=bob, folders=["em/grid1"])
    submission_certify_scope(
        submission=in_review, actor=bob, form_version=scope.SCOPE_FORM_VERSION, answers=NO_HUMAN_MATERIAL
    )
    submission_acknowledge(submission=in_review, actor=bob, public_disclosure=True, right_to_submit=True)
    submission_release_date_set(submission=in_review, actor=bob, on_submission=True)
    submission_submit(submission=in_review, actor=bob)  # no publication: it waits for a curator
    submission_create_draft(
        owner=alice,
        metadata={"title": "Time-lapse of organoid budding (draft)", "authors": [{"name": "Alice Marchetti"}]},
        release_date=timezone.localdate() + timezone.timedelta(days=180),
    )
    project_propose(
        actor=bob,
        name="Open cryo-EM grid atlas",
        description="Grid overviews of many species, as ground truth for automated grid screening.",
        category=ProjectCategory.TECHNOLOGY,
        expected_volume_gb=800,
        expected_datasets=40,
        expected_images=120_000,
        timeline="Forty datasets over the next two years.",
        metadata_needs="A grid-square annotation field.",
        curation_support="Help mapping annotations to REMBI.",
        funding_status="Applied for.",
    )
    return 2
