from django.contrib.sitemaps.views import sitemap
from django.urls import path

from archive.sitemaps import SITEMAPS
from archive.views import (
    downloads,
    exports,
    my_studies,
    pages,
    review,
    seo,
    sharing,
    statistics,
    studies,
    thumbnails,
)


def _newest_and_pinned(route: str, view, name: str, *, pinned_name: str = "") -> list:
    """`studies/<acc>/<route>` (the newest version) and `studies/<acc>/v<n>/<route>` (a pinned one), one view.

    The pinned route's name is `pinned_name`, by default `name` with "study-" made "study-version-".
    """
    return [
        path(f"studies/<str:accession>/{route}", view, name=name),
        path(
            f"studies/<str:accession>/v<int:version>/{route}",
            view,
            name=pinned_name or name.replace("study-", "study-version-", 1),
        ),
    ]


urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("my/studies/", my_studies.my_studies, name="my-studies"),
    *_newest_and_pinned("", studies.study_detail, "study-detail", pinned_name="study-version"),
    *_newest_and_pinned("manifest.sha256", studies.study_manifest, "study-manifest"),
    *_newest_and_pinned("download.zip", downloads.study_download_zip, "study-download-zip"),
    *_newest_and_pinned("download-list.txt", downloads.study_download_list, "study-download-list"),
    *_newest_and_pinned("datacite.xml", exports.study_datacite_xml, "study-datacite"),
    *_newest_and_pinned("ro-crate-metadata.json", exports.study_ro_crate, "study-ro-crate"),
    *_newest_and_pinned("croissant.json", exports.study_croissant, "study-croissant"),
    *_newest_and_pinned("files.csv", exports.study_files_csv, "study-files-csv"),
    *_newest_and_pinned("citation.<str:extension>", exports.study_citation, "study-citation"),
    *_newest_and_pinned("linkset.json", exports.study_linkset, "study-linkset"),
    *_newest_and_pinned("files/<path:path>", studies.study_file, "study-file"),
    *_newest_and_pinned("thumbnails/<path:path>", thumbnails.study_thumbnail, "study-thumbnail"),
    path("studies/<str:accession>/reviewer-links/", sharing.reviewer_link_create, name="study-reviewer-links"),
    path(
        "studies/<str:accession>/reviewer-links/<int:link_id>/revoke/",
        sharing.reviewer_link_revoke,
        name="study-reviewer-link-revoke",
    ),
    path("studies/<str:accession>/collaborators/", sharing.collaborator_invite, name="study-collaborators"),
    path(
        "studies/<str:accession>/collaborators/<str:username>/remove/",
        sharing.collaborator_remove,
        name="study-collaborator-remove",
    ),
    path("studies/<str:accession>/release-date/", sharing.release_date_change, name="study-release-date"),
    path("studies/<str:accession>/release-now/", sharing.release_now, name="study-release-now"),
    path("review/<str:token>/", review.review, name="review"),
    path("review/<str:token>/files/<path:path>", review.review_file, name="review-file"),
    path("review/<str:token>/manifest.sha256", review.review_manifest, name="review-manifest"),
    path("review/<str:token>/download.zip", downloads.review_download_zip, name="review-download-zip"),
    path("review/<str:token>/download-list.txt", downloads.review_download_list, name="review-download-list"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", seo.robots_txt, name="robots-txt"),
]
