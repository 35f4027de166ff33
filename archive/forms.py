from django import forms

from archive.selectors import StudySearch

QUERY_MAX_LENGTH = 200


class SearchForm(forms.Form):
    """The public search: free text plus filters whose choices come from `facet_values`.

    Filters are free text underneath so that a shared link naming a value that
    is no longer listed still answers (with no results) instead of an error.
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title, author, keyword or accession"}),
    )
    organism = forms.CharField(label="Organism", required=False, max_length=200, widget=forms.Select)
    imaging_method = forms.CharField(label="Imaging method", required=False, max_length=200, widget=forms.Select)
    licence = forms.CharField(label="Licence", required=False, max_length=64, widget=forms.Select)
    year = forms.IntegerField(label="Release year", required=False, min_value=1900, max_value=9999, widget=forms.Select)
    include_obsolete = forms.BooleanField(label="Include obsolete entries", required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, facets: dict[str, list], **kwargs):
        super().__init__(*args, **kwargs)
        any_label = {"organism": "Any organism", "imaging_method": "Any method", "licence": "Any licence"}
        for name, label in any_label.items():
            values = list(facets.get(name, []))
            chosen = self.data.get(name)
            if chosen and chosen not in values:
                values.append(chosen)  # keep the user's value selected even when nothing carries it now
            self.fields[name].widget.choices = [("", label), *((value, value) for value in values)]
        years = [str(year) for year in facets.get("year", [])]
        chosen_year = self.data.get("year")
        if chosen_year and chosen_year not in years:
            years.append(chosen_year)
        self.fields["year"].widget.choices = [("", "Any year"), *((year, year) for year in years)]

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
