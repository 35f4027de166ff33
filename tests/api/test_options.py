"""OPTIONS on every API route answers without a server error (issue #10), whoever asks.

The routes come from the URLconf, so a route added later is asked too.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from archive.services import reviewer_link_create
from submissions.services import submission_create_draft
from tests.factories import make_study
from uploads.services import upload_file_put

pytestmark = pytest.mark.django_db


def _api_routes(resolver: URLResolver | None = None, prefix: str = ""):
    """Yield (name, parameter names) of every named route under /api/."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and pattern.name and route.startswith("api/"):
            yield pattern.name, tuple(pattern.pattern.regex.groupindex)


API_ROUTES = sorted(set(_api_routes()))


@pytest.fixture
def route_values(submitter, other_user) -> dict:
    """A value for each path parameter, naming rows the submitter owns."""
    study = make_study(owner=submitter, status="confidential")
    link, _ = reviewer_link_create(study=study, actor=submitter)
    return {
        "accession": study.accession,
        "version": 1,
        "link_id": link.pk,
        "username": other_user.username,
        "submission_id": submission_create_draft(owner=submitter, metadata={"title": "Draft"}).pk,
        "id": upload_file_put(owner=submitter, relative_path="a.tif", content=b"pixels").pk,
        "upload_id": "00000000-0000-4000-8000-000000000000",
    }


def test_the_api_has_routes_to_ask():
    names = {name for name, _ in API_ROUTES}
    assert {"api-submission-list", "api-study-detail", "api-curation-study-remove", "uploads-tus"} <= names


@pytest.mark.parametrize(("name", "parameters"), API_ROUTES, ids=[name for name, _ in API_ROUTES])
def test_options_on_every_api_route_is_never_a_server_error(route_values, submitter, curator, name, parameters):
    url = reverse(name, kwargs={parameter: route_values[parameter] for parameter in parameters})
    signed_in = Client()
    signed_in.force_login(submitter)
    clients = {
        "anonymous": Client(),
        "session": signed_in,
        "curator": Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}"),
    }
    for who, client in clients.items():
        response = client.options(url)
        assert response.status_code < 500, (who, url, response.status_code)


def test_options_describes_a_view_without_a_serializer_class(submitter_client):
    response = submitter_client.options("/api/v1/submissions/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Submission List" and "application/json" in body["parses"]
