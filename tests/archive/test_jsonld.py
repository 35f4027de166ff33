"""The schema.org Dataset JSON-LD of accession and version pages, and their canonical links."""

import hashlib
import json
import re

import pytest
from django.urls import reverse

from archive.jsonld import DISTRIBUTION_FILES_MAX
from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

DATASET_KEYS = {
    "@context",
    "@type",
    "@id",
    "name",
    "description",
    "identifier",
    "url",
    "license",
    "creator",
    "datePublished",
    "dateModified",
    "keywords",
    "version",
    "isAccessibleForFree",
    "includedInDataCatalog",
    "distribution",
}
DOWNLOAD_KEYS = {"@type", "name", "contentUrl", "encodingFormat"}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _jsonld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1, "one JSON-LD block per page"
    return json.loads(scripts[0])


def _canonical(html: str) -> str | None:
    links = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    assert len(links) <= 1
    return links[0] if links else None


def _downloads(dataset: dict) -> dict[str, dict]:
    return {entry["name"]: entry for entry in dataset["distribution"]}


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_jsonld_has_the_dataset_shape(anonymous_client):
    study = make_study()

    dataset = _jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession])))

    assert dataset.keys() >= DATASET_KEYS
    assert dataset["@context"] == "https://schema.org"
    assert dataset["@type"] == "Dataset"
    assert all(entry["@type"] == "DataDownload" and entry.keys() >= DOWNLOAD_KEYS for entry in dataset["distribution"])
    assert all(person["@type"] == "Person" and person["name"] for person in dataset["creator"])


def test_jsonld_gives_an_authors_orcid_as_same_as(anonymous_client):
    study = make_study()

    creators = _jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession])))["creator"]

    with_orcid, without_orcid = creators
    assert with_orcid["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert with_orcid["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert "sameAs" not in without_orcid


def test_jsonld_distribution_lists_each_file_and_the_manifest(anonymous_client):
    content = b"TIFF pixels " * 100
    study = make_study(files=[stored_file("images/cell 01.tif", content), stored_file("README.txt", b"About")])

    downloads = _downloads(_jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession]))))

    assert set(downloads) == {"images/cell 01.tif", "README.txt", "SHA-256 manifest of the files"}
    image = downloads["images/cell 01.tif"]
    assert image["encodingFormat"] == "image/tiff"
    assert image["contentSize"] == f"{len(content)} B"
    assert downloads["README.txt"]["encodingFormat"] == "text/plain"
    # Every contentUrl is a working download of exactly those bytes.
    assert _body(anonymous_client.get(image["contentUrl"])) == content
    manifest = _body(anonymous_client.get(downloads["SHA-256 manifest of the files"]["contentUrl"])).decode()
    assert f"{hashlib.sha256(content).hexdigest()}  images/cell 01.tif" in manifest


def test_jsonld_distribution_of_a_large_study_lists_only_the_manifest(anonymous_client):
    files = [stored_file(f"plate/{n:04d}.tif", f"well {n}".encode()) for n in range(DISTRIBUTION_FILES_MAX + 1)]
    study = make_study(files=files)

    downloads = _downloads(_jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession]))))

    assert list(downloads) == ["SHA-256 manifest of the files"]


def test_p_remove_and_p_obsolete_jsonld_distribution_lists_only_active_files(anonymous_client):
    study = make_study(
        files=[stored_file("kept.tif", b"kept"), stored_file("old.tif", b"old"), stored_file("gone.tif", b"gone")]
    )
    version = study.versions.first()
    files_set_status(
        version=version, paths=["old.tif"], status="obsolete", actor=make_curator(), reason_category="error"
    )
    files_set_status(
        version=version, paths=["gone.tif"], status="removed", actor=make_curator(), reason_category="retraction"
    )

    html = _page(anonymous_client, reverse("study-detail", args=[study.accession]))

    assert set(_downloads(_jsonld(html))) == {"kept.tif", "SHA-256 manifest of the files"}
    assert "gone.tif" not in html


def test_jsonld_and_canonical_of_an_older_version_describe_that_version(anonymous_client):
    study = make_study(title="First title", files=[stored_file("first.tif", b"first")])
    study_version_add(study=study, metadata=study_metadata("Second title"), files=[stored_file("b.tif", b"b")])
    version_url = f"http://testserver/studies/{study.accession}/v1/"

    html = _page(anonymous_client, reverse("study-version", args=[study.accession, 1]))
    dataset = _jsonld(html)

    # Version 1 differs from the newest version, so it is its own canonical page (not a duplicate of the study page).
    assert _canonical(html) == version_url
    assert dataset["@id"] == version_url
    assert dataset["url"] == version_url
    assert dataset["version"] == "1"
    assert dataset["name"] == "First title"
    assert set(_downloads(dataset)) == {"first.tif", "SHA-256 manifest of the files"}
    assert _downloads(dataset)["first.tif"]["contentUrl"] == f"{version_url}files/first.tif"


def test_jsonld_and_canonical_of_the_newest_version_point_to_the_study_page(anonymous_client):
    study = make_study(title="First title")
    study_version_add(study=study, metadata=study_metadata("Second title"), files=[stored_file("b.tif", b"b")])
    study_url = f"http://testserver/studies/{study.accession}/"

    pinned = _page(anonymous_client, reverse("study-version", args=[study.accession, 2]))
    newest = _page(anonymous_client, reverse("study-detail", args=[study.accession]))

    # /v2/ shows what /studies/<acc>/ shows: one canonical page for both, described alike.
    assert _canonical(pinned) == study_url
    assert _jsonld(pinned) == _jsonld(newest)
    assert _jsonld(newest)["@id"] == study_url
    assert _jsonld(newest)["version"] == "2"
    assert _jsonld(newest)["name"] == "Second title"


def test_metadata_jsonld_cites_the_publication_by_its_doi(anonymous_client):
    study = make_study(publication_doi="10.1038/s41592-021-01234-5")

    dataset = _jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession])))

    assert dataset["citation"] == {
        "@type": "ScholarlyArticle",
        "@id": "https://doi.org/10.1038/s41592-021-01234-5",
        "identifier": "https://doi.org/10.1038/s41592-021-01234-5",
        "url": "https://doi.org/10.1038/s41592-021-01234-5",
    }


def test_metadata_jsonld_of_a_study_without_publication_cites_nothing(anonymous_client):
    study = make_study(publication_doi="", no_publication_reason="A reference atlas.")

    dataset = _jsonld(_page(anonymous_client, reverse("study-detail", args=[study.accession])))

    assert "citation" not in dataset
