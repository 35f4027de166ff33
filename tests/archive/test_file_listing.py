"""A study's files as a folder tree: stored counts, keyset pages and search (issue 13, items 1 and 2).

Pages, folder pages and the files API cost the same queries for 10 and 10,000 files; the cursor never skips
or repeats a file; folder counts follow removals and restorations (P-REMOVE); `q` finds by name and path.
"""

import base64
import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import StudyFolder
from archive.services.access import reviewer_link_create
from archive.services.accession import FileEntry, study_version_add
from archive.services.file_tree import folders_create_from
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db


def _entries(count: int, *, prefix: str = "") -> list[FileEntry]:
    """`count` files spread over two levels of folders; no bytes are stored (listings never read them)."""
    entries = []
    for n in range(count):
        path = f"{prefix}plate_{n % 7}/well_{n % 3}/image_{n:06}.tif"
        digest = hashlib.sha256(path.encode()).hexdigest()
        entries.append(FileEntry(path=path, size=n + 1, sha256=digest, storage_key=f"sha256/{digest}"))
    return [*entries, FileEntry(path=f"{prefix}README.txt", size=5, sha256="0" * 64, storage_key="sha256/readme")]


def _study(count: int):
    return make_study(files=_entries(count))


def _page(study) -> str:
    return reverse("study-detail", args=[study.accession])


def _api(study, name: str = "api-study-files") -> str:
    return reverse(name, kwargs={"accession": study.accession})


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:500])
    return len(queries)


def _cursor(direction: str, path: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([direction, path]).encode()).decode()


def _urls(study, total: int) -> list[str]:
    middle = f"plate_3/well_1/image_{total // 2:06}.tif"
    page, api = _page(study), _api(study)
    return [
        page,
        f"{page}?after={middle}",
        f"{page}?last=1",
        f"{page}?folder=plate_3/",
        f"{page}?folder=plate_3/well_0/&before={middle}",
        f"{page}?q=image_00000",
        api,
        f"{api}?folder=plate_3/&page_size=100",
        f"{api}?cursor={_cursor('after', middle)}",
        f"{api}?q=well_1",
        _api(study, "api-study-folders"),
        f"{_api(study, 'api-study-folders')}?folder=plate_3/",
    ]


@pytest.mark.parametrize("caller", ["anonymous", "curator"])
def test_files_pages_folder_pages_and_api_cost_the_same_queries_for_10_and_10000_files(
    caller, anonymous_client, curator_client
):
    client = {"anonymous": anonymous_client, "curator": curator_client}[caller]
    small, large = _study(10), _study(10_000)
    for small_url, large_url in zip(_urls(small, 10), _urls(large, 10_000), strict=True):
        assert _queries(client, small_url) == _queries(client, large_url), large_url


def test_folder_counts_are_made_with_the_version(anonymous_client):
    study = _study(100)
    version = study.versions.get()
    root = version.folders.get(path="")
    assert (root.files_count, root.total_size) == (101, sum(range(1, 101)) + 5)
    plate = version.folders.get(path="plate_3/")
    assert plate.parent == "" and plate.files_count == len(range(3, 100, 7))
    assert version.folders.get(path="plate_3/well_1/").parent == "plate_3/"
    assert (study.files_count, study.total_size) == (root.files_count, root.total_size)
    body = anonymous_client.get(f"{_page(study)}?folder=plate_3/").content.decode()
    assert f"{plate.files_count} files" in body and "well_0/" in body and "plate_4/" not in body


def _counts(version) -> dict:
    return {
        row.path: (row.files_count, row.total_size, row.removed_count, row.removed_size)
        for row in version.folders.order_by("path")
    }


def _recounted(version) -> dict:
    """The counts made again from scratch, to compare with those the service kept up to date."""
    StudyFolder.objects.filter(version=version).delete()
    folders_create_from(version.files.all(), version_id=version.pk)
    return _counts(version)


def test_p_remove_folder_counts_follow_removal_and_restoration_in_every_version(anonymous_client, curator_client):
    study = make_study(files=[stored_file("raw/a/one.tif", b"one"), stored_file("raw/b/two.tif", b"two!")])
    first = study.versions.get()
    second = study_version_add(
        study=study,
        metadata=study_metadata(),
        files=[*_kept(first), stored_file("c.txt", b"c")],
    )
    curator = make_curator()
    files_set_status(version=first, actor=curator, paths=["raw/a/one.tif"], status="removed", reason_category="other")
    for version in (first, second):
        counts = _counts(version)
        assert counts["raw/a/"] == (0, 0, 1, 3) and counts["raw/"][:3] == (1, 4, 1)
        assert counts == _recounted(version)
    study.refresh_from_db()
    assert (study.files_count, study.total_size) == (2, 5)
    assert anonymous_client.get(f"{_page(study)}?folder=raw/a/").status_code == 404  # nothing public is left there
    assert "raw/a/one.tif" in curator_client.get(f"{_page(study)}?folder=raw/a/").content.decode()
    public = anonymous_client.get(f"{_api(study, 'api-study-folders')}?folder=raw/").json()["results"]
    assert [(f["path"], f["files_count"]) for f in public] == [("raw/b/", 1)]
    files_set_status(version=second, actor=curator, paths=["raw/a/one.tif"], status="active", reason_category="error")
    files_set_status(version=second, actor=curator, paths=["raw/b/two.tif"], status="obsolete", reason_category="other")
    for version in (first, second):
        assert _counts(version)["raw/"] == (2, 7, 0, 0)
        assert _counts(version) == _recounted(version)
    assert anonymous_client.get(f"{_api(study)}?folder=raw/").json()["count"] == 2


def _kept(version) -> list[FileEntry]:
    return [
        FileEntry(path=f.path, size=f.size, sha256=f.sha256, storage_key=f.storage_key) for f in version.files.all()
    ]


def test_cursor_paging_never_skips_or_repeats_a_file_while_files_are_added_to_another_version(anonymous_client):
    study = _study(120)
    expected = list(study.versions.get().files.order_by("path").values_list("path", flat=True))
    url, walked, pages = f"{_api(study)}?version=1&page_size=25", [], 0
    while url:
        body = anonymous_client.get(url).json()
        walked += [file["path"] for file in body["results"]]
        url, pages = body["next"], pages + 1
        # Between two pages a new version brings files that sort before, among and after the walked ones.
        added = [*_entries(3 * pages, prefix=f"a{pages}/"), *_entries(2, prefix=f"plate_1/new {pages}/")]
        study_version_add(study=study, metadata=study_metadata(), files=added + _kept(study.versions.last()))
    assert walked == expected and len(set(walked)) == 121 and pages == 5


def test_cursor_previous_link_goes_back_one_page(anonymous_client):
    study = _study(60)
    first = anonymous_client.get(f"{_api(study)}?page_size=20").json()
    assert first["count"] == 61 and first["previous"] is None
    second = anonymous_client.get(first["next"]).json()
    back = anonymous_client.get(second["previous"]).json()
    assert back["results"] == first["results"] and back["previous"] is None and back["next"] == first["next"]


def test_page_keyset_links_reach_every_file_once_and_the_last_page_directly(anonymous_client):
    study = _study(400)  # 57 files under plate_1/: two pages of 50
    url, seen, pages = f"{_page(study)}?folder=plate_1/", [], 0
    while url:
        response = anonymous_client.get(url)
        seen += [f.path for f in response.context["listing"].files.rows]
        next_url, pages = response.context["files_next_url"], pages + 1
        url = f"{_page(study)}{next_url}" if next_url else ""
    expected = sorted(study.versions.get().files.filter(path__startswith="plate_1/").values_list("path", flat=True))
    assert seen == expected and len(seen) == 57 and pages == 2
    last = anonymous_client.get(f"{_page(study)}?folder=plate_1/&last=1").context
    assert [f.path for f in last["listing"].files.rows] == expected[-50:]
    assert last["files_next_url"] == "" and last["files_previous_url"].startswith("?folder=plate_1%2F&before=")
    back = anonymous_client.get(f"{_page(study)}{last['files_previous_url']}").context
    assert [f.path for f in back["listing"].files.rows] == expected[:7] and back["files_previous_url"] == ""


def test_search_finds_files_by_name_and_by_path_in_any_case(anonymous_client):
    study = _study(50)
    by_name = anonymous_client.get(f"{_api(study)}?q=IMAGE_000042").json()
    assert [f["path"] for f in by_name["results"]] == ["plate_0/well_0/image_000042.tif"] and by_name["count"] is None
    by_path = anonymous_client.get(f"{_api(study)}?q=plate_2/well_1&page_size=100").json()["results"]
    assert {f["path"] for f in by_path} == {f"plate_2/well_1/image_{n:06}.tif" for n in range(50) if n % 21 == 16}
    inside = anonymous_client.get(f"{_api(study)}?folder=plate_1/&q=readme").json()["results"]
    assert inside == []
    page = anonymous_client.get(f"{_page(study)}?q=readme")
    assert [f.path for f in page.context["listing"].files.rows] == ["README.txt"]
    assert "Files whose name or path contains “readme”" in page.content.decode()
    assert (
        "No file has “nothing-like-this” in its name or path."
        in anonymous_client.get(f"{_page(study)}?q=nothing-like-this").content.decode()
    )


def test_search_treats_like_wildcards_as_text(anonymous_client):
    study = make_study(
        files=[stored_file("a_b.txt", b"1"), stored_file("axb.txt", b"2"), stored_file("100%.txt", b"3")]
    )
    assert [f["path"] for f in anonymous_client.get(f"{_api(study)}?q=a_b").json()["results"]] == ["a_b.txt"]
    assert [f["path"] for f in anonymous_client.get(f"{_api(study)}?q=%25").json()["results"]] == ["100%.txt"]


def test_thumbnails_are_looked_up_for_the_page_rows_only(anonymous_client):
    study = make_study()
    response = anonymous_client.get(_page(study))
    assert [f.has_thumbnail for f in response.context["listing"].files.rows] == [False, False]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        (f"cursor={base64.urlsafe_b64encode(b'[1, 2]').decode()}", "cursor"),
        (f"cursor={_cursor('sideways', 'a')}", "cursor"),
        ("page=2", "page"),
        ("page_size=101", "page_size"),
        ("q=" + "x" * 201, "q"),
        ("folder=" + "a/" * 2049, "folder"),
    ],
)
def test_bad_listing_parameters_answer_400_naming_the_field(anonymous_client, query, field):
    study = make_study()
    for name in ("api-study-files", "api-study-folders"):
        if field == "q" and name == "api-study-folders":
            continue
        response = anonymous_client.get(f"{_api(study, name)}?{query}")
        assert response.status_code == 400, (name, query)
        assert field in response.json()


def test_unknown_folder_answers_404(anonymous_client):
    study = make_study()
    assert anonymous_client.get(f"{_page(study)}?folder=nowhere/").status_code == 404
    assert anonymous_client.get(f"{_api(study)}?folder=nowhere/").status_code == 404
    assert anonymous_client.get(f"{_api(study, 'api-study-folders')}?folder=nowhere/").status_code == 404


def test_too_long_page_search_is_a_400_that_says_so_and_still_lists_the_files(anonymous_client):
    study = make_study()
    response = anonymous_client.get(f"{_page(study)}?q={'x' * 201}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ensure this value has at most 200 characters" in body and "README.txt" in body


def test_reviewer_page_browses_folders_without_removed_files(anonymous_client):
    study = make_study(status="confidential", files=[stored_file("raw/a.tif", b"a"), stored_file("raw/b.tif", b"b")])
    files_set_status(
        version=study.versions.get(),
        actor=make_curator(),
        paths=["raw/b.tif"],
        status="removed",
        reason_category="other",
    )
    _link, token = reviewer_link_create(study=study, actor=study.owner)
    body = anonymous_client.get(f"{reverse('review', args=[token])}?folder=raw/").content.decode()
    assert "raw/a.tif" in body and "raw/b.tif" not in body and "1 file," in body
