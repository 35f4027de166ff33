"""DOIs through DataCite (issue 14): registered on release, retried until DataCite accepts, updated on change.

The tests talk HTTP to a local stand-in of DataCite's REST endpoints (POST /dois, PUT and GET /dois/<doi>, basic
auth); every body carrying metadata is checked against DataCite's kernel-4 JSON schema, and its XML form against
the kernel-4.5 XSD.
"""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from datacite import schema45
from django.core.management import call_command
from django.urls import reverse
from django_q.models import Schedule
from lxml import etree

from archive.models import DoiState, StudyDoi
from archive.services.accession import study_version_add
from archive.services.dois import dois_register_pending
from archive.services.status import study_hide, study_make_obsolete, study_remove, study_restore
from tests.factories import make_curator, make_study, study_metadata

pytestmark = pytest.mark.django_db

XSD = Path(__file__).resolve().parent.parent / "data" / "xsd" / "datacite-kernel-4.5" / "metadata.xsd"
PREFIX, USERNAME, PASSWORD = "10.80001", "TEST.ARCHIVE", "secret"
CONTROL = {"prefix", "event"}  # request attributes that are instructions, not kernel-4 metadata


class DataCiteStandIn:
    """What a DataCite repository holds, what it was sent, and how many of the next requests fail with a 500."""

    def __init__(self):
        self.dois: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.fail_next = 0
        self.xsd = etree.XMLSchema(etree.parse(str(XSD)))

    def check_metadata(self, attributes: dict) -> None:
        metadata = {key: value for key, value in attributes.items() if key not in CONTROL}
        schema45.validator.validate(metadata)
        xml = etree.fromstring(schema45.tostring(metadata).encode())
        assert self.xsd.validate(xml), self.xsd.error_log
        if "xml" in attributes:
            assert self.xsd.validate(etree.fromstring(base64.b64decode(attributes["xml"])))


def _handler(datacite: DataCiteStandIn):
    expected = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body: dict) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.api+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _refused(self) -> bool:
            if self.headers.get("Authorization") != expected:
                self._answer(401, {"errors": [{"title": "Bad credentials."}]})
                return True
            if datacite.fail_next:
                datacite.fail_next -= 1
                self._answer(500, {"errors": [{"title": "Internal server error"}]})
                return True
            return False

        def _body(self) -> dict:
            data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["data"]
            datacite.requests.append((self.command, self.path, data["attributes"]))
            return data["attributes"]

        def do_POST(self):
            attributes = self._body()
            if self._refused():
                return
            datacite.check_metadata(attributes)
            doi = attributes["doi"]
            if doi in datacite.dois:
                self._answer(422, {"errors": [{"source": "doi", "title": "This DOI has already been taken"}]})
                return
            datacite.dois[doi] = attributes | {"state": "findable"}
            self._answer(201, {"data": {"id": doi, "type": "dois", "attributes": datacite.dois[doi]}})

        def do_PUT(self):
            attributes = self._body()
            if self._refused():
                return
            doi = self.path.removeprefix("/dois/")
            if "titles" in attributes:
                datacite.check_metadata(attributes)
            state = {"hide": "registered", "publish": "findable"}.get(attributes.get("event"), "findable")
            datacite.dois[doi] = datacite.dois.get(doi, {}) | attributes | {"state": state}
            self._answer(200, {"data": {"id": doi, "type": "dois", "attributes": datacite.dois[doi]}})

        def do_GET(self):
            if self._refused():
                return
            doi = self.path.removeprefix("/dois/")
            if doi not in datacite.dois:
                self._answer(404, {"errors": [{"title": "The resource you are looking for doesn't exist."}]})
                return
            self._answer(200, {"data": {"id": doi, "type": "dois", "attributes": datacite.dois[doi]}})

    return Handler


@pytest.fixture
def datacite(settings):
    """A running stand-in of DataCite's REST API, and the portal's DOI settings pointing at it."""
    stand_in = DataCiteStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DATACITE_PREFIX = PREFIX
    settings.DATACITE_REPOSITORY_ID = USERNAME
    settings.DATACITE_PASSWORD = PASSWORD
    settings.DATACITE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.PORTAL_URL = "https://archive.example.org"
    yield stand_in
    server.shutdown()
    server.server_close()


def _released(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return make_study(**kwargs)


def _page(study, number=None):
    if number is None:
        return f"https://archive.example.org/studies/{study.accession}/"
    return f"https://archive.example.org/studies/{study.accession}/v{number}/"


def test_p_permanent_release_registers_the_concept_and_version_dois(datacite, django_capture_on_commit_callbacks):
    study = _released(django_capture_on_commit_callbacks)

    concept, version = f"{PREFIX}/{study.accession.lower()}", f"{PREFIX}/{study.accession.lower()}.v1"
    assert set(datacite.dois) == {concept, version}
    assert datacite.dois[concept]["url"] == _page(study)
    assert datacite.dois[version]["url"] == _page(study, 1)
    assert datacite.dois[version]["state"] == "findable"
    assert {"relatedIdentifier": concept, "relatedIdentifierType": "DOI", "relationType": "IsVersionOf"} in (
        datacite.dois[version]["relatedIdentifiers"]
    )
    rows = StudyDoi.objects.filter(study=study)
    assert {(row.doi, row.state) for row in rows} == {(concept, "registered"), (version, "registered")}
    assert all(row.registered_at and row.attempts == 1 for row in rows)


def test_p_permanent_release_never_fails_while_datacite_is_down(datacite, django_capture_on_commit_callbacks):
    datacite.fail_next = 100

    study = _released(django_capture_on_commit_callbacks)

    study.refresh_from_db()
    assert study.status == "released"
    rows = StudyDoi.objects.filter(study=study)
    assert rows.count() == 2
    assert all(
        row.state == DoiState.FAILED and row.attempts == 1 and "Internal server error" in row.last_error for row in rows
    )
    assert datacite.dois == {}


def test_p_permanent_a_failed_registration_is_retried_by_the_schedule(datacite, django_capture_on_commit_callbacks):
    datacite.fail_next = 1  # the first of the two DOIs fails, the second goes through

    study = _released(django_capture_on_commit_callbacks)

    assert sorted(StudyDoi.objects.filter(study=study).values_list("state", flat=True)) == ["failed", "registered"]
    assert dois_register_pending() == {"registered": 1, "failed": 0}
    assert set(StudyDoi.objects.filter(study=study).values_list("state", flat=True)) == {"registered"}
    assert dois_register_pending() == {"registered": 0, "failed": 0}
    assert len(datacite.dois) == 2


def test_p_permanent_a_doi_datacite_already_holds_is_updated(datacite, django_capture_on_commit_callbacks):
    study = _released(django_capture_on_commit_callbacks)
    # A crash between DataCite's answer and our commit: DataCite holds the DOIs, our rows say never registered.
    StudyDoi.objects.filter(study=study).update(state=DoiState.PENDING, registered_at=None)
    sent = len(datacite.requests)

    assert dois_register_pending() == {"registered": 2, "failed": 0}

    assert [method for method, _, _ in datacite.requests[sent:]] == ["POST", "PUT", "POST", "PUT"]
    rows = StudyDoi.objects.filter(study=study)
    assert all(row.state == DoiState.REGISTERED and row.registered_at and row.last_error == "" for row in rows)


def test_the_retry_job_is_scheduled():
    call_command("setup_schedules")

    assert Schedule.objects.get(name="archive.dois_register_pending").func == "archive.tasks.dois_register_pending"


def test_a_new_version_gets_its_doi_and_the_concept_doi_follows_it(datacite, django_capture_on_commit_callbacks):
    study = _released(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        study_version_add(study=study, metadata=study_metadata("Corrected title"), files=[], note="Correction")

    concept, second = f"{PREFIX}/{study.accession.lower()}", f"{PREFIX}/{study.accession.lower()}.v2"
    assert datacite.dois[second]["url"] == _page(study, 2)
    assert datacite.dois[concept]["titles"] == [{"title": "Corrected title"}]
    assert datacite.dois[concept]["version"] == "2"
    sent = [(method, path) for method, path, _ in datacite.requests[-3:]]
    # The new version's DOI is registered before the concept DOI that names it is updated.
    assert sent == [("PUT", f"/dois/{concept}.v1"), ("POST", "/dois"), ("PUT", f"/dois/{concept}")]
    # Version 1's update names the registered concept DOI once, and version 2 by its page until DataCite has it.
    first = datacite.dois[f"{concept}.v1"]["relatedIdentifiers"]
    assert [item for item in first if item["relationType"] == "IsVersionOf"] == [
        {"relatedIdentifier": concept, "relatedIdentifierType": "DOI", "relationType": "IsVersionOf"}
    ]
    assert {
        "relatedIdentifier": _page(study, 2),
        "relatedIdentifierType": "URL",
        "relationType": "IsPreviousVersionOf",
    } in first


def test_p_obsolete_curator_change_updates_the_metadata(datacite, django_capture_on_commit_callbacks):
    newer = _released(django_capture_on_commit_callbacks, title="Newer study")
    older = _released(django_capture_on_commit_callbacks, title="Older study")
    sent = len(datacite.requests)

    with django_capture_on_commit_callbacks(execute=True):
        study_make_obsolete(
            study=older, actor=make_curator(), reason_category="superseded", superseded_by=newer.accession
        )

    assert {path for method, path, _ in datacite.requests[sent:] if method == "PUT"} == {
        f"/dois/{PREFIX}/{acc.lower()}{suffix}" for acc in (older.accession, newer.accession) for suffix in ("", ".v1")
    }
    related = datacite.dois[f"{PREFIX}/{older.accession.lower()}.v1"]["relatedIdentifiers"]
    newer_doi = f"{PREFIX}/{newer.accession.lower()}"  # registered at its release, so named rather than its page
    assert {"relationType": "IsObsoletedBy", "relatedIdentifier": newer_doi, "relatedIdentifierType": "DOI"} in related


def test_p_remove_doi_points_at_the_tombstone_and_a_restore_republishes(
    datacite, django_capture_on_commit_callbacks, anonymous_client
):
    study = _released(django_capture_on_commit_callbacks)
    curator = make_curator()

    with django_capture_on_commit_callbacks(execute=True):
        study_remove(study=study, actor=curator, reason_category="retraction")

    version = datacite.dois[f"{PREFIX}/{study.accession.lower()}.v1"]
    assert version["url"] == _page(study) and version["state"] == "registered"
    assert anonymous_client.get(reverse("study-detail", args=[study.accession])).status_code == 410
    removal_bodies = [body for method, _, body in datacite.requests[-2:]]
    assert all(set(body) == {"event", "url"} for body in removal_bodies)  # no metadata of a removed entry

    with django_capture_on_commit_callbacks(execute=True):
        study_restore(study=study, actor=curator, reason_category="error")

    version = datacite.dois[f"{PREFIX}/{study.accession.lower()}.v1"]
    assert version["url"] == _page(study, 1) and version["state"] == "findable"


def test_p_hide_hidden_study_keeps_resolvable_dois(datacite, django_capture_on_commit_callbacks):
    study = _released(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        study_hide(study=study, actor=make_curator(), reason_category="error")

    assert datacite.dois[f"{PREFIX}/{study.accession.lower()}"]["url"] == _page(study)
    assert datacite.dois[f"{PREFIX}/{study.accession.lower()}"]["state"] == "findable"


def test_a_confidential_study_has_no_doi(datacite, django_capture_on_commit_callbacks):
    _released(django_capture_on_commit_callbacks, status="confidential")

    assert StudyDoi.objects.count() == 0
    assert datacite.requests == []


def test_without_datacite_settings_dois_are_off(django_capture_on_commit_callbacks, anonymous_client):
    study = _released(django_capture_on_commit_callbacks)

    assert StudyDoi.objects.count() == 0
    page = anonymous_client.get(reverse("study-detail", args=[study.accession]))
    assert b"DOI" not in page.content
    assert "doi.org" not in page["Link"]
    assert anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()["doi"] is None
