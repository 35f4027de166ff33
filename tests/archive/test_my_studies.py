"""'My studies': a signed-in user's own and shared studies, in every status, through the one visibility rule."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from archive.selectors.my_studies import studies_of_user
from archive.services.access import study_collaborator_add
from tests.factories import make_curator, make_study

pytestmark = pytest.mark.django_db


def test_owner_sees_own_confidential_study_and_not_others(submitter, other_user):
    own = make_study(owner=submitter, status="confidential", title="Own embargoed organoids")
    others = make_study(owner=other_user, status="confidential", title="Someone else's embargo")
    public_of_others = make_study(owner=other_user, title="Someone else's released study")

    listed = list(studies_of_user(submitter))

    assert own in listed
    assert others not in listed
    assert public_of_others not in listed


def test_collaborator_sees_the_study_shared_with_them(submitter, other_user):
    shared = make_study(owner=other_user, status="confidential", title="Shared embargoed atlas")
    study_collaborator_add(study=shared, user=submitter, actor=other_user)

    assert list(studies_of_user(submitter)) == [shared]


def test_every_status_is_listed_newest_first(submitter):
    confidential = make_study(owner=submitter, status="confidential")
    released = make_study(owner=submitter)
    obsolete = make_study(owner=submitter, status="obsolete")
    removed = make_study(owner=submitter, status="removed")

    assert list(studies_of_user(submitter)) == [removed, obsolete, released, confidential]


def test_a_curator_lists_only_their_own_studies(submitter):
    make_study(owner=submitter, status="confidential")

    assert list(studies_of_user(make_curator())) == []


def test_anonymous_lists_nothing():
    make_study()
    assert list(studies_of_user(AnonymousUser())) == []


MY_STUDIES = reverse("my-studies")


def test_anonymous_is_sent_to_sign_in(anonymous_client):
    response = anonymous_client.get(MY_STUDIES)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={MY_STUDIES}"


def test_page_shows_status_release_date_time_left_and_actions(submitter, submitter_client, other_user):
    release = timezone.localdate() + datetime.timedelta(days=95)
    confidential = make_study(owner=submitter, status="confidential", title="Embargoed organoids", release_date=release)
    shared = make_study(owner=other_user, status="confidential", title="Atlas shared with me")
    study_collaborator_add(study=shared, user=submitter, actor=other_user)
    make_study(owner=other_user, status="confidential", title="Not shared with me")

    response = submitter_client.get(MY_STUDIES)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Embargoed organoids" in body and "Atlas shared with me" in body
    assert "Not shared with me" not in body
    assert "Confidential" in body
    assert f'datetime="{release:%Y-%m-%d}"' in body
    assert "in 3 months" in body
    detail = reverse("study-detail", args=[confidential.accession])
    assert f'href="{detail}#collaborators"' in body
    assert reverse("submissions:version-start", args=[confidential.accession]) in body
    # A collaborator opens the shared study but neither manages its sharing nor versions it.
    assert reverse("submissions:version-start", args=[shared.accession]) not in body
    assert f'href="{reverse("study-detail", args=[shared.accession])}#collaborators"' not in body


def test_p_remove_own_removed_study_shows_only_its_tombstone(submitter, submitter_client):
    removed = make_study(owner=submitter, status="removed", title="Retracted spindle study")
    make_study(owner=submitter, status="obsolete", title="Superseded spindle study")

    body = submitter_client.get(MY_STUDIES).content.decode()

    assert removed.accession in body and "Removed" in body
    assert "Retracted spindle study" not in body
    assert reverse("submissions:version-start", args=[removed.accession]) not in body
    assert "Superseded spindle study" in body and "Obsolete" in body


def test_empty_state_points_to_uploads_and_submissions(submitter_client):
    body = submitter_client.get(MY_STUDIES).content.decode()

    assert "You have no studies yet" in body
    assert f'href="{reverse("uploads:area")}"' in body
    assert f'href="{reverse("submissions:list")}"' in body


def test_page_is_paged_and_refuses_a_page_that_does_not_exist(
    submitter, submitter_client, django_assert_max_num_queries
):
    for number in range(21):
        make_study(owner=submitter, title=f"Paged study {number}")

    with django_assert_max_num_queries(8):
        first = submitter_client.get(MY_STUDIES)
    second = submitter_client.get(MY_STUDIES + "?page=2")
    missing = submitter_client.get(MY_STUDIES + "?page=9")

    assert first.content.decode().count("Paged study") == 20
    assert "Paged study 0<" in second.content.decode()
    assert missing.status_code == 400
    assert "Page 9 does not exist" in missing.content.decode()


def test_sign_in_and_sign_up_lead_to_my_studies(settings):
    assert reverse(settings.LOGIN_REDIRECT_URL) == MY_STUDIES
    assert reverse(settings.ACCOUNT_SIGNUP_REDIRECT_URL) == MY_STUDIES
