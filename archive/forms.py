import datetime

from django import forms
from django.utils import timezone

from archive.selectors.search import FacetCounts, StudySearch

QUERY_MAX_LENGTH = 200


class FilterField(forms.CharField):
    """A free-text value offered as a <select>: its length is checked here only, as <select> has no maxlength."""

    widget = forms.Select

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class SearchForm(forms.Form):
    """The public search: free text plus filters whose choices (with their counts) come from `facet_counts`.

    Filters are free text underneath so that a shared link naming a value that
    is no longer listed still answers (with no results) instead of an error.
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": "This search is too long: %(show_value)d characters, and a search may have at most "
            "%(limit_value)d. Search for fewer words, and narrow the results with the filters."
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title, author, keyword or accession"}),
    )
    organism = FilterField(label="Organism", required=False, max_length=200)
    imaging_method = FilterField(label="Imaging method", required=False, max_length=200)
    licence = FilterField(label="Licence", required=False, max_length=64)
    year = forms.IntegerField(label="Release year", required=False, min_value=1900, max_value=9999, widget=forms.Select)
    include_obsolete = forms.BooleanField(label="Include obsolete entries", required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, facets: FacetCounts, **kwargs):
        super().__init__(*args, **kwargs)
        counts = facets.of(include_obsolete=bool(self.is_bound and self["include_obsolete"].data))
        any_label = {
            "organism": "Any organism",
            "imaging_method": "Any method",
            "licence": "Any licence",
            "year": "Any year",
        }
        for name, label in any_label.items():
            choices = [(str(value), f"{value} ({number:,})") for value, number in counts[name]]
            chosen = self.data.get(name)
            if chosen and chosen not in {value for value, _ in choices}:
                choices.append((chosen, chosen))  # keep the user's value selected even when nothing carries it now
            self.fields[name].widget.choices = [("", label), *choices]

    def search(self) -> StudySearch:
        data = self.cleaned_data
        return StudySearch(
            q=data["q"].strip(),
            organism=data["organism"],
            imaging_method=data["imaging_method"],
            licence=data["licence"],
            year=data["year"],
            include_obsolete=data["include_obsolete"],
        )

    @property
    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("q", "organism", "imaging_method", "licence", "year"))


# <input type="date"> shows only ISO dates; the locale's own format would leave it empty.
DATE_WIDGET_FORMAT = "%Y-%m-%d"


class ReviewerLinkForm(forms.Form):
    """A new reviewer link: when it stops working, and whether it hides the authors."""

    # Prefixes keep field ids apart: the owner's forms share the study page.
    prefix = "link"

    expires_at = forms.DateField(
        label="Stops working after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
        help_text="Optional: the link works until the end of this day. Leave it empty to keep it until you revoke it.",
    )
    anonymised = forms.BooleanField(
        label="Hide author names (for anonymous review)",
        required=False,
    )

    def link(self) -> dict:
        """The arguments to give `reviewer_link_create`."""
        day = self.cleaned_data["expires_at"]
        expires_at = None
        if day is not None:
            expires_at = datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_current_timezone())
        return {"expires_at": expires_at, "anonymised": self.cleaned_data["anonymised"]}


class CollaboratorForm(forms.Form):
    prefix = "collaborator"
    user = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        help_text="Of someone who already has an account here; they will see this study while it is confidential.",
    )


class ReleaseDateForm(forms.Form):
    """A new release date for a confidential study; curators may go beyond the bound with a reason."""

    prefix = "release"

    release_date = forms.DateField(
        label="New release date", widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT)
    )
    reason = forms.CharField(
        label="Reason (needed beyond the usual range; logged)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, today: datetime.date, latest: datetime.date, curator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        date = self.fields["release_date"]
        date.widget.attrs["min"] = today.isoformat()
        date.help_text = f"From today ({today:%-d %B %Y}) to {latest:%-d %B %Y}. Today releases the study at once."
        if curator:
            date.help_text += " As a curator you may go later, with a reason."
        else:
            date.widget.attrs["max"] = latest.isoformat()
            del self.fields["reason"]


class ReleaseNowForm(forms.Form):
    prefix = "release-now"
    confirm = forms.BooleanField(
        label="I understand that the study becomes public at once, and that this cannot be undone.",
        error_messages={"required": "Tick the box to confirm that the study should become public now."},
    )


class FileListingForm(forms.Form):
    """Where the file table of an accession or reviewer page stands: folder, search and keyset position."""

    q = forms.CharField(
        label="Find files by name or path",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. plate 1 or .tif"}),
    )
    folder = forms.CharField(required=False, max_length=4096, widget=forms.HiddenInput)
    after = forms.CharField(required=False, max_length=4096, strip=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=4096, strip=False, widget=forms.HiddenInput)
    last = forms.BooleanField(required=False, widget=forms.HiddenInput)
    folders_after = forms.CharField(required=False, max_length=4096, strip=False, widget=forms.HiddenInput)
