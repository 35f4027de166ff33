"""P-DISCLOSURE and P-LICENCE on a draft submission."""

import pytest

from core.errors import PolicyViolation
from submissions.models import DisclosureAcknowledgement, Submission
from submissions.services import submission_acknowledge, submission_create_draft
from tests.factories import study_metadata


@pytest.fixture
def draft(submitter):
    return submission_create_draft(owner=submitter, metadata=study_metadata())


def test_p_disclosure_both_acknowledgements_are_recorded(draft, submitter):
    acknowledgement = submission_acknowledge(
        submission=draft, actor=submitter, public_disclosure=True, right_to_submit=True
    )
    stored = DisclosureAcknowledgement.objects.get(submission=draft)
    assert stored.pk == acknowledgement.pk
    assert stored.public_disclosure and stored.right_to_submit
    assert stored.acknowledged_at is not None


@pytest.mark.parametrize(
    "public_disclosure, right_to_submit, field",
    [(False, True, "public_disclosure"), (True, False, "right_to_submit"), (False, False, "public_disclosure")],
)
def test_p_disclosure_each_acknowledgement_is_required(draft, submitter, public_disclosure, right_to_submit, field):
    with pytest.raises(PolicyViolation) as raised:
        submission_acknowledge(
            submission=draft, actor=submitter, public_disclosure=public_disclosure, right_to_submit=right_to_submit
        )
    assert raised.value.rule == "P-DISCLOSURE"
    assert raised.value.field == field
    assert not DisclosureAcknowledgement.objects.exists()


def test_p_disclosure_only_the_submitter_acknowledges(draft, other_user):
    with pytest.raises(PolicyViolation) as raised:
        submission_acknowledge(submission=draft, actor=other_user, public_disclosure=True, right_to_submit=True)
    assert raised.value.status == 403
    assert not DisclosureAcknowledgement.objects.exists()


def test_p_licence_a_draft_is_cc0_and_no_other_licence_is_accepted(submitter):
    with pytest.raises(PolicyViolation) as raised:
        submission_create_draft(owner=submitter, metadata=study_metadata(), licence="CC-BY-4.0")
    assert raised.value.rule == "P-LICENCE"
    assert raised.value.field == "licence"
    assert not Submission.objects.exists()
    assert submission_create_draft(owner=submitter, metadata=study_metadata(), licence="CC0-1.0").state == "draft"
