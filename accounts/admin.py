from django import forms
from django.contrib import admin

from accounts.models import Profile
from core.orcid import orcid_validate


class ProfileAdminForm(forms.ModelForm):
    # Room for the https://orcid.org/ form, stored bare like on the profile page.
    orcid = forms.CharField(label="ORCID iD", required=False, max_length=64)

    class Meta:
        model = Profile
        fields = ["user", "orcid", "affiliation"]

    def clean_orcid(self):
        value = self.cleaned_data["orcid"]
        return orcid_validate(value) if value else ""


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["user", "orcid", "affiliation", "updated_at"]
    search_fields = ["user__username", "user__email", "orcid", "affiliation"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["updated_at"]
