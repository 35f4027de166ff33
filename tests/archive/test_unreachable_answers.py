"""One answer to a study a view cannot reach (archive/views/visible.py): the tombstone (410) or 404, and on a
reviewer link's routes every answer kept out of search engines and Referer headers, the tombstone included."""

import pytest
from django.urls import reverse

from archive.services.access import reviewer_link_create
from archive.services.status import study_remove
from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db

REVIEWER_ROUTES = [
    ("review", []),
    ("review-file", ["raw/a.tif"]),
    ("review-manifest", []),
    ("review-download-zip", []),
    ("review-download-list", []),
]


@pytest.fixture
def link():
    owner = UserFactory()
    study = make_study(owner=owner, status="confidential", files=[stored_file("raw/a.tif", b"A")])
    _link, token = reviewer_link_create(study=study, actor=owner)
    return study, token


def _private(response) -> bool:
    return response.get("X-Robots-Tag") == "noindex" and response.get("Referrer-Policy") == "no-referrer"


@pytest.mark.parametrize(("name", "extra"), REVIEWER_ROUTES)
def test_every_reviewer_route_answers_privately(anonymous_client, link, name, extra):
    _study, token = link

    response = anonymous_client.get(reverse(name, args=[token, *extra]))

    assert response.status_code == 200 and _private(response)


@pytest.mark.parametrize(("name", "extra"), REVIEWER_ROUTES)
def test_p_remove_a_reviewer_link_to_a_removed_study_answers_the_tombstone_privately(
    anonymous_client, link, name, extra
):
    study, token = link
    study_remove(study=study, actor=make_curator(), reason_category="retraction", note="Retracted.")

    response = anonymous_client.get(reverse(name, args=[token, *extra]))

    assert response.status_code == 410 and _private(response)
    assert study.title not in response.content.decode()


@pytest.mark.parametrize("name", ["review-manifest", "review-download-zip", "review-download-list"])
def test_a_reviewer_routes_refusal_of_a_malformed_folder_is_private_too(anonymous_client, link, name):
    _study, token = link

    response = anonymous_client.get(reverse(name, args=[token]) + "?folder=../")

    assert response.status_code == 400 and _private(response)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("study-detail", []),
        ("study-file", ["raw/a.tif"]),
        ("study-manifest", []),
        ("study-download-zip", []),
        ("study-ro-crate", []),
        ("study-thumbnail", ["raw/a.tif"]),
    ],
)
def test_accession_routes_answer_404_for_a_confidential_study_and_410_for_a_removed_one(anonymous_client, name, extra):
    secret = make_study(status="confidential", files=[stored_file("raw/a.tif", b"A")])
    removed = make_study(files=[stored_file("raw/a.tif", b"A")])
    study_remove(study=removed, actor=make_curator(), reason_category="retraction", note="Retracted.")

    hidden = anonymous_client.get(reverse(name, args=[secret.accession, *extra]))
    gone = anonymous_client.get(reverse(name, args=[removed.accession, *extra]))

    assert (hidden.status_code, gone.status_code) == (404, 410)
    assert removed.accession in gone.content.decode() and not _private(gone)
