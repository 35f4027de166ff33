"""Control characters in study metadata, and e-mails that fail after a submission is done (issue #10).

A single-line field (title, organism, author name...) takes no control
character at all; a multi-line one (description...) takes line breaks and
tabs only. The wizard and the API both go through `metadata_clean`. An e-mail
that cannot be sent once a submission is committed (an address no header
takes, a mail server down) is logged, and the answer is the committed state.
"""

import json
import logging
import socket

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from archive.metadata import MetadataInvalid, metadata_clean
from submissions.models import Submission, SubmissionState
from submissions.services import submission_create_draft
from tests.factories import study_metadata
from tests.submissions.move_helpers import file_contents, ready_draft

pytestmark = pytest.mark.django_db

CONTROL_CHARACTERS = ["\r", "\n", "\t", "\x00", "\x1b", "\x7f", "\x85"]
NO_PUBLICATION = {"publication_doi": "", "no_publication_reason": "A reference atlas."}  # sends it to review


def _errors(raw: dict) -> dict:
    with pytest.raises(MetadataInvalid) as raised:
        metadata_clean(raw, complete=False)
    return raised.value.errors


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=[f"U+{ord(c):04X}" for c in CONTROL_CHARACTERS])
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"title": "Mitochondria{c}in motion"}, "title"),
        ({"organism": "Homo{c}sapiens"}, "organism"),
        ({"imaging_method": "confocal{c}microscopy"}, "imaging_method"),
        ({"keywords": ["live{c}imaging"]}, "keywords"),
        ({"authors": [{"name": "Ada{c}Lovelace"}]}, "authors"),
        ({"authors": [{"name": "Ada Lovelace", "affiliation": "EMBL{c}EBI"}]}, "authors"),
        ({"publication_doi": "10.1038/s41592{c}-021"}, "publication_doi"),
    ],
    ids=["title", "organism", "imaging_method", "keyword", "author-name", "affiliation", "doi"],
)
def test_metadata_single_line_fields_refuse_every_control_character(raw, field, character):
    raw = json.loads(json.dumps(raw).replace("{c}", json.dumps(character)[1:-1]))
    errors = _errors(raw)
    assert list(errors) == [field]
    assert f"U+{ord(character):04X}" in errors[field][0] and "one line" in errors[field][0]


def test_metadata_multi_line_fields_keep_line_breaks_and_tabs_but_refuse_other_control_characters():
    text = "First paragraph.\r\n\r\nSecond:\tindented."
    assert metadata_clean({"description": text, "funding": text}, complete=False)["description"] == text
    errors = _errors({"description": "Escape \x1b[31m red", "specimen": "NUL \x00 byte"})
    assert set(errors) == {"description", "specimen"}
    assert "U+001B" in errors["description"][0] and "U+0000" in errors["specimen"][0]


def test_metadata_api_refuses_a_title_with_a_carriage_return_and_creates_nothing(submitter):
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")
    body = json.dumps({"title": "Line one\rLine two"})
    response = client.post("/api/v1/submissions/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["rule"] == "METADATA" and "U+000D" in response.json()["title"][0]
    assert not Submission.objects.exists()


def test_metadata_wizard_refuses_a_title_with_a_carriage_return_and_keeps_the_draft(submitter_client, submitter):
    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})
    data = {"title": "Line one\rLine two", "authors-TOTAL_FORMS": "0", "authors-INITIAL_FORMS": "0"}
    response = submitter_client.post(reverse("submissions:step", args=[draft.pk, "metadata"]), data)
    assert response.status_code == 400 and "U+000D" in response.content.decode()
    draft.refresh_from_db()
    assert draft.metadata == {"title": "Draft"}


def _ready_for_review(owner):
    """A draft that submitting sends to a curator, with an e-mail to its owner."""
    submission, _ = ready_draft(owner, file_contents(1))
    Submission.objects.filter(pk=submission.pk).update(metadata=study_metadata(**NO_PUBLICATION))
    return submission


def _mail_failure_logged(caplog, submission) -> bool:
    return any(
        record.levelno == logging.ERROR
        and record.name == "core.mail"
        and f"submission {submission.pk}" in record.getMessage()
        for record in caplog.records
    )


def test_metadata_a_title_stored_before_the_rule_is_refused_on_submit_not_mailed(submitter):
    submission = _ready_for_review(submitter)
    Submission.objects.filter(pk=submission.pk).update(metadata=study_metadata(title="Line one\rLine two"))
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")
    response = client.post(f"/api/v1/submissions/{submission.pk}/submit/")
    assert response.status_code == 400 and response.json()["rule"] == "METADATA" and "title" in response.json()
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT


@pytest.mark.django_db(transaction=True)  # committed for real, so the e-mail goes when the request commits
def test_a_failing_email_after_submit_is_logged_and_the_api_answers_the_committed_state(submitter, caplog):
    submission = _ready_for_review(submitter)
    # An address stored before any check, which no mail header takes (a header injection attempt).
    type(submitter).objects.filter(pk=submitter.pk).update(email="ada@example.org\rBcc: eve@example.org")
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}")
    url = f"/api/v1/submissions/{submission.pk}/submit/"
    with caplog.at_level(logging.ERROR):
        response = client.post(url)
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "in_review"
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW and submission.review_reasons == ["no_publication"]
    assert mail.outbox == [] and _mail_failure_logged(caplog, submission)

    again = client.post(url)  # already submitted: said so, under the rule of submitting
    assert again.status_code == 400
    assert again.json() == {
        "non_field_errors": ["This submission has been submitted; it can no longer change."],
        "rule": "P-MOVE-ON-SUBMIT",
    }


@pytest.fixture
def mail_server_down(settings):
    """Send e-mail by SMTP to a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5


@pytest.mark.django_db(transaction=True)
def test_a_failing_email_after_submit_is_logged_and_the_wizard_shows_the_status_page(
    submitter, mail_server_down, caplog
):
    submission = _ready_for_review(submitter)
    client = Client()
    client.force_login(submitter)
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("submissions:step", args=[submission.pk, "review"]))
    assert response.status_code == 302 and response["Location"] == f"/submissions/{submission.pk}/"
    submission.refresh_from_db()
    assert submission.state == SubmissionState.IN_REVIEW
    assert _mail_failure_logged(caplog, submission)
