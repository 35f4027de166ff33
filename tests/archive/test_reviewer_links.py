"""Reviewer links: secret, revocable, optionally expiring and anonymised read-only access to one confidential study."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.models import ReviewerLink
from archive.selectors.visibility import StudyNotFound, study_get_by_reviewer_token
from archive.services.access import reviewer_link_create, reviewer_link_revoke, study_collaborator_add
from archive.services.status import study_remove
from core.errors import NotAllowed, PolicyViolation
from tests.factories import make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def confidential(submitter):
    return make_study(
        owner=submitter,
        status="confidential",
        title="Zebrafish heart regeneration under review",
        files=[stored_file("images/heart_01.tif", b"heart pixels"), stored_file("README.txt", b"About the hearts")],
    )


def _link(study, **options):
    return reviewer_link_create(study=study, actor=study.owner, **options)


def _review_url(token: str) -> str:
    return reverse("review", args=[token])


# Opening a link


def test_reviewer_link_opens_the_confidential_study_for_an_anonymous_fresh_client(confidential):
    _link_row, token = _link(confidential)
    response = Client().get(_review_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zebrafish heart regeneration under review" in html
    assert "You are viewing a confidential study through a reviewer link" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "application/ld+json" not in html
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    # The same study stays invisible by accession to that caller.
    assert Client().get(reverse("study-detail", args=[confidential.accession])).status_code == 404


def test_reviewer_link_downloads_files_and_manifest_of_its_study(confidential):
    _link_row, token = _link(confidential)
    client = Client()
    response = client.get(reverse("review-file", args=[token, "images/heart_01.tif"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"heart pixels"
    assert "private" in response["Cache-Control"]
    manifest = client.get(reverse("review-manifest", args=[token]))
    assert manifest.status_code == 200
    lines = b"".join(manifest.streaming_content).decode().splitlines()
    assert sorted(line.split("  ", 1)[1] for line in lines) == ["README.txt", "images/heart_01.tif"]


def test_reviewer_link_shows_authors_unless_anonymised(confidential):
    _named, named_token = _link(confidential)
    _anonymous, anonymous_token = _link(confidential, anonymised=True)
    named = Client().get(_review_url(named_token)).content.decode()
    hidden = Client().get(_review_url(anonymous_token)).content.decode()
    assert "Ada Lovelace" in named and "Rosalind Franklin" in named
    for name in ("Ada Lovelace", "Rosalind Franklin", "0000-0002-1825-0097", "EMBL-EBI", confidential.owner.username):
        assert name not in hidden
    assert "Zebrafish heart regeneration under review" in hidden


def test_reviewer_link_counts_each_opening_of_the_page(confidential):
    link, token = _link(confidential)
    client = Client()
    for _ in range(3):
        assert client.get(_review_url(token)).status_code == 200
    link.refresh_from_db()
    assert link.access_count == 3
    assert link.last_access_at is not None


def test_reviewer_link_stops_after_revocation(confidential):
    link, token = _link(confidential)
    assert Client().get(_review_url(token)).status_code == 200
    reviewer_link_revoke(link=link, actor=confidential.owner)
    for url in (_review_url(token), reverse("review-file", args=[token, "README.txt"])):
        assert Client().get(url).status_code == 404
    assert Client().get(reverse("review-manifest", args=[token])).status_code == 404


def test_reviewer_link_stops_after_expiry(confidential):
    expires = timezone.now() + datetime.timedelta(days=7)
    _link_row, token = _link(confidential, expires_at=expires)
    with time_machine.travel(expires - datetime.timedelta(seconds=1), tick=False):
        assert Client().get(_review_url(token)).status_code == 200
    with time_machine.travel(expires, tick=False):
        assert Client().get(_review_url(token)).status_code == 404
        assert Client().get(reverse("review-file", args=[token, "README.txt"])).status_code == 404


def test_invalid_reviewer_tokens_answer_404_without_saying_why(confidential):
    _link(confidential)
    for token in ("x" * 43, "short", "not a token!" * 5):
        assert Client().get(f"/review/{token}/").status_code == 404


def test_p_remove_removed_study_never_opens_through_a_reviewer_link(confidential, curator):
    _link_row, token = _link(confidential)
    study_remove(study=confidential, actor=make_curator(), reason_category="retraction")
    for url in (_review_url(token), reverse("review-file", args=[token, "README.txt"])):
        response = Client().get(url)
        assert response.status_code == 410
        assert "Zebrafish heart" not in response.content.decode()
    # Not even for a curator, who opens removed studies by accession instead.
    curator_client = Client()
    curator_client.force_login(curator)
    assert curator_client.get(_review_url(token)).status_code == 410


def test_reviewer_link_never_reveals_another_study(confidential, submitter):
    other = make_study(
        owner=submitter,
        status="confidential",
        title="Another confidential study",
        files=[stored_file("other/secret.tif", b"other pixels")],
    )
    _link_row, token = _link(confidential)
    client = Client()
    assert client.get(reverse("review-file", args=[token, "other/secret.tif"])).status_code == 404
    assert client.get(reverse("review-file", args=[token, "../" + other.accession])).status_code == 404
    page = client.get(_review_url(token)).content.decode()
    manifest = b"".join(client.get(reverse("review-manifest", args=[token])).streaming_content).decode()
    for body in (page, manifest):
        assert "Another confidential study" not in body
        assert other.accession not in body
        assert "other/secret.tif" not in body
    study, _link_found = study_get_by_reviewer_token(token)
    assert study.pk == confidential.pk


def test_reviewer_link_token_is_stored_only_as_its_sha256(confidential):
    link, token = _link(confidential)
    link.refresh_from_db()
    assert token not in link.token_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM archive_reviewerlink")
        rows = cursor.fetchall()
    assert rows and not any(token in str(value) for row in rows for value in row)


# Who may make and revoke links


def test_only_owner_or_curator_can_create_reviewer_links(confidential, other_user, curator):
    study_collaborator_add(study=confidential, user=other_user, actor=confidential.owner)
    with pytest.raises(NotAllowed):
        reviewer_link_create(study=confidential, actor=other_user)
    link, _token = reviewer_link_create(study=confidential, actor=curator)
    assert link.created_by == curator


def test_only_owner_or_curator_can_revoke_reviewer_links(confidential, other_user, curator):
    link, token = _link(confidential)
    with pytest.raises(NotAllowed):
        reviewer_link_revoke(link=link, actor=other_user)
    assert study_get_by_reviewer_token(token)[0] == confidential
    reviewer_link_revoke(link=link, actor=curator)
    with pytest.raises(StudyNotFound):
        study_get_by_reviewer_token(token)


def test_released_study_needs_no_reviewer_link(submitter):
    released = make_study(owner=submitter)
    with pytest.raises(PolicyViolation) as refused:
        reviewer_link_create(study=released, actor=submitter)
    assert refused.value.rule == "REVIEWER-LINK"
    assert not ReviewerLink.objects.exists()


def test_reviewer_link_expiry_must_be_in_the_future(confidential):
    with pytest.raises(PolicyViolation) as refused:
        _link(confidential, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert refused.value.field == "expires_at"


# The API (docs/design.md §10.3)


def _api_url(study, link_id=None) -> str:
    if link_id is None:
        return reverse("api-study-reviewer-links", args=[study.accession])
    return reverse("api-study-reviewer-link", args=[study.accession, link_id])


def test_api_owner_creates_a_reviewer_link_shown_once_and_lists_it_without_token(confidential, submitter_client):
    response = submitter_client.post(
        _api_url(confidential),
        {"anonymised": True, "expires_at": "2099-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "expires_at", "anonymised"}
    assert body["anonymised"] is True
    assert Client().get(body["url"]).status_code == 200
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    listed = submitter_client.get(_api_url(confidential))
    assert listed.status_code == 200
    assert token not in listed.content.decode()
    [row] = listed.json()
    assert row["id"] == body["id"] and row["access_count"] == 1 and row["active"] is True


def test_api_owner_revokes_a_reviewer_link(confidential, submitter_client):
    link, token = _link(confidential)
    assert submitter_client.delete(_api_url(confidential, link.pk)).status_code == 204
    assert Client().get(_review_url(token)).status_code == 404
    assert submitter_client.get(_api_url(confidential)).json()[0]["active"] is False


def test_api_reviewer_links_are_404_to_those_who_cannot_see_the_study(confidential, other_client, anonymous_client):
    link, _token = _link(confidential)
    for client in (other_client, anonymous_client):
        assert client.get(_api_url(confidential)).status_code == 404
    assert other_client.post(_api_url(confidential), {}, content_type="application/json").status_code == 404
    assert other_client.delete(_api_url(confidential, link.pk)).status_code == 404
    # Anonymous writes are refused before the study is looked up: the same answer for every study.
    assert anonymous_client.post(_api_url(confidential), {}, content_type="application/json").status_code == 403
    assert anonymous_client.delete(_api_url(confidential, link.pk)).status_code == 403


def test_api_reviewer_links_are_403_to_those_who_see_but_do_not_own_the_study(submitter, other_client):
    released = make_study(owner=submitter)
    for response in (
        other_client.post(_api_url(released), {}, content_type="application/json"),
        other_client.get(_api_url(released)),
    ):
        assert response.status_code == 403
        assert response.json()["rule"] == "REVIEWER-LINK"


def test_api_reviewer_link_of_another_study_cannot_be_revoked_through_this_one(
    confidential, submitter, submitter_client
):
    other = make_study(owner=submitter, status="confidential", title="Other")
    link, token = _link(other)
    assert submitter_client.delete(_api_url(confidential, link.pk)).status_code == 404
    assert Client().get(_review_url(token)).status_code == 200


def test_api_released_study_reviewer_link_refused_with_the_rule(submitter, submitter_client):
    released = make_study(owner=submitter)
    response = submitter_client.post(_api_url(released), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["rule"] == "REVIEWER-LINK"
