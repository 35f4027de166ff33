"""Forms of a curator's review decisions; each feeds one service."""

from django import forms

from curation.review.services import RefusalReason


class ReviewAcceptForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional; sent to the submitter with the acceptance.",
    )


class ReviewChangesForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="What the submitter must change; sent to them."
    )


class ReviewRefuseForm(forms.Form):
    reason = forms.ChoiceField(choices=RefusalReason.choices)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why, in the submitter's terms; sent to them. Scope and DICOM refusals add the EGA pointer.",
    )
