"""The owner's controls on the accession page: reviewer links, collaborators, release date.

(docs/design.md §2, P-RELEASE-DATE.)

Each control works for the owner (and curators), answers 404 to everyone else and
405 to a GET; a refusal is shown on its form and changes nothing.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import ReleaseDateChange, ReviewerLink, StudyStatus
from archive.selectors.visibility import study_collaborators
from archive.services.access import COLLABORATOR_INVITE_ANSWER, reviewer_link_create, study_collaborator_invite
from archive.services.release import study_release_date_change
from core.models import CurationEvent
from tests.factories import UserFactory, make_study

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def study(submitter):
    return make_study(owner=submitter, status="confidential", release_date=TODAY + datetime.timedelta(days=90))


def _url(name, study, *args):
    return reverse(name, args=[study.accession, *args])


def _page(client, study) -> str:
    response = client.get(_url("study-detail", study))
    assert response.status_code == 200
    return response.content.decode()


def _link_url(body: str) -> str:
    found = re.search(r'id="created-link-url" value="([^"]+)"', body)
    assert found, "the new reviewer link is not on the page"
    return found.group(1)


# --- Who may use the controls -------------------------------------------------------

POSTS = {
    "study-reviewer-links": ({"link-anonymised": "on"}, ()),
    "study-reviewer-link-revoke": ({}, ("link_id",)),
    "study-collaborators": ({"collaborator-user": "other_user"}, ()),
    "study-collaborator-remove": ({}, ("username",)),
    "study-release-date": ({"release-release_date": "2027-01-10"}, ()),
    "study-release-now": ({"release-now-confirm": "on"}, ()),
}


@pytest.fixture
def shared(study, submitter, other_user):
    """The study with a reviewer link and a collaborator, so every control has something to act on."""
    link, _token = reviewer_link_create(study=study, actor=submitter)
    collaborator = UserFactory(username="colleague")
    study_collaborator_invite(study=study, actor=submitter, username_or_email="colleague")
    return study, {"link_id": link.pk, "username": collaborator.username}


def _snapshot(study):
    study.refresh_from_db()
    return (
        study.status,
        study.release_date,
        list(study.reviewer_links.values_list("pk", "revoked_at")),
        sorted(study_collaborators(study=study).values_list("username", flat=True)),
    )


@pytest.mark.parametrize("name", POSTS)
@pytest.mark.parametrize("status", ["confidential", "released"])
def test_controls_answer_404_to_other_users_and_anonymous_and_change_nothing(
    name, status, shared, submitter, other_client, anonymous_client
):
    study, ids = shared
    if status == "released":
        study = study_release_date_change(study=study, actor=submitter, release_date=TODAY)
    data, arg_names = POSTS[name]
    url = _url(name, study, *(ids[arg] for arg in arg_names))
    before = _snapshot(study)
    for client in (other_client, anonymous_client):
        assert client.post(url, data).status_code == 404
    assert _snapshot(study) == before


@pytest.mark.parametrize("name", POSTS)
def test_controls_answer_get_with_405(name, shared, submitter_client):
    study, ids = shared
    _data, arg_names = POSTS[name]
    assert submitter_client.get(_url(name, study, *(ids[arg] for arg in arg_names))).status_code == 405


def test_the_controls_show_for_the_owner_only(study, submitter_client, other_user, curator_client):
    study_collaborator_invite(study=study, actor=study.owner, username_or_email="other_user")
    owner_page = _page(submitter_client, study)
    assert "Reviewer links" in owner_page and "Create a reviewer link" in owner_page
    assert "Release now" in owner_page and "Invite" in owner_page
    collaborator = _page_of(other_user, study)
    assert "Reviewer links" not in collaborator and "Release now" not in collaborator
    # A collaborator sees the study but does not decide who else does.
    collaborator_client = Client()
    collaborator_client.force_login(other_user)
    assert collaborator_client.post(_url("study-reviewer-links", study), {}).status_code == 404
    assert not ReviewerLink.objects.filter(study=study).exists()
    # Curators may manage who sees a study, as the services allow.
    assert "Create a reviewer link" in _page(curator_client, study)


def _page_of(user, study) -> str:
    client = Client()
    client.force_login(user)
    return _page(client, study)


# --- Reviewer links -----------------------------------------------------------------


def test_owner_creates_a_reviewer_link_shown_once_that_opens_the_study(study, submitter_client, anonymous_client):
    response = submitter_client.post(
        _url("study-reviewer-links", study), {"link-expires_at": "2026-12-31", "link-anonymised": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("study-detail", study) + "#reviewer-links"
    link = ReviewerLink.objects.get(study=study)
    assert link.anonymised
    assert link.expires_at == datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    assert CurationEvent.objects.filter(action="reviewer_link.created", target_id=str(link.pk)).exists()

    body = _page(submitter_client, study)
    url = _link_url(body)
    assert "it will not be shown again" in body
    assert "Copy it now: it is shown only once." in body  # the message
    token = url.rsplit("/", 2)[-2]
    assert url == "http://testserver" + reverse("review", args=[token])
    assert token not in link.token_hash  # stored hashed, never in clear

    # Shown once: the next view of the page lists the link, without its URL.
    again = _page(submitter_client, study)
    assert token not in again and 'id="created-link-url"' not in again
    assert "Author names hidden" in again and "Works until 31 December 2026, 23:59" in again

    opened = anonymous_client.get(url)
    assert opened.status_code == 200 and study.title in opened.content.decode()
    assert "Ada Lovelace" not in opened.content.decode()  # anonymised: no author names
    assert "Opened 1 time" in _page(submitter_client, study)


def test_reviewer_link_with_expiry_in_the_past_is_refused_and_nothing_made(study, submitter_client):
    response = submitter_client.post(_url("study-reviewer-links", study), {"link-expires_at": "2026-11-24"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The expiry must be in the future." in body
    assert 'value="2026-11-24"' in body  # the form keeps what was typed
    assert not ReviewerLink.objects.filter(study=study).exists()


def test_revoked_reviewer_link_stops_working(study, submitter, submitter_client, anonymous_client):
    link, token = reviewer_link_create(study=study, actor=submitter)
    review = reverse("review", args=[token])
    assert anonymous_client.get(review).status_code == 200
    response = submitter_client.post(_url("study-reviewer-link-revoke", study, link.pk))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert anonymous_client.get(review).status_code == 404
    body = _page(submitter_client, study)
    assert "Revoked" in body and "the link created" not in body  # no Revoke button left
    assert CurationEvent.objects.filter(action="reviewer_link.revoked", target_id=str(link.pk)).exists()


def test_revoking_a_link_of_another_study_is_404(study, submitter, submitter_client):
    other = make_study(owner=submitter, status="confidential", title="Another study of the same owner")
    link, _token = reviewer_link_create(study=other, actor=submitter)
    assert submitter_client.post(_url("study-reviewer-link-revoke", study, link.pk)).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_released_study_offers_no_new_reviewer_link_and_says_why(submitter, submitter_client):
    released = make_study(owner=submitter, status="released")
    body = _page(submitter_client, released)
    assert "Create a reviewer link" not in body
    assert "Reviewer links are for confidential studies only." in body
    response = submitter_client.post(_url("study-reviewer-links", released), {})
    assert "Only a confidential study needs reviewer links" in response.content.decode()
    assert not ReviewerLink.objects.filter(study=released).exists()


# --- Collaborators ------------------------------------------------------------------


def test_owner_invites_and_removes_a_collaborator(study, submitter_client, other_user, other_client):
    assert other_client.get(_url("study-detail", study)).status_code == 404
    response = submitter_client.post(_url("study-collaborators", study), {"collaborator-user": other_user.email})
    assert response.status_code == 302
    assert list(study_collaborators(study=study)) == [other_user]
    assert other_client.get(_url("study-detail", study)).status_code == 200
    body = _page(submitter_client, study)
    assert COLLABORATOR_INVITE_ANSWER in body and "Remove<span" in body

    response = submitter_client.post(_url("study-collaborator-remove", study, "other_user"))
    assert response.status_code == 302
    assert not study_collaborators(study=study).exists()
    assert other_client.get(_url("study-detail", study)).status_code == 404
    assert CurationEvent.objects.filter(action="collaborator.removed", study=study).exists()


def test_collaborator_invite_does_not_reveal_accounts_on_the_page(study, submitter_client, other_user):
    def invite(value: str):
        response = submitter_client.post(_url("study-collaborators", study), {"collaborator-user": value}, follow=True)
        return response.redirect_chain, [str(m) for m in response.context["messages"]]

    unknown = invite("nobody@example.org")

    assert unknown == ([(_url("study-detail", study) + "#collaborators", 302)], [COLLABORATOR_INVITE_ANSWER])
    assert not study_collaborators(study=study).exists()
    assert invite(other_user.email) == unknown
    assert list(study_collaborators(study=study)) == [other_user]


def test_removing_someone_who_is_not_a_collaborator_says_so(study, submitter_client, other_user):
    response = submitter_client.post(_url("study-collaborator-remove", study, "other_user"), follow=True)
    assert "“other_user” is not a collaborator of this study." in response.content.decode()


# --- Release date (P-RELEASE-DATE) --------------------------------------------------


def test_p_release_date_page_shows_the_date_days_left_and_range(study, submitter_client):
    body = _page(submitter_client, study)
    assert "It becomes public on <strong>23 February 2027</strong> (90 days left)" in body
    assert "From today (25 November 2026) to 25 November 2028." in body
    assert 'value="2027-02-23"' in body  # the current date, in the only format a date input shows
    assert 'min="2026-11-25"' in body and 'max="2028-11-25"' in body


def test_p_release_date_owner_moves_the_date_within_the_bound(study, submitter_client):
    response = submitter_client.post(_url("study-release-date", study), {"release-release_date": "2028-11-25"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.release_date == datetime.date(2028, 11, 25) and study.status == StudyStatus.CONFIDENTIAL
    assert ReleaseDateChange.objects.get(study=study).new_date == datetime.date(2028, 11, 25)
    assert "The release date is now 25 November 2028." in _page(submitter_client, study)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2028-11-26", "The release date can be at most 2 years after submission: 25 November 2028 at the latest."),
        ("2026-11-24", "The release date cannot be in the past."),
    ],
)
def test_p_release_date_out_of_range_is_refused_on_the_form_and_nothing_changes(study, submitter_client, day, message):
    response = submitter_client.post(_url("study-release-date", study), {"release-release_date": day})
    assert response.status_code == 200
    assert message in response.content.decode()
    study.refresh_from_db()
    assert study.release_date == TODAY + datetime.timedelta(days=90)
    assert not ReleaseDateChange.objects.filter(study=study).exists()


def test_p_release_date_curator_goes_beyond_the_bound_with_a_logged_reason(study, curator, curator_client):
    refused = curator_client.post(_url("study-release-date", study), {"release-release_date": "2029-06-01"})
    assert "needs a reason, which is logged" in refused.content.decode()
    response = curator_client.post(
        _url("study-release-date", study),
        {"release-release_date": "2029-06-01", "release-reason": "Embargo agreed with the journal"},
    )
    assert response.status_code == 302
    change = ReleaseDateChange.objects.get(study=study)
    assert change.beyond_bound and change.actor == curator and change.reason == "Embargo agreed with the journal"


def test_p_release_date_release_now_needs_the_confirmation(study, submitter_client):
    response = submitter_client.post(_url("study-release-now", study), {})
    assert response.status_code == 200
    assert "Tick the box to confirm that the study should become public now." in response.content.decode()
    study.refresh_from_db()
    assert study.status == StudyStatus.CONFIDENTIAL


def test_p_release_date_release_now_publishes_and_fixes_the_date(study, submitter_client, anonymous_client):
    response = submitter_client.post(_url("study-release-now", study), {"release-now-confirm": "on"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED and study.release_date == TODAY
    assert anonymous_client.get(_url("study-detail", study)).status_code == 200
    body = _page(submitter_client, study)
    assert f"{study.accession} is released: it is public from now on." in body
    assert "The release date of a study that is no longer confidential is fixed." in body
    assert "Change the release date" not in body

    refused = submitter_client.post(_url("study-release-date", study), {"release-release_date": "2027-01-10"})
    assert "This study is no longer confidential; its release date cannot move." in refused.content.decode()
    study.refresh_from_db()
    assert study.release_date == TODAY


def test_owner_page_queries_do_not_grow_with_links_and_collaborators(
    study, submitter, submitter_client, django_assert_num_queries
):
    reviewer_link_create(study=study, actor=submitter)
    study_collaborator_invite(study=study, actor=submitter, username_or_email=UserFactory().username)
    with CaptureQueriesContext(connection) as few:
        _page(submitter_client, study)
    for _ in range(5):
        reviewer_link_create(study=study, actor=submitter)
        study_collaborator_invite(study=study, actor=submitter, username_or_email=UserFactory().username)
    with django_assert_num_queries(len(few.captured_queries)):
        _page(submitter_client, study)
