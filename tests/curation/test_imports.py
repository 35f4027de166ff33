"""Imports of brokered datasets from a manifest (P-LICENCE): command, admin form and service."""

import datetime
import hashlib
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from archive.models import Study, StudyStatus
from archive.storage import archive_storage, content_key
from core.errors import NotAllowed
from core.models import CurationEvent
from curation.services.import_manifest import ManifestRefused
from curation.services.imports import study_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/curation/importedstudy/import/"


@pytest.fixture
def incoming(settings, tmp_path) -> Path:
    """A folder imports may read from, holding the files of the dataset to import."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    settings.IMPORT_LOCAL_ROOTS = [folder]
    return folder


def _file(folder: Path, path: str, content: bytes, **overrides) -> dict:
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_bytes(content)
    entry = {
        "path": path,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "location": str(folder / path),
    }
    return entry | overrides


def _manifest(files: list[dict], **overrides) -> dict:
    manifest = {
        "source": "EMPIAR",
        "source_id": "EMPIAR-10001",
        "licence": "CC-BY-4.0",
        "release_date": "2015-03-01",
        "metadata": {
            "title": "Cryo-EM of the 80S ribosome",
            "description": "Single-particle dataset brokered from EMPIAR.",
            "authors": [{"name": "Ada Lovelace", "orcid": "0000-0002-1825-0097"}],
            "organism": "Plasmodium falciparum",
            "imaging_method": "cryo-electron microscopy",
            "keywords": ["ribosome"],
        },
        "files": files,
    }
    return manifest | overrides


def _good_files(folder: Path) -> list[dict]:
    return [
        _file(folder, "data/particles.mrcs", b"MRC particle stack " * 1000),
        _file(folder, "README.txt", b"About this dataset"),
    ]


def _stored_objects() -> list[str]:
    root = Path(archive_storage().location)
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


def _problems(refused: ManifestRefused) -> dict[str, str]:
    return {problem.field: f"{problem.message} [{problem.rule}]" for problem in refused.problems}


# --- Licence and source shown everywhere --------------------------------------------------


def test_p_licence_cc_by_import_shows_licence_and_source_on_page_api_and_jsonld(curator, incoming, anonymous_client):
    result = study_import(actor=curator, manifest=_manifest(_good_files(incoming)))

    study = result.study
    assert result.created and result.version.number == 1
    assert (study.licence.spdx_id, study.source, study.source_id) == ("CC-BY-4.0", "EMPIAR", "EMPIAR-10001")
    assert study.owner == curator  # no owner in the manifest: the importing curator
    assert study.status == StudyStatus.RELEASED  # its source released it in 2015
    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    assert "Creative Commons Attribution 4.0 International" in page
    assert "EMPIAR-10001" in page
    api = anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()
    assert (api["licence"], api["source"], api["source_id"]) == ("CC-BY-4.0", "EMPIAR", "EMPIAR-10001")
    assert api["files_count"] == 2
    jsonld = _jsonld(page)
    assert jsonld["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert jsonld["isBasedOn"]["identifier"] == "EMPIAR-10001"
    assert jsonld["isBasedOn"]["provider"]["name"] == "EMPIAR"
    event = CurationEvent.objects.get(action="study.imported")
    assert (event.actor, event.study, event.target_id) == (curator, study, study.accession)
    assert event.data["licence"] == "CC-BY-4.0" and event.data["version"] == 1 and event.data["files"] == 2


def test_p_licence_import_stores_files_content_addressed_with_checksums(curator, incoming):
    files = _good_files(incoming)
    study = study_import(actor=curator, manifest=_manifest(files)).study

    stored = {f.path: f for f in study.versions.get().files.all()}
    for entry in files:
        assert stored[entry["path"]].sha256 == entry["sha256"]
        assert stored[entry["path"]].storage_key == content_key(entry["sha256"])
        with archive_storage().open(content_key(entry["sha256"]), "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == entry["sha256"]


def test_p_licence_reimport_of_the_same_source_id_makes_version_2_of_the_same_study(curator, incoming):
    first = study_import(actor=curator, manifest=_manifest(_good_files(incoming))).study
    files = [*_good_files(incoming), _file(incoming, "data/extra.mrcs", b"more particles")]
    manifest = _manifest(files)
    manifest["metadata"]["title"] = "Cryo-EM of the 80S ribosome (reprocessed)"

    result = study_import(actor=curator, manifest=manifest)

    assert not result.created
    assert result.study.pk == first.pk and Study.objects.count() == 1
    assert result.version.number == 2 and result.version.files.count() == 3
    assert first.versions.get(number=1).files.count() == 2  # version 1 stays as it was (P-PERMANENT)
    result.study.refresh_from_db()
    assert result.study.title == "Cryo-EM of the 80S ribosome (reprocessed)"
    assert list(CurationEvent.objects.filter(action="study.imported").values_list("data__version", flat=True)) == [
        2,
        1,
    ]


def test_p_licence_reimport_cannot_change_the_licence(curator, incoming):
    study_import(actor=curator, manifest=_manifest(_good_files(incoming)))

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=_manifest(_good_files(incoming), licence="CC0-1.0"))

    assert "cannot change it" in _problems(refused.value)["licence"]
    assert Study.objects.get().versions.count() == 1


def test_p_licence_import_names_its_owner(curator, incoming, submitter):
    study = study_import(actor=curator, manifest=_manifest(_good_files(incoming), owner="submitter")).study

    assert study.owner == submitter


# --- Refused whole, nothing stored --------------------------------------------------------


@pytest.mark.parametrize(
    "broken, field, says",
    [
        ("wrong_checksum", "files[1].sha256", "does not match"),
        ("unknown_licence", "licence", "Unknown licence “CC-BY-9.9”"),
        ("missing_file", "files[1].location", "does not exist"),
    ],
)
def test_p_licence_bad_manifest_refused_whole_nothing_stored(curator, incoming, broken, field, says):
    files = _good_files(incoming)
    overrides = {}
    if broken == "wrong_checksum":
        files[1]["sha256"] = hashlib.sha256(b"something else").hexdigest()
    elif broken == "unknown_licence":
        overrides["licence"] = "CC-BY-9.9"
    else:
        files[1]["location"] = str(incoming / "not-there.txt")

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=_manifest(files, **overrides))

    assert list(_problems(refused.value)) == [field]
    assert says in _problems(refused.value)[field]
    assert Study.objects.count() == 0
    assert _stored_objects() == []  # the good file read before the bad one was taken back out
    assert not CurationEvent.objects.exists()


def test_p_licence_refusal_lists_every_problem_at_once(curator, incoming):
    files = [
        _file(incoming, "good.txt", b"fine"),
        _file(incoming, "bad-sum.txt", b"bytes", sha256="0" * 64),
        _file(incoming, "short.txt", b"twelve bytes", size=99),
        _file(incoming, "../escape.txt", b"fine", location=str(incoming / "good.txt")),
        _file(incoming, "dup.txt", b"one"),
        _file(incoming, "dup.txt", b"one"),
        {"path": "absent.txt", "size": 1, "sha256": "a" * 64, "location": str(incoming / "absent.txt")},
        {"path": "no-location.txt", "size": "big", "sha256": "xyz"},
    ]
    manifest = _manifest(files, licence="Beerware", release_date="someday")
    del manifest["source_id"]
    del manifest["metadata"]["title"]
    manifest["metadata"]["authors"] = []

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=manifest)

    problems = _problems(refused.value)
    assert set(problems) == {
        "metadata.title",
        "metadata.authors",
        "source_id",
        "licence",
        "release_date",
        "files[1].sha256",
        "files[2].location",
        "files[3].path",
        "files[5].path",
        "files[6].location",
        "files[7].size",
        "files[7].sha256",
        "files[7].location",
    }
    assert "[P-LICENCE]" in problems["licence"]
    assert "[P-INTEGRITY]" in problems["files[1].sha256"]
    assert "has 12 bytes, not 99" in problems["files[2].location"]
    assert "'..'" in problems["files[3].path"]
    assert "listed twice" in problems["files[5].path"]
    assert refused.value.message == "The manifest was refused with 13 problems; nothing was stored."
    assert Study.objects.count() == 0 and _stored_objects() == []


# The same study-metadata contract (METADATA) as a submission's: a wrong ORCID or DOI is refused, naming the field.


def test_import_metadata_refuses_a_bad_orcid(curator, incoming):
    manifest = _manifest(_good_files(incoming))
    manifest["metadata"]["authors"] = [{"name": "Ada Lovelace", "orcid": "0000-0002-1825-0098"}]  # wrong check digit

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=manifest)

    problems = _problems(refused.value)
    assert set(problems) == {"metadata.authors"}
    assert "check digit does not match" in problems["metadata.authors"]
    assert problems["metadata.authors"].endswith("[METADATA]")
    assert Study.objects.count() == 0 and _stored_objects() == []


def test_import_metadata_refuses_a_malformed_doi(curator, incoming):
    manifest = _manifest(_good_files(incoming))
    manifest["metadata"]["publication_doi"] = "not-a-doi/10.1038"

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=manifest)

    problems = _problems(refused.value)
    assert set(problems) == {"metadata.publication_doi"}
    assert problems["metadata.publication_doi"] == "Enter a DOI such as 10.1038/s41592-021-01234-5. [METADATA]"
    assert Study.objects.count() == 0 and _stored_objects() == []


def test_p_licence_local_files_only_from_the_import_folders(curator, incoming, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    files = [_file(outside, "secret.txt", b"not for import")]

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=_manifest(files))

    assert "outside the folders imports may read" in _problems(refused.value)["files[0].location"]
    assert _stored_objects() == []


def test_p_licence_import_reads_files_from_s3(curator, s3_archive, settings):
    content = b"EMPIAR movie frames " * 5000
    s3_archive.client.put_object(Bucket=s3_archive.bucket, Key="incoming/EMPIAR-10001/movie.tif", Body=content)
    sha256 = hashlib.sha256(content).hexdigest()
    files = [
        {
            "path": "movies/movie.tif",
            "size": len(content),
            "sha256": sha256,
            "location": f"s3://{s3_archive.bucket}/incoming/EMPIAR-10001/movie.tif",
        }
    ]

    study = study_import(actor=curator, manifest=_manifest(files)).study

    stored = s3_archive.client.get_object(Bucket=s3_archive.bucket, Key=content_key(sha256))["Body"].read()
    assert stored == content
    assert study.versions.get().files.get().storage_key == content_key(sha256)


def test_p_licence_s3_wrong_checksum_and_missing_key_refused_nothing_stored(curator, s3_archive):
    s3_archive.client.put_object(Bucket=s3_archive.bucket, Key="incoming/a.tif", Body=b"frames")
    files = [
        {"path": "a.tif", "size": 6, "sha256": "1" * 64, "location": f"s3://{s3_archive.bucket}/incoming/a.tif"},
        {"path": "b.tif", "size": 6, "sha256": "2" * 64, "location": f"s3://{s3_archive.bucket}/incoming/b.tif"},
    ]

    with pytest.raises(ManifestRefused) as refused:
        study_import(actor=curator, manifest=_manifest(files))

    assert set(_problems(refused.value)) == {"files[0].sha256", "files[1].location"}
    keys = [o["Key"] for o in s3_archive.client.list_objects_v2(Bucket=s3_archive.bucket).get("Contents", [])]
    assert keys == ["incoming/a.tif"]


def test_p_licence_only_curators_import(submitter, incoming):
    with pytest.raises(NotAllowed) as refused:
        study_import(actor=submitter, manifest=_manifest(_good_files(incoming)))

    assert refused.value.status == 403
    assert Study.objects.count() == 0


# --- The command --------------------------------------------------------------------------


def test_p_licence_import_study_command_reads_relative_locations_from_the_manifest_folder(curator, incoming):
    files = _good_files(incoming)
    for entry in files:
        entry["location"] = entry["path"]
    (incoming / "manifest.json").write_text(json.dumps(_manifest(files)))
    out = io.StringIO()

    call_command("import_study", str(incoming / "manifest.json"), "--curator", "curator", stdout=out)

    study = Study.objects.get()
    assert f"Imported as {study.accession} v1 (EMPIAR EMPIAR-10001, CC-BY-4.0, 2 files" in out.getvalue()
    assert CurationEvent.objects.get(action="study.imported").actor == curator

    call_command("import_study", str(incoming / "manifest.json"), "--curator", "curator", stdout=out)
    assert f"Re-imported: new version of {study.accession} v2" in out.getvalue()


def test_p_licence_import_study_command_lists_every_problem(incoming):
    files = _good_files(incoming)
    files[0]["sha256"] = "f" * 64
    (incoming / "manifest.json").write_text(json.dumps(_manifest(files, licence="WTFPL")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="refused with 3 problems"):
        call_command("import_study", str(incoming / "manifest.json"), stderr=err)

    assert "licence: Unknown licence “WTFPL”" in err.getvalue()
    assert "owner: Missing" in err.getvalue()  # no --curator and no owner: nobody would own it
    assert "files[0].sha256:" in err.getvalue()
    assert Study.objects.count() == 0 and _stored_objects() == []


def test_import_study_command_refuses_unreadable_json(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")

    with pytest.raises(CommandError, match="Cannot read the manifest"):
        call_command("import_study", str(tmp_path / "manifest.json"))


# --- The admin form -----------------------------------------------------------------------


def _upload(manifest: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("manifest.json", json.dumps(manifest).encode(), content_type="application/json")


def test_p_licence_admin_form_imports_for_curators(curator_client, curator, incoming):
    assert curator_client.get(IMPORT_URL).status_code == 200

    response = curator_client.post(IMPORT_URL, {"manifest": _upload(_manifest(_good_files(incoming)))})

    study = Study.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:archive_study_change", args=[study.pk])
    assert study.licence.spdx_id == "CC-BY-4.0" and study.owner == curator
    listing = curator_client.get(reverse("admin:curation_importedstudy_changelist")).content.decode()
    assert study.accession in listing and "Import a dataset from a manifest" in listing


def test_p_licence_admin_form_lists_every_problem_and_stores_nothing(curator_client, incoming):
    files = _good_files(incoming)
    files[1]["sha256"] = "e" * 64

    response = curator_client.post(IMPORT_URL, {"manifest": _upload(_manifest(files, licence="MIT-0"))})

    assert response.status_code == 400
    page = response.content.decode()
    assert "refused with 2 problems; nothing was stored" in page
    assert "Unknown licence “MIT-0”" in page and "files[1].sha256" in page
    assert Study.objects.count() == 0 and _stored_objects() == []


def test_admin_form_refuses_a_file_that_is_not_json(curator_client):
    response = curator_client.post(IMPORT_URL, {"manifest": SimpleUploadedFile("m.json", b"\x00\x01")})

    assert response.status_code == 400
    assert "This is not a JSON file" in response.content.decode()


def test_p_licence_admin_form_is_for_curators_only(other_client, incoming):
    staff = UserFactory(username="staff_not_curator", is_staff=True)
    staff_client = Client()
    staff_client.force_login(staff)

    for client in (other_client, staff_client):
        assert client.get(IMPORT_URL).status_code == 403
        assert client.post(IMPORT_URL, {"manifest": _upload(_manifest(_good_files(incoming)))}).status_code == 403
    assert Client().get(IMPORT_URL).status_code == 302  # anonymous: to the log-in page
    assert staff_client.get(reverse("admin:curation_importedstudy_changelist")).status_code == 403
    assert Study.objects.count() == 0


def test_import_release_date_in_the_future_keeps_the_study_confidential(curator, incoming):
    day = datetime.date.today() + datetime.timedelta(days=30)

    study = study_import(actor=curator, manifest=_manifest(_good_files(incoming), release_date=day.isoformat())).study

    assert study.status == StudyStatus.CONFIDENTIAL and study.release_date == day


# --- In a real browser --------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_p_licence_curator_imports_in_the_admin_in_a_browser(page, live_server, curator, incoming, output_path):
    client = Client()
    client.force_login(curator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    files = _good_files(incoming)
    bad = _manifest([*files, {**files[1], "path": "copy.txt", "sha256": "c" * 64}], licence="CC-BY-5.0")
    (incoming / "bad.json").write_text(json.dumps(bad))
    (incoming / "good.json").write_text(json.dumps(_manifest(files)))

    page.goto(live_server.url + reverse("admin:curation_importedstudy_changelist"))
    page.get_by_role("link", name="Import a dataset from a manifest").click()
    page.get_by_label("Manifest (JSON)").set_input_files(str(incoming / "bad.json"))
    page.get_by_role("button", name="Check and import").click()
    problems = page.locator("#manifest-problems li")
    expect(problems).to_have_count(2)
    page.screenshot(path=f"{output_path}/1-import-refused.png", full_page=True)
    assert Study.objects.count() == 0

    page.get_by_label("Manifest (JSON)").set_input_files(str(incoming / "good.json"))
    page.get_by_role("button", name="Check and import").click()
    study = Study.objects.get()
    expect(page.get_by_text(f"Imported as {study.accession} (version 1, CC-BY-4.0).")).to_be_visible()
    page.goto(live_server.url + reverse("admin:curation_importedstudy_changelist"))
    expect(page.get_by_role("link", name=study.accession)).to_be_visible()
    page.screenshot(path=f"{output_path}/2-imported-studies.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_p_licence_two_concurrent_first_imports_make_one_study_with_two_versions(curator, incoming):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL (CI); SQLite serialises writers")
    manifest = _manifest(_good_files(incoming))

    def one_import():
        try:
            return study_import(actor=curator, manifest=manifest)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [run.result() for run in [pool.submit(one_import), pool.submit(one_import)]]
    assert Study.objects.count() == 1
    assert sorted(r.created for r in results) == [False, True]
    assert sorted(Study.objects.get().versions.values_list("number", flat=True)) == [1, 2]
