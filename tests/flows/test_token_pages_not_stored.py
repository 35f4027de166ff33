"""Every answer that shows a secret token, or is reached through one, tells caches not to keep it:
`Cache-Control` with `private` and `no-store` (a shared or browser cache would hand the secret on).
"""

import pytest
from django.urls import reverse

from archive.services.access import reviewer_link_create
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.django_db


def _assert_not_stored(response) -> None:
    directives = {directive.strip() for directive in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.get("Cache-Control")


@pytest.fixture
def confidential(submitter):
    return make_study(
        owner=submitter,
        status="confidential",
        files=[stored_file("images/heart_01.tif", b"heart pixels"), stored_file("README.txt", b"About")],
    )


def test_token_api_token_page_is_not_stored(submitter_client):
    submitter_client.post(reverse("accounts:api-token"))
    response = submitter_client.get(reverse("accounts:api-token"))
    assert response.context["token"].key in response.content.decode()
    _assert_not_stored(response)


def test_token_study_page_showing_a_new_reviewer_link_is_not_stored(submitter_client, confidential):
    response = submitter_client.post(reverse("study-reviewer-links", args=[confidential.accession]), follow=True)
    assert "Your new reviewer link" in response.content.decode()
    _assert_not_stored(response)


def test_token_api_answer_with_a_new_reviewer_link_is_not_stored(submitter_client, confidential):
    response = submitter_client.post(
        f"/api/v1/studies/{confidential.accession}/reviewer-links/", {}, content_type="application/json"
    )
    assert response.status_code == 201
    assert "/review/" in response.json()["url"]
    _assert_not_stored(response)


@pytest.mark.parametrize(
    "route, extra", [("review", []), ("review-file", ["images/heart_01.tif"]), ("review-manifest", [])]
)
def test_token_reviewer_link_pages_are_not_stored(anonymous_client, confidential, route, extra):
    _link, token = reviewer_link_create(study=confidential, actor=confidential.owner)
    response = anonymous_client.get(reverse(route, args=[token, *extra]))
    assert response.status_code == 200
    _assert_not_stored(response)
