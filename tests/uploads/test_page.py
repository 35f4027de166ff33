"""The upload page /uploads/: the caller's own files, their deletion dates, sorting, folders, paging, deletion."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.uploads.conftest import make_upload
from uploads.models import UploadFile
from uploads.storage import upload_storage_path

pytestmark = pytest.mark.django_db

AREA_URL = "/uploads/"
UTC = datetime.UTC


def _listed_paths(response) -> list[str]:
    """Paths of the table rows, in order (each row's delete form carries its path)."""
    return re.findall(r'class="delete-file" data-path="([^"]*)"', response.content.decode())


def _delete_url(upload) -> str:
    return reverse("uploads:file-delete", args=[upload.pk])


def test_upload_page_requires_login(anonymous_client):
    response = anonymous_client.get(AREA_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/uploads/" in response["Location"]


def test_upload_page_has_the_uploader_and_says_how_long_files_stay(submitter_client):
    response = submitter_client.get(AREA_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="uppy-dashboard"' in page
    assert 'data-tus-endpoint="/api/v1/uploads/tus/"' in page
    assert "vendor/uppy/uppy.min.js" in page and "js/uploads.js" in page
    assert "Files stay here for at most 3 months, then they are deleted." in page
    assert 'href="#command-line"' in page and 'id="command-line"' in page
    assert "Your upload area is empty." in page


def test_p_upload_private_page_lists_only_the_callers_own_files(submitter_client, submitter, other_user):
    make_upload(submitter, "mine/A01.tif", b"mine")
    make_upload(other_user, "theirs/secret.tif", b"theirs")
    make_upload(other_user, "theirs/half.tif", b"theirs!!", complete=False)

    response = submitter_client.get(AREA_URL)

    assert _listed_paths(response) == ["mine/A01.tif"]
    assert "theirs" not in response.content.decode()
    # The usage counts the caller's files only (filesizeformat separates with no-break spaces).
    assert "4 bytes of 1.0 TB used" in response.content.decode().replace("\xa0", " ")


def test_p_upload_retention_page_shows_each_files_deletion_date_and_days_left(submitter_client, submitter):
    with time_machine.travel(datetime.datetime(2026, 8, 31, 12, 0, tzinfo=UTC), tick=False):
        make_upload(submitter, "month-end.tif", b"x")  # deleted on 30 November
    with time_machine.travel(datetime.datetime(2026, 9, 20, 9, 0, tzinfo=UTC), tick=False):
        make_upload(submitter, "later.tif", b"x")  # deleted on 20 December

    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        page = submitter_client.get(AREA_URL).content.decode()
    assert re.search(r"30 Nov 2026</time> <span class=\"text-warning-emphasis[^\"]*\">— 10 days left", page)
    assert re.search(r"20 Dec 2026</time> <span class=\"text-body-secondary\">— 30 days left", page)
    assert 'datetime="2026-11-30T12:00:00+00:00"' in page

    with time_machine.travel(datetime.datetime(2026, 11, 29, 13, 0, tzinfo=UTC), tick=False):
        page = submitter_client.get(AREA_URL).content.decode()
    assert re.search(r"30 Nov 2026</time> <span class=\"text-danger[^\"]*\">— 1 day left", page)


def test_unfinished_upload_shows_its_progress_and_deletion_date(submitter_client, submitter):
    make_upload(submitter, "stack.tif", b"0123456789", complete=False)
    page = submitter_client.get(AREA_URL).content.decode()
    assert "Uploading 50&nbsp;%" in page
    assert "days left" in page


def test_full_sha256_is_in_the_page(submitter_client, submitter):
    upload = make_upload(submitter, "a.tif", b"pixels")
    page = submitter_client.get(AREA_URL).content.decode()
    assert f'title="{upload.sha256}"' in page
    assert f">{upload.sha256}</code>" in page


def test_sorting_by_path_size_upload_time_and_deletion_date(submitter_client, submitter):
    with time_machine.travel(datetime.datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        make_upload(submitter, "b.tif", b"xxx")
    with time_machine.travel(datetime.datetime(2026, 1, 11, tzinfo=UTC), tick=False):
        make_upload(submitter, "a.tif", b"x")
    with time_machine.travel(datetime.datetime(2026, 1, 12, tzinfo=UTC), tick=False):
        make_upload(submitter, "c.tif", b"xx")

    assert _listed_paths(submitter_client.get(AREA_URL)) == ["a.tif", "b.tif", "c.tif"]
    assert _listed_paths(submitter_client.get(AREA_URL, {"sort": "-path"})) == ["c.tif", "b.tif", "a.tif"]
    assert _listed_paths(submitter_client.get(AREA_URL, {"sort": "size"})) == ["a.tif", "c.tif", "b.tif"]
    assert _listed_paths(submitter_client.get(AREA_URL, {"sort": "-uploaded_at"})) == ["c.tif", "a.tif", "b.tif"]
    assert _listed_paths(submitter_client.get(AREA_URL, {"sort": "expires_at"})) == ["b.tif", "a.tif", "c.tif"]


def test_sort_headers_link_to_the_other_direction_and_keep_the_folder(submitter_client, submitter):
    make_upload(submitter, "plate1/a.tif", b"x")
    page = submitter_client.get(AREA_URL, {"folder": "plate1", "sort": "size"}).content.decode()
    assert 'aria-sort="ascending"' in page
    assert 'href="?folder=plate1&amp;sort=-size"' in page
    assert 'href="?folder=plate1&amp;sort=expires_at"' in page
    assert 'href="?folder=plate1"' in page  # path ascending is the default order


def test_folder_filter_shows_the_folder_and_its_subfolders(submitter_client, submitter):
    for path in ["plate1/A01.tif", "plate1/sub/A02.tif", "plate10/A01.tif", "top.tif"]:
        make_upload(submitter, path, b"x")

    assert _listed_paths(submitter_client.get(AREA_URL, {"folder": "plate1"})) == [
        "plate1/A01.tif",
        "plate1/sub/A02.tif",
    ]
    assert _listed_paths(submitter_client.get(AREA_URL, {"folder": "/plate1/sub/"})) == ["plate1/sub/A02.tif"]
    empty = submitter_client.get(AREA_URL, {"folder": "plate2"})
    assert _listed_paths(empty) == []
    assert "No files in" in empty.content.decode()
    # Each folder of a path links to the listing of that folder.
    assert 'href="?folder=plate1/sub"' in submitter_client.get(AREA_URL).content.decode()


def test_bad_folder_is_refused_with_the_path_rule(submitter_client, submitter):
    make_upload(submitter, "a.tif", b"x")
    response = submitter_client.get(AREA_URL, {"folder": "../etc"})
    assert response.status_code == 400
    assert "&#x27;..&#x27; is not allowed in a path." in response.content.decode()
    assert _listed_paths(response) == ["a.tif"]


def test_paging_shows_50_files_a_page(submitter_client, submitter):
    for number in range(60):
        make_upload(submitter, f"f{number:02}.tif", b"x")

    first = submitter_client.get(AREA_URL)
    assert _listed_paths(first) == [f"f{number:02}.tif" for number in range(50)]
    assert "60 files, showing 50 of them." in first.content.decode()
    last_key = UploadFile.objects.get(relative_path="f49.tif").pk
    assert f'href="?after={last_key}~f49.tif" rel="next"' in first.content.decode()

    last = submitter_client.get(AREA_URL, {"last": 1, "sort": "-path"})  # a whole page, ending with the last file
    assert _listed_paths(last) == [f"f{number:02}.tif" for number in reversed(range(50))]
    # A cursor with nothing beyond it (e.g. after deleting its page's files) shows the last page.
    beyond = UploadFile.objects.get(relative_path="f59.tif")
    assert _listed_paths(submitter_client.get(AREA_URL, {"after": f"{beyond.pk}~f59.tif"})) == [
        f"f{number:02}.tif" for number in range(10, 60)
    ]


def _queries_for_page(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AREA_URL, params)
    assert response.status_code == 200
    return len(queries)


def test_page_takes_a_fixed_number_of_queries(submitter_client, submitter, other_user, django_assert_max_num_queries):
    for number in range(5):
        make_upload(submitter, f"few/{number}.tif", b"x")
    for number in range(55):
        make_upload(submitter, f"many/{number:02}.tif", b"x")
    make_upload(other_user, "other.tif", b"x")

    # Session, user, curator check (base.html), area, usage, count, one page of files.
    with django_assert_max_num_queries(7):
        submitter_client.get(AREA_URL)
    assert _queries_for_page(submitter_client, folder="few") == _queries_for_page(submitter_client, folder="many")
    assert _queries_for_page(submitter_client, page=2) == _queries_for_page(submitter_client, sort="-size")


def test_delete_asks_for_confirmation_then_removes_the_file_and_its_bytes(
    submitter_client, submitter, django_capture_on_commit_callbacks
):
    upload = make_upload(submitter, "plate/a.tif", b"pixels")
    stored = upload_storage_path(upload.storage_name)
    back = "/uploads/?folder=plate&sort=-size"

    unconfirmed = submitter_client.post(_delete_url(upload), {"next": back})
    assert unconfirmed.status_code == 200
    assert "Delete this file?" in unconfirmed.content.decode()
    assert UploadFile.objects.filter(pk=upload.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = submitter_client.post(_delete_url(upload), {"next": back, "confirmed": "yes"})
    assert response.status_code == 302
    assert response["Location"] == back
    assert not UploadFile.objects.filter(pk=upload.pk).exists()
    assert not stored.exists()
    assert "The file has been deleted" in submitter_client.get(back).content.decode()


def test_delete_never_redirects_off_the_site(submitter_client, submitter):
    upload = make_upload(submitter, "a.tif", b"x")
    response = submitter_client.post(_delete_url(upload), {"next": "https://evil.example/", "confirmed": "yes"})
    assert response["Location"] == AREA_URL


def test_p_upload_private_another_users_file_cannot_be_deleted_from_the_page(other_client, submitter):
    upload = make_upload(submitter, "a.tif", b"pixels")

    assert other_client.get(_delete_url(upload)).status_code == 404
    assert other_client.post(_delete_url(upload), {"confirmed": "yes"}).status_code == 404
    assert UploadFile.objects.filter(pk=upload.pk).exists()
    assert upload_storage_path(upload.storage_name).exists()


def test_delete_needs_login_and_a_post(anonymous_client, submitter_client, submitter):
    upload = make_upload(submitter, "a.tif", b"x")
    assert anonymous_client.post(_delete_url(upload), {"confirmed": "yes"}).status_code == 302
    assert submitter_client.get(_delete_url(upload), {"confirmed": "yes"}).status_code == 200  # only asks
    assert UploadFile.objects.filter(pk=upload.pk).exists()
