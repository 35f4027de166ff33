"""A script deposits a dataset end to end over real HTTP with an API token (issue #5 point 8).

tuspy uploads the files into the upload area, then the submissions API
creates the draft, submits it and is polled until the study exists; the
files are downloaded back and their SHA-256 checked. The test queue runs
django-q2 tasks synchronously (Q_SYNC), so the move runs in the submit
request's thread once its transaction commits.
"""

import hashlib
import os
import time

import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token
from tusclient.client import TusClient

from tests.submissions.move_helpers import ACCEPTED_ANSWERS

pytestmark = pytest.mark.django_db(transaction=True)

LOCAL_FILES = {  # relative path: size (one spans several tus chunks)
    "plate1/A01.tif": 700 * 1024,
    "plate1/A02.tif": 3 * 1024,
    "metadata/README.txt": 200,
}
CHUNK = 256 * 1024


def _all_pages(session: requests.Session, url: str) -> list[dict]:
    results = []
    while url:
        body = session.get(url).json()
        results += body["results"]
        url = body["next"]
    return results


def test_p_move_on_submit_deposit_end_to_end_with_tuspy_and_a_token(live_server, submitter, tmp_path):
    api = live_server.url + "/api/v1"
    auth = {"Authorization": f"Token {Token.objects.create(user=submitter).key}"}
    session = requests.Session()
    session.headers.update(auth)

    # 1. Upload with a real tus client.
    local = {}
    for relative_path, size in LOCAL_FILES.items():
        path = tmp_path / "dataset" / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
        local[relative_path] = hashlib.sha256(path.read_bytes()).hexdigest()
        uploader = TusClient(api + "/uploads/tus/", headers=auth).uploader(
            file_path=str(path),
            chunk_size=CHUNK,
            metadata={"filename": path.name, "relativePath": relative_path},
        )
        uploader.upload()
    uploaded = _all_pages(session, api + "/uploads/files/")
    assert {f["path"]: f["sha256"] for f in uploaded} == local

    # 2. The scope form tells which questions to answer.
    form = session.get(api + "/scope-form/").json()
    assert [q["id"] for q in form["questions"]] == list(ACCEPTED_ANSWERS)

    # 3. Create the draft in one request.
    body = {
        "title": "Organelle atlas of HeLa cells",
        "description": "Confocal images of HeLa cells, one organelle marker per plate.",
        "authors": [{"name": "Ada Lovelace", "affiliation": "EMBL-EBI", "orcid": "0000-0002-1825-0097"}],
        "organism": "Homo sapiens",
        "organism_taxon_id": "9606",
        "imaging_method": "confocal microscopy",
        "imaging_method_fbbi_id": "FBbi:00000251",
        "keywords": ["organelles", "HeLa"],
        "publication_doi": "10.1038/s41592-021-01234-5",
        "files": [f["id"] for f in uploaded],
        "release_date": timezone.localdate().isoformat(),
        "scope": {"version": form["version"], "answers": ACCEPTED_ANSWERS},
        "acknowledgements": {"public_disclosure": True, "right_to_submit": True},
    }
    created = session.post(api + "/submissions/", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "draft"

    # 4. Submit, then poll until the study exists.
    submitted = session.post(f"{api}/submissions/{created.json()['id']}/submit/")
    assert submitted.status_code in (201, 202), submitted.text
    if submitted.status_code == 202:
        status_url = submitted.json()["status_url"]
        deadline = time.monotonic() + 60
        while (status := session.get(status_url).json())["state"] != "accepted":
            assert status["state"] == "submitted" and time.monotonic() < deadline, status
            time.sleep(0.2)
        accession = status["study"]
    else:
        accession = submitted.json()["accession"]
    assert accession.startswith("S-BIAD")

    # 5. The study is public (released today) and its files come back intact.
    study = session.get(f"{api}/studies/{accession}/").json()
    assert study["status"] == "released" and study["licence"] == "CC0-1.0"
    assert study["files_count"] == len(LOCAL_FILES) and study["total_size"] == sum(LOCAL_FILES.values())
    files = _all_pages(session, f"{api}/studies/{accession}/files/")
    assert {f["path"]: f["sha256"] for f in files} == local
    for f in files:
        download = requests.get(f["download_url"])
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == local[f["path"]]
    assert _all_pages(session, api + "/uploads/files/") == []  # moved, not copied
