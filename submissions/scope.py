"""The clinical-scope self-certification, form version `scope-v1` (P-SCOPE, docs/design.md §10.4).

The questions explain the archive's scope in the portal's own words. Three of
them only make sense for material of human origin: they take `not_applicable`
(or `no`) when `human_material` is `no`, and must be answered `yes` or `no`
when it is `yes`, except `publication_consent`, which is asked only of data
that can be linked to a person: human cell lines not linked to anyone answer
it `not_applicable`. The other three apply to every dataset.
"""

from dataclasses import dataclass

from archive.metadata import UNPAIRED_SURROGATE
from core.errors import PolicyViolation

SCOPE_FORM_VERSION = "scope-v1"

YES, NO, NOT_APPLICABLE = "yes", "no", "not_applicable"

ACCEPTED, NEEDS_REVIEW, REFUSED = "accepted", "needs_review", "refused"

EGA_URL = "https://ega-archive.org/"
EGA_POINTER = (
    "Data of this kind belongs in a controlled-access archive such as the "
    f"European Genome-phenome Archive (EGA, {EGA_URL}), which looks after "
    "personally identifiable, phenotypic and clinical data."
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[str, ...]
    human_only: bool = False


QUESTIONS = (
    Question(
        "human_material",
        "Do the images show material of human origin (people, human tissue, or human cell lines such as HeLa)?",
        (YES, NO),
    ),
    Question(
        "primary_medical_use",
        "Were the images made mainly to treat or diagnose patients (for example clinical or diagnostic "
        "imaging)? The archive does not take such data. Research imaging of cells, tissues or animals: answer No.",
        (YES, NO),
    ),
    Question(
        "identifiable_individual",
        "Can the data be traced back to a particular person? Human cell lines such as HeLa, and tissue "
        "samples, that are not linked to a person: answer No. Data tied to a person is taken only if that "
        "person agreed to its publication.",
        (YES, NO, NOT_APPLICABLE),
        human_only=True,
    ),
    Question(
        "identifying_phenotypic_data",
        "Does the dataset carry phenotypic or clinical details (age, sex, diagnosis, ...) that together "
        "could reveal who a person is? Cell lines and samples without such details: answer No.",
        (YES, NO, NOT_APPLICABLE),
        human_only=True,
    ),
    Question(
        "publication_consent",
        "Only if the data can be linked to a person (Yes to one of the two questions above): can you show "
        "that they consented to its publication? Such datasets are weighed one by one by a curator before "
        "they get an accession. Data not linked to anyone, such as cell lines: answer Not applicable.",
        (YES, NO, NOT_APPLICABLE),
        human_only=True,
    ),
    Question(
        "public_release_consent",
        "Do you have the right to publish this dataset openly, and do you agree to its release to the "
        "public with no access restrictions? This is about you and the owners of the data (your lab, your "
        "institution, your co-authors), not about people, unless people are in the data: then they must "
        "have agreed too. Every dataset in the archive is public.",
        (YES, NO),
    ),
)
QUESTIONS_BY_ID = {question.id: question for question in QUESTIONS}


class ScopeRefused(PolicyViolation):
    """The answers put the data out of scope; raised once the refused certification is on record."""

    def __init__(self, answers: dict[str, str]):
        super().__init__(rule="P-SCOPE", field="answers", message=scope_refusal_message(answers))


class ScopeRefusalUnconfirmed(PolicyViolation):
    """The answers would refuse the submission, and the submitter has not confirmed it: nothing is recorded.

    One mistaken click must not close a submission for good, so a refusal takes
    effect only when the same answers come again with `confirm_refusal`.
    """

    status = 409

    def __init__(self, answers: dict[str, str]):
        super().__init__(
            rule="P-SCOPE",
            field="confirm_refusal",
            message="These answers would close the submission as refused, for good. "
            f"{scope_refusal_message(answers)} Nothing is recorded yet: if an answer is wrong, change it; "
            "to close the submission as refused, send the same answers again with `confirm_refusal: true`.",
        )
        self.answers = answers
        self.refusal = scope_refusal_message(answers)


def scope_answers_validate(answers: dict) -> dict[str, str]:
    """Return the answers if they are a complete, consistent `scope-v1` form; else raise naming the field."""
    if not isinstance(answers, dict):
        raise PolicyViolation(rule="P-SCOPE", field="answers", message="The answers must be an object of question ids.")
    for key in answers:
        if surrogate := UNPAIRED_SURROGATE.search(key):  # not text: no reply could name this key
            raise PolicyViolation(
                rule="P-SCOPE",
                field="answers",
                message=f"Question ids are text; one holds an unpaired surrogate (U+{ord(surrogate.group()):04X}).",
            )
        if key not in QUESTIONS_BY_ID:
            raise PolicyViolation(
                rule="P-SCOPE", field=str(key), message=f"“{key}” is not a question of {SCOPE_FORM_VERSION}."
            )
    for question in QUESTIONS:
        if question.id not in answers:
            raise PolicyViolation(rule="P-SCOPE", field=question.id, message="This question must be answered.")
        if answers[question.id] not in question.choices:
            choices = ", ".join(question.choices)
            raise PolicyViolation(rule="P-SCOPE", field=question.id, message=f"Answer one of: {choices}.")
    human = answers["human_material"] == YES
    identifiable = YES in (answers["identifiable_individual"], answers["identifying_phenotypic_data"])
    for question in QUESTIONS:
        if not question.human_only:
            continue
        if question.id == "publication_consent" and human:
            if identifiable and answers[question.id] == NOT_APPLICABLE:
                raise PolicyViolation(
                    rule="P-SCOPE", field=question.id, message="The data can be linked to a person: answer yes or no."
                )
            continue  # consent to publish is asked only of data linked to a person (not of cell lines)
        if human and answers[question.id] == NOT_APPLICABLE:
            raise PolicyViolation(
                rule="P-SCOPE", field=question.id, message="The data is of human origin: answer yes or no."
            )
        if not human and answers[question.id] == YES:
            raise PolicyViolation(
                rule="P-SCOPE",
                field=question.id,
                message="This question concerns human data only; you said there is none (answer not applicable).",
            )
    return {question.id: answers[question.id] for question in QUESTIONS}


def scope_outcome(answers: dict[str, str]) -> str:
    """Decide the outcome of a validated `scope-v1` form, exactly as docs/design.md §10.4 states it."""
    if answers["primary_medical_use"] == YES or answers["public_release_consent"] != YES:
        return REFUSED
    if answers["identifiable_individual"] == YES or answers["identifying_phenotypic_data"] == YES:
        return NEEDS_REVIEW if answers["publication_consent"] == YES else REFUSED
    return ACCEPTED


def scope_refusal_message(answers: dict[str, str]) -> str:
    """Explain why a `scope-v1` form was refused, with the pointer to the EGA."""
    if answers["primary_medical_use"] == YES:
        reason = "Data made mainly for medical treatment or diagnosis is outside the archive's scope."
    elif answers["public_release_consent"] != YES:
        reason = (
            "Every dataset in the archive is published openly: it needs your right and agreement to publish it "
            "for anyone to reuse, with no access restrictions. If you have both, the answer is Yes."
        )
    else:
        reason = "Data linked to an identifiable person needs demonstrated consent for publication."
    return f"{reason} {EGA_POINTER}"
