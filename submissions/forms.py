"""Forms of the submission wizard. They only collect input: the rules live in the services they feed."""

import datetime

from django import forms
from django.conf import settings

from archive.metadata import FIELD_LABELS, REQUIRED_TEXT
from submissions import scope
from submissions.models import ProjectProposal

# "Not applicable" without a reason: it also answers publication consent for human data not linked to a person.
SCOPE_CHOICE_LABELS = {scope.YES: "Yes", scope.NO: "No", scope.NOT_APPLICABLE: "Not applicable"}


class MetadataForm(forms.Form):
    """The REMBI study-level fields; `archive.metadata.metadata_clean` decides what is valid."""

    title = forms.CharField(
        label=FIELD_LABELS["title"], required=False, help_text="What the dataset shows, in one line."
    )
    description = forms.CharField(
        label=FIELD_LABELS["description"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was imaged, why and how the dataset is organised; shown on the public page.",
    )
    organism = forms.CharField(
        label=FIELD_LABELS["organism"], required=False, help_text="The scientific name, e.g. Homo sapiens."
    )
    organism_taxon_id = forms.CharField(
        label=FIELD_LABELS["organism_taxon_id"], required=False, help_text="Digits, e.g. 9606 for Homo sapiens."
    )
    imaging_method = forms.CharField(
        label=FIELD_LABELS["imaging_method"], required=False, help_text="e.g. confocal microscopy."
    )
    imaging_method_fbbi_id = forms.CharField(
        label=FIELD_LABELS["imaging_method_fbbi_id"],
        required=False,
        help_text="The Biological Imaging Methods Ontology term, e.g. FBbi:00000251.",
    )
    keywords = forms.CharField(label=FIELD_LABELS["keywords"], required=False, help_text="Separated by commas.")
    funding = forms.CharField(
        label=FIELD_LABELS["funding"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Funders and grant numbers.",
    )
    publication_doi = forms.CharField(
        label=FIELD_LABELS["publication_doi"], required=False, help_text="e.g. 10.1038/s41592-021-01234-5"
    )
    no_publication_reason = forms.CharField(
        label=f"Or: {FIELD_LABELS['no_publication_reason'].lower()}",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A dataset without a publication is reviewed by a curator unless it belongs to an accepted project.",
    )
    project = forms.ModelChoiceField(
        label="Structured project",
        queryset=ProjectProposal.objects.none(),
        required=False,
        empty_label="None",
        help_text="One of your accepted structured projects, if the dataset belongs to it.",
    )
    biosample = forms.CharField(
        label=FIELD_LABELS["biosample"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The biological entity imaged: organism, cell line or tissue, and any treatment.",
    )
    specimen = forms.CharField(
        label=FIELD_LABELS["specimen"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How the sample was prepared for imaging (fixation, staining, mounting).",
    )
    image_acquisition = forms.CharField(
        label=FIELD_LABELS["image_acquisition"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Instrument, objective, channels, resolution.",
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        # A draft saves without them, so they are not `required`; they are needed to submit, and marked so.
        for name in REQUIRED_TEXT:
            self.fields[name].widget.attrs["aria-required"] = "true"
        self.fields["project"].queryset = projects
        if not projects.exists():
            del self.fields["project"]

    @staticmethod
    def initial_from(metadata: dict, project: ProjectProposal | None) -> dict:
        return {**metadata, "keywords": ", ".join(metadata.get("keywords", [])), "project": project}

    def metadata(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "project"}


class AuthorForm(forms.Form):
    name = forms.CharField(required=False, max_length=500)
    affiliation = forms.CharField(required=False, max_length=500)
    orcid = forms.CharField(label="ORCID iD", required=False, max_length=64)


class BaseAuthorFormSet(forms.BaseFormSet):
    def __init__(self, *args, focus_new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.focus_new = focus_new  # after "Add another author" without JavaScript: the new row takes the focus

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i == 0:  # a study needs one author to be submitted
            form.fields["name"].widget.attrs["aria-required"] = "true"
        if self.focus_new and i == self.initial_form_count():
            form.fields["name"].widget.attrs["autofocus"] = True
        return form

    def authors(self) -> list[dict]:
        """The authors in order, without blank rows and rows marked for removal."""
        return [
            {key: form.cleaned_data.get(key, "") for key in ("name", "affiliation", "orcid")}
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and any(form.cleaned_data.values())
        ]


AuthorFormSet = forms.formset_factory(AuthorForm, formset=BaseAuthorFormSet, extra=1, can_delete=True, max_num=500)


class ValuesField(forms.Field):
    """Every value sent under the field's name (checkboxes), as given: the service checks what they name."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, coerce=str, **kwargs):
        super().__init__(required=False, **kwargs)
        self.coerce = coerce

    def to_python(self, value) -> list:
        try:
            return [self.coerce(item) for item in value or []]
        except ValueError:
            raise forms.ValidationError("Choose files from the list.") from None


class FilesForm(forms.Form):
    """The files chosen on one page of the files step, plus an optional File List.

    The upload table and the folders are paged, so the form says which files
    and folders were shown, and which of those folders were wholly chosen as
    shown: a shown file left unticked is dropped, files on other pages stay.
    Whether the ids and folders are the caller's own finished uploads is the
    service's rule (P-UPLOAD-PRIVATE).
    """

    files = ValuesField(coerce=int)
    files_shown = ValuesField(coerce=int)
    folders = ValuesField()
    folders_shown = ValuesField()
    # Said by the form, not counted again: a save made on the way to another page of folders is read there.
    folders_whole = ValuesField()
    keep = ValuesField()
    keep_shown = ValuesField()
    file_list = forms.FileField(
        label="File List (optional)",
        required=False,
        help_text="A TSV or CSV table with a “Files” column giving each file's path, and any attribute columns "
        "(channel, plate, well...).",
    )

    def selection(self, chosen: dict[int, str]) -> tuple[set[int], list[str]]:
        """Return the upload file ids and whole folders to choose, given what was chosen before (id → path).

        A folder shown wholly chosen and now unticked drops its files, except those in a subfolder still
        ticked; a newly ticked one adds them all.
        """
        data = self.cleaned_data
        ids = (set(chosen) - set(data["files_shown"])) | set(data["files"])
        ticked = set(data["folders"])
        folders_all_chosen = set(data["folders_shown"]) & set(data["folders_whole"])
        for folder in folders_all_chosen - ticked:
            ids -= {
                pk
                for pk, path in chosen.items()
                if path.startswith(folder + "/") and not any(path.startswith(kept + "/") for kept in ticked)
            }
        return ids, sorted(ticked - folders_all_chosen)

    def keep_dropped(self) -> list[str]:
        """The kept files of a new version that were shown (one page of them) and unticked: to leave out."""
        return sorted(set(self.cleaned_data["keep_shown"]) - set(self.cleaned_data["keep"]))

    def ticks_read(self) -> bool:
        """Whether every tick was read (after `is_valid`), even if the File List was refused."""
        return all(name in self.cleaned_data for name in ("files", "files_shown", "folders", "folders_shown", "keep"))


def scope_form_class(questions: list[dict]) -> type[forms.Form]:
    """Build the `scope-v1` form from the questions `scope_form_get` gives: one required radio group each."""
    fields = {
        question["id"]: forms.ChoiceField(
            label=question["text"],
            choices=[(choice, SCOPE_CHOICE_LABELS[choice]) for choice in question["choices"]],
            widget=forms.RadioSelect,
        )
        for question in questions
    }
    return type("ScopeForm", (forms.Form,), fields)


class AgreementsForm(forms.Form):
    """The two acknowledgements of P-DISCLOSURE. Not required here: the service refuses a missing one by name."""

    public_disclosure = forms.BooleanField(
        label="I understand that everything shown on the archive's public pages (title, description, authors, "
        "files and all other metadata) is disclosed to the public.",
        required=False,
    )
    right_to_submit = forms.BooleanField(
        label="I have the right to submit this data to a public archive, and it has been consented for public release.",
        required=False,
    )


class ReleaseForm(forms.Form):
    """When the study becomes public: on submission, on a date within the bound, or later with a curator's consent."""

    ON_SUBMISSION, ON_DATE, BEYOND = "on_submission", "on_date", "beyond"
    when = forms.ChoiceField(
        label="When should the study become public?",
        widget=forms.RadioSelect,
        choices=[
            (ON_SUBMISSION, "Release on submission: the study is public as soon as its files are in the archive"),
            (ON_DATE, "On a date (for example when the paper is published); confidential until then"),
            (BEYOND, f"Later than {settings.RELEASE_DATE_MAX_YEARS} years from now: needs a curator's agreement"),
        ],
    )
    release_date = forms.DateField(
        label="Release date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # what <input type=date> reads
        help_text="You can change it after submitting, within the same range, while the study is confidential.",
    )
    reason = forms.CharField(
        label=f"Why it must stay confidential for more than {settings.RELEASE_DATE_MAX_YEARS} years",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, today: datetime.date, latest: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["release_date"].widget.attrs["min"] = today.isoformat()
        self.fields["release_date"].help_text = (
            f"From {today:%-d %B %Y} to {latest:%-d %B %Y}. " + self.fields["release_date"].help_text
        )

    @classmethod
    def initial_from(cls, *, release_date: datetime.date | None, reason: str, on_submission: bool) -> dict:
        if release_date is None:
            return {}
        when = cls.ON_SUBMISSION if on_submission else cls.BEYOND if reason else cls.ON_DATE
        return {"when": when, "release_date": release_date, "reason": reason}

    def clean(self):
        data = super().clean()
        if data.get("when") in (self.ON_DATE, self.BEYOND) and not data.get("release_date"):
            self.add_error("release_date", "Choose the date.")
        if data.get("when") == self.BEYOND and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason; a curator decides on it.")
        return data

    def release(self) -> dict:
        """The arguments to give `submission_release_date_set`."""
        data = self.cleaned_data
        if data["when"] == self.ON_SUBMISSION:
            return {"on_submission": True}
        return {"release_date": data["release_date"], "reason": data["reason"] if data["when"] == self.BEYOND else ""}
