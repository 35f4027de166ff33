"""The public's cached search results follow every change to a study at once (P-HIDE, P-RELEASE-DATE)."""

import datetime

import pytest
from django.utils import timezone

from archive.services.release import studies_release_due
from archive.services.status import study_hide, study_unhide
from tests.factories import UserFactory, make_study

pytestmark = pytest.mark.django_db


def _found(client, word: str, study) -> bool:
    """Whether the public's search for `word` lists `study` (accession numbers differ between databases)."""
    return f"/studies/{study.accession}/" in client.get("/search/", {"q": word}).content.decode()


def test_p_hide_an_unhidden_study_is_found_at_once_despite_the_cache(
    anonymous_client, settings, django_capture_on_commit_callbacks
):
    settings.SEARCH_CACHE_SECONDS = 600
    curator = UserFactory(is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        study = make_study(title="Zebrafish fin regeneration")
        study = study_hide(study=study, actor=curator, reason_category="error")
    assert not _found(anonymous_client, "zebrafish", study)  # the empty result is now cached
    with django_capture_on_commit_callbacks(execute=True):
        study_unhide(study=study, actor=curator, reason_category="error")
    assert _found(anonymous_client, "zebrafish", study)


def test_p_release_date_a_study_released_by_the_job_is_found_at_once(
    anonymous_client, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.SEARCH_CACHE_SECONDS = 3 * 24 * 3600  # still cached when the release day comes
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        study = make_study(title="Zebrafish heart", status="confidential", release_date=tomorrow)
    assert not _found(anonymous_client, "zebrafish", study)
    time_machine.move_to(datetime.datetime.combine(tomorrow, datetime.time(6), tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert studies_release_due() == [study.accession]
    assert _found(anonymous_client, "zebrafish", study)
