"""Anonymous writes to the API are refused by the default permission, before the body is read or a view runs."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.routes import api_write_routes

pytestmark = pytest.mark.django_db

WRITE_ROUTES = sorted(api_write_routes())


def test_every_api_view_that_writes_is_tried():
    names = {name for name, _, _ in WRITE_ROUTES}
    assert {"api-study-reviewer-links", "api-study-collaborators", "api-submission-list"} <= names


@pytest.mark.parametrize(
    ("name", "parameters", "method"), WRITE_ROUTES, ids=[f"{method} {name}" for name, _, method in WRITE_ROUTES]
)
def test_anonymous_write_is_refused_before_any_parsing_or_query(
    route_values, django_assert_num_queries, name, parameters, method
):
    url = reverse(name, kwargs={p: route_values[p] for p in parameters})
    with django_assert_num_queries(0):  # the view would look the study or the submission up
        response = getattr(Client(), method)(url, "[" * 100_000, content_type="application/json")
    assert response.status_code in (401, 403), (method, url, response.status_code)
    assert response.json() == {"detail": "Authentication credentials were not provided.", "rule": "AUTH"}
