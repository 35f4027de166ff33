"""The curator's review page shows a submission's files, with thumbnails and sizes, paged, so the decision is made
seeing the data."""

import hashlib
import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from archive.models import Thumbnail, ThumbnailStatus
from archive.services.thumbnails import thumbnails_make_missing
from curation.review.services import submission_review_accept
from submissions.models import SubmissionFile
from tests.curation.review_helpers import in_review_for_scope

pytestmark = pytest.mark.django_db


def png(colour: tuple[int, int, int], size: int = 80) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def detail_url(submission, **params) -> str:
    url = reverse("curation:review_detail", args=[submission.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def thumbnail_url(submission, path: str) -> str:
    file = submission.files.get(path=path)
    return reverse("curation:review_file_thumbnail", args=[submission.pk, file.pk])


def _bulk_files(submission, count: int) -> None:
    """Add `count` file rows (no bytes) to a submission in review: enough to page through, quickly made."""
    SubmissionFile.objects.bulk_create(
        SubmissionFile(submission=submission, path=f"plate/well_{n:05}.txt", size=1000 + n, sha256=f"{n:064x}")
        for n in range(count)
    )


def test_p_scope_review_page_lists_the_files_with_sizes_and_thumbnails(submitter, curator_client):
    contents = {"cells/cell_01.png": png((200, 30, 30)), "cells/notes.txt": b"Acquisition notes" * 100}
    submission = in_review_for_scope(submitter, contents=contents)

    body = curator_client.get(detail_url(submission)).content.decode()

    assert "Files (2, 1.8\xa0KB)" in body
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>", body, re.S)
    assert [(re.sub(r"<img[^>]*>\s*", "", path), size) for path, size in rows] == [
        ("cells/cell_01.png", f"{len(contents['cells/cell_01.png'])}\xa0bytes"),
        ("cells/notes.txt", "1.7\xa0KB"),
    ]
    image_row, text_row = (path for path, _ in rows)
    assert f'src="{thumbnail_url(submission, "cells/cell_01.png")}"' in image_row
    assert 'loading="lazy"' in image_row
    assert "<img" not in text_row


def test_p_scope_review_thumbnail_is_made_from_the_upload_and_serves_the_archived_file_later(
    submitter, curator, curator_client, django_capture_on_commit_callbacks
):
    image = png((20, 160, 90))
    submission = in_review_for_scope(submitter, contents={"cells/cell_01.png": image})
    url = thumbnail_url(submission, "cells/cell_01.png")

    response = curator_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-cache"
    assert Image.open(io.BytesIO(response.content)).size == (80, 80)
    made = Thumbnail.objects.get()
    assert (made.sha256, made.status) == (hashlib.sha256(image).hexdigest(), ThumbnailStatus.MADE)
    assert curator_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    # Content-addressed like the archive's own: once accepted, the archived file needs no second rendering.
    with django_capture_on_commit_callbacks(execute=True):
        submission_review_accept(submission=submission, actor=curator)
    assert thumbnails_make_missing() == {"made": 0, "failed": 0}


def test_p_scope_review_thumbnails_only_for_curators_and_readable_images(
    submitter, submitter_client, other_client, curator_client
):
    contents = {"cells/broken.png": b"not a png at all", "cells/notes.txt": b"notes", "cells/ok.png": png((0, 0, 200))}
    submission = in_review_for_scope(submitter, contents=contents)

    assert curator_client.get(thumbnail_url(submission, "cells/broken.png")).status_code == 404
    assert curator_client.get(thumbnail_url(submission, "cells/notes.txt")).status_code == 404
    assert Thumbnail.objects.get().status == ThumbnailStatus.FAILED
    for client in (submitter_client, other_client):
        assert client.get(thumbnail_url(submission, "cells/ok.png")).status_code == 403
    # A failed image is shown without a thumbnail from then on.
    body = curator_client.get(detail_url(submission)).content.decode()
    assert thumbnail_url(submission, "cells/broken.png") not in body
    assert thumbnail_url(submission, "cells/ok.png") in body
    other = reverse("curation:review_file_thumbnail", args=[submission.pk + 1, submission.files.first().pk])
    assert curator_client.get(other).status_code == 404


def test_p_scope_review_files_are_paged_by_fifty_past_the_end_on_the_last_page(submitter, curator_client):
    submission = in_review_for_scope(submitter, contents={"a/first.tif": b"TIFF"})
    _bulk_files(submission, 120)

    first = curator_client.get(detail_url(submission)).content.decode()
    third = curator_client.get(detail_url(submission, page=3)).content.decode()
    beyond = curator_client.get(detail_url(submission, page=99999999999999999999)).content.decode()
    nonsense = curator_client.get(detail_url(submission, page="x"))

    assert "Files 1–50 of 121, by path." in first and "a/first.tif" in first
    assert 'href="?page=2"' in first and 'aria-label="Pages of files"' in first
    assert "Files 101–121 of 121, by path." in third and "plate/well_00119.txt" in third
    assert "Files 101–121 of 121, by path." in beyond
    assert nonsense.status_code == 200 and "Files 1–50 of 121, by path." in nonsense.content.decode()


def test_p_scope_review_page_queries_do_not_grow_with_the_files(
    submitter, curator_client, django_assert_max_num_queries
):
    submission = in_review_for_scope(submitter, contents={"a/first.tif": b"TIFF"})
    _bulk_files(submission, 10)
    with django_assert_max_num_queries(100) as few:
        curator_client.get(detail_url(submission))
    _bulk_files_more = 3000
    SubmissionFile.objects.bulk_create(
        SubmissionFile(submission=submission, path=f"z/{n:05}.png", size=n, sha256=f"{n + 10**6:064x}")
        for n in range(_bulk_files_more)
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = curator_client.get(detail_url(submission, page=20)).content.decode()
    assert "Files 951–1,000 of 3,011" in body or "Files 951–1000 of 3011" in body
