"""The file table of the accession and reviewer pages: read its place from the query, link its folders and pages.

The rows come from `archive/selectors/file_tree.py:study_listing`; this module only turns the URL's
`folder`, `q`, `after`, `before`, `last` and `folders_after` into its arguments and back into links.
"""

from urllib.parse import quote_plus, urlencode

from django.http import Http404

from archive.forms import FileListingForm
from archive.selectors.file_tree import FileListing, Position, folder_clean, study_listing
from archive.selectors.visibility import StudyNotFound

FILES_PER_PAGE = 50


def file_listing_get(request, *, version, user) -> tuple[FileListing, FileListingForm]:
    """Return the listing the query asks for; a query the form refuses shows the root (the form says why).

    Http404 for a folder that holds nothing the caller may see.
    """
    form = FileListingForm(request.GET)
    if not form.is_valid():
        return study_listing(version=version, user=user, per_page=FILES_PER_PAGE), form
    data = form.cleaned_data
    position = Position(after=data["after"], before=data["before"], last=data["last"])
    try:
        listing = study_listing(
            version=version,
            user=user,
            folder=folder_clean(data["folder"]),
            q=data["q"],
            position=position,
            folders_position=Position(after=data["folders_after"]),
            per_page=FILES_PER_PAGE,
        )
    except StudyNotFound:
        raise Http404("No such folder.") from None
    return listing, form


def _link(**query) -> str:
    return "?" + urlencode({name: value for name, value in query.items() if value}) + "#files"


def _folder_link(path: str) -> str:
    """`_link(folder=path)` for a table of up to 100 subfolders, without urlencode's work for each."""
    return f"?folder={quote_plus(path)}#files"


def file_listing_context(listing: FileListing) -> dict:
    """The links of templates/archive/includes/study_files.html: folders, breadcrumbs and the keyset pager."""
    folder, q, files = listing.folder.path, listing.q, listing.files
    return {
        "listing": listing,
        "folder": folder,
        "folder_url": _link(folder=folder),
        "files_count": listing.folder.files_count,
        "files_size": listing.folder.total_size,
        "breadcrumbs": [(crumb, _link(folder=crumb.path)) for crumb in listing.folder.breadcrumbs],
        "subfolders": [(sub, _folder_link(sub.path)) for sub in listing.subfolders.rows],
        "more_subfolders_url": _link(folder=folder, folders_after=listing.subfolders.last_path)
        if listing.subfolders.has_next
        else "",
        "first_subfolders_url": _link(folder=folder) if listing.subfolders.has_previous else "",
        "files_first_url": _link(folder=folder, q=q) if files.has_previous else "",
        "files_previous_url": _link(folder=folder, q=q, before=files.first_path) if files.has_previous else "",
        "files_next_url": _link(folder=folder, q=q, after=files.last_path) if files.has_next else "",
        "files_last_url": _link(folder=folder, q=q, last="1") if files.has_next else "",
    }
