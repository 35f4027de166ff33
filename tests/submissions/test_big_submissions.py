"""Big submissions (issue 13, point 6): the pages and the submit cost the same queries for 10 and 10,000 files,
and the move the same queries for each batch, whatever the number of batches (P-MOVE-ON-SUBMIT)."""

import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.models import SubmissionFile, SubmissionFileState, SubmissionState
from submissions.selectors import FOLDERS_PER_PAGE
from submissions.services import (
    submission_create_draft,
    submission_file_list_check,
    submission_files_move,
    submission_files_set,
    submission_submit,
    submission_version_start,
)
from tests.factories import UserFactory, make_study
from tests.submissions.move_helpers import ready_draft, uploads_bulk_add
from uploads.models import UploadFile

pytestmark = pytest.mark.django_db

SMALL, BIG = 10, 10_000


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def _draft_with_uploads(owner):
    """A ready draft whose single real upload is then joined by SMALL bulk-added rows, all chosen by folder."""
    submission, _ = ready_draft(owner, {"plates/first.tif": b"first"})
    uploads_bulk_add(owner, 0, SMALL)
    submission_files_set(submission=submission, actor=owner, folders=["plates"])
    return submission


def _get_ok(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_p_move_on_submit_files_step_costs_the_same_queries_for_10_and_10000_files(submitter, submitter_client):
    submission = _draft_with_uploads(submitter)
    url = reverse("submissions:step", args=[submission.pk, "files"])
    small = _queries(lambda: _get_ok(submitter_client, url))
    uploads_bulk_add(submitter, SMALL, BIG)
    submission_files_set(submission=submission, actor=submitter, folders=["plates"])
    assert submission.files.count() == BIG + 1
    response = _get_ok(submitter_client, url)
    assert response.context["choice"].listed_count == BIG + 1
    assert _queries(lambda: _get_ok(submitter_client, url)) == small


def test_p_upload_retention_upload_page_costs_the_same_queries_for_10_and_10000_files(submitter, submitter_client):
    uploads_bulk_add(submitter, 0, SMALL)
    url = reverse("uploads:area")
    small = _queries(lambda: _get_ok(submitter_client, url))
    uploads_bulk_add(submitter, SMALL, BIG)
    assert _get_ok(submitter_client, url).context["listing"].files_count == BIG
    assert _queries(lambda: _get_ok(submitter_client, url)) == small


def test_p_permanent_new_version_files_step_costs_the_same_queries_for_10_and_10000_files(submitter, submitter_client):
    study = make_study(owner=submitter)
    draft = submission_version_start(study=study, actor=submitter)
    uploads_bulk_add(submitter, 0, SMALL)
    url = reverse("submissions:step", args=[draft.pk, "files"])
    small = _queries(lambda: _get_ok(submitter_client, url))
    uploads_bulk_add(submitter, SMALL, BIG)
    SubmissionFile.objects.bulk_create(  # kept files of the current version, already in the archive
        [
            SubmissionFile(
                submission=draft,
                path=f"kept/img{i:05d}.tif",
                size=1,
                sha256=f"{i:064x}",
                storage_key=f"sha256/00/00/{i:064x}",
                state=SubmissionFileState.DONE,
            )
            for i in range(BIG)
        ],
        batch_size=2000,
    )
    assert _queries(lambda: _get_ok(submitter_client, url)) == small


def test_p_permanent_new_version_kept_files_are_paged_and_unticking_drops_only_that_page(submitter, submitter_client):
    study = make_study(owner=submitter)
    draft = submission_version_start(study=study, actor=submitter)
    SubmissionFile.objects.bulk_create(
        [
            SubmissionFile(
                submission=draft,
                path=f"kept/img{i:05d}.tif",
                size=1,
                sha256=f"{i:064x}",
                state=SubmissionFileState.DONE,
            )
            for i in range(1000)
        ]
    )
    url = reverse("submissions:step", args=[draft.pk, "files"])
    first = _get_ok(submitter_client, url).context["choice"].kept
    choice = _get_ok(submitter_client, f"{url}?kept-after={first.last_path}").context["choice"]
    shown = [f.path for f in choice.kept.rows]
    in_order = list(draft.files.order_by("path").values_list("path", flat=True))
    assert shown == in_order[100:200] and choice.kept_count == len(in_order)
    deep = _get_ok(submitter_client, f"{url}?kept-last=1").context["choice"].kept
    assert deep.rows[-1].path == "kept/img00999.tif" and deep.has_previous and not deep.has_next
    submitter_client.post(url, {"keep_shown": shown, "keep": shown[1:], "files_shown": [], "files": []})
    assert not draft.files.filter(path=shown[0]).exists()
    assert draft.files.count() == choice.kept_count - 1  # the other pages' files stay kept


# 10 files in 10 top folders, then 2,000 in 1,000, then 4,000 in 2,000: (first row, end, top folders).
SPREADS = ((0, 10, 10), (10, 2_000, 1_000), (2_000, 4_000, 2_000))
# Each page: its query, and the folder holding the top folders.
SPREAD_PAGES = {
    "files step": ("", ""),
    "files step in a folder": ("?folder=box", "box/"),
    "files step, last page of folders": ("?folders_page=999999", ""),
    "new-version files step": ("", ""),
    "upload page": ("", ""),
}


def _measured(client, url: str) -> tuple[int, str]:
    """The queries a page costs and its HTML."""
    with CaptureQueriesContext(connection) as queries:
        html = _get_ok(client, url).content.decode()
    return len(queries), html


@pytest.mark.parametrize("page", SPREAD_PAGES)
def test_p_move_on_submit_pages_cost_the_same_queries_and_bytes_for_10_and_1000_top_folders(
    page, submitter, submitter_client
):
    if page == "upload page":
        url = reverse("uploads:area")
    else:
        draft = (
            submission_version_start(study=make_study(owner=submitter), actor=submitter)
            if page == "new-version files step"
            else submission_create_draft(owner=submitter, metadata={})
        )
        url = reverse("submissions:step", args=[draft.pk, "files"])
    query, box = SPREAD_PAGES[page]
    url += query
    measured = []
    for start, stop, folders in SPREADS:
        uploads_bulk_add(submitter, start, stop, path=lambda i, n=folders: f"{box}top{i % n:04d}/day{i % 2}/{i:05d}")
        if page != "upload page":  # a chosen folder: the chosen counts are read too
            submission_files_set(submission=draft, actor=submitter, folders=[f"{box}top0000"])
        _get_ok(submitter_client, url)  # caches warmed up
        measured.append(_measured(submitter_client, url))
    (small, _), (big, html), (bigger, bigger_html) = measured
    assert small == big == bigger
    # One page of folders and one of files whatever the area holds; twice the area, the same page but its numbers.
    assert html.count('name="folders"') <= FOLDERS_PER_PAGE + 1 and html.count("<tr>") <= 101
    assert abs(len(bigger_html) - len(html)) < 200


def test_p_move_on_submit_folders_are_paged_and_a_whole_folder_is_chosen_from_any_page(submitter, submitter_client):
    draft = submission_create_draft(owner=submitter, metadata={})
    uploads_bulk_add(submitter, 0, 1_000, path=lambda i: f"top{i % 250:04d}/img{i:05d}.tif")
    url = reverse("submissions:step", args=[draft.pk, "files"])
    choice = _get_ok(submitter_client, url + "?folders_page=3").context["choice"]
    assert choice.folders_page.number == 3 and choice.folders_page.paginator.num_pages == 3
    shown = [folder["path"] for folder in choice.folders]
    assert shown == [f"top{i:04d}" for i in range(200, 250)] and choice.folders[0]["files"] == 4
    for bad, number in (("abc", 1), ("-2", 1), ("4", 3), (str(10**30), 3)):  # as get_page reads them
        assert _get_ok(submitter_client, f"{url}?folders_page={bad}").context["choice"].folders_page.number == number
    form = {"folders_shown": shown, "folders": ["top0249"], "files_shown": [], "go": "stay"}
    submitter_client.post(url + "?folders_page=3", form)
    assert draft.files.count() == 4 and draft.files.filter(path__startswith="top0249/").count() == 4
    # Saved on the way to page 1 (the form's action is that page's): unticking the folder of page 3 drops it.
    submitter_client.post(url + "?folders_page=1", {**form, "folders": [], "folders_whole": ["top0249"]})
    assert not draft.files.exists()


def test_p_move_on_submit_file_list_check_costs_a_query_more_per_1000_files_not_per_file(submitter):
    """The File List's attributes are written in batches of 1,000 (100,000 rows: 38 s, from 150 s with two deferred
    fields read back per file)."""
    uploads_bulk_add(submitter, 0, 3_010, path=lambda i: f"{'small' if i < 10 else 'big'}/{i:05d}.tif")
    queries = []
    for folder, count in (("small", SMALL), ("big", 3_000)):
        draft = submission_create_draft(owner=submitter, metadata={})
        submission_files_set(submission=draft, actor=submitter, folders=[folder])
        paths = draft.files.values_list("path", flat=True)
        content = ("Files\tchannel\n" + "".join(f"{path}\tDAPI\n" for path in paths)).encode()
        queries.append(
            _queries(
                lambda draft=draft, content=content: submission_file_list_check(
                    submission=draft, actor=submitter, name="list.tsv", content=content
                )
            )
        )
        assert draft.files.filter(attributes={"channel": "DAPI"}).count() == count
    small, big = queries
    assert big - small == 2  # two more batches of 1,000


def test_p_move_on_submit_submit_costs_the_same_queries_for_10_and_10000_files(submitter, other_user):
    small = _draft_with_uploads(submitter)
    big, _ = ready_draft(other_user, {"plates/first.tif": b"first"})
    uploads_bulk_add(other_user, 0, BIG)
    submission_files_set(submission=big, actor=other_user, folders=["plates"])
    small_queries = _queries(lambda: submission_submit(submission=small, actor=submitter))
    big_queries = _queries(lambda: submission_submit(submission=big, actor=other_user))
    big.refresh_from_db()
    assert big.state == SubmissionState.SUBMITTED and big.files.count() == BIG + 1
    assert UploadFile.objects.filter(area__owner=other_user, held_by_submission=True).count() == BIG + 1
    assert big_queries == small_queries


def test_p_move_on_submit_the_move_costs_the_same_queries_for_every_batch():
    """Moves of 1, 2 and 4 batches (after one that warms the caches up): each batch more adds the same queries."""
    batch = 3
    queries = []
    for number, batches in enumerate((1, 1, 2, 4)):
        owner = UserFactory(username=f"depositor{number}")
        # One folder whatever the count: the study's folder rows are made per folder, not per batch.
        contents = {f"images/img{i}.tif": f"{owner.username} {i}".encode() for i in range(batch * batches)}
        submission, _ = ready_draft(owner, contents)
        submission_submit(submission=submission, actor=owner)
        queries.append(
            _queries(functools.partial(submission_files_move, submission_id=submission.pk, batch_size=batch))
        )
        submission.refresh_from_db()
        assert submission.state == SubmissionState.ACCEPTED and submission.study.files_count == len(contents)
    _, one, two, four = queries
    assert two - one > 0 and four - two == 2 * (two - one)
