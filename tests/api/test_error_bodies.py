"""Every API error body names the rule that refuses the request, DRF's own refusals and unknown addresses too."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "status", "rule"),
    [
        ("/api/v1/no-such-thing/", 404, "NOT-FOUND"),
        ("/api/v1/studies/S-BIAD999/", 404, "NOT-FOUND"),
        ("/api/v1/studies/?page_size=101", 400, "INPUT"),
        ("/api/v1/studies/?year=abc", 400, "INPUT"),
        ("/api/v1/submissions/", 403, "AUTH"),
    ],
)
def test_an_api_error_names_its_rule(anonymous_client, url, status, rule):
    response = anonymous_client.get(url)
    assert response.status_code == status
    assert response.json()["rule"] == rule


def test_a_refused_token_names_the_auth_rule(client):
    response = client.get("/api/v1/studies/", HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token.", "rule": "AUTH"}
