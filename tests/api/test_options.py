"""OPTIONS on every API route answers without a server error (issue #10), whoever asks.

The routes come from the URLconf, so a route added later is asked too.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.api.routes import api_routes

pytestmark = pytest.mark.django_db


API_ROUTES = sorted(set(api_routes()))


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
