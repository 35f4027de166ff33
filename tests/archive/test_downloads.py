"""File downloads (ranges, ETags, removed files) and the sha256sum manifest."""

import email.message
import email.utils
import hashlib
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils.http import http_date

from archive.downloads import RangeNotSatisfiable, parse_range
from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 40  # 10 240 bytes, every offset distinguishable


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def study():
    return make_study(files=[stored_file("images/cell 01.tif", CONTENT), stored_file("README.txt", b"About")])


def _file_url(study, path="images/cell 01.tif"):
    return reverse("study-file", args=[study.accession, path])


def test_download_whole_file_as_attachment_with_etag(anonymous_client, study):
    response = anonymous_client.get(_file_url(study))

    assert response.status_code == 200
    assert _body(response) == CONTENT
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response["Content-Disposition"].startswith('attachment; filename="cell 01.tif"')


def test_download_of_a_pinned_version(anonymous_client, study):
    study_version_add(study=study, metadata=study_metadata("v2"), files=[stored_file("new.txt", b"new")])

    old = anonymous_client.get(reverse("study-version-file", args=[study.accession, 1, "README.txt"]))
    newest_lacks_it = anonymous_client.get(reverse("study-file", args=[study.accession, "README.txt"]))

    assert _body(old) == b"About"
    assert newest_lacks_it.status_code == 404


def test_download_byte_range_answers_206(anonymous_client, study):
    response = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=100-199")

    assert response.status_code == 206
    assert _body(response) == CONTENT[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(CONTENT)}"
    assert response["Content-Length"] == "100"


def test_download_open_ended_and_suffix_ranges(anonymous_client, study):
    open_ended = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=10200-")
    suffix = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=-16")
    beyond_end = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=10000-999999")

    assert open_ended.status_code == 206 and _body(open_ended) == CONTENT[10200:]
    assert suffix.status_code == 206 and _body(suffix) == CONTENT[-16:]
    assert suffix["Content-Range"] == f"bytes {len(CONTENT) - 16}-{len(CONTENT) - 1}/{len(CONTENT)}"
    assert _body(beyond_end) == CONTENT[10000:]


def test_download_unsatisfiable_range_answers_416(anonymous_client, study):
    response = anonymous_client.get(_file_url(study), HTTP_RANGE=f"bytes={len(CONTENT)}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_download_several_ranges_get_the_whole_file(anonymous_client, study):
    response = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=0-9,20-29")

    assert response.status_code == 200
    assert _body(response) == CONTENT


def test_download_stale_if_range_gets_the_whole_file(anonymous_client, study):
    response = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')

    assert response.status_code == 200
    assert _body(response) == CONTENT


def test_download_if_none_match_answers_304(anonymous_client, study):
    etag = anonymous_client.get(_file_url(study))["ETag"]

    response = anonymous_client.get(_file_url(study), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def _last_modified(study) -> str:
    return http_date(study.versions.first().created_at.timestamp())


def test_download_sends_the_versions_time_as_last_modified(anonymous_client, study):
    response = anonymous_client.get(_file_url(study))

    assert response["Last-Modified"] == _last_modified(study)


@pytest.mark.parametrize("if_match", ["*", "{etag}", '"other", {etag}'])
def test_download_if_match_with_the_current_etag_serves_the_file(anonymous_client, study, if_match):
    etag = f'"{hashlib.sha256(CONTENT).hexdigest()}"'

    response = anonymous_client.get(_file_url(study), HTTP_IF_MATCH=if_match.format(etag=etag))

    assert response.status_code == 200
    assert _body(response) == CONTENT


@pytest.mark.parametrize("if_match", ['"stale"', 'W/"{sha256}"'])
def test_download_if_match_failing_answers_412_without_the_bytes(anonymous_client, study, if_match):
    # If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
    header = if_match.format(sha256=hashlib.sha256(CONTENT).hexdigest())

    response = anonymous_client.get(_file_url(study), HTTP_IF_MATCH=header, HTTP_RANGE="bytes=0-9")

    assert response.status_code == 412
    assert _body(response) == b""


def test_download_if_unmodified_since_answers_412_once_the_file_changed(anonymous_client, study):
    created = study.versions.first().created_at.timestamp()

    before = anonymous_client.get(_file_url(study), HTTP_IF_UNMODIFIED_SINCE=http_date(created - 60))
    since = anonymous_client.get(_file_url(study), HTTP_IF_UNMODIFIED_SINCE=http_date(created + 60))

    assert before.status_code == 412
    assert since.status_code == 200 and _body(since) == CONTENT


def test_download_if_modified_since_answers_304_when_unchanged(anonymous_client, study):
    created = study.versions.first().created_at.timestamp()

    unchanged = anonymous_client.get(_file_url(study), HTTP_IF_MODIFIED_SINCE=_last_modified(study))
    changed = anonymous_client.get(_file_url(study), HTTP_IF_MODIFIED_SINCE=http_date(created - 60))
    # If-None-Match decides when both are sent (RFC 9110 §13.2.2).
    stale_etag = anonymous_client.get(
        _file_url(study), HTTP_IF_MODIFIED_SINCE=_last_modified(study), HTTP_IF_NONE_MATCH='"stale"'
    )

    assert unchanged.status_code == 304
    assert unchanged["Last-Modified"] == _last_modified(study)
    assert changed.status_code == 200
    assert stale_etag.status_code == 200


def test_download_if_range_with_the_last_modified_date_resumes(anonymous_client, study):
    created = study.versions.first().created_at.timestamp()

    same = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=_last_modified(study))
    older = anonymous_client.get(_file_url(study), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=http_date(created - 60))

    assert same.status_code == 206 and _body(same) == CONTENT[:10]
    assert older.status_code == 200 and _body(older) == CONTENT


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("cell 01.tif", "attachment; filename=\"cell 01.tif\"; filename*=UTF-8''cell%2001.tif"),
        (
            "Zellkern ümlaut.tif",
            "attachment; filename=\"Zellkern umlaut.tif\"; filename*=UTF-8''Zellkern%20%C3%BCmlaut.tif",
        ),
        ("細胞.tif", "attachment; filename=\"__.tif\"; filename*=UTF-8''%E7%B4%B0%E8%83%9E.tif"),
        (
            'say "cheese"; now.tif',
            "attachment; filename=\"say _cheese_; now.tif\"; filename*=UTF-8''say%20%22cheese%22%3B%20now.tif",
        ),
        (
            "50% back\\slash.tif",
            "attachment; filename=\"50_ back_slash.tif\"; filename*=UTF-8''50%25%20back%5Cslash.tif",
        ),
    ],
)
def test_download_content_disposition_has_an_ascii_filename_and_a_utf8_one(anonymous_client, name, disposition):
    study = make_study(files=[stored_file(f"images/{name}", b"pixels")])

    header = anonymous_client.get(_file_url(study, f"images/{name}"))["Content-Disposition"]

    assert header == disposition
    # Python's RFC 2231 parser reads two filename parameters and recovers the exact name from filename*.
    message = email.message.Message()
    message["Content-Disposition"] = header
    plain, extended = [value for key, value in message.get_params(header="content-disposition") if key == "filename"]
    assert plain.isascii()
    assert email.utils.collapse_rfc2231_value(extended) == name


# Real download clients against a live server


def _client(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def _run(command: list[str], cwd) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tool", ["curl", "wget", "aria2c"])
def test_download_real_clients_resume_an_interrupted_download(live_server, tmp_path, tool):
    study = make_study(files=[stored_file("images/cell 01.tif", CONTENT)])
    url = live_server.url + _file_url(study)
    target = tmp_path / "cell 01.tif"
    target.write_bytes(CONTENT[:1000])  # what an interrupted download left
    resume = {
        "curl": [_client("curl"), "-sSf", "-C", "-", "-o", target.name, url],
        "wget": [_client("wget"), "-q", "-c", "-O", target.name, url],
        "aria2c": [_client("aria2c"), "-q", "-c", "-o", target.name, url],
    }[tool]

    _run(resume, cwd=tmp_path)

    assert target.read_bytes() == CONTENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("tool", "saved_as"),
    [
        ("curl", "Zellkern umlaut _x_; y.tif"),  # curl reads only the ASCII filename
        ("wget", 'Zellkern ümlaut "x"; y.tif'),
        ("aria2c", 'Zellkern ümlaut "x"; y.tif'),
    ],
)
def test_download_real_clients_name_the_file_from_content_disposition(live_server, tmp_path, tool, saved_as):
    name = 'Zellkern ümlaut "x"; y.tif'
    study = make_study(files=[stored_file(f"images/{name}", CONTENT)])
    url = live_server.url + _file_url(study, f"images/{name}")
    fetch = {
        "curl": [_client("curl"), "-sSf", "-O", "-J", url],
        "wget": [_client("wget"), "-q", "--content-disposition", url],
        "aria2c": [_client("aria2c"), "-q", url],
    }[tool]

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    _run(fetch, cwd=downloads)

    assert [path.name for path in downloads.iterdir()] == [saved_as]
    assert (downloads / saved_as).read_bytes() == CONTENT


@pytest.mark.django_db(transaction=True)
def test_download_curl_fetches_a_byte_range(live_server, tmp_path):
    study = make_study(files=[stored_file("images/cell 01.tif", CONTENT)])

    _run([_client("curl"), "-sSf", "-r", "100-199", "-o", "part", live_server.url + _file_url(study)], cwd=tmp_path)

    assert (tmp_path / "part").read_bytes() == CONTENT[100:200]


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, (0, 0)),
        ("bytes=5-", 10, (5, 9)),
        ("bytes=-3", 10, (7, 9)),
        ("bytes=-30", 10, (0, 9)),
        ("bytes=3-1", 10, None),
        ("bytes=a-b", 10, None),
        ("items=0-1", 10, None),
        ("", 10, None),
    ],
)
def test_parse_range(header, size, expected):
    byte_range = parse_range(header, size)

    assert (None if byte_range is None else (byte_range.start, byte_range.end)) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=10-", 10), ("bytes=-0", 10), ("bytes=0-", 0)])
def test_parse_range_unsatisfiable(header, size):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_p_obsolete_obsolete_file_still_downloads(anonymous_client, study):
    files_set_status(
        version=study.versions.first(),
        paths=["README.txt"],
        status="obsolete",
        actor=make_curator(),
        reason_category="error",
    )

    response = anonymous_client.get(_file_url(study, "README.txt"))

    assert response.status_code == 200
    assert _body(response) == b"About"


def test_p_remove_removed_file_answers_410(anonymous_client, curator_client, study):
    files_set_status(
        version=study.versions.first(),
        paths=["README.txt"],
        status="removed",
        actor=make_curator(),
        reason_category="provenance",
    )

    response = anonymous_client.get(_file_url(study, "README.txt"))
    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert response.status_code == 410
    assert "README.txt" not in page
    assert _body(curator_client.get(_file_url(study, "README.txt"))) == b"About"  # the data is kept


def test_p_remove_removed_study_files_answer_410(anonymous_client):
    study = make_study(status="removed")

    response = anonymous_client.get(_file_url(study, "README.txt"))

    assert response.status_code == 410
    assert b"About" not in response.content


def test_confidential_study_file_is_not_found_for_other_users(other_client, anonymous_client, submitter):
    study = make_study(owner=submitter, status="confidential")

    assert other_client.get(_file_url(study, "README.txt")).status_code == 404
    assert anonymous_client.get(_file_url(study, "README.txt")).status_code == 404


def test_confidential_study_file_downloads_for_its_owner_without_public_caching(submitter_client, submitter):
    study = make_study(owner=submitter, status="confidential")

    response = submitter_client.get(_file_url(study, "README.txt"))

    assert _body(response) == b"About"
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("path", ["../README.txt", "images/../README.txt", "./README.txt", "a//b", "x%00y", "a%0Ab"])
def test_download_rejects_unclean_paths(anonymous_client, study, path):
    response = anonymous_client.get(f"/studies/{study.accession}/files/{path}")

    assert response.status_code == 404


def test_download_unknown_file_answers_404(anonymous_client, study):
    assert anonymous_client.get(_file_url(study, "nope.txt")).status_code == 404


# Manifest


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU coreutils sha256sum")
def test_manifest_is_accepted_by_sha256sum(anonymous_client, tmp_path):
    files = {
        "README.txt": b"About",
        "images/cell 01.tif": CONTENT,
        "images/deep/nested/ümlaut.tif": b"unicode name",
        "obsolete.txt": b"still listed",
        "removed.txt": b"not public",
    }
    study = make_study(files=[stored_file(path, content) for path, content in files.items()])
    version = study.versions.first()
    files_set_status(
        version=version, paths=["obsolete.txt"], status="obsolete", actor=make_curator(), reason_category="error"
    )
    files_set_status(
        version=version, paths=["removed.txt"], status="removed", actor=make_curator(), reason_category="other"
    )

    response = anonymous_client.get(reverse("study-manifest", args=[study.accession]))
    manifest = _body(response)

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"removed.txt" not in manifest
    for path in files:
        if path == "removed.txt":
            continue
        target = tmp_path / "download" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_body(anonymous_client.get(_file_url(study, path))))
    (tmp_path / "download" / "manifest.sha256").write_bytes(manifest)
    result = subprocess.run(
        ["sha256sum", "-c", "--strict", "manifest.sha256"],
        cwd=tmp_path / "download",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == 4


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs GNU coreutils sha256sum")
def test_manifest_catches_a_corrupted_download(anonymous_client, tmp_path, study):
    manifest = _body(anonymous_client.get(reverse("study-version-manifest", args=[study.accession, 1])))
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "cell 01.tif").write_bytes(CONTENT[:-1] + b"!")
    (tmp_path / "README.txt").write_bytes(b"About")
    (tmp_path / "manifest.sha256").write_bytes(manifest)

    result = subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=tmp_path, capture_output=True, check=False)

    assert result.returncode == 1
    assert b"images/cell 01.tif: FAILED" in result.stdout


def test_manifest_of_removed_study_is_a_tombstone(anonymous_client):
    study = make_study(status="removed")

    response = anonymous_client.get(reverse("study-manifest", args=[study.accession]))

    assert response.status_code == 410
