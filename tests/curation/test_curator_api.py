"""The curator API (docs/design.md §10.3): the same actions as the admin, for scripts with a token."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from archive.models import FileStatus, StudyStatus
from core.models import CurationEvent
from tests.curation.public_view import assert_data_kept, assert_tombstone, listed_publicly
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.django_db

ACTIONS = ["hide", "unhide", "obsolete", "remove", "restore"]


def _token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


@pytest.fixture
def curator_api(curator) -> Client:
    return _token_client(curator)


def _post(client, study, action: str, **body):
    return client.post(f"/api/v1/curation/studies/{study.accession}/{action}/", body, content_type="application/json")


def _two_files_study(**options):
    return make_study(files=[stored_file("a.txt", b"a"), stored_file("b.txt", b"b")], **options)


def test_p_hide_by_api_then_unhide(curator_api, curator, anonymous_client):
    study = make_study(title="Hidden by a script")

    hidden = _post(curator_api, study, "hide", reason_category="error", note="Bad metadata")

    assert hidden.status_code == 200
    assert hidden.json() == {
        "accession": study.accession,
        "status": "released",
        "searchable": False,
        "reason_category": "error",
        "files_changed": None,
    }
    assert listed_publicly(anonymous_client, study) == {"search": False, "api": False, "sitemap": False}
    assert anonymous_client.get(f"/api/v1/studies/{study.accession}/").status_code == 200

    assert _post(curator_api, study, "unhide", reason_category="error").json()["searchable"] is True
    cache.clear()  # the public's ranked results are cached a few minutes; an unhidden entry returns after that
    assert listed_publicly(anonymous_client, study) == {"search": True, "api": True, "sitemap": True}
    events = CurationEvent.objects.filter(study=study, action__in=["study.hidden", "study.unhidden"]).order_by("pk")
    assert [(e.action, e.actor, e.note) for e in events] == [
        ("study.hidden", curator, "Bad metadata"),
        ("study.unhidden", curator, ""),
    ]


def test_p_obsolete_study_by_api(curator_api, anonymous_client):
    study = make_study(title="Obsoleted by a script")

    answer = _post(curator_api, study, "obsolete", reason_category="superseded", note="See S-BIAD2")

    assert answer.status_code == 200 and answer.json()["status"] == "obsolete"
    detail = anonymous_client.get(f"/api/v1/studies/{study.accession}/").json()
    assert detail["status"] == "obsolete"
    assert listed_publicly(anonymous_client, study) == {"search": False, "api": False, "sitemap": True}
    assert CurationEvent.objects.get(action="study.obsoleted").reason_category == "superseded"


def test_p_obsolete_files_by_api(curator_api, curator, anonymous_client):
    study = _two_files_study()

    answer = _post(curator_api, study, "obsolete", reason_category="error", files=["a.txt"])

    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["files_changed"]) == ("released", 1)
    files = {f.path: f.status for f in study.versions.get().files.all()}
    assert files == {"a.txt": FileStatus.OBSOLETE, "b.txt": FileStatus.ACTIVE}
    assert anonymous_client.get(f"/studies/{study.accession}/files/a.txt").status_code == 200
    event = CurationEvent.objects.get(action="files.obsoleted")
    assert (event.actor, event.data["paths"]) == (curator, ["a.txt"])


def test_p_remove_study_by_api_then_restore(curator_api, anonymous_client):
    study = make_study(title="Removed by a script")

    answer = _post(curator_api, study, "remove", reason_category="investigation", note="Case 2026-17")

    assert answer.status_code == 200 and answer.json()["status"] == "removed"
    assert_tombstone(anonymous_client, study, reason="Official investigative body")
    assert_data_kept(study)
    assert CurationEvent.objects.get(action="study.removed").note == "Case 2026-17"

    restored = _post(curator_api, study, "restore", reason_category="error", note="Wrong study")
    assert restored.status_code == 200 and restored.json()["status"] == "released"
    assert listed_publicly(anonymous_client, study) == {"search": True, "api": True, "sitemap": True}
    assert CurationEvent.objects.get(action="study.restored").data["status"] == "released"


def test_p_remove_files_by_api_then_restore(curator_api, anonymous_client):
    study = _two_files_study()

    answer = _post(curator_api, study, "remove", reason_category="ownership", files=["a.txt"])

    assert answer.status_code == 200 and answer.json()["files_changed"] == 1
    assert anonymous_client.get(f"/studies/{study.accession}/files/a.txt").status_code == 410
    listed = anonymous_client.get(f"/api/v1/studies/{study.accession}/files/").json()["results"]
    assert [row["path"] for row in listed] == ["b.txt"]
    manifest = anonymous_client.get(f"/studies/{study.accession}/manifest.sha256")
    assert "a.txt" not in b"".join(manifest.streaming_content).decode()
    assert_data_kept(study)

    assert _post(curator_api, study, "restore", reason_category="error", files=["a.txt"]).status_code == 200
    assert anonymous_client.get(f"/studies/{study.accession}/files/a.txt").status_code == 200
    actions = list(CurationEvent.objects.filter(target_type="files").order_by("pk").values_list("action", flat=True))
    assert actions == ["files.removed", "files.restored"]


@pytest.mark.parametrize("action", ACTIONS)
def test_curator_only_every_endpoint_refuses_non_curators(action, submitter, anonymous_client):
    study = make_study(owner=submitter)
    before = CurationEvent.objects.count()

    for client, rule in ((_token_client(submitter), "CURATOR"), (anonymous_client, "AUTH")):
        answer = _post(client, study, action, reason_category="error")
        assert answer.status_code == 403
        assert answer.json()["rule"] == rule
    study.refresh_from_db()
    assert (study.status, study.searchable) == (StudyStatus.RELEASED, True)
    assert CurationEvent.objects.count() == before


def test_p_remove_bad_reason_category_names_field_and_rule(curator_api):
    study = make_study()

    answer = _post(curator_api, study, "remove", reason_category="boredom")

    assert answer.status_code == 400
    assert set(answer.json()) == {"reason_category", "rule"} and answer.json()["rule"] == "P-REMOVE"
    study.refresh_from_db()
    assert study.status == StudyStatus.RELEASED


@pytest.mark.parametrize("action", ACTIONS)
def test_p_remove_lone_surrogate_reason_category_is_a_400_naming_the_field(curator_api, action):
    study = make_study(status=StudyStatus.OBSOLETE if action == "restore" else StudyStatus.RELEASED)
    # The JSON escape of an unpaired surrogate, as a client may send it: no UTF-8 text can carry the character.
    body = '{"reason_category": "\\ud800", "note": "typo"}'
    events, reason = CurationEvent.objects.count(), study.status_reason
    answer = curator_api.post(
        f"/api/v1/curation/studies/{study.accession}/{action}/", body, content_type="application/json"
    )
    assert answer.status_code == 400, answer.content
    assert set(answer.json()) == {"reason_category", "rule"}
    assert "retraction" in answer.json()["reason_category"][0]  # the choices are listed
    study.refresh_from_db()
    assert CurationEvent.objects.count() == events and study.status_reason == reason


def test_p_remove_unknown_file_path_changes_nothing(curator_api):
    study = _two_files_study()

    answer = _post(curator_api, study, "remove", reason_category="other", files=["a.txt", "missing.txt"])

    assert answer.status_code == 400
    assert answer.json()["rule"] == "P-REMOVE" and "missing.txt" in answer.json()["files"][0]
    assert set(study.versions.get().files.values_list("status", flat=True)) == {FileStatus.ACTIVE}
    assert not CurationEvent.objects.filter(target_type="files").exists()


def test_p_hide_files_cannot_be_hidden(curator_api):
    study = _two_files_study()

    answer = _post(curator_api, study, "hide", reason_category="other", files=["a.txt"])

    assert answer.status_code == 400
    assert answer.json() == {"files": ["Files cannot be hidden; only whole studies can."], "rule": "P-HIDE"}


def test_p_obsolete_only_a_released_study(curator_api):
    study = make_study(status="confidential")

    answer = _post(curator_api, study, "obsolete", reason_category="other")

    assert answer.status_code == 400
    assert answer.json()["rule"] == "P-OBSOLETE" and "status" in answer.json()
    study.refresh_from_db()
    assert study.status == StudyStatus.CONFIDENTIAL


def test_unknown_accession_answers_404(curator_api):
    answer = curator_api.post(
        "/api/v1/curation/studies/S-BIAD999999/hide/", {"reason_category": "other"}, content_type="application/json"
    )

    assert answer.status_code == 404


def test_curator_session_works_too(curator_client):
    study = make_study()

    assert _post(curator_client, study, "hide", reason_category="error").status_code == 200


def test_schema_documents_every_curator_endpoint(anonymous_client):
    schema = anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for action in ACTIONS:
        operation = schema["paths"][f"/api/v1/curation/studies/{{accession}}/{action}/"]["post"]
        assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "415"}
        assert operation["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/CuratorActionInput"
        }
    fields = schema["components"]["schemas"]["CuratorActionInput"]["properties"]
    assert set(fields) == {"reason_category", "note", "superseded_by", "files"}
