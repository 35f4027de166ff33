"""A curator in a real browser sees the files of a submission in review, with thumbnails and sizes (P-SCOPE)."""

import io
import shutil

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from submissions.models import SubmissionFile
from tests.curation.review_helpers import in_review_for_scope
from tests.factories import make_curator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cells(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (320, 240), (10, 10, 20))
    draw = ImageDraw.Draw(image)
    for x, y in ((60, 60), (180, 90), (120, 170), (250, 180)):
        draw.ellipse((x - 30, y - 25, x + 30, y + 25), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_p_scope_curator_sees_the_files_with_thumbnails_and_pages_through_them(
    live_server, page, sign_in, submitter, output_path
):
    contents = {
        "organoids/day1.png": _cells((40, 200, 90)),
        "organoids/day2.png": _cells((220, 60, 160)),
        "organoids/README.txt": b"Organoids imaged on two days.",
    }
    submission = in_review_for_scope(submitter, contents=contents)
    SubmissionFile.objects.bulk_create(
        SubmissionFile(submission=submission, path=f"tables/well_{n:03}.csv", size=2048 + n, sha256=f"{n:064x}")
        for n in range(60)
    )
    sign_in(page, make_curator("carol"))

    page.goto(live_server.url + reverse("curation:review_detail", args=[submission.pk]))
    files = page.locator("#files")
    thumbnails = files.locator("img.thumbnail")
    assert thumbnails.count() == 2
    for index in range(2):
        thumbnails.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumbnails.nth(index).element_handle()
        )
    assert files.get_by_role("heading").inner_text().startswith("Files (63, ")
    assert files.get_by_text("Files 1–50 of 63, by path.").is_visible()
    assert files.get_by_role("cell", name="29 bytes").is_visible()  # README.txt's size
    files.screenshot(path=f"{output_path}/curator_review_files.png")
    shutil.copy(f"{output_path}/curator_review_files.png", "/tmp/shots/curator_review_files.png")

    files.get_by_role("link", name="Next").click()
    page.wait_for_url("**?page=2")
    assert page.locator("#files").get_by_text("Files 51–63 of 63, by path.").is_visible()
    assert page.locator("#files").get_by_text("tables/well_059.csv").is_visible()
