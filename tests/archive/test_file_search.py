"""Search inside a study (`?q=`, issue 13): on PostgreSQL a walk of at most SEARCH_WALK entries of the path index,
then the trigram index when those hold less than a page; on SQLite a plain filter.

Either way a search finds what a plain filter finds, in path order, its pages never skip or repeat a file in
either direction, and its queries do not grow with the study. Run with DATABASE_URL set for PostgreSQL.
"""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.selectors import file_tree
from archive.selectors.file_tree import Position, files_window
from archive.selectors.files import study_files
from archive.services.accession import FileEntry
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study

pytestmark = pytest.mark.django_db

WALK = 40  # entries the walk reads before it asks the trigram index, kept small so that tests cross it

# Common (1 in 10 and 1 in 5, a page within the walk), rare (one file, far beyond it), spread wider than the
# walk (1 in 100), none, and ten together that a page reaches only beyond the walk's end.
PATTERNS = ["well_1/", ".PNG", "PLATE_04/WELL_3/FIELD_7", "well_3/field_0", "nothing-like-this", "plate_02/well_0"]


@pytest.fixture(autouse=True)
def small_walk(monkeypatch):
    monkeypatch.setattr(file_tree, "SEARCH_WALK", WALK)


def _entries(count: int) -> list[FileEntry]:
    """`count` files, 100 a plate and 10 a well: plate_00/well_0/field_0.tif, …; no bytes are stored."""
    entries = []
    for n in range(count):
        path = f"plate_{n // 100:02}/well_{n // 10 % 10}/field_{n % 10}{'.tif' if n % 5 else '.png'}"
        digest = hashlib.sha256(path.encode()).hexdigest()
        entries.append(FileEntry(path=path, size=n + 1, sha256=digest, storage_key=f"sha256/{digest}"))
    return entries


@pytest.fixture
def study():
    study = make_study(files=_entries(600))
    removed = ["plate_01/well_1/field_1.tif", "plate_04/well_3/field_6.tif"]
    files_set_status(
        version=study.versions.get(), actor=make_curator(), paths=removed, status="removed", reason_category="other"
    )
    return study


def _filtered(version, user, q: str, folder: str = "") -> list[str]:
    files = study_files(version=version, user=user).filter(path__icontains=q, path__startswith=folder)
    return list(files.order_by("path").values_list("path", flat=True))


def _walked(version, user, q: str, *, folder: str = "", limit: int, backwards: bool = False) -> list[str]:
    """Every path the search pages through, following each page's next (or previous) position to the end."""
    position, walked = (Position(last=True) if backwards else Position()), []
    while True:
        page = files_window(version=version, user=user, folder=folder, q=q, position=position, limit=limit)
        paths = [file.path for file in page.rows]
        walked = paths + walked if backwards else walked + paths
        if not (page.has_previous if backwards else page.has_next):
            return walked
        position = Position(before=page.first_path) if backwards else Position(after=page.last_path)


@pytest.mark.parametrize("q", PATTERNS)
@pytest.mark.parametrize("curator", [False, True])
def test_p_remove_search_pages_list_what_a_plain_filter_finds_once_each_in_both_directions(study, q, curator):
    version, user = study.versions.get(), make_curator() if curator else None
    for folder in ("", "plate_04/"):
        expected = _filtered(version, user, q, folder)
        for limit in (1, 7, 100):
            assert _walked(version, user, q, folder=folder, limit=limit) == expected, (folder, limit)
            assert _walked(version, user, q, folder=folder, limit=limit, backwards=True) == expected, (folder, limit)
    assert ("plate_04/well_3/field_6.tif" in _filtered(version, user, "well_3/field_6")) is curator


def test_api_and_page_links_page_through_a_common_search_without_skipping_or_repeating(study, anonymous_client):
    expected = _filtered(study.versions.get(), None, "well_1/")
    url, walked = reverse("api-study-files", kwargs={"accession": study.accession}) + "?q=well_1/&page_size=9", []
    while url:
        body = anonymous_client.get(url).json()
        walked, url = walked + [file["path"] for file in body["results"]], body["next"]
        assert body["count"] is None
    assert walked == expected and len(expected) == 59
    page_url, seen = reverse("study-detail", args=[study.accession]), []
    query = "?q=field_4.tif&last=1"
    while query:
        context = anonymous_client.get(page_url + query).context
        seen, query = [file.path for file in context["listing"].files.rows] + seen, context["files_previous_url"]
    assert seen == _filtered(study.versions.get(), None, "field_4.tif") and len(seen) == 60


def _queries(version, q: str, position: Position) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        files_window(version=version, user=None, q=q, position=position, limit=7)
    return [query["sql"].split(" ")[0] for query in queries]


@pytest.mark.parametrize("position", [Position(), Position(after="plate_00/well_0/field_5.tif"), Position(last=True)])
def test_search_queries_do_not_grow_with_the_study_and_a_common_pattern_needs_no_trigram_scan(position):
    small, large = make_study(files=_entries(200)).versions.get(), make_study(files=_entries(2_000)).versions.get()
    for q in ("well_1/", ".png", "field_4.tif", "plate_00/well_1/field_1", "nothing-like-this"):
        assert _queries(small, q, position) == _queries(large, q, position), q
    if connection.vendor == "postgresql":
        # 1 in 5 fills a page of 7 (and says more follow) within the walk of 40: the walk, then the thumbnails.
        assert _queries(large, ".png", position) == ["SELECT", "SELECT"]
        assert "SET" in _queries(large, "nothing-like-this", position)  # the walk found nothing: the trigram index
