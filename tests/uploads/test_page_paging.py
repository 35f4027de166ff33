"""The upload page pages its files by keyset in every sort order (uploads/selectors.py `upload_area_listing`):
a walk either way sees each file once, ties and unfinished uploads included, and a deep page costs what the first
does (issue 13, point 6)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.submissions.move_helpers import uploads_bulk_add
from uploads.models import UploadFile, UploadState
from uploads.selectors import FILE_ORDERINGS

pytestmark = pytest.mark.django_db

AREA_URL = reverse("uploads:area")
PER_PAGE = 50  # uploads/views.py FILES_PER_PAGE


def _page(client, params: dict):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AREA_URL, params)
    assert response.status_code == 200
    return response.context["listing"].page, len(queries)


def _walk(client, sort: str, *, back: bool, during=None) -> list[str]:
    """The paths of every page from the first on (from the last back), following the pages' cursors."""
    seen, params = [], {"sort": sort, "last": 1} if back else {"sort": sort}
    while params:
        page, _ = _page(client, params)
        seen += [f.relative_path for f in (reversed(page.rows) if back else page.rows)]
        if during and len(seen) == 2 * PER_PAGE:
            during()
        more = page.has_previous if back else page.has_next
        params = {"sort": sort, "before" if back else "after": page.first_path if back else page.last_path}
        params = params if more else None
    return seen


@pytest.fixture
def area(submitter):
    """230 files: sizes tied seven ways, upload times tied in tens, and 23 unfinished uploads (no upload time)."""
    uploads_bulk_add(submitter, 0, 230, path=lambda i: f"p{i % 3}/img{i:04d}.tif")
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for upload in UploadFile.objects.all():
        number = int(upload.relative_path[-8:-4])
        upload.size = number % 7
        upload.uploaded_at = start + datetime.timedelta(hours=number // 10)
        upload.expires_at = start + datetime.timedelta(days=100, minutes=number % 11)
        if number % 10 == 3:
            upload.uploaded_at, upload.state = None, UploadState.UPLOADING
    UploadFile.objects.bulk_update(UploadFile.objects.all(), ["size", "uploaded_at", "expires_at", "state"])
    return submitter


@pytest.mark.parametrize("sort", FILE_ORDERINGS)
def test_p_upload_retention_a_walk_either_way_sees_each_file_once_in_every_order(sort, area, submitter_client):
    key = "-pk" if sort.startswith("-") else "pk"  # ties broken in the sort's direction
    ordered = [f.relative_path for f in UploadFile.objects.order_by(*FILE_ORDERINGS[sort], key)]
    assert _walk(submitter_client, sort, back=False) == ordered
    assert _walk(submitter_client, sort, back=True) == ordered[::-1]


# Where a file added mid-walk falls: ahead of the walk (seen) or behind it (not seen); never seen twice.
ADDED_SEEN = {"path": True, "uploaded_at": True, "-size": False}


@pytest.mark.parametrize("sort", ADDED_SEEN)
def test_p_upload_retention_a_walk_sees_a_file_added_ahead_and_none_twice(sort, area, submitter, submitter_client):
    # The largest file, with the latest upload time and the last path.
    added = lambda: uploads_bulk_add(submitter, 9_000, 9_001, path=lambda i: "zz/late.tif")  # noqa: E731
    seen = _walk(submitter_client, sort, back=False, during=added)
    assert len(seen) == len(set(seen)) == 230 + ADDED_SEEN[sort]
    assert ("zz/late.tif" in seen) == ADDED_SEEN[sort]


def test_p_upload_retention_deep_pages_cost_the_queries_of_the_first(area, submitter_client):
    _page(submitter_client, {})  # caches warmed up
    first, first_queries = _page(submitter_client, {})
    deep, deep_queries = _page(submitter_client, {"after": first.last_path})
    last, last_queries = _page(submitter_client, {"last": 1})
    assert first.rows and deep.rows and last.rows and deep.rows[0].relative_path > first.rows[-1].relative_path
    assert first_queries == deep_queries == last_queries


@pytest.mark.parametrize(
    "params", [{"after": "abc"}, {"before": "12~not a date", "sort": "uploaded_at"}, {"after": "12", "sort": "size"}]
)
def test_a_cursor_that_is_not_one_is_a_400_naming_it(params, area, submitter_client):
    response = submitter_client.get(AREA_URL, params)
    assert response.status_code == 400
    assert "Not a page of this list" in response.content.decode()
