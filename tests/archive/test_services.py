import datetime

import pytest
import time_machine
from django.utils import timezone

from archive.models import Study, StudyStatus
from archive.selectors.visibility import StudyGone, StudyNotFound, study_get_visible
from archive.services.release import studies_release_due
from tests.factories import make_study

pytestmark = pytest.mark.django_db


def test_accessions_are_prefixed_and_increasing(submitter):
    first = make_study(owner=submitter)
    second = make_study(owner=submitter)
    assert first.accession.startswith("S-BIAD")
    assert second.number == first.number + 1


@time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_p_release_date_release_job_publishes_on_the_day_and_not_before(submitter, other_user):
    study = make_study(owner=submitter, status="confidential", release_date=datetime.date(2026, 3, 10))
    with pytest.raises(StudyNotFound):
        study_get_visible(other_user, study.accession)

    with time_machine.travel(datetime.datetime(2026, 3, 9, 23, 59, tzinfo=datetime.UTC), tick=False):
        assert studies_release_due() == []
    with time_machine.travel(datetime.datetime(2026, 3, 10, 0, 1, tzinfo=datetime.UTC), tick=False):
        assert studies_release_due() == [study.accession]
        assert studies_release_due() == []  # idempotent
        study.refresh_from_db()
        assert study.status == StudyStatus.RELEASED
        assert study.released_at == timezone.now()
    assert study_get_visible(other_user, study.accession) == study


def test_p_remove_removed_study_raises_gone_for_everyone_but_curators(submitter, curator):
    study = make_study(owner=submitter, status="removed")
    with pytest.raises(StudyGone):
        study_get_visible(submitter, study.accession)
    assert study_get_visible(curator, study.accession) == study
    assert Study.objects.filter(pk=study.pk).exists()
