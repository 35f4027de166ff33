"""Restore puts back the status a removed study had, from archive's own record of the removal (P-REMOVE)."""

import importlib
import inspect

import pytest
from django.apps import apps

from archive.models import Study, StudyRemoval, StudyStatus
from archive.services.status import study_hide, study_remove, study_restore
from tests.factories import make_study

pytestmark = pytest.mark.django_db


def test_p_remove_restore_takes_no_snapshot_from_its_caller():
    assert "previous" not in inspect.signature(study_restore).parameters


def test_p_remove_removal_keeps_the_status_it_ended_and_restore_puts_it_back(curator):
    study = make_study(title="Hidden, then removed")
    study = study_hide(study=study, actor=curator, reason_category="other", note="Under investigation")

    study_remove(study=study, actor=curator, reason_category="retraction", note="Journal retracted it")
    study_restore(study=study, actor=curator, reason_category="error", note="Mistake")

    [removal] = StudyRemoval.objects.filter(study=study)
    assert (removal.previous_status, removal.previous_status_reason, removal.previous_status_note) == (
        StudyStatus.RELEASED,
        "other",
        "Under investigation",
    )
    study.refresh_from_db()
    assert (study.status, study.status_reason, study.status_note) == (
        StudyStatus.RELEASED,
        "other",
        "Under investigation",
    )
    assert study.status_changed_at == removal.previous_status_changed_at


def test_p_remove_restore_after_two_removals_returns_to_the_status_before_the_latest(curator):
    study = make_study(status="obsolete")
    study_remove(study=study, actor=curator, reason_category="retraction")
    study_restore(study=study, actor=curator, reason_category="error")
    study = study_remove(study=Study.objects.get(pk=study.pk), actor=curator, reason_category="ownership")

    study = study_restore(study=study, actor=curator, reason_category="error")

    assert (study.status, study.status_reason) == (StudyStatus.OBSOLETE, "superseded")


def test_p_remove_migration_fills_the_removal_record_from_the_audit_log(curator):
    study = make_study(status="obsolete")
    study = study_remove(study=study, actor=curator, reason_category="retraction")
    StudyRemoval.objects.all().delete()  # as before the migration: only the audit row kept the status
    migration = importlib.import_module("archive.migrations.0008_study_removal")

    migration.removals_from_audit_log(apps, schema_editor=None)

    study = study_restore(study=study, actor=curator, reason_category="error")
    assert (study.status, study.status_reason, study.status_note) == (
        StudyStatus.OBSOLETE,
        "superseded",
        "Replaced by a newer study.",
    )
