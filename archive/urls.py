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

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("statistics/", statistics.statistics, name="statistics"),
    path("my/studies/", my_studies.my_studies, name="my-studies"),
    path("studies/<str:accession>/", studies.study_detail, name="study-detail"),
    path("studies/<str:accession>/v<int:version>/", studies.study_detail, name="study-version"),
    path("studies/<str:accession>/manifest.sha256", studies.study_manifest, name="study-manifest"),
    path(
        "studies/<str:accession>/v<int:version>/manifest.sha256",
        studies.study_manifest,
        name="study-version-manifest",
    ),
    path("studies/<str:accession>/download.zip", downloads.study_download_zip, name="study-download-zip"),
    path(
        "studies/<str:accession>/v<int:version>/download.zip",
        downloads.study_download_zip,
        name="study-version-download-zip",
    ),
    path("studies/<str:accession>/download-list.txt", downloads.study_download_list, name="study-download-list"),
    path(
        "studies/<str:accession>/v<int:version>/download-list.txt",
        downloads.study_download_list,
        name="study-version-download-list",
    ),
    path("studies/<str:accession>/datacite.xml", exports.study_datacite_xml, name="study-datacite"),
    path(
        "studies/<str:accession>/v<int:version>/datacite.xml",
        exports.study_datacite_xml,
        name="study-version-datacite",
    ),
    path("studies/<str:accession>/ro-crate-metadata.json", exports.study_ro_crate, name="study-ro-crate"),
    path(
        "studies/<str:accession>/v<int:version>/ro-crate-metadata.json",
        exports.study_ro_crate,
        name="study-version-ro-crate",
    ),
    path("studies/<str:accession>/croissant.json", exports.study_croissant, name="study-croissant"),
    path(
        "studies/<str:accession>/v<int:version>/croissant.json", exports.study_croissant, name="study-version-croissant"
    ),
    path("studies/<str:accession>/files.csv", exports.study_files_csv, name="study-files-csv"),
    path("studies/<str:accession>/v<int:version>/files.csv", exports.study_files_csv, name="study-version-files-csv"),
    path("studies/<str:accession>/citation.<str:extension>", exports.study_citation, name="study-citation"),
    path("studies/<str:accession>/linkset.json", exports.study_linkset, name="study-linkset"),
    path("studies/<str:accession>/v<int:version>/linkset.json", exports.study_linkset, name="study-version-linkset"),
    path(
        "studies/<str:accession>/v<int:version>/citation.<str:extension>",
        exports.study_citation,
        name="study-version-citation",
    ),
    path("studies/<str:accession>/files/<path:path>", studies.study_file, name="study-file"),
    path("studies/<str:accession>/v<int:version>/files/<path:path>", studies.study_file, name="study-version-file"),
    path("studies/<str:accession>/thumbnails/<path:path>", thumbnails.study_thumbnail, name="study-thumbnail"),
    path(
        "studies/<str:accession>/v<int:version>/thumbnails/<path:path>",
        thumbnails.study_thumbnail,
        name="study-version-thumbnail",
    ),
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
