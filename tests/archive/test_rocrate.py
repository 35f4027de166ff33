"""RO-Crate metadata of a study version (issue 14): loaded back by the `rocrate` package, files with their checksums."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rocrate.rocrate import ROCrate

from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


def _crate(client, study, tmp_path, version=None):
    """Fetch the crate, drop it in a folder and load that folder back with `rocrate`."""
    name = "study-ro-crate" if version is None else "study-version-ro-crate"
    args = [study.accession] if version is None else [study.accession, version]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/ld+json")
    body = b"".join(response.streaming_content)
    (tmp_path / "ro-crate-metadata.json").write_bytes(body)
    return json.loads(body), ROCrate(tmp_path)


def test_the_crate_loads_back_and_describes_the_dataset(anonymous_client, tmp_path):
    study = make_study()

    document, crate = _crate(anonymous_client, study, tmp_path)

    assert document["@context"] == "https://w3id.org/ro/crate/1.2/context"
    root = crate.root_dataset
    assert root["name"] == "Mitochondrial dynamics in HeLa cells"
    assert root["identifier"] == study.accession
    assert root["datePublished"] == study.release_date.isoformat()
    assert root["url"] == f"http://testserver/studies/{study.accession}/v1/"
    authors = root["author"]
    assert [author["name"] for author in authors] == ["Ada Lovelace", "Rosalind Franklin"]
    assert authors[0].id == "https://orcid.org/0000-0002-1825-0097"
    assert root["license"].id == study.licence.url
    assert root["citation"].id == "https://doi.org/10.1038/s41592-021-01234-5"


def test_the_crate_lists_each_file_by_its_relative_path_with_size_type_and_sha256(anonymous_client, tmp_path):
    tiff = stored_file("raw/plate 1/cell_01.tif", b"TIFF pixels", attributes={"stain": "DAPI", "well": "A1"})
    study = make_study(files=[tiff, stored_file("README.txt", b"About")])

    _document, crate = _crate(anonymous_client, study, tmp_path)

    files = {entity.id: entity for entity in crate.get_entities() if entity.type == "File"}
    assert set(files) == {"raw/plate%201/cell_01.tif", "README.txt"}
    assert {part.id for part in crate.root_dataset["hasPart"]} == set(files)
    image = files["raw/plate%201/cell_01.tif"]
    assert image["contentSize"] == str(len(b"TIFF pixels"))
    assert image["encodingFormat"] == "image/tiff"
    assert image["sha256"] == tiff.sha256
    prefix = f"http://testserver/studies/{study.accession}/v1/files/"
    assert image["contentUrl"] == prefix + quote("raw/plate 1/cell_01.tif")
    assert {(value["name"], value["value"]) for value in image["additionalProperty"]} == {
        ("stain", "DAPI"),
        ("well", "A1"),
    }
    assert anonymous_client.get(image["contentUrl"]).status_code == 200


def test_p_remove_removed_files_are_left_out_of_the_crate(anonymous_client, tmp_path):
    study = make_study(files=[stored_file("kept.tif", b"kept"), stored_file("gone.tif", b"gone!")])
    files_set_status(
        version=study.versions.get(),
        paths=["gone.tif"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )

    document, crate = _crate(anonymous_client, study, tmp_path, version=1)

    assert [entity.id for entity in crate.get_entities() if entity.type == "File"] == ["kept.tif"]
    assert "gone.tif" not in json.dumps(document)


def test_the_crate_reads_the_same_queries_whatever_the_number_of_files(anonymous_client, tmp_path):
    """Files are read by two chunked iterations, never one query per file nor all at once."""

    def queries(count: int) -> int:
        study = make_study(files=[stored_file(f"f{n:04d}.txt", b"x%d" % n) for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            response = anonymous_client.get(reverse("study-ro-crate", args=[study.accession]))
            entities = json.loads(b"".join(response.streaming_content))["@graph"]
        assert sum(entity["@type"] == "File" for entity in entities) == count
        return len(captured.captured_queries)

    assert queries(3) == queries(250)


@pytest.mark.parametrize("status", ["confidential", "removed"])
def test_p_remove_the_crate_of_a_study_the_public_may_not_see_is_not_served(anonymous_client, status):
    study = make_study(status=status)

    response = anonymous_client.get(reverse("study-ro-crate", args=[study.accession]))

    assert response.status_code == {"confidential": 404, "removed": 410}[status]


def test_the_crate_of_a_confidential_study_is_served_to_its_owner_privately(submitter_client, submitter, tmp_path):
    study = make_study(owner=submitter, status="confidential")

    response = submitter_client.get(reverse("study-ro-crate", args=[study.accession]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_the_accession_page_signposts_and_links_its_crate_and_croissant(anonymous_client):
    from requests.utils import parse_header_links

    study = make_study()
    base = f"http://testserver/studies/{study.accession}"

    response = anonymous_client.get(reverse("study-detail", args=[study.accession]))

    profiles = {
        link["profile"]: link["url"]
        for link in parse_header_links(response["Link"])
        if link["rel"] == "describedby" and "profile" in link
    }
    assert profiles == {
        "https://w3id.org/ro/crate/1.2": f"{base}/ro-crate-metadata.json",
        "http://mlcommons.org/croissant/1.0": f"{base}/croissant.json",
    }
    page = response.content.decode()
    for name in ("study-version-ro-crate", "study-version-croissant", "study-version-files-csv"):
        assert f'href="{reverse(name, args=[study.accession, 1])}"' in page
