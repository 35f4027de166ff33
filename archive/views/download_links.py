"""The links to a study's downloads and the route spaces they live in: an accession's or a reviewer link's.

Shared by the download views (archive/views/downloads.py) and the pages that offer them
(archive/views/study_page.py, archive/views/review.py).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from archive.models import StudyVersion
from archive.selectors.downloads import LIST_FORMATS, Download, ListAddresses, list_command, zip_allowed
from core.errors import PolicyViolation
from core.links import path_reverser


def download_refused(request, error: PolicyViolation):
    """Answer a malformed folder or format (400) with the rule's message."""
    context = {"status": error.status, "title": "This download cannot be made", "message": error.message}
    return render(request, "error.html", context, status=error.status)


@dataclass(frozen=True)
class RouteSpace:
    """The URLs a download's links use: an accession's, pinned to the version, or a reviewer link's."""

    user: object  # whose view of the files the download follows
    args: tuple
    zip_route: str = "study-version-download-zip"
    list_route: str = "study-version-download-list"
    file_route: str = "study-version-file"
    manifest_route: str = "study-version-manifest"
    private: bool = False

    @classmethod
    def for_version(cls, version: StudyVersion, *, user) -> "RouteSpace":
        return cls(user=user, args=(version.study.accession, version.number))

    @classmethod
    def for_reviewer(cls, token: str) -> "RouteSpace":
        # Reviewers are never curators here: removed files stay out, as for the public.
        routes = ("review-download-zip", "review-download-list", "review-file", "review-manifest")
        return cls(None, (token,), *routes, private=True)

    def url(self, route: str, **query) -> str:
        query = {name: value for name, value in query.items() if value}
        return reverse(route, args=self.args) + (f"?{urlencode(query)}" if query else "")

    def addresses(self, request, folder: str) -> ListAddresses:
        file_prefix = request.build_absolute_uri(path_reverser(self.file_route, [*self.args])(""))
        manifest_url = request.build_absolute_uri(self.url(self.manifest_route, folder=folder))
        # No crate on a reviewer link, as its ZIP carries none (archive/views/downloads.py:_crate_of).
        crate_url = (
            "" if self.private else request.build_absolute_uri(self.url("study-version-ro-crate", folder=folder))
        )
        return ListAddresses(file_prefix=file_prefix, manifest_url=manifest_url, crate_url=crate_url)


def download_offer(request, *, download: Download, routes: RouteSpace, files_count=None, files_size=None) -> dict:
    """What a page offers to download `download` (templates/archive/includes/study_downloads.html).

    With `files_count` and `files_size` (the page's listing), it says whether the ZIP is within its limits.
    """
    folder = download.folder
    addresses = routes.addresses(request, folder)
    lists = []
    for client in LIST_FORMATS:
        url = routes.url(routes.list_route, folder=folder, format="" if client == "aria2c" else client)
        command = list_command(client, root=download.name, addresses=addresses)
        lists.append(
            {"client": client, "url": url, "absolute_url": request.build_absolute_uri(url), "command": command}
        )
    allowed = files_count is not None and zip_allowed(files_count=files_count, total_size=files_size)
    return {
        "name": download.name,
        "folder": folder,
        "zip_url": routes.url(routes.zip_route, folder=folder),
        "zip_allowed": allowed,
        "files_size": files_size,
        "manifest_command": f"cd {download.name} && sha256sum -c manifest.sha256",
        "lists": lists,
        "with_crate": bool(addresses.crate_url),
    }
