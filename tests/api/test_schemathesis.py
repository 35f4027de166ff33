"""schemathesis, run from /api/schema/ against the live server: no 5xx, and every answer is one the schema describes.

Stateless: each operation gets a bounded number of generated requests, as the public and as a submitter
with a token. Business rules (a status filter for curators only, an owner-only action) answer their
documented 4xx, which the checks accept.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from archive.services.access import reviewer_link_create
from submissions.services.drafts import submission_create_draft
from tests.factories import make_study
from uploads.services.upload import upload_file_put

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def known_values(submitter) -> dict:
    """Studies in each status, the submitter's draft and upload; path values that name them (the owner's)."""
    make_study(owner=submitter, title="Released study")
    make_study(owner=submitter, status="obsolete", title="Obsolete study")
    make_study(owner=submitter, status="removed", title="Removed study")
    confidential = make_study(owner=submitter, status="confidential", title="Confidential study")
    link, _token = reviewer_link_create(study=confidential, actor=submitter)
    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})
    upload = upload_file_put(owner=submitter, relative_path="images/a.tif", content=b"pixels")
    return {
        "accession": confidential.accession,
        "version": 1,
        "link_id": link.pk,
        "submission_id": draft.pk,
        "id": upload.pk,
        "username": "other_user",
    }


def _cases(operation, known_values: dict):
    """Generated requests: half of them at addresses of real rows, so that they reach the views' rules."""
    names = {parameter.name for parameter in operation.path_parameters}
    known = {name: value for name, value in known_values.items() if name in names}
    return st.one_of(
        operation.as_strategy(),
        operation.as_strategy(path_parameters=known),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known),
    )


def _failures(operation, cases, headers: dict) -> list[str]:
    """Run the generated requests of one operation; return what the checks found, if anything."""

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing request is clear enough
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except (Exception, FailureGroup) as failure:  # every failure is reported, with its operation
        return [f"{operation.label}: {failure}"]
    return []


@pytest.mark.parametrize("caller", ["anonymous", "submitter with a token"])
def test_generated_requests_get_no_5xx_and_only_answers_the_schema_describes(
    live_server, known_values, submitter, caller
):
    headers = {} if caller == "anonymous" else {"Authorization": f"Token {Token.objects.create(user=submitter).key}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures = [
        failure
        for operation in operations
        for failure in _failures(operation, _cases(operation, known_values), headers)
    ]
    assert not failures, "\n\n".join(failures)
