"""Thumbnails of PNG, JPEG and TIFF files: made by a job, served through the visibility selector."""

import io

import numpy as np
import pytest
import tifffile
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Schedule
from PIL import Image

from archive.models import Thumbnail, ThumbnailStatus
from archive.selectors.search import StudySearch, study_search_page
from archive.services.status import files_set_status
from archive.services.thumbnails import thumbnail_make
from archive.storage import archive_storage
from archive.tasks import thumbnails_make_missing
from archive.thumbnails import THUMBNAIL_SIZE
from tests.factories import make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


def png_bytes(width=600, height=300, mode="RGB", color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(width=400, height=800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 240)).save(out, format="JPEG")
    return out.getvalue()


def tiff_bytes(data: np.ndarray, **options) -> bytes:
    out = io.BytesIO()
    tifffile.imwrite(out, data, **options)
    return out.getvalue()


def made(path: str, content: bytes) -> tuple[Thumbnail, Image.Image]:
    """Accession one file, run the job, and return its thumbnail row and decoded PNG."""
    study = make_study(files=[stored_file(path, content)])
    thumbnails_make_missing()
    file = study.versions.get().files.get()
    thumbnail = Thumbnail.objects.get(sha256=file.sha256)
    assert thumbnail.status == ThumbnailStatus.MADE, thumbnail.error
    with archive_storage().open(thumbnail.storage_key, "rb") as stream:
        image = Image.open(io.BytesIO(stream.read()))
        image.load()
    assert image.format == "PNG"
    assert (image.width, image.height) == (thumbnail.width, thumbnail.height)
    assert thumbnail.storage_key == f"thumbnails/{file.sha256}.png"
    return thumbnail, image


def test_png_thumbnail_keeps_aspect_ratio_within_256_pixels():
    thumbnail, image = made("a.png", png_bytes(600, 300))
    assert (thumbnail.width, thumbnail.height) == (THUMBNAIL_SIZE, THUMBNAIL_SIZE // 2)
    assert image.convert("RGB").getpixel((10, 10)) == (200, 30, 30)


def test_jpeg_thumbnail():
    thumbnail, _image = made("b.JPG", jpeg_bytes(400, 800))
    assert (thumbnail.width, thumbnail.height) == (128, 256)


def test_small_image_is_not_enlarged():
    thumbnail, _image = made("tiny.png", png_bytes(20, 10))
    assert (thumbnail.width, thumbnail.height) == (20, 10)


def test_8_bit_tiff_thumbnail():
    data = np.tile(np.arange(256, dtype=np.uint8), (100, 2))
    thumbnail, image = made("plate/eight.tif", tiff_bytes(data))
    assert (thumbnail.width, thumbnail.height) == (256, 50)
    assert image.mode == "L"


def test_16_bit_tiff_is_contrast_stretched_to_8_bits():
    # Dim 16-bit data (values 1000..1255) would be black if simply shifted down by 8 bits.
    data = (1000 + np.tile(np.arange(256, dtype=np.uint16), (64, 1))).astype(np.uint16)
    _thumbnail, image = made("sixteen.tiff", tiff_bytes(data))
    pixels = np.asarray(image)
    assert pixels.min() == 0
    assert pixels.max() == 255


def test_multi_channel_tiff_makes_a_colour_composite():
    data = np.zeros((3, 64, 128), dtype=np.uint16)
    data[0] = 4000  # red channel bright, the others dark
    data[0, :, :64] = 0
    data[1, :, :64] = 4000
    thumbnail, image = made("channels.tif", tiff_bytes(data, photometric="minisblack", metadata={"axes": "CYX"}))
    assert (thumbnail.width, thumbnail.height) == (128, 64)
    rgb = image.convert("RGB")
    assert rgb.getpixel((100, 30))[0] > 200 and rgb.getpixel((100, 30))[1] < 50
    assert rgb.getpixel((10, 30))[1] > 200 and rgb.getpixel((10, 30))[0] < 50


def test_ome_tiff_stack_uses_the_first_plane():
    data = np.zeros((2, 5, 1, 300, 600), dtype=np.uint16)  # TZCYX
    data[0, 0, 0, :, 300:] = 500
    out = io.BytesIO()
    tifffile.imwrite(out, data, ome=True, metadata={"axes": "TZCYX"})
    thumbnail, image = made("image.ome.tif", out.getvalue())
    assert (thumbnail.width, thumbnail.height) == (256, 128)
    pixels = np.asarray(image)
    assert pixels[:, :100].max() == 0
    assert pixels[:, 200:].min() == 255


def test_rgb_tiff_thumbnail():
    data = np.zeros((50, 100, 3), dtype=np.uint8)
    data[..., 2] = 255
    _thumbnail, image = made("rgb.tif", tiff_bytes(data, photometric="rgb"))
    assert image.convert("RGB").getpixel((5, 5)) == (0, 0, 255)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("broken.png", b"\x89PNG\r\n\x1a\n not really a png"),
        ("broken.tif", b"II*\x00" + b"\xff" * 40),
        ("text.jpg", b"hello"),
        ("empty.tiff", b""),
    ],
)
def test_broken_image_is_recorded_as_failed_without_an_exception(path, content):
    study = make_study(files=[stored_file(path, content)])
    assert thumbnails_make_missing() == {"made": 0, "failed": 1}
    thumbnail = Thumbnail.objects.get(sha256=study.versions.get().files.get().sha256)
    assert thumbnail.status == ThumbnailStatus.FAILED
    assert thumbnail.error
    assert not archive_storage().exists(f"thumbnails/{thumbnail.sha256}.png")
    # Failed contents are not retried for ever.
    assert thumbnails_make_missing() == {"made": 0, "failed": 0}


def test_decompression_bomb_is_refused(settings):
    # 20000 × 20000 pixels of one colour: a tiny PNG that would decode to 400 megapixels.
    study = make_study(files=[stored_file("bomb.png", png_bytes(20000, 20000, mode="1", color=0))])
    assert thumbnails_make_missing() == {"made": 0, "failed": 1}
    thumbnail = Thumbnail.objects.get(sha256=study.versions.get().files.get().sha256)
    assert "pixels" in thumbnail.error


def test_job_is_idempotent_and_makes_one_thumbnail_per_content():
    same = png_bytes(50, 50)
    make_study(files=[stored_file("x/one.png", same), stored_file("x/two.png", same), stored_file("notes.txt", b"x")])
    make_study(files=[stored_file("again.png", same), stored_file("other.tif", tiff_bytes(np.ones((8, 8), "u1")))])
    assert thumbnails_make_missing() == {"made": 2, "failed": 0}
    assert thumbnails_make_missing() == {"made": 0, "failed": 0}
    assert Thumbnail.objects.count() == 2
    # Making one again returns the row that is there.
    sha256 = Thumbnail.objects.first().sha256
    assert thumbnail_make(sha256=sha256).pk == Thumbnail.objects.get(sha256=sha256).pk


def test_job_honours_its_limit():
    make_study(files=[stored_file(f"{n}.png", png_bytes(10 + n, 10)) for n in range(3)])
    assert thumbnails_make_missing(limit=2) == {"made": 2, "failed": 0}
    assert thumbnails_make_missing(limit=2) == {"made": 1, "failed": 0}


def test_setup_schedules_adds_the_thumbnail_job():
    call_command("setup_schedules", stdout=io.StringIO())
    call_command("setup_schedules", stdout=io.StringIO())
    schedule = Schedule.objects.get(name="archive.thumbnails_make_missing")
    assert schedule.func == "archive.tasks.thumbnails_make_missing"
    assert schedule.minutes == 10


# --- Serving -----------------------------------------------------------------------------


def thumbnail_url(study, path="img/cell.png", version=None) -> str:
    if version is None:
        return reverse("study-thumbnail", args=[study.accession, path])
    return reverse("study-version-thumbnail", args=[study.accession, version, path])


@pytest.fixture
def studies(submitter):
    content = png_bytes(300, 300)
    made = {
        status: make_study(owner=submitter, status=status, files=[stored_file("img/cell.png", content)])
        for status in ("released", "confidential", "removed")
    }
    thumbnails_make_missing()
    return made


def test_anonymous_sees_a_public_studys_thumbnail_with_etag_and_public_caching(anonymous_client, studies):
    response = anonymous_client.get(thumbnail_url(studies["released"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("public")
    assert Image.open(io.BytesIO(response.content)).size == (256, 256)
    again = anonymous_client.get(thumbnail_url(studies["released"]), headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert anonymous_client.get(thumbnail_url(studies["released"], version=1)).status_code == 200


def test_p_upload_private_confidential_thumbnail_is_404_for_others_and_private_for_owner(
    anonymous_client, other_client, submitter_client, studies
):
    url = thumbnail_url(studies["confidential"])
    assert anonymous_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 404
    response = submitter_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")


def test_p_remove_removed_study_thumbnail_answers_410(anonymous_client, submitter_client, curator_client, studies):
    url = thumbnail_url(studies["removed"])
    assert anonymous_client.get(url).status_code == 410
    assert submitter_client.get(url).status_code == 410
    assert curator_client.get(url).status_code == 200


def test_p_remove_removed_file_thumbnail_answers_410(anonymous_client, studies):
    study = studies["released"]
    files_set_status(
        version=study.versions.get(),
        paths=["img/cell.png"],
        status="removed",
        actor=make_curator(),
        reason_category="investigation",
    )
    assert anonymous_client.get(thumbnail_url(study)).status_code == 410


def test_file_without_thumbnail_answers_404(anonymous_client):
    study = make_study(files=[stored_file("img/cell.png", png_bytes(20, 20)), stored_file("a.txt", b"text")])
    assert anonymous_client.get(thumbnail_url(study)).status_code == 404  # the job has not run
    thumbnails_make_missing()
    assert anonymous_client.get(thumbnail_url(study)).status_code == 200
    assert anonymous_client.get(thumbnail_url(study, "a.txt")).status_code == 404
    assert anonymous_client.get(thumbnail_url(study, "nothing.png")).status_code == 404


# --- Pages -------------------------------------------------------------------------------


def test_accession_page_shows_lazy_thumbnails_of_its_files(anonymous_client):
    study = make_study(files=[stored_file("img/cell.png", png_bytes(20, 20)), stored_file("a.txt", b"text")])
    thumbnails_make_missing()
    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    assert f'src="{thumbnail_url(study)}" alt="img/cell.png"' in page
    assert 'loading="lazy"' in page
    assert page.count('class="thumbnail ') == 1
    pinned = anonymous_client.get(reverse("study-version", args=[study.accession, 1])).content.decode()
    assert thumbnail_url(study, version=1) in pinned


def test_search_shows_the_first_thumbnail_of_each_study_with_a_fixed_number_of_queries(anonymous_client, settings):
    settings.SEARCH_CACHE_SECONDS = 0

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert anonymous_client.get(reverse("search")).status_code == 200
        return len(captured)

    make_study(title="Without images", files=[stored_file("a.txt", b"a")])
    queries()  # fills the cached facets and counts
    before = queries()
    for n in range(5):
        make_study(
            title=f"Imaged {n}", files=[stored_file(f"z{n}.png", png_bytes(30 + n, 30)), stored_file("b.txt", b"b")]
        )
    thumbnails_make_missing()
    assert queries() == before
    rows = study_search_page(AnonymousUser(), StudySearch(), page=1, per_page=20).rows
    assert {row.title: row.thumbnail_path for row in rows} == {
        "Without images": None,
        **{f"Imaged {n}": f"z{n}.png" for n in range(5)},
    }
