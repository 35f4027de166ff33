"""P-SCOPE: the clinical-scope self-certification, form scope-v1 (docs/design.md §10.4)."""

import datetime
import itertools

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.test import RequestFactory

from core.errors import PolicyViolation
from submissions import scope
from submissions.models import ScopeCertification, Submission, SubmissionState
from submissions.services import submission_certify_scope, submission_create_draft
from tests.factories import UserFactory, study_metadata
from tests.submissions.move_helpers import NEEDS_REVIEW_ANSWERS as NEEDS_REVIEW

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


HUMAN_CELL_LINE = {
    "human_material": "yes",
    "primary_medical_use": "no",
    "identifiable_individual": "no",
    "identifying_phenotypic_data": "no",
    "publication_consent": "not_applicable",
    "public_release_consent": "yes",
}


@pytest.mark.parametrize("consent", ["not_applicable", "no", "yes"])
def test_p_scope_human_cell_lines_not_linked_to_anyone_are_accepted(consent):
    # Consent to publication is asked only of data linked to a person: a cell line may say it does not apply.
    answers = {**HUMAN_CELL_LINE, "publication_consent": consent}
    assert scope.scope_outcome(scope.scope_answers_validate(answers)) == "accepted"


@pytest.mark.parametrize("identifying", ["identifiable_individual", "identifying_phenotypic_data"])
def test_p_scope_consent_must_be_yes_or_no_when_the_data_can_be_linked_to_a_person(identifying):
    with pytest.raises(PolicyViolation) as raised:
        scope.scope_answers_validate({**HUMAN_CELL_LINE, identifying: "yes"})
    assert (raised.value.rule, raised.value.field) == ("P-SCOPE", "publication_consent")
    assert "linked to a person" in raised.value.message


def test_p_scope_questions_help_a_cell_line_depositor():
    texts = {question.id: question.text for question in scope.QUESTIONS}
    assert "HeLa" in texts["human_material"]
    assert "Human cell lines such as HeLa" in texts["identifiable_individual"]
    assert "not linked to a person: answer No" in texts["identifiable_individual"]
    assert "answer Not applicable" in texts["publication_consent"]


def test_p_scope_public_release_question_is_about_the_depositors_right_to_publish():
    text = scope.QUESTIONS_BY_ID["public_release_consent"].text
    assert "right to publish this dataset openly" in text and "do you agree" in text
    assert "not about people, unless people are in the data" in text


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


REFUSING = {
    "medical": {**ACCEPTABLE_NON_HUMAN, "primary_medical_use": "yes"},
    "no-release-consent": {**ACCEPTABLE_NON_HUMAN, "public_release_consent": "no"},
    "identifiable-without-consent": {**HUMAN_CELL_LINE, "identifiable_individual": "yes", "publication_consent": "no"},
}


@pytest.mark.parametrize("answers", REFUSING.values(), ids=REFUSING)
def test_p_scope_refusing_answers_without_confirmation_record_nothing_and_keep_the_draft(draft, submitter, answers):
    with pytest.raises(scope.ScopeRefusalUnconfirmed) as raised:
        submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=answers)
    error = raised.value
    assert (error.rule, error.field, error.status) == ("P-SCOPE", "confirm_refusal", 409)
    assert "would close the submission as refused" in error.message and "`confirm_refusal: true`" in error.message
    assert "https://ega-archive.org/" in error.message and error.answers == answers
    assert not ScopeCertification.objects.filter(submission=draft).exists()
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.DRAFT


def test_p_scope_confirmed_refusal_points_to_the_ega_and_is_kept_on_record(draft, submitter):
    answers = REFUSING["medical"]
    with pytest.raises(scope.ScopeRefused) as raised:
        submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=answers, confirm_refusal=True
        )
    assert raised.value.rule == "P-SCOPE"
    assert "European Genome-phenome Archive" in raised.value.message
    assert "https://ega-archive.org/" in raised.value.message
    stored = ScopeCertification.objects.get(submission=draft)
    assert (stored.number, stored.outcome, stored.answers) == (1, "refused", answers)
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.REFUSED


def test_p_scope_confirming_accepted_answers_changes_nothing_of_their_outcome(draft, submitter):
    certification = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=HUMAN_CELL_LINE, confirm_refusal=True
    )
    assert certification.outcome == "accepted"
    assert Submission.objects.get(pk=draft.pk).state == SubmissionState.DRAFT


def test_p_scope_recertifying_a_draft_adds_a_record_and_never_edits_the_earlier_one(draft, submitter):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        first = submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=NEEDS_REVIEW
        )
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), tick=False):
        second = submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=HUMAN_CELL_LINE
        )
    stored = list(ScopeCertification.objects.filter(submission=draft).order_by("number"))
    assert [(c.pk, c.number, c.outcome) for c in stored] == [(first.pk, 1, "needs_review"), (second.pk, 2, "accepted")]
    assert stored[0].answers == NEEDS_REVIEW and stored[0].certified_at == first.certified_at  # as it was given
    assert stored[1].certified_at > stored[0].certified_at
    assert Submission.objects.get(pk=draft.pk).scope_certification_in_force == second


def test_p_scope_the_same_answers_again_add_no_certification(draft, submitter):
    first = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
    )
    again = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=dict(reversed(ACCEPTABLE_NON_HUMAN.items()))
    )
    assert again == first and ScopeCertification.objects.filter(submission=draft).count() == 1


def test_p_scope_refusal_after_an_accepted_certification_keeps_both(draft, submitter):
    first = submission_certify_scope(
        submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
    )
    with pytest.raises(scope.ScopeRefusalUnconfirmed):
        submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=REFUSING["no-release-consent"]
        )
    assert Submission.objects.get(pk=draft.pk).scope_certification_in_force == first  # still in force
    with pytest.raises(scope.ScopeRefused):
        submission_certify_scope(
            submission=draft,
            actor=submitter,
            form_version="scope-v1",
            answers=REFUSING["no-release-consent"],
            confirm_refusal=True,
        )
    refused = Submission.objects.get(pk=draft.pk)
    assert refused.state == SubmissionState.REFUSED
    assert [(c.number, c.outcome) for c in refused.scope_certifications.all()] == [(1, "accepted"), (2, "refused")]
    # Closed for good: no further certification.
    with pytest.raises(PolicyViolation) as raised:
        submission_certify_scope(
            submission=draft, actor=submitter, form_version="scope-v1", answers=ACCEPTABLE_NON_HUMAN
        )
    assert "refused" in raised.value.message
    assert refused.scope_certifications.count() == 2


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


def test_p_scope_admin_submission_page_shows_every_certification_read_only(draft, submitter, client):
    submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=NEEDS_REVIEW)
    submission_certify_scope(submission=draft, actor=submitter, form_version="scope-v1", answers=HUMAN_CELL_LINE)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/submissions/submission/{draft.pk}/change/").content.decode()
    assert "Needs curator review" in page and "Accepted" in page
    assert 'name="scope_certifications-0-number"' not in page and 'name="_save"' not in page  # nothing to edit
    listing = client.get("/admin/submissions/scopecertification/").content.decode()
    assert listing.count(f"Submission {draft.pk} (draft)") == 2


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
