"""An entry made obsolete as superseded names the entry that replaces it, and its banner links there (P-OBSOLETE)."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from archive.models import StudyStatus
from core.errors import PolicyViolation
from core.models import CurationEvent
from curation.services.actions import studies_curate
from tests.factories import make_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_api(curator) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")


def _obsolete(client, study, **body):
    url = f"/api/v1/curation/studies/{study.accession}/obsolete/"
    return client.post(url, body, content_type="application/json")


def _banner(client, study) -> str:
    page = client.get(reverse("study-detail", args=[study.accession])).content.decode()
    return re.search(r'<div class="alert alert-warning" role="status">.*?</div>', page, re.S).group(0)


def test_p_obsolete_superseded_by_by_api_links_the_banner_and_shows_in_the_api(curator_api, anonymous_client):
    old, new = make_study(title="Old atlas"), make_study(title="New atlas")

    answer = _obsolete(curator_api, old, reason_category="superseded", superseded_by=new.accession)

    assert answer.status_code == 200 and answer.json()["status"] == "obsolete"
    old.refresh_from_db()
    assert old.superseded_by == new
    banner = _banner(anonymous_client, old)
    link = reverse("study-detail", args=[new.accession])
    assert f'Superseded by <a href="{link}">{new.accession}</a>' in banner
    assert anonymous_client.get(f"/api/v1/studies/{old.accession}/").json()["superseded_by"] == new.accession
    assert anonymous_client.get(f"/api/v1/studies/{new.accession}/").json()["superseded_by"] is None
    event = CurationEvent.objects.get(action="study.obsoleted")
    assert event.data["superseded_by"] == new.accession


@pytest.mark.parametrize(
    ("reason", "superseded_by", "message"),
    [
        ("superseded", "S-BIAD999999", "No entry S-BIAD999999"),
        ("superseded", "self", "cannot supersede itself"),
        ("error", "other", "only when the reason is"),
    ],
    ids=["unknown", "itself", "other-reason"],
)
def test_p_obsolete_superseded_by_refused_names_the_field_and_changes_nothing(
    curator_api, reason, superseded_by, message
):
    study, other = make_study(), make_study()
    named = {"self": study.accession, "other": other.accession}.get(superseded_by, superseded_by)

    answer = _obsolete(curator_api, study, reason_category=reason, superseded_by=named)

    assert answer.status_code == 400
    body = answer.json()
    assert body["rule"] == "P-OBSOLETE" and message in body["superseded_by"][0]
    study.refresh_from_db()
    assert (study.status, study.superseded_by) == (StudyStatus.RELEASED, None)
    assert not CurationEvent.objects.filter(action="study.obsoleted").exists()


def test_p_obsolete_superseded_by_refused_for_another_action(curator_api):
    study, other = make_study(), make_study()

    answer = curator_api.post(
        f"/api/v1/curation/studies/{study.accession}/hide/",
        {"reason_category": "superseded", "superseded_by": other.accession},
        content_type="application/json",
    )

    assert answer.status_code == 400
    assert answer.json()["rule"] == "P-HIDE" and "superseded_by" in answer.json()
    study.refresh_from_db()
    assert study.searchable is True


def test_p_obsolete_superseded_by_an_entry_the_viewer_cannot_see_is_text_only(curator, anonymous_client, client):
    old = make_study(title="Old atlas")
    new = make_study(title="Atlas under review", status="confidential")
    studies_curate(
        actor=curator, action="obsolete", studies=[old], reason_category="superseded", superseded_by=new.accession
    )

    public_banner = _banner(anonymous_client, old)
    assert f"Superseded by {new.accession}" in public_banner and "<a " not in public_banner
    client.force_login(new.owner)
    assert f'Superseded by <a href="/studies/{new.accession}/">' in _banner(client, old)


def test_p_obsolete_restore_forgets_the_superseding_entry(curator):
    old, new = make_study(), make_study()
    studies_curate(
        actor=curator, action="obsolete", studies=[old], reason_category="superseded", superseded_by=new.accession
    )

    [old] = studies_curate(actor=curator, action="restore", studies=[old], reason_category="error")

    assert (old.status, old.superseded_by) == (StudyStatus.RELEASED, None)


def test_p_obsolete_superseded_by_admin_action(curator_client, anonymous_client):
    old, new = make_study(title="Old atlas"), make_study(title="New atlas")
    changelist = reverse("admin:archive_study_changelist")
    chosen = {"action": "obsolete_studies", "_selected_action": [old.pk]}

    page = curator_client.post(changelist, {**chosen, "index": 0})
    assert 'name="superseded_by"' in page.text
    refused = curator_client.post(
        changelist, {**chosen, "confirm": "yes", "reason_category": "superseded", "superseded_by": old.accession}
    )
    assert refused.status_code == 200 and "cannot supersede itself" in refused.text
    done = curator_client.post(
        changelist, {**chosen, "confirm": "yes", "reason_category": "superseded", "superseded_by": new.accession}
    )

    assert done.status_code == 302
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (StudyStatus.OBSOLETE, new)
    assert f">{new.accession}</a>" in _banner(anonymous_client, old)


def test_p_obsolete_superseded_by_not_offered_for_other_admin_actions(curator_client):
    study = make_study()
    page = curator_client.post(
        reverse("admin:archive_study_changelist"),
        {"action": "hide_studies", "index": 0, "_selected_action": [study.pk]},
    )
    assert page.status_code == 200 and 'name="superseded_by"' not in page.text


def test_p_obsolete_superseded_by_service_refuses_it_for_a_removal(curator):
    study, other = make_study(), make_study()
    with pytest.raises(PolicyViolation) as refused:
        studies_curate(
            actor=curator, action="remove", studies=[study], reason_category="superseded", superseded_by=other.accession
        )
    assert refused.value.field == "superseded_by"
