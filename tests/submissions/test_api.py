"""GET /api/v1/scope-form/ (docs/design.md §10.3)."""

from submissions.scope import QUESTIONS


def test_p_scope_form_api_gives_version_questions_and_choices(anonymous_client):
    response = anonymous_client.get("/api/v1/scope-form/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "scope-v1"
    assert [q["id"] for q in body["questions"]] == [
        "human_material",
        "primary_medical_use",
        "identifiable_individual",
        "identifying_phenotypic_data",
        "publication_consent",
        "public_release_consent",
    ]
    by_id = {q["id"]: q for q in body["questions"]}
    assert by_id["human_material"]["choices"] == ["yes", "no"]
    assert by_id["publication_consent"]["choices"] == ["yes", "no", "not_applicable"]
    assert all(q["text"] for q in body["questions"])
    assert len(body["questions"]) == len(QUESTIONS)


def test_scope_form_api_is_in_the_schema(anonymous_client):
    schema = anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert b"/api/v1/scope-form/" in schema.content


def test_studies_api_still_answers_get_after_the_submissions_routes(db, anonymous_client):
    assert anonymous_client.get("/api/v1/studies/").status_code == 200
