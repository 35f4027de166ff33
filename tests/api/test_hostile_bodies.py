"""Every write route, tried with a hostile body, answers a clear 4xx (never a 5xx) and changes nothing.

The routes come from the URLconf itself, so a route added later is tried too.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from archive.models import Study
from core.models import CurationEvent
from submissions.models import Submission
from tests.api.routes import named_routes
from tests.factories import make_study

pytestmark = pytest.mark.django_db

# 100,000 opening brackets: Python's json module recurses once per bracket.
NESTED_JSON = "[" * 100_000
WRITE_METHODS = ("post", "put", "patch")


ROUTES = sorted({(name, parameters) for name, parameters, _ in named_routes()})


def _clients(submitter, curator) -> dict[str, Client]:
    signed_in = Client()
    signed_in.force_login(submitter)
    return {
        "anonymous": Client(),
        "session": signed_in,
        "token": Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=submitter).key}"),
        "curator": Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}"),
    }


# Submitting a draft keeps its files' screening (and so its updated_at) even when a rule then refuses it.
SUBMISSION_FIELDS = [f.attname for f in Submission._meta.concrete_fields if f.name != "updated_at"]


def _state() -> tuple:
    return (
        list(Study.objects.values()),
        list(Submission.objects.values(*SUBMISSION_FIELDS)),
        CurationEvent.objects.count(),
    )


@pytest.mark.parametrize(("name", "parameters"), ROUTES, ids=[name for name, _ in ROUTES])
def test_deeply_nested_json_on_every_write_route_is_a_4xx_never_a_5xx(
    route_values, submitter, curator, name, parameters
):
    url = reverse(name, kwargs={p: route_values[p] for p in parameters})
    for who, client in _clients(submitter, curator).items():
        for method in WRITE_METHODS:
            before = _state()
            response = getattr(client, method)(url, NESTED_JSON, content_type="application/json")
            assert response.status_code < 500, (who, method, url, response.status_code)
            if response.status_code >= 400:
                assert _state() == before, (who, method, url, response.status_code)
            if url.startswith("/api/") and response.status_code == 400:
                body = response.json()
                assert body.get("rule") and set(body) - {"rule"}, (who, method, url, body)


@pytest.mark.parametrize("body", [NESTED_JSON, "[" * 33 + "]" * 33, '{"expires_at": NaN}', "{", b"\xff\xfe\xfd"])
def test_a_bad_json_body_is_a_400_naming_the_body_and_the_rule(submitter_client, submitter, body):
    study = make_study(owner=submitter, status="confidential")
    url = reverse("api-study-reviewer-links", args=[study.accession])
    response = submitter_client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["rule"] == "REQUEST-BODY"
    assert response.json()["body"][0].startswith("The request body is not valid JSON")
    assert not study.reviewer_links.exists()


def test_json_nested_as_deep_as_allowed_is_read(submitter_client, submitter):
    study = make_study(owner=submitter, status="confidential")
    url = reverse("api-study-reviewer-links", args=[study.accession])
    body = '{"anonymised": true, "note": ' + "[" * 31 + "]" * 31 + "}"
    assert submitter_client.post(url, body, content_type="application/json").status_code == 201


def test_a_deeply_nested_import_manifest_is_a_form_error(curator_client, tmp_path):
    manifest = SimpleUploadedFile("manifest.json", NESTED_JSON.encode(), content_type="application/json")
    response = curator_client.post("/admin/curation/importedstudy/import/", {"manifest": manifest})
    assert response.status_code == 400
    assert "at most 32 levels deep" in response.content.decode()
    assert not Study.objects.exists()


def test_a_deeply_nested_import_manifest_stops_the_command(curator, tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(NESTED_JSON)
    with pytest.raises(CommandError, match="at most 32 levels deep"):
        call_command("import_study", str(manifest), curator=curator.username)
