"""ML Croissant description of a study version (issue 14): validated by `mlcroissant`, its files a record set."""

import csv
import io
import json
import urllib.request

import mlcroissant
import pytest
from django.urls import reverse

from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


def _files():
    return [
        stored_file("raw/plate 1/cell_01.tif", b"TIFF pixels", attributes={"stain": "DAPI", "well": "A1"}),
        stored_file("README.txt", b"About"),
    ]


def _document(client, study, version=None) -> dict:
    name, args = (
        ("study-croissant", [study.accession])
        if version is None
        else ("study-version-croissant", [study.accession, version])
    )
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


def test_the_description_passes_mlcroissant_and_describes_the_dataset(anonymous_client):
    study = make_study(files=_files())

    document = _document(anonymous_client, study)
    dataset = mlcroissant.Dataset(jsonld=document)

    metadata = dataset.metadata
    assert not metadata.ctx.issues.errors and not metadata.ctx.issues.warnings
    assert not metadata.ctx.is_v0() and not metadata.ctx.is_v1_1()
    assert metadata.name == study.accession
    assert metadata.url == f"http://testserver/studies/{study.accession}/v1/"
    assert metadata.license == [study.licence.url]
    assert document["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert document["citeAs"].startswith("@")
    assert [creator["@id"] for creator in document["creator"] if "@id" in creator] == [
        "https://orcid.org/0000-0002-1825-0097"
    ]
    listing, *files = document["distribution"]
    assert listing["contentUrl"] == f"http://testserver/studies/{study.accession}/v1/files.csv"
    assert {file["name"] for file in files} == {"raw/plate 1/cell_01.tif", "README.txt"}
    assert [field["name"] for field in document["recordSet"][0]["field"]] == [
        "path",
        "url",
        "size",
        "sha256",
        "content_type",
        "attributes",
    ]


def test_the_listing_has_every_file_and_its_sha256_is_the_descriptions(anonymous_client):
    import hashlib

    study = make_study(files=_files())
    document = _document(anonymous_client, study)

    response = anonymous_client.get(reverse("study-files-csv", args=[study.accession]))
    body = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert hashlib.sha256(body).hexdigest() == document["distribution"][0]["sha256"]
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [row["path"] for row in rows] == ["README.txt", "raw/plate 1/cell_01.tif"]
    image = rows[1]
    assert image["url"] == f"http://testserver/studies/{study.accession}/v1/files/raw/plate%201/cell_01.tif"
    assert image["size"] == str(len(b"TIFF pixels"))
    assert image["content_type"] == "image/tiff"
    assert json.loads(image["attributes"]) == {"stain": "DAPI", "well": "A1"}


def test_p_remove_removed_files_leave_the_listing_and_its_checksum_follows(anonymous_client):
    study = make_study(files=[stored_file("kept.tif", b"kept"), stored_file("gone.tif", b"gone!")])
    before = _document(anonymous_client, study)["distribution"][0]["sha256"]
    files_set_status(
        version=study.versions.get(),
        paths=["gone.tif"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )

    document = _document(anonymous_client, study, version=1)
    body = b"".join(anonymous_client.get(reverse("study-files-csv", args=[study.accession])).streaming_content)

    assert "gone.tif" not in json.dumps(document)
    assert b"gone.tif" not in body
    assert document["distribution"][0]["sha256"] != before


@pytest.mark.django_db(transaction=True)
def test_mlcroissant_loads_the_files_as_records_from_the_live_portal(live_server, tmp_path, monkeypatch):
    study = make_study(files=_files())
    url = live_server.url + reverse("study-croissant", args=[study.accession])
    monkeypatch.setenv("CROISSANT_CACHE", str(tmp_path))

    with urllib.request.urlopen(url) as answer:
        document = json.load(answer)
    records = list(mlcroissant.Dataset(jsonld=document).records("files"))

    by_path = {record["files/path"].decode(): record for record in records}
    assert set(by_path) == {"README.txt", "raw/plate 1/cell_01.tif"}
    image = by_path["raw/plate 1/cell_01.tif"]
    assert image["files/size"] == len(b"TIFF pixels")
    assert image["files/content_type"].decode() == "image/tiff"
    with urllib.request.urlopen(image["files/url"].decode()) as answer:
        assert answer.read() == b"TIFF pixels"


@pytest.mark.parametrize("name", ["study-croissant", "study-files-csv"])
@pytest.mark.parametrize("status", ["confidential", "removed"])
def test_p_remove_croissant_of_a_study_the_public_may_not_see_is_not_served(anonymous_client, status, name):
    study = make_study(status=status)

    response = anonymous_client.get(reverse(name, args=[study.accession]))

    assert response.status_code == {"confidential": 404, "removed": 410}[status]


def test_croissant_of_a_confidential_study_is_served_to_its_owner_privately(submitter_client, submitter):
    study = make_study(owner=submitter, status="confidential")

    response = submitter_client.get(reverse("study-croissant", args=[study.accession]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    mlcroissant.Dataset(jsonld=response.json())
