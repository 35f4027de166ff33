"""The RO-Crate inside download.zip (issue 14 item 4, issue 13 item 3): the unzipped folder loads as a crate with the
`rocrate` package, each File entity naming a file of the ZIP by its relative path, with its size and SHA-256."""

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rocrate.rocrate import ROCrate

from archive.services.access import reviewer_link_create
from archive.services.status import files_set_status
from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db

FILES = {
    "raw/plate 1/cell_01.tif": b"TIFF pixels of cell 01" * 50,
    "raw/zellő Ā.tif": b"non-ASCII name",
    "raw/100% #1?.txt": b"characters a URI reference escapes",
    "analysis/tracks.csv": b"frame,x,y\n1,2,3\n",
    "README.txt": b"About this study",
}


@pytest.fixture
def study():
    return make_study(files=[stored_file(path, content) for path, content in FILES.items()])


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _zip(client, url: str) -> tuple[object, zipfile.ZipFile]:
    response = client.get(url)
    assert response.status_code == 200, response
    body = _body(response)
    assert response["Content-Length"] == str(len(body))  # sized up front, the crate included
    return response, zipfile.ZipFile(io.BytesIO(body))


def _assert_crate_describes_its_files(folder: Path, expected: dict[str, bytes]) -> ROCrate:
    """Load `folder` with `rocrate`: every File entity is a file there whose bytes match its size and sha256."""
    crate = ROCrate(folder)
    files = [entity for entity in crate.get_entities() if entity.type == "File"]
    assert {entity.id for entity in files} == {quote(path) for path in expected}
    assert {part.id for part in crate.root_dataset["hasPart"]} == {entity.id for entity in files}
    for entity in files:
        content = Path(entity.source).read_bytes()  # rocrate resolves the @id against the crate's folder
        assert Path(entity.source).relative_to(folder).as_posix() in expected
        assert entity["contentSize"] == str(len(content))
        assert entity["sha256"] == hashlib.sha256(content).hexdigest()
    return crate


def test_the_zip_unzipped_by_zipfile_is_an_ro_crate_of_its_files(anonymous_client, study, tmp_path):
    _response, archive = _zip(anonymous_client, reverse("study-download-zip", args=[study.accession]))
    archive.extractall(tmp_path)

    root = tmp_path / f"{study.accession}-v1"
    crate = _assert_crate_describes_its_files(root, FILES)

    assert crate.root_dataset["identifier"] == study.accession
    standalone = anonymous_client.get(reverse("study-version-ro-crate", args=[study.accession, 1]))
    assert (root / "ro-crate-metadata.json").read_bytes() == _body(standalone)  # the same document


def test_the_zip_unzipped_by_debian_unzip_is_an_ro_crate_of_its_files(anonymous_client, study, tmp_path):
    unzip = shutil.which("unzip")
    if unzip is None:
        pytest.skip("unzip is not installed (apt-get install unzip)")
    response = anonymous_client.get(reverse("study-download-zip", args=[study.accession]))
    (tmp_path / "study.zip").write_bytes(_body(response))

    subprocess.run([unzip, "-q", "study.zip"], cwd=tmp_path, check=True, capture_output=True, timeout=60)

    _assert_crate_describes_its_files(tmp_path / f"{study.accession}-v1", FILES)


def test_a_folder_zip_carries_the_crate_of_that_folders_files_under_their_full_paths(anonymous_client, study, tmp_path):
    url = reverse("study-version-download-zip", args=[study.accession, 1]) + "?folder=raw/"
    _response, archive = _zip(anonymous_client, url)
    archive.extractall(tmp_path)

    in_folder = {path: content for path, content in FILES.items() if path.startswith("raw/")}
    _assert_crate_describes_its_files(tmp_path / f"{study.accession}-v1-raw", in_folder)


def test_p_remove_the_zips_crate_leaves_removed_files_out(anonymous_client, study, tmp_path):
    files_set_status(
        version=study.versions.get(),
        paths=["README.txt"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )

    _response, archive = _zip(anonymous_client, reverse("study-download-zip", args=[study.accession]))
    archive.extractall(tmp_path)

    kept = {path: content for path, content in FILES.items() if path != "README.txt"}
    _assert_crate_describes_its_files(tmp_path / f"{study.accession}-v1", kept)


def test_a_studys_own_ro_crate_metadata_file_is_kept_and_no_second_one_added_or_listed(anonymous_client):
    own = b'{"@context": "https://w3id.org/ro/crate/1.1/context", "@graph": []}'
    study = make_study(files=[stored_file("ro-crate-metadata.json", own), stored_file("a.txt", b"a")])

    _response, archive = _zip(anonymous_client, reverse("study-download-zip", args=[study.accession]))

    names = archive.namelist()
    assert names.count(f"{study.accession}-v1/ro-crate-metadata.json") == 1
    assert archive.read(f"{study.accession}-v1/ro-crate-metadata.json") == own
    # The download list, which fetches the crate beside the files as the ZIP holds it, leaves it out alike.
    listed = _body(anonymous_client.get(reverse("study-download-list", args=[study.accession]))).decode()
    assert listed.count(f"out={study.accession}-v1/ro-crate-metadata.json") == 1
    assert f"/v1/files/ro-crate-metadata.json\n  out={study.accession}-v1/ro-crate-metadata.json" in listed


def test_a_reviewer_links_zip_carries_no_crate(anonymous_client):
    """The crate names the authors (an anonymised link hides them) and addresses a reviewer cannot open."""
    owner = UserFactory()
    secret = make_study(owner=owner, status="confidential", files=[stored_file("raw/a.tif", b"A")])
    _link, token = reviewer_link_create(study=secret, actor=owner, anonymised=True)

    _response, archive = _zip(anonymous_client, reverse("review-download-zip", args=[token]))

    assert archive.namelist() == [f"{secret.accession}-v1/raw/a.tif", f"{secret.accession}-v1/manifest.sha256"]


def test_a_study_exactly_at_the_zip_limit_is_offered_the_zip_and_gets_it(anonymous_client, study, settings):
    """The limit is on the files' bytes, by which the page offers the ZIP; the manifest and crate are not counted."""
    page_url, zip_url = (reverse(name, args=[study.accession]) for name in ("study-detail", "study-download-zip"))
    files_bytes = sum(map(len, FILES.values()))

    settings.DOWNLOAD_ZIP_MAX_BYTES = files_bytes
    offered = "Download all (ZIP" in anonymous_client.get(page_url).content.decode()
    _response, archive = _zip(anonymous_client, zip_url)  # served, not refused
    settings.DOWNLOAD_ZIP_MAX_BYTES = files_bytes - 1
    withheld = "Download all (ZIP" not in anonymous_client.get(page_url).content.decode()

    assert offered
    assert sum(info.file_size for info in archive.infolist()) > files_bytes  # the manifest and crate ride along
    assert withheld and anonymous_client.get(zip_url).status_code == 409


def test_the_zip_with_its_crate_reads_the_same_queries_whatever_the_number_of_files(anonymous_client):
    def queries(count: int) -> int:
        study = make_study(files=[stored_file(f"f{n:04d}.txt", b"x%d" % n) for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            response = anonymous_client.get(reverse("study-download-zip", args=[study.accession]))
            names = zipfile.ZipFile(io.BytesIO(_body(response))).namelist()
        assert len(names) == count + 2
        return len(captured.captured_queries)

    assert queries(3) == queries(250)
