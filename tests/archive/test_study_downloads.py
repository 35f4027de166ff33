"""Whole-study and folder downloads that keep the folders: the streamed ZIP and the download list (issue 12 trap 5,
issue 13 item 3), checked with Python's zipfile, Debian's unzip, real aria2c, wget and curl, and `sha256sum -c`."""

import hashlib
import html
import io
import shutil
import subprocess
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from archive.services.access import reviewer_link_create
from archive.services.status import files_set_status, study_remove
from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db

FILES = {
    "raw/plate 1/cell_01.tif": b"TIFF pixels of cell 01" * 500,
    "raw/plate 1/cell_02.tif": b"TIFF pixels of cell 02" * 300,
    "raw/zellő Ā.tif": b"non-ASCII name, UTF-8 bytes 0x80-0x9F" * 10,
    "analysis/tracks.csv": b"frame,x,y\n1,2,3\n",
    "README.txt": b"About this study",
}


def _tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return tool


@pytest.fixture
def study():
    return make_study(files=[stored_file(path, content) for path, content in FILES.items()])


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _zip_url(study, **query) -> str:
    url = reverse("study-download-zip", args=[study.accession])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _run(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"
    return result


# --- The streamed ZIP ---------------------------------------------------------------------------


def test_zip_keeps_the_folders_stored_with_manifest_and_exact_length(anonymous_client, study):
    response = anonymous_client.get(_zip_url(study))
    body = _body(response)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Length"] == str(len(body))  # known before the first byte: browsers show progress
    assert response["Content-Disposition"].startswith(f'attachment; filename="{study.accession}-v1.zip"')
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None  # every CRC matches
    assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    entries = {name.removeprefix(f"{study.accession}-v1/"): archive.read(name) for name in archive.namelist()}
    assert entries.pop("ro-crate-metadata.json")  # tests/archive/test_zip_rocrate.py loads it back
    assert entries == {
        **FILES,
        "manifest.sha256": "".join(f"{_sha256(FILES[p])}  {p}\n" for p in sorted(FILES)).encode(),
    }


def test_zip_unzipped_by_debian_unzip_passes_sha256sum_check_as_the_page_says(anonymous_client, study, tmp_path):
    unzip = _tool("unzip")
    (tmp_path / f"{study.accession}-v1.zip").write_bytes(_body(anonymous_client.get(_zip_url(study))))

    _run(unzip, "-q", f"{study.accession}-v1.zip", cwd=tmp_path)
    check = _run("sha256sum", "-c", "manifest.sha256", cwd=tmp_path / f"{study.accession}-v1")

    assert check.stdout.count(": OK") == len(FILES)
    assert (tmp_path / f"{study.accession}-v1/raw/zellő Ā.tif").read_bytes() == FILES["raw/zellő Ā.tif"]


def test_zip_of_a_folder_holds_only_its_files_under_their_full_paths(anonymous_client, study):
    response = anonymous_client.get(_zip_url(study, folder="raw/plate%201/"))
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))

    assert response["Content-Disposition"].startswith(f'attachment; filename="{study.accession}-v1-raw-plate 1.zip"')
    assert archive.namelist() == [
        f"{study.accession}-v1-raw-plate 1/raw/plate 1/cell_01.tif",
        f"{study.accession}-v1-raw-plate 1/raw/plate 1/cell_02.tif",
        f"{study.accession}-v1-raw-plate 1/manifest.sha256",
        f"{study.accession}-v1-raw-plate 1/ro-crate-metadata.json",
    ]
    manifest = archive.read(f"{study.accession}-v1-raw-plate 1/manifest.sha256").decode()
    assert manifest.splitlines() == [
        f"{_sha256(FILES[p])}  {p}" for p in ("raw/plate 1/cell_01.tif", "raw/plate 1/cell_02.tif")
    ]


def test_head_of_a_zip_gives_its_length_without_a_body(anonymous_client, study):
    full = anonymous_client.get(_zip_url(study))
    head = anonymous_client.head(_zip_url(study))

    assert head.status_code == 200
    assert head["Content-Length"] == full["Content-Length"]
    assert _body(head) == b""


def test_p_remove_removed_files_are_left_out_of_the_zip_the_list_and_the_manifest(anonymous_client, study):
    curator = make_curator()
    files_set_status(
        version=study.versions.get(),
        paths=["raw/plate 1/cell_02.tif"],
        status="removed",
        actor=curator,
        reason_category="ownership",
    )

    names = zipfile.ZipFile(io.BytesIO(_body(anonymous_client.get(_zip_url(study))))).namelist()
    listed = _body(anonymous_client.get(reverse("study-download-list", args=[study.accession]))).decode()
    manifest = _body(anonymous_client.get(reverse("study-manifest", args=[study.accession]))).decode()

    assert (
        f"{study.accession}-v1/raw/plate 1/cell_02.tif" not in names
        and f"{study.accession}-v1/raw/plate 1/cell_01.tif" in names
    )
    assert "cell_02" not in listed and "cell_01" in listed
    assert "cell_02" not in manifest and "cell_01" in manifest


def test_confidential_study_downloads_are_404_to_the_public_and_open_to_the_owner(anonymous_client):
    owner = UserFactory()
    secret = make_study(owner=owner, status="confidential", files=[stored_file("a/b.txt", b"secret")])
    owner_client = Client()
    owner_client.force_login(owner)
    urls = [reverse(name, args=[secret.accession]) for name in ("study-download-zip", "study-download-list")]

    assert [anonymous_client.get(url).status_code for url in urls] == [404, 404]
    assert [owner_client.get(url).status_code for url in urls] == [200, 200]
    assert all(owner_client.get(url)["Cache-Control"] == "private, no-store" for url in urls)


def test_p_remove_removed_study_downloads_answer_the_tombstone(anonymous_client, study):
    study_remove(study=study, actor=make_curator(), reason_category="retraction", note="Retracted.")

    for name in ("study-download-zip", "study-download-list"):
        response = anonymous_client.get(reverse(name, args=[study.accession]))
        assert response.status_code == 410
        assert study.title not in response.content.decode()


def test_zip_over_the_size_limit_answers_409_pointing_to_the_download_list(anonymous_client, study, settings):
    settings.DOWNLOAD_ZIP_MAX_BYTES = 1000

    response = anonymous_client.get(_zip_url(study))
    page = response.content.decode()

    assert response.status_code == 409
    assert "at most 100,000 files and 0 GiB" in page or "GiB" in page
    assert f'href="/studies/{study.accession}/v1/download-list.txt"' in page
    assert f"aria2c -i {study.accession}-v1.txt" in page


def test_zip_over_the_file_limit_answers_409(anonymous_client, study, settings):
    settings.DOWNLOAD_ZIP_MAX_FILES = len(FILES) - 1

    assert anonymous_client.get(_zip_url(study)).status_code == 409
    settings.DOWNLOAD_ZIP_MAX_FILES = len(FILES)
    assert anonymous_client.get(_zip_url(study)).status_code == 200


@pytest.mark.parametrize("folder", ["raw", "../raw/", "/raw/", "raw//", "raw/./", "raw%0A/"])
def test_a_malformed_folder_answers_400_naming_the_rule(anonymous_client, study, folder):
    for name in ("study-download-zip", "study-download-list", "study-manifest", "study-ro-crate"):
        response = anonymous_client.get(reverse(name, args=[study.accession]) + f"?folder={folder}")
        assert response.status_code == 400
        assert "A folder is a path inside the study ending with" in response.content.decode()


def test_a_folder_with_no_files_is_404_and_an_unknown_list_format_400(anonymous_client, study):
    list_url = reverse("study-download-list", args=[study.accession])

    assert anonymous_client.get(_zip_url(study, folder="nothing/")).status_code == 404
    assert anonymous_client.get(list_url + "?folder=raw/pl/").status_code == 404  # a folder ends at "/"
    assert anonymous_client.get(list_url + "?format=powershell").status_code == 400


def test_a_pinned_version_downloads_that_version(anonymous_client, study):
    from archive.services.accession import study_version_add
    from tests.factories import study_metadata

    study_version_add(study=study, metadata=study_metadata("v2"), files=[stored_file("new.txt", b"new")])

    old = zipfile.ZipFile(
        io.BytesIO(_body(anonymous_client.get(reverse("study-version-download-zip", args=[study.accession, 1]))))
    )
    new = zipfile.ZipFile(io.BytesIO(_body(anonymous_client.get(_zip_url(study)))))

    assert f"{study.accession}-v1/README.txt" in old.namelist()
    assert new.namelist() == [
        f"{study.accession}-v2/new.txt",
        f"{study.accession}-v2/manifest.sha256",
        f"{study.accession}-v2/ro-crate-metadata.json",
    ]


# --- The download list, run by the real clients -----------------------------------------------


def _fetch(url: str, target: Path) -> None:
    with urllib.request.urlopen(url) as answer:
        target.write_bytes(answer.read())


def _list_url(live_server, study, **query) -> str:
    url = live_server.url + reverse("study-download-list", args=[study.accession])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _assert_checked(folder: Path, count: int) -> None:
    """The files pass `sha256sum -c` with the manifest, and the RO-Crate lies beside it, as in the ZIP."""
    check = _run("sha256sum", "-c", "manifest.sha256", cwd=folder)
    assert check.stdout.count(": OK") == count
    assert (folder / "ro-crate-metadata.json").is_file()
    own = {"manifest.sha256", "ro-crate-metadata.json"}
    assert not [p for p in folder.rglob("*") if p.is_file() and p.name not in {*own, *(Path(x).name for x in FILES)}]


@pytest.mark.django_db(transaction=True)
def test_download_list_run_by_aria2c_keeps_folders_and_passes_sha256sum(live_server, study, tmp_path):
    aria2c = _tool("aria2c")
    _fetch(_list_url(live_server, study), tmp_path / f"{study.accession}-v1.txt")

    _run(aria2c, "-q", "-i", f"{study.accession}-v1.txt", cwd=tmp_path)

    _assert_checked(tmp_path / f"{study.accession}-v1", len(FILES))


def _page_command(client, study, client_name: str, folder: str = "") -> list[str]:
    """The command the accession page shows for running a list with `client_name`."""
    page = client.get(reverse("study-detail", args=[study.accession])).content.decode()
    return _page_command_in(page, client_name)


def _page_command_in(page: str, client_name: str) -> list[str]:
    start = page.index(f"With {client_name}:")
    block = page[page.index("<code>", start) + 6 : page.index("</code>", start)]
    return html.unescape(block.splitlines()[1]).split()


@pytest.mark.django_db(transaction=True)
def test_download_list_run_by_wget_keeps_folders_and_passes_sha256sum(live_server, study, tmp_path):
    wget = _tool("wget")
    _fetch(_list_url(live_server, study, format="wget"), tmp_path / f"{study.accession}-v1.txt")
    command = _page_command(Client(), study, "wget")

    assert command[0] == "wget" and command[-1] == f"{study.accession}-v1.txt"
    _run(wget, "-nv", *command[1:], cwd=tmp_path)

    _assert_checked(tmp_path / f"{study.accession}-v1", len(FILES))


@pytest.mark.django_db(transaction=True)
def test_download_list_run_by_curl_keeps_folders_and_passes_sha256sum(live_server, study, tmp_path):
    curl = _tool("curl")
    _fetch(_list_url(live_server, study, format="curl"), tmp_path / f"{study.accession}-v1.txt")

    _run(curl, "-s", "-K", f"{study.accession}-v1.txt", cwd=tmp_path)

    _assert_checked(tmp_path / f"{study.accession}-v1", len(FILES))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("client", ["aria2c", "wget"])
def test_folder_download_list_brings_the_folder_and_its_manifest(live_server, study, tmp_path, client, settings):
    """The commands come from the page a folder too large for a ZIP answers (409), which offers its lists."""
    tool = _tool(client)
    settings.DOWNLOAD_ZIP_MAX_FILES = 0
    refusal = Client().get(_zip_url(study, folder="raw/"))
    command = _page_command_in(refusal.content.decode(), client)
    _fetch(_list_url(live_server, study, folder="raw/", format=client), tmp_path / f"{study.accession}-v1-raw.txt")

    assert refusal.status_code == 409 and command[-1] == f"{study.accession}-v1-raw.txt"
    _run(tool, "-q", *command[1:], cwd=tmp_path)

    _assert_checked(tmp_path / f"{study.accession}-v1-raw", 3)
    assert not (tmp_path / f"{study.accession}-v1-raw/README.txt").exists()
    settings.DOWNLOAD_ZIP_MAX_FILES = len(FILES)
    _fetch(live_server.url + _zip_url(study, folder="raw/"), tmp_path / "raw.zip")
    zipped = zipfile.ZipFile(tmp_path / "raw.zip").read(f"{study.accession}-v1-raw/ro-crate-metadata.json")
    assert (tmp_path / f"{study.accession}-v1-raw/ro-crate-metadata.json").read_bytes() == zipped  # the folder's crate


@pytest.mark.django_db(transaction=True)
def test_aria2c_refuses_a_file_whose_checksum_does_not_match(live_server, study, tmp_path):
    aria2c = _tool("aria2c")
    _fetch(_list_url(live_server, study), tmp_path / "list.txt")
    listed = (tmp_path / "list.txt").read_text()
    (tmp_path / "list.txt").write_text(listed.replace(f"sha-256={_sha256(FILES['README.txt'])}", "sha-256=" + "0" * 64))

    result = subprocess.run([aria2c, "-q", "-i", "list.txt"], cwd=tmp_path, capture_output=True, timeout=120)

    assert result.returncode != 0  # the list's checksums are checked, not decoration


# --- Reviewer links ------------------------------------------------------------------------------


def test_the_download_box_names_the_manifest_and_the_crate_its_lists_bring(anonymous_client, study):
    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    box = page[page.index('id="downloads"') : page.index("</details>", page.index('id="downloads"'))]

    assert "<code>manifest.sha256</code>" in box and "<code>ro-crate-metadata.json</code>" in box


def test_reviewer_link_downloads_stay_in_the_token_url_space(anonymous_client):
    owner = UserFactory()
    secret = make_study(owner=owner, status="confidential", files=[stored_file("raw/a.tif", b"A" * 100)])
    _link, token = reviewer_link_create(study=secret, actor=owner)

    zipped = anonymous_client.get(reverse("review-download-zip", args=[token]))
    listed = anonymous_client.get(reverse("review-download-list", args=[token]) + "?format=wget")
    text = _body(listed).decode()

    assert zipfile.ZipFile(io.BytesIO(_body(zipped))).namelist() == [
        f"{secret.accession}-v1/raw/a.tif",
        f"{secret.accession}-v1/manifest.sha256",
    ]
    assert f"http://testserver/review/{token}/files/raw/a.tif" in text
    assert "/studies/" not in text and "ro-crate" not in text  # no crate, as in the link's ZIP
    page = anonymous_client.get(reverse("review", args=[token])).content.decode()
    assert f"http://testserver/review/{token}/download-list.txt?format=wget" in page
    assert _page_command_in(page, "wget")[:4] == ["wget", "-x", "-nH", "--cut-dirs=3"]
    assert "ro-crate-metadata.json" not in page  # the box names only what the link's lists bring
    assert zipped["X-Robots-Tag"] == listed["X-Robots-Tag"] == "noindex"
    assert "no-store" in zipped["Cache-Control"]
    assert anonymous_client.get(reverse("review-download-zip", args=["x" * 30])).status_code == 404


# --- S3 storage ---------------------------------------------------------------------------------


def test_s3_zip_streams_from_the_object_store(s3_archive, anonymous_client):
    study = make_study(files=[stored_file(path, content) for path, content in FILES.items()])

    archive = zipfile.ZipFile(io.BytesIO(_body(anonymous_client.get(_zip_url(study)))))

    assert archive.testzip() is None
    assert archive.read(f"{study.accession}-v1/raw/plate 1/cell_01.tif") == FILES["raw/plate 1/cell_01.tif"]


@pytest.mark.django_db(transaction=True)
def test_s3_download_list_carries_presigned_urls_that_aria2c_runs(s3_archive, live_server, tmp_path):
    aria2c = _tool("aria2c")
    study = make_study(files=[stored_file(path, content) for path, content in FILES.items()])
    _fetch(_list_url(live_server, study), tmp_path / f"{study.accession}-v1.txt")
    listed = (tmp_path / f"{study.accession}-v1.txt").read_text()

    assert listed.count("X-Amz-Signature=") == len(FILES)
    assert "X-Amz-Expires=604800" in listed
    _run(aria2c, "-q", "-i", f"{study.accession}-v1.txt", cwd=tmp_path)
    _assert_checked(tmp_path / f"{study.accession}-v1", len(FILES))


# --- The API --------------------------------------------------------------------------------------


def test_api_study_and_version_detail_link_their_downloads(anonymous_client, study):
    detail = anonymous_client.get(reverse("api-study-detail", args=[study.accession])).json()
    version = anonymous_client.get(reverse("api-study-version", args=[study.accession, 1])).json()

    assert detail["download_zip_url"] == f"http://testserver/studies/{study.accession}/download.zip"
    assert detail["download_list_url"] == f"http://testserver/studies/{study.accession}/download-list.txt"
    assert version["download_zip_url"] == f"http://testserver/studies/{study.accession}/v1/download.zip"
    assert version["download_list_url"] == f"http://testserver/studies/{study.accession}/v1/download-list.txt"
    assert anonymous_client.get(version["download_zip_url"]).status_code == 200
