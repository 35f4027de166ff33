"""The OpenAPI description of the API (drf-spectacular) is complete and clean."""

import json

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

READ_PATHS = [
    "/api/v1/studies/",
    "/api/v1/studies/{accession}/",
    "/api/v1/studies/{accession}/files/",
    "/api/v1/studies/{accession}/versions/{version}/",
]


@pytest.fixture
def schema(anonymous_client) -> dict:
    response = anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_endpoint_serves_valid_openapi_3_with_the_read_paths(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert set(READ_PATHS) <= set(schema["paths"])


def test_schema_documents_filters_pagination_and_error_bodies(schema):
    listing = schema["paths"]["/api/v1/studies/"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert {
        "q",
        "organism",
        "imaging_method",
        "licence",
        "year",
        "include_obsolete",
        "status",
        "page",
        "page_size",
    } <= set(parameters)
    assert parameters["page_size"]["schema"]["maximum"] == 100
    assert set(listing["responses"]) == {"200", "400", "401", "403", "404"}

    detail = schema["paths"]["/api/v1/studies/{accession}/"]["get"]
    assert detail["responses"]["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Tombstone"
    }
    tombstone = schema["components"]["schemas"]["Tombstone"]["properties"]
    assert set(tombstone) == {"accession", "status", "removed_at", "reason_category"}


def test_every_4xx_but_the_tombstone_has_the_error_body_naming_the_rule(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["rule"] and set(error["properties"]) == {"rule", "detail"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith("4") and status != "410":
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }, (method, path, status)


def test_spectacular_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_api_docs_page_answers(anonymous_client):
    assert anonymous_client.get("/api/docs/").status_code == 200
