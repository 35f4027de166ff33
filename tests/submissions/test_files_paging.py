"""The files step's table of uploads pages by path (keyset, core/keyset.py): a deep page costs what the first does,
and a walk through the pages neither skips nor repeats a file while uploads are added (issue 13, point 6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.services import submission_create_draft
from tests.submissions.move_helpers import uploads_bulk_add

pytestmark = pytest.mark.django_db

PER_PAGE = 100  # submissions/views.py FILES_PER_PAGE


def _path(i: int) -> str:
    return f"plates/img{i:05d}.tif"


def _page(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.context["choice"].page, len(queries), response.content.decode()


@pytest.fixture
def files_url(submitter):
    return reverse("submissions:step", args=[submission_create_draft(owner=submitter, metadata={}).pk, "files"])


def test_p_move_on_submit_deep_pages_of_files_cost_the_queries_of_the_first(submitter, submitter_client, files_url):
    uploads_bulk_add(submitter, 0, 1_000, path=_path)
    _page(submitter_client, files_url)  # caches warmed up
    first, first_queries, html = _page(submitter_client, files_url)
    assert [f.relative_path for f in first.rows] == [_path(i) for i in range(PER_PAGE)]
    assert not first.has_previous and first.has_next
    assert f'href="?after={_path(PER_PAGE - 1).replace("/", "%2F")}" rel="next"' in html and "?last=1" in html
    deep, deep_queries, _ = _page(submitter_client, f"{files_url}?after={_path(899)}")
    assert [f.relative_path for f in deep.rows] == [_path(i) for i in range(900, 1_000)]
    assert deep.has_previous and not deep.has_next
    last, last_queries, _ = _page(submitter_client, f"{files_url}?last=1")
    assert last.rows == deep.rows
    before, before_queries, _ = _page(submitter_client, f"{files_url}?before={_path(500)}")
    assert [f.relative_path for f in before.rows] == [_path(i) for i in range(400, 500)]
    assert before.has_previous and before.has_next
    assert first_queries == deep_queries == last_queries == before_queries


@pytest.mark.parametrize("direction", ["after", "before"])
def test_p_move_on_submit_a_walk_through_the_pages_sees_each_file_once_while_uploads_are_added(
    direction, submitter, submitter_client, files_url
):
    uploads_bulk_add(submitter, 0, 350, path=lambda i: _path(2 * i))  # even numbers, room for others between
    seen, url = [], f"{files_url}?{'' if direction == 'after' else 'last=1'}"
    while url:
        page, _, _ = _page(submitter_client, url)
        seen += [f.relative_path for f in page.rows]
        if len(seen) == 200:  # mid-walk: one file where the walk has been, one where it goes
            uploads_bulk_add(submitter, 1, 2, path=lambda i: _path(1 if direction == "after" else 697))
            uploads_bulk_add(submitter, 2, 3, path=lambda i: _path(697 if direction == "after" else 1))
        more = page.has_next if direction == "after" else page.has_previous
        cursor = page.last_path if direction == "after" else page.first_path
        url = f"{files_url}?{direction}={cursor}" if more else ""
    expected = {_path(2 * i) for i in range(350)} | {_path(697 if direction == "after" else 1)}
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_p_move_on_submit_a_cursor_the_form_refuses_shows_the_first_page(submitter, submitter_client, files_url):
    uploads_bulk_add(submitter, 0, 150, path=_path)
    page, _, _ = _page(submitter_client, f"{files_url}?after={'x' * 5000}")
    assert page.rows[0].relative_path == _path(0)
