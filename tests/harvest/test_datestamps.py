"""A record's OAI-PMH datestamp (`Study.record_changed_at`) moves with every recorded change of its study, so an
incremental harvest (`from`) fetches it again: release, a new version, each status change."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps

from archive.models import Study
from archive.services.accession import study_version_add
from archive.services.release import studies_release_due
from archive.services.status import study_hide, study_make_obsolete, study_remove, study_restore, study_unhide
from tests.factories import make_curator, make_study, study_metadata
from tests.harvest.oai import NS, identifiers, oai_get

pytestmark = pytest.mark.django_db

CREATED = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 3, 9, 16, 30, tzinfo=datetime.UTC)


def _stamp(study) -> datetime.datetime:
    return Study.objects.values_list("record_changed_at", flat=True).get(pk=study.pk)


@pytest.fixture
def study():
    with time_machine.travel(CREATED, tick=False):
        return make_study()


def test_release_moves_the_datestamp():
    with time_machine.travel(CREATED, tick=False):
        study = make_study(status="confidential", release_date=datetime.date(2026, 3, 9))
    assert _stamp(study) == CREATED
    with time_machine.travel(LATER, tick=False):
        studies_release_due()
    assert _stamp(study) == LATER


def test_a_new_version_moves_the_datestamp(study):
    with time_machine.travel(LATER, tick=False):
        study_version_add(study=study, metadata=study_metadata("Second version"), files=[], note="v2")
    assert _stamp(study) == LATER


@pytest.mark.parametrize(
    "change",
    [
        lambda study, curator: study_hide(study=study, actor=curator, reason_category="error"),
        lambda study, curator: study_make_obsolete(study=study, actor=curator, reason_category="other"),
        lambda study, curator: study_remove(study=study, actor=curator, reason_category="retraction"),
    ],
    ids=["hide", "obsolete", "remove"],
)
def test_p_hide_p_obsolete_p_remove_status_changes_move_the_datestamp(study, change):
    curator = make_curator()
    with time_machine.travel(LATER, tick=False):
        changed = change(study, curator)
    assert _stamp(study) == LATER
    assert changed.record_changed_at == LATER


def test_p_hide_p_remove_undoing_a_status_change_moves_the_datestamp_again(study):
    curator = make_curator()
    study = study_hide(study=study, actor=curator, reason_category="error")
    study = study_remove(study=study, actor=curator, reason_category="retraction")
    with time_machine.travel(LATER, tick=False):
        study = study_restore(study=study, actor=curator, reason_category="error")
    assert _stamp(study) == LATER
    later = LATER + datetime.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        study_unhide(study=study, actor=curator, reason_category="error")
    assert _stamp(study) == later


def test_p_obsolete_superseding_moves_the_datestamp_of_the_superseding_study_whose_record_names_it(study):
    with time_machine.travel(CREATED, tick=False):
        newer = make_study(title="The corrected study")
    with time_machine.travel(LATER, tick=False):
        study_make_obsolete(
            study=study, actor=make_curator(), reason_category="superseded", superseded_by=newer.accession
        )
    assert _stamp(newer) == LATER


def test_a_change_committing_after_a_harvests_response_date_comes_with_the_harvest_from_that_date(
    study, client, django_capture_on_commit_callbacks
):
    """The commit gap: a harvest between the change's stamp and its commit cannot see it; its `from` must."""
    curator = make_curator()
    # The capture stands for the change's transaction: its commit callbacks run on leaving it, 10 s on.
    with time_machine.travel(LATER, tick=False) as clock, django_capture_on_commit_callbacks(execute=True):
        study_hide(study=study, actor=curator, reason_category="error")
        assert _stamp(study) == LATER  # a crash after the commit would still leave this stamp
        clock.shift(5)
        between = oai_get(client, verb="Identify").find("oai:responseDate", NS).text
        clock.shift(5)

    assert _stamp(study) == LATER + datetime.timedelta(seconds=10)
    harvest = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": between})
    assert identifiers(harvest) == [f"oai:testserver:{study.accession}"]


def test_the_migration_dates_existing_studies_by_their_latest_release_status_change_or_version(study):
    with time_machine.travel(LATER, tick=False):
        study_version_add(study=study, metadata=study_metadata("Second version"), files=[], note="v2")
    Study.objects.update(record_changed_at=None)
    migration = importlib.import_module("archive.migrations.0014_study_record_changed_at")

    migration.record_changed_at_fill(apps, None)

    assert _stamp(study) == LATER
