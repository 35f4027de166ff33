from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Profile


class ProfileForm(forms.Form):
    """Input for accounts.services.profile_update; the service checks the ORCID iD."""

    # Django's user fields: the deposit wizard offers this name as a new study's first author.
    given_name = forms.CharField(
        label="Given name",
        required=False,
        max_length=get_user_model()._meta.get_field("first_name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label="Family name",
        required=False,
        max_length=get_user_model()._meta.get_field("last_name").max_length,
        help_text="Optional. Your name as it should appear among a study's authors.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    orcid = forms.CharField(
        label="ORCID iD",
        required=False,
        # Room for the https://orcid.org/ form, which the service normalises.
        max_length=64,
        help_text="Optional. For example 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    affiliation = forms.CharField(
        label="Affiliation",
        required=False,
        max_length=Profile._meta.get_field("affiliation").max_length,
        help_text="Optional. Your institute or organisation.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
