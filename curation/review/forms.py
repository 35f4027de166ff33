"""Forms of a curator's review decisions; each feeds one service."""

from django import forms

from curation.review.services import EGA_REFUSALS, refusal_reasons_for


class ReviewDecisionForm(forms.Form):
    """A decision on one submission in review; a form whose fields depend on it reads it in `__init__`."""

    def __init__(self, *args, submission, **kwargs):
        super().__init__(*args, **kwargs)


class ReviewAcceptForm(ReviewDecisionForm):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; sent to the submitter with the acceptance.",
    )


class ReviewChangesForm(ReviewDecisionForm):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What the submitter must change; sent to them."
    )


class ReviewRefuseForm(ReviewDecisionForm):
    """Refuse for a reason the curator chooses (no default) among those behind the submission's queue reasons."""

    reason = forms.ChoiceField(error_messages={"required": "Choose why the submission is refused."})
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Why, in the submitter's terms; sent to them."
    )

    def __init__(self, *args, submission, **kwargs):
        super().__init__(*args, submission=submission, **kwargs)
        reasons = refusal_reasons_for(submission)
        self.fields["reason"].choices = [("", "Choose a reason…")] + [(r.value, r.label) for r in reasons]
        if any(reason in EGA_REFUSALS for reason in reasons):
            self.fields["message"].help_text += " Scope and DICOM refusals add the EGA pointer."
