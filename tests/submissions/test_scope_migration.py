"""P-SCOPE: migration 0006 keeps every certification made before it, as its submission's first."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("submissions", "0005_release_on_submission")]
AFTER = [("submissions", "0006_scope_certifications_versioned")]


@pytest.mark.django_db(transaction=True)
def test_p_scope_migration_numbers_existing_certifications_one(submitter):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    submission = old.get_model("submissions", "Submission").objects.create(
        owner_id=submitter.pk, metadata={}, created_at=timezone.now()
    )
    old.get_model("submissions", "ScopeCertification").objects.create(
        submission=submission, form_version="scope-v1", answers={}, outcome="accepted", certified_at=timezone.now()
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(AFTER).apps
    kept = new.get_model("submissions", "ScopeCertification").objects.get(submission_id=submission.pk)
    assert (kept.number, kept.outcome) == (1, "accepted")
