"""Page numbers far past the end are a clear answer (4xx or the last page), never a database error.

Run on PostgreSQL too: its OFFSET is a bigint, so the overflow that used to answer 500 showed there first.
"""

import pytest

from archive.services.access import reviewer_link_create
from tests.factories import make_study

pytestmark = pytest.mark.django_db

# Past the 64-bit integers, past them once multiplied by a page size of 20 or 50, and just inside.
HUGE_PAGES = ["99999999999999999999", str(2**63), str(2**63 // 20 + 1), str(2**63 // 50 + 1), "1000000000"]


@pytest.fixture
def study(submitter):
    return make_study(owner=submitter)


@pytest.mark.parametrize("page", HUGE_PAGES)
@pytest.mark.parametrize("search", ["", "q=cells&"])
def test_search_page_past_the_end_is_a_400_saying_so(anonymous_client, submitter_client, study, search, page):
    for client in (anonymous_client, submitter_client):
        response = client.get(f"/search/?{search}page={page}")
        assert response.status_code == 400
        assert f"Page {page} does not exist: the results fill 1 page(s)." in response.content.decode()


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_study_and_review_pages_ignore_page_numbers_and_list_the_files(anonymous_client, submitter, study, page):
    confidential = make_study(owner=submitter, status="confidential", title="Under review")
    _link, token = reviewer_link_create(study=confidential, actor=submitter)
    for url in (f"/studies/{study.accession}/", f"/studies/{study.accession}/v1/", f"/review/{token}/"):
        response = anonymous_client.get(f"{url}?page={page}")
        assert response.status_code == 200, url
        assert "cell_01.tif" in response.content.decode()


@pytest.mark.parametrize("page", HUGE_PAGES)
def test_api_list_past_the_end_is_a_404_naming_the_rule(anonymous_client, study, page):
    response = anonymous_client.get(f"/api/v1/studies/?page={page}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page.", "rule": "NOT-FOUND"}


@pytest.mark.parametrize("page", [*HUGE_PAGES, "2"])
def test_files_api_refuses_page_numbers_for_its_cursor(anonymous_client, study, page):
    """The files list pages by keyset (docs/design.md §10.3): a page number would make late pages cost more."""
    response = anonymous_client.get(f"/api/v1/studies/{study.accession}/files/?page={page}")
    assert response.status_code == 400
    assert "cursor" in response.json()["page"][0]
