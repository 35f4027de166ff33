"""Forms of structured projects (P-PROJECT): the proposal, the curators' scores and decision; each feeds one service."""

from django import forms

from curation.projects.services import PROPOSAL_FIELDS, SCORE_MAX, SCORE_MIN
from submissions.models import ProjectCategory, ProjectProposal, ProjectState


class ProjectProposalForm(forms.ModelForm):
    # Declared so that the radio buttons offer no empty choice.
    category = forms.ChoiceField(
        choices=ProjectCategory.choices, widget=forms.RadioSelect, help_text="Which kind of impact the project aims at."
    )

    class Meta:
        model = ProjectProposal
        fields = PROPOSAL_FIELDS
        labels = {
            "name": "Project name",
            "expected_volume_gb": "Expected volume (GB)",
            "expected_datasets": "Expected number of datasets",
            "expected_images": "Expected number of images",
            "metadata_needs": "Metadata specification needs",
            "curation_support": "Curation support needed",
        }
        help_texts = {
            "description": "What the datasets are, who will reuse them and how.",
            "timeline": "When the datasets will be submitted, e.g. a first batch this spring, the rest over two years.",
            "metadata_needs": "Metadata beyond the archive's study fields that the datasets need, if any.",
            "curation_support": "Help you expect from the archive's curators.",
            "funding_status": "Funding secured or applied for to prepare and submit the data.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "timeline": forms.Textarea(attrs={"rows": 2}),
            "metadata_needs": forms.Textarea(attrs={"rows": 3}),
            "curation_support": forms.Textarea(attrs={"rows": 3}),
            "funding_status": forms.Textarea(attrs={"rows": 2}),
        }


# No score is offered as a default: each is a judgement the curator makes (P-PROJECT).
SCORE_CHOICES = [("", "Choose a score"), *((n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1))]


def _score(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORE_CHOICES,
        coerce=int,
        help_text=help_text,
        error_messages={"required": f"Choose a score from {SCORE_MIN} to {SCORE_MAX}."},
    )


class ProjectScoreForm(forms.Form):
    volume = _score("Volume", "Storage the data needs: 1 a few GB, 5 hundreds of TB.")
    curation = _score("Curation", "Curators' time the project needs.")
    metadata = _score("Metadata work", "Work on metadata specifications and checks.")
    funding = _score("Funding", "Archive funding it needs: 1 fully funded elsewhere, 5 none secured.")
    impact = _score("Impact", "Predicted impact: lasting reuse, technology development, a coherent whole.")

    @classmethod
    def for_project(cls, project: ProjectProposal, data=None) -> "ProjectScoreForm":
        initial = {name: getattr(project, f"score_{name}") for name in cls.base_fields}
        return cls(data, initial=initial)


class ProjectDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(state.value, state.label) for state in ProjectState if state != ProjectState.PROPOSED],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Sent to the proposer with the decision."
    )
