"""The submissions API (docs/design.md §10.3, issue #5 point 8): drafts, File Lists, submitting, new versions."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from archive.models import Study
from submissions.models import DisclosureAcknowledgement, ScopeCertification, Submission, SubmissionState
from submissions.services import submission_create_draft
from tests.factories import make_study, stored_file, study_metadata
from tests.submissions.move_helpers import ACCEPTED_ANSWERS, file_contents
from uploads.models import UploadFile
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions/"
REFUSED_ACKNOWLEDGEMENT = {"public_disclosure": True, "right_to_submit": False}


def _detail_url(submission_id: int) -> str:
    return f"{URL}{submission_id}/"


@pytest.fixture
def token_client(submitter) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")


@pytest.fixture
def uploads(submitter) -> list[UploadFile]:
    return [upload_file_put(owner=submitter, relative_path=p, content=c) for p, c in file_contents(2).items()]


def _body(uploads: list[UploadFile], **overrides) -> dict:
    body = {
        **study_metadata(),
        "organism_taxon_id": "9606",
        "imaging_method_fbbi_id": "FBbi:00000246",
        "funding": "Wellcome Trust 123",
        "biosample": "HeLa cells",
        "files": [u.pk for u in uploads],
        "release_date": timezone.localdate().isoformat(),
        "scope": {"version": "scope-v1", "answers": ACCEPTED_ANSWERS},
        "acknowledgements": {"public_disclosure": True, "right_to_submit": True},
    }
    body.update(overrides)
    return body


def _post(client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _patch(client, url: str, body: dict):
    return client.patch(url, json.dumps(body), content_type="application/json")


def _nothing_created():
    assert Submission.objects.count() == 0
    assert ScopeCertification.objects.count() == 0 and DisclosureAcknowledgement.objects.count() == 0


def test_create_draft_with_token_holds_every_part(token_client, uploads, submitter):
    response = _post(token_client, URL, _body(uploads))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["kind"] == "new_study"
    assert body["licence"] == "CC0-1.0" and body["scope_outcome"] == "accepted" and body["acknowledged"] is True
    assert body["metadata"]["organism_taxon_id"] == "9606"
    assert body["metadata"]["authors"][0] == {
        "name": "Ada Lovelace",
        "affiliation": "EMBL-EBI",
        "orcid": "0000-0002-1825-0097",
    }
    assert sorted(f["path"] for f in body["files"]) == sorted(u.relative_path for u in uploads)
    assert body["file_list"] is None and body["accession"] == ""
    assert Submission.objects.get().owner == submitter


def test_create_lists_every_metadata_error_at_once_and_creates_nothing(token_client, uploads):
    authors = [{"name": "Ada Lovelace", "orcid": "0000-0002-1825-0098"}]  # wrong check digit
    body = _body(
        uploads,
        authors=authors,
        organism_taxon_id="human",
        imaging_method_fbbi_id="246",
        publication_doi="not a doi",
    )
    response = _post(token_client, URL, body)
    assert response.status_code == 400
    errors = response.json()
    assert errors["rule"] == "METADATA"
    assert {"authors", "organism_taxon_id", "imaging_method_fbbi_id", "publication_doi"} <= set(errors)
    _nothing_created()


@pytest.mark.parametrize(
    ("override", "rule", "field"),
    [
        ({"licence": "CC-BY-4.0"}, "P-LICENCE", "licence"),
        ({"acknowledgements": REFUSED_ACKNOWLEDGEMENT}, "P-DISCLOSURE", "right_to_submit"),
        ({"release_date": "2001-01-01"}, "P-RELEASE-DATE", "release_date"),
        ({"files": "all of them"}, "P-MOVE-ON-SUBMIT", "files"),
        ({"files": [10**9]}, "P-UPLOAD-PRIVATE", "files"),
        ({"scope": {"version": "scope-v0", "answers": ACCEPTED_ANSWERS}}, "P-SCOPE", "version"),
        ({"project": 10**9}, "P-PROJECT", "project"),
    ],
    ids=["p_licence", "p_disclosure", "p_release_date", "shape", "p_upload_private", "p_scope_version", "p_project"],
)
def test_create_refuses_a_bad_part_naming_field_and_rule_and_creates_nothing(
    token_client, uploads, override, rule, field
):
    response = _post(token_client, URL, _body(uploads, **override))
    assert response.status_code == 400, response.content
    assert response.json()["rule"] == rule and field in response.json()
    _nothing_created()


def test_p_licence_api_attempt_to_set_another_licence_is_refused(token_client, uploads):
    response = _post(token_client, URL, _body(uploads, licence="CC-BY-4.0"))
    assert response.status_code == 400
    assert response.json() == {
        "licence": ["Data submitted directly is released under CC0-1.0; no other licence can be chosen."],
        "rule": "P-LICENCE",
    }
    assert _post(token_client, URL, _body(uploads, licence="CC0-1.0")).status_code == 201


REFUSING_SCOPE = {"version": "scope-v1", "answers": {**ACCEPTED_ANSWERS, "public_release_consent": "no"}}
CONFIRMED_REFUSAL = {**REFUSING_SCOPE, "confirm_refusal": True}


def _refused_on_record(submission: Submission) -> None:
    """The submission is closed by its refused scope answers, as the wizard's scope step leaves it."""
    submission.refresh_from_db()
    assert submission.state == SubmissionState.REFUSED
    certification = submission.scope_certification_in_force
    assert certification.outcome == "refused" and certification.answers == REFUSING_SCOPE["answers"]


def _asks_for_confirmation(response) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["rule"] == "P-SCOPE" and set(body) == {"confirm_refusal", "rule"}
    assert "`confirm_refusal: true`" in body["confirm_refusal"][0] and "EGA" in body["confirm_refusal"][0]


def test_p_scope_api_refusing_answers_on_create_need_confirmation_and_create_nothing(token_client, uploads):
    _asks_for_confirmation(_post(token_client, URL, _body(uploads, scope=REFUSING_SCOPE)))
    _nothing_created()


def test_p_scope_api_confirmed_refusal_on_create_is_recorded_and_points_to_the_ega(token_client, uploads):
    response = _post(token_client, URL, _body(uploads, scope=CONFIRMED_REFUSAL))
    assert response.status_code == 400
    assert response.json()["rule"] == "P-SCOPE" and "EGA" in response.json()["answers"][0]
    submission = Submission.objects.get()  # the draft the answers were given for, closed like a wizard's
    _refused_on_record(submission)
    assert not submission.files.exists() and not DisclosureAcknowledgement.objects.exists()  # the rest is not applied


def test_p_scope_api_refusal_is_recorded_like_the_wizard(token_client, submitter_client, submitter, uploads):
    by_api = Submission.objects.get(pk=_post(token_client, URL, {"title": "By the API"}).json()["id"])
    _asks_for_confirmation(_patch(token_client, _detail_url(by_api.pk), {"title": "Changed", "scope": REFUSING_SCOPE}))
    by_api.refresh_from_db()
    assert by_api.state == SubmissionState.DRAFT and by_api.metadata == {"title": "By the API"}  # nothing changed
    response = _patch(token_client, _detail_url(by_api.pk), {"title": "Changed", "scope": CONFIRMED_REFUSAL})
    assert response.status_code == 400, response.content
    assert response.json()["rule"] == "P-SCOPE" and "EGA" in response.json()["answers"][0]
    _refused_on_record(by_api)
    assert by_api.metadata == {"title": "By the API"}  # the other parts of a refused request are not applied

    by_wizard = submission_create_draft(owner=submitter, metadata={"title": "By the wizard"})
    wizard_scope = reverse("submissions:step", args=[by_wizard.pk, "scope"])
    assert (
        submitter_client.post(wizard_scope, {**REFUSING_SCOPE["answers"], "confirm_refusal": "yes"}).status_code == 302
    )
    _refused_on_record(by_wizard)

    # Answering again, this time accepting, is refused both ways and leaves the refusal on record.
    accepting = {"version": "scope-v1", "answers": ACCEPTED_ANSWERS}
    response = _patch(token_client, _detail_url(by_api.pk), {"scope": accepting})
    assert response.status_code == 400 and response.json()["rule"] == "P-SCOPE"
    assert "refused" in response.json()["non_field_errors"][0]
    assert submitter_client.post(wizard_scope, ACCEPTED_ANSWERS)["Location"] == f"/submissions/{by_wizard.pk}/"
    _refused_on_record(by_api)
    _refused_on_record(by_wizard)
    assert _post(token_client, _detail_url(by_api.pk) + "submit/").status_code == 400
    _refused_on_record(by_api)


def test_p_scope_api_recertifying_a_draft_adds_a_certification(token_client, uploads):
    created = _post(token_client, URL, _body(uploads)).json()
    assert [c["number"] for c in created["scope_certifications"]] == [1]
    cell_line = {
        **ACCEPTED_ANSWERS,
        "human_material": "yes",
        "identifiable_individual": "no",
        "identifying_phenotypic_data": "no",
    }
    response = _patch(
        token_client, _detail_url(created["id"]), {"scope": {"version": "scope-v1", "answers": cell_line}}
    )
    assert response.status_code == 200, response.content
    certifications = response.json()["scope_certifications"]
    assert [(c["number"], c["answers"]) for c in certifications] == [(1, ACCEPTED_ANSWERS), (2, cell_line)]
    assert response.json()["scope_outcome"] == "accepted"
    # The same answers again add nothing.
    again = _patch(token_client, _detail_url(created["id"]), {"scope": {"version": "scope-v1", "answers": cell_line}})
    assert len(again.json()["scope_certifications"]) == 2
    assert ScopeCertification.objects.filter(submission_id=created["id"]).count() == 2


# Raw JSON bodies with the escape of an unpaired surrogate, which no UTF-8 text (nor any error message) can carry.
SURROGATE_SCOPES = {
    "key": '{"scope": {"version": "scope-v1", "answers": {"\\ud800": "yes"}}}',
    "value": '{"scope": {"version": "scope-v1", "answers": {"human_material": "\\ud800"}}}',
    "key-and-value": '{"scope": {"version": "scope-v1", "answers": {"\\ud800": "\\udfff"}}}',
    "version": '{"scope": {"version": "\\ud800", "answers": {}}}',
}


@pytest.mark.parametrize("body", SURROGATE_SCOPES.values(), ids=SURROGATE_SCOPES)
def test_p_scope_api_lone_surrogates_in_scope_answers_are_a_400_naming_the_field(token_client, body):
    created = token_client.post(URL, body, content_type="application/json")
    assert created.status_code == 400, created.content
    assert created.json()["rule"] == "P-SCOPE" and set(created.json()) - {"rule"}
    _nothing_created()
    draft = _post(token_client, URL, {"title": "Draft"}).json()
    changed = token_client.patch(_detail_url(draft["id"]), body, content_type="application/json")
    assert changed.status_code == 400 and changed.json() == created.json()
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.DRAFT and not ScopeCertification.objects.exists()


def test_p_upload_private_other_users_upload_file_is_refused(token_client, other_user):
    theirs = upload_file_put(owner=other_user, relative_path="theirs.tif", content=b"theirs")
    response = _post(token_client, URL, _body([theirs]))
    assert response.status_code == 400 and response.json()["rule"] == "P-UPLOAD-PRIVATE"
    _nothing_created()


def test_a_draft_may_be_incomplete(token_client):
    response = _post(token_client, URL, {"title": "Work in progress"})
    assert response.status_code == 201
    assert response.json()["metadata"] == {"title": "Work in progress"}


def test_anonymous_callers_are_refused(anonymous_client):
    assert anonymous_client.get(URL).status_code in (401, 403)
    assert _post(anonymous_client, URL, {"title": "x"}).status_code in (401, 403)
    _nothing_created()


def test_list_and_detail_show_only_own_submissions(token_client, other_client, submitter_client, uploads):
    submission_id = _post(token_client, URL, _body(uploads)).json()["id"]
    listing = submitter_client.get(URL).json()  # the session works as well as the token
    assert [s["id"] for s in listing["results"]] == [submission_id]
    assert listing["results"][0]["title"] == study_metadata()["title"]
    assert other_client.get(URL).json()["results"] == []
    url = _detail_url(submission_id)
    assert other_client.get(url).status_code == 404
    assert _patch(other_client, url, {"title": "Mine now"}).status_code == 404
    assert _post(other_client, url + "submit/").status_code == 404
    assert other_client.post(url + "file-list/", {"file": SimpleUploadedFile("l.tsv", b"Files\n")}).status_code == 404
    assert Submission.objects.get().metadata["title"] == study_metadata()["title"]


def test_patch_changes_given_fields_and_one_bad_part_changes_nothing(token_client, uploads):
    submission_id = _post(token_client, URL, _body(uploads[:1], scope=None, acknowledgements=None)).json()["id"]
    url = _detail_url(submission_id)
    response = _patch(token_client, url, {"title": "New title", "files": [u.pk for u in uploads]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["metadata"]["title"] == "New title"
    assert body["metadata"]["description"] == study_metadata()["description"]  # untouched fields stay
    assert len(body["files"]) == len(uploads)

    beyond = (timezone.localdate() + datetime.timedelta(days=3 * 365)).isoformat()
    response = _patch(token_client, url, {"title": "Another title", "release_date": beyond})
    assert response.status_code == 400 and response.json()["rule"] == "P-RELEASE-DATE"
    assert Submission.objects.get().metadata["title"] == "New title"

    response = _patch(token_client, url, {"release_date": beyond, "release_date_reason": "Patent filing"})
    assert response.status_code == 200 and response.json()["release_date_reason"] == "Patent filing"
    assert _patch(token_client, url, {"licence": "CC-BY-4.0"}).json()["rule"] == "P-LICENCE"

    response = _patch(token_client, url, {"scope": {"version": "scope-v1", "answers": ACCEPTED_ANSWERS}})
    assert response.json()["scope_outcome"] == "accepted"
    response = _patch(token_client, url, {"scope": {"version": "scope-v1", "answers": ACCEPTED_ANSWERS}})
    assert response.status_code == 200 and len(response.json()["scope_certifications"]) == 1  # the same: no new one


def test_file_list_upload_reports_missing_and_extra_rows(token_client, uploads):
    submission_id = _post(token_client, URL, _body(uploads)).json()["id"]
    url = _detail_url(submission_id) + "file-list/"
    table = f"Files\tchannel\n{uploads[0].relative_path}\tDAPI\nnot/chosen.tif\tGFP\n".encode()
    response = token_client.post(url, {"file": SimpleUploadedFile("list.tsv", table)})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "name": "list.tsv",
        "columns": ["channel"],
        "missing": ["not/chosen.tif"],
        "extra": sorted(u.relative_path for u in uploads[1:]),
        "suggestions": {},
        "hints": [],
    }
    detail = token_client.get(_detail_url(submission_id)).json()
    assert detail["file_list"]["missing"] == ["not/chosen.tif"]
    attributes = {f["path"]: f["attributes"] for f in detail["files"]}
    assert attributes[uploads[0].relative_path] == {"channel": "DAPI"}

    response = token_client.post(url, {"file": SimpleUploadedFile("list.csv", b"Path,channel\na.tif,DAPI\n")})
    assert response.status_code == 400 and response.json()["rule"] == "FILE-LIST"
    assert token_client.post(url, {}).json()["rule"] == "FILE-LIST"

    response = _post(token_client, _detail_url(submission_id) + "submit/")
    assert response.status_code == 400 and response.json()["rule"] == "FILE-LIST"


def test_p_move_on_submit_api_answers_202_while_files_move_then_the_study(
    token_client, uploads, django_capture_on_commit_callbacks
):
    submission_id = _post(token_client, URL, _body(uploads)).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):  # the move runs after the answer, as from a queue
        response = _post(token_client, _detail_url(submission_id) + "submit/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["accession"].startswith("S-BIAD")
    assert body["status_url"].endswith(_detail_url(submission_id))
    status = token_client.get(body["status_url"]).json()
    assert status["state"] == "accepted" and status["study"] == body["accession"]
    assert status["move_progress"] == {
        "done": len(uploads),
        "total": len(uploads),
        "bytes_done": sum(u.size for u in uploads),
        "bytes_total": sum(u.size for u in uploads),
    }
    assert token_client.get(f"/api/v1/studies/{body['accession']}/").json()["status"] == "released"
    assert _patch(token_client, _detail_url(submission_id), {"title": "Too late"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_p_move_on_submit_api_answers_201_when_the_study_exists_already(token_client, uploads):
    """Committed for real, the synchronous test queue runs the move inside the request."""
    submission_id = _post(token_client, URL, _body(uploads)).json()["id"]
    response = _post(token_client, _detail_url(submission_id) + "submit/")
    assert response.status_code == 201, response.content
    study = Study.objects.get()
    assert response.json() == {
        "accession": study.accession,
        "status": "released",
        "url": f"http://testserver/api/v1/studies/{study.accession}/",
    }


def test_submit_in_review_answers_202_with_the_reasons(
    token_client, uploads, mailoutbox, django_capture_on_commit_callbacks
):
    body = _body(uploads, publication_doi="", no_publication_reason="A reference atlas")
    submission_id = _post(token_client, URL, body).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(token_client, _detail_url(submission_id) + "submit/")
    assert response.status_code == 202
    assert response.json()["state"] == "in_review" and response.json()["review_reasons"] == ["no_publication"]
    assert response.json()["accession"] == ""
    assert len(mailoutbox) == 1


def test_submit_refusal_lists_metadata_problems_and_changes_nothing(token_client, uploads):
    submission_id = _post(token_client, URL, _body(uploads, title="", description="")).json()["id"]
    response = _post(token_client, _detail_url(submission_id) + "submit/")
    assert response.status_code == 400
    assert response.json()["rule"] == "METADATA" and {"title", "description"} <= set(response.json())
    assert Submission.objects.get().state == SubmissionState.DRAFT


def test_p_permanent_new_version_via_api_for_the_owner_only(token_client, submitter, other_client, anonymous_client):
    files = [stored_file("a.tif", b"a"), stored_file("b.tif", b"bb")]
    study = make_study(owner=submitter, status="confidential", files=files)
    url = f"/api/v1/studies/{study.accession}/versions/"
    assert _post(other_client, url).status_code == 404  # confidential: not visible to them
    assert _post(anonymous_client, url).status_code == 403  # writes need an account, before any look-up
    response = _post(token_client, url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "new_version" and body["study"] == study.accession and body["state"] == "draft"
    assert sorted(f["path"] for f in body["files"]) == ["a.tif", "b.tif"]
    assert {f["upload_file"] for f in body["files"]} == {None}
    assert _post(token_client, url).json()["id"] == body["id"]  # the same draft resumed

    released = make_study(owner=submitter, status="released", title="Released study")
    assert _post(other_client, f"/api/v1/studies/{released.accession}/versions/").status_code == 403
    removed = make_study(owner=submitter, status="removed", title="Removed study")
    assert _post(token_client, f"/api/v1/studies/{removed.accession}/versions/").status_code == 410


def test_p_permanent_new_version_keeps_drops_and_adds_files_via_api(
    token_client, submitter, django_capture_on_commit_callbacks
):
    study = make_study(owner=submitter, files=[stored_file("a.tif", b"a"), stored_file("b.tif", b"bb")])
    draft = _post(token_client, f"/api/v1/studies/{study.accession}/versions/").json()
    added = upload_file_put(owner=submitter, relative_path="c.tif", content=b"ccc")
    url = _detail_url(draft["id"])
    response = _patch(token_client, url, {"keep_paths": ["a.tif"], "files": [added.pk], "title": "Corrected"})
    assert response.status_code == 200, response.content
    assert sorted(f["path"] for f in response.json()["files"]) == ["a.tif", "c.tif"]
    answers = {"version": "scope-v1", "answers": ACCEPTED_ANSWERS}
    acknowledgements = {"public_disclosure": True, "right_to_submit": True}
    assert _patch(token_client, url, {"scope": answers, "acknowledgements": acknowledgements}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(token_client, url + "submit/").status_code == 202
    detail = token_client.get(f"/api/v1/studies/{study.accession}/").json()
    assert sorted(v["number"] for v in detail["versions"]) == [1, 2]
    v2 = token_client.get(f"/api/v1/studies/{study.accession}/files/?version=2").json()
    assert sorted(f["path"] for f in v2["results"]) == ["a.tif", "c.tif"]
    v1 = token_client.get(f"/api/v1/studies/{study.accession}/files/?version=1").json()
    assert sorted(f["path"] for f in v1["results"]) == ["a.tif", "b.tif"]


def test_schema_documents_the_submissions_api(anonymous_client):
    schema = json.loads(anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)
    paths = schema["paths"]
    assert set(paths["/api/v1/submissions/"]) >= {"get", "post"}
    assert set(paths["/api/v1/submissions/{submission_id}/"]) >= {"get", "patch"}
    assert set(paths["/api/v1/submissions/{submission_id}/submit/"]["post"]["responses"]) >= {"201", "202", "400"}
    assert (
        "multipart/form-data"
        in paths["/api/v1/submissions/{submission_id}/file-list/"]["post"]["requestBody"]["content"]
    )
    assert "post" in paths["/api/v1/studies/{accession}/versions/"]


def test_list_costs_a_fixed_number_of_queries(token_client, submitter, django_assert_max_num_queries):
    for number in range(5):
        _post(token_client, URL, {"title": f"Draft {number}"})
    with django_assert_max_num_queries(4):  # token, count, page; not one per submission
        response = token_client.get(URL)
    assert response.json()["count"] == 5
