from urllib.parse import urlencode

from django import forms

from core.errors import PolicyViolation
from core.keyset import PositionForm
from uploads.paths import upload_path_validate
from uploads.selectors import FILE_ORDERINGS, upload_cursor_check

# Sortable columns of the file table: query value (ascending) → column heading.
SORT_COLUMNS = {"path": "Path", "size": "Size", "uploaded_at": "Uploaded", "expires_at": "Deletion date"}


class UploadFilesForm(PositionForm):
    """Folder filter, sort order and keyset place (core/keyset.py) of a table of uploads: the files step's, by path."""

    folder = forms.CharField(
        label="Folder",
        required=False,
        max_length=4096,
        strip=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. plate1/day2", "spellcheck": "false"}),
        help_text="Only files in this folder and its subfolders.",
    )
    sort = forms.ChoiceField(choices=[(key, key) for key in FILE_ORDERINGS], required=False, widget=forms.HiddenInput)

    def clean_folder(self) -> str:
        folder = self.cleaned_data["folder"].strip().strip("/")
        if not folder:
            return ""
        try:
            return upload_path_validate(folder)
        except PolicyViolation as exc:
            raise forms.ValidationError(exc.message) from None

    def listing_arguments(self) -> dict:
        """Arguments of `upload_area_listing`; the defaults (the first page) when the form is invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "folder": data.get("folder", ""),
            "ordering": data.get("sort") or "path",
            "position": self.position(),
        }

    @staticmethod
    def _query(*, folder: str = "", sort: str = "path") -> str:
        values = {"folder": folder, "sort": "" if sort == "path" else sort}  # the default order needs no parameter
        return urlencode({key: value for key, value in values.items() if value})

    @property
    def page_query(self) -> str:
        """The folder and sort as a query string, for the pager."""
        arguments = self.listing_arguments()
        return self._query(folder=arguments["folder"], sort=arguments["ordering"])

    @property
    def sort_query(self) -> str:
        """The sort alone as a query string, for links to other folders."""
        return self._query(sort=self.listing_arguments()["ordering"])

    def sort_columns(self) -> dict[str, dict]:
        """Each sortable column with its link: ascending first, the other way when already sorted by it."""
        arguments = self.listing_arguments()
        current = arguments["ordering"]
        columns = {}
        for key, label in SORT_COLUMNS.items():
            direction = "ascending" if current == key else "descending" if current == f"-{key}" else None
            columns[key] = {
                "label": label,
                "direction": direction,
                "query": self._query(folder=arguments["folder"], sort=f"-{key}" if direction == "ascending" else key),
            }
        return columns


class UploadAreaForm(UploadFilesForm):
    """The upload page's: its cursors name a file by its key and the sort column's value (`upload_cursor_check`)."""

    def clean(self) -> dict:
        data = super().clean()
        for name in ("after", "before"):
            try:
                if data.get(name):
                    upload_cursor_check(data[name], ordering=data.get("sort") or "path")
            except ValueError:
                self.add_error(name, "Not a page of this list: follow the page links.")
        return data
