"""P-SCOPE: the clinical-scope self-certification, form scope-v1 (docs/design.md §10.4)."""

import itertools

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from core.errors import PolicyViolation
from submissions import scope
from submissions.models import ScopeCertification, Submission, SubmissionState
from submissions.services import submission_certify_scope, submission_create_draft
from tests.factories import UserFactory, study_metadata

ACCEPTABLE_NON_HUMAN = {
    "human_material": "no",
    "primary_medical_use": "no",
    "identifiable_individual": "not_applicable",
    "identifying_phenotypic_data": "not_applicable",
    "publication_consent": "not_applicable",
    "public_release_consent": "yes",
}


def _expected(answers: dict) -> str:
    """§5.4 restated independently of the code under test."""
    if answers["primary_medical_use"] == "yes":
        return "refused"
    if answers["public_release_consent"] != "yes":
        return "refused"
    identifiable = "yes" in (answers["identifiable_individual"], answers["identifying_phenotypic_data"])
    if identifiable:
        return "needs_review" if answers["publication_consent"] == "yes" else "refused"
    return "accepted"


HUMAN_TABLE = [
    {
        "human_material": "yes",
        "primary_medical_use": medical,
        "identifiable_individual": individual,
        "identifying_phenotypic_data": phenotypic,
        "publication_consent": consent,
        "public_release_consent": release,
    }
    for medical, individual, phenotypic, consent, release in itertools.product(["yes", "no"], repeat=5)
]


@pytest.mark.parametrize("answers", HUMAN_TABLE, ids=lambda a: "-".join(a[k][0] for k in list(a)[1:]))
def test_p_scope_outcome_follows_the_truth_table_for_human_material(answers):
    assert scope.scope_outcome(scope.scope_answers_validate(answers)) == _expected(answers)


@pytest.mark.parametrize(
    "answers, outcome",
    [
        (ACCEPTABLE_NON_HUMAN, "accepted"),
        ({**ACCEPTABLE_NON_HUMAN, "identifiable_individual": "no", "publication_consent": "no"}, "accepted"),
        ({**ACCEPTABLE_NON_HUMAN, "primary_medical_use": "yes"}, "refused"),
        ({**ACCEPTABLE_NON_HUMAN, "public_release_consent": "no"}, "refused"),
    ],
)
def test_p_scope_outcome_for_non_human_material(answers, outcome):
    assert scope.scope_outcome(scope.scope_answers_validate(answers)) == outcome


def test_p_scope_human_cell_lines_not_linked_to_anyone_are_accepted():
    answers = {
        "human_material": "yes",
        "primary_medical_use": "no",
        "identifiable_individual": "no",
        "identifying_phenotypic_data": "no",
        "publication_consent": "no",
        "public_release_consent": "yes",
    }
    assert scope.scope_outcome(scope.scope_answers_validate(answers)) == "accepted"


@pytest.mark.parametrize(
    "answers, field",
    [
        ({k: v for k, v in ACCEPTABLE_NON_HUMAN.items() if k != "primary_medical_use"}, "primary_medical_use"),
        ({**ACCEPTABLE_NON_HUMAN, "favourite_colour": "no"}, "favourite_colour"),
        ({**ACCEPTABLE_NON_HUMAN, "public_release_consent": "maybe"}, "public_release_consent"),
        ({**ACCEPTABLE_NON_HUMAN, "primary_medical_use": "not_applicable"}, "primary_medical_use"),
        ({**ACCEPTABLE_NON_HUMAN, "human_material": "not_applicable"}, "human_material"),
        ({**ACCEPTABLE_NON_HUMAN, "identifiable_individual": "yes"}, "identifiable_individual"),
        (
            {**ACCEPTABLE_NON_HUMAN, "human_material": "yes", "identifying_phenotypic_data": "no"},
            "identifiable_individual",
        ),
    ],
    ids=["missing", "unknown-id", "bad-choice", "na-not-allowed", "na-human", "yes-without-human", "na-with-human"],
)
def test_p_scope_bad_answers_are_refused_naming_the_field(answers, field):
    with pytest.raises(PolicyViolation) as raised:
        scope.scope_answers_validate(answers)
    assert raised.value.rule == "P-SCOPE"
    assert raised.value.field == field


@pytest.fixture
def draft(submitter):
    return submission_create_draft(owner=submitter, metadata=study_metadata())


def test_p_scope_answers_and_form_version_are_stored(draft, submitter):
    certification = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
    )
    stored = ScopeCertification.objects.get(submission=draft)
    assert stored.pk == certification.pk
    assert stored.form_version == "scope-v1"
    assert stored.answers == ACCEPTABLE_NON_HUMAN
    assert stored.outcome == "accepted"
    assert stored.certified_at is not None


def test_p_scope_needs_review_is_stored_and_the_draft_stays_a_draft(draft, submitter):
    answers = {
        "human_material": "yes",
        "primary_medical_use": "no",
        "identifiable_individual": "yes",
        "identifying_phenotypic_data": "no",
        "publication_consent": "yes",
        "public_release_consent": "yes",
    }
    certification = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=answers
    )
    assert certification.outcome == "needs_review"
    draft.refresh_from_db()
    assert draft.state == SubmissionState.DRAFT


def test_p_scope_refusal_points_to_the_ega_and_is_kept_on_record(draft, submitter):
    answers = {**ACCEPTABLE_NON_HUMAN, "primary_medical_use": "yes"}
    with pytest.raises(PolicyViolation) as raised:
        submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=answers)
    assert raised.value.rule == "P-SCOPE"
    assert "European Genome-phenome Archive" in raised.value.message
    assert "https://ega-archive.org/" in raised.value.message
    stored = ScopeCertification.objects.get(submission=draft)
    assert stored.outcome == "refused"
    assert stored.answers == answers
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.REFUSED


def test_p_scope_certification_cannot_be_edited_afterwards(draft, submitter):
    submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN)
    changed = {**ACCEPTABLE_NON_HUMAN, "public_release_consent": "no"}
    with pytest.raises(PolicyViolation) as raised:
        submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=changed)
    assert raised.value.rule == "P-SCOPE"
    assert ScopeCertification.objects.get(submission=draft).answers == ACCEPTABLE_NON_HUMAN


def test_p_scope_submitted_submission_cannot_be_certified(draft, submitter):
    Submission.objects.filter(pk=draft.pk).update(state=SubmissionState.SUBMITTED)
    with pytest.raises(PolicyViolation):
        submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
        )
    assert not ScopeCertification.objects.filter(submission=draft).exists()


def test_p_scope_unknown_form_version_is_refused(draft, submitter):
    with pytest.raises(PolicyViolation) as raised:
        submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v0", answers=ACCEPTABLE_NON_HUMAN
        )
    assert raised.value.field == "version"


def test_p_scope_only_the_submitter_certifies(draft, other_user):
    with pytest.raises(PolicyViolation) as raised:
        submission_certify_scope(
            submission=draft, actor=other_user, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
        )
    assert raised.value.status == 403
    assert not ScopeCertification.objects.filter(submission=draft).exists()


def test_p_scope_admin_cannot_change_or_delete_a_certification(draft, submitter, curator):
    certification = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
    )
    request = RequestFactory().get("/admin/")
    request.user = curator
    model_admin = site._registry[ScopeCertification]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, certification)
    assert not model_admin.has_delete_permission(request, certification)


def test_p_scope_admin_change_page_shows_no_save_button(draft, submitter, client):
    certification = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
    )
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    page = client.get(f"/admin/submissions/scopecertification/{certification.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    posted = client.post(f"/admin/submissions/scopecertification/{certification.pk}/change/", {"outcome": "refused"})
    assert posted.status_code == 403
    assert ScopeCertification.objects.get(pk=certification.pk).outcome == "accepted"
