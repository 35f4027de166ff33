"""Reads of the archive. Every page, API view, search, sitemap and download starts here.

`studies_visible_to` is the one function that decides who may see a study.
"""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.utils import timezone

from accounts.groups import CURATORS_GROUP
from archive.models import (
    PUBLIC_STATUSES,
    ArchiveFile,
    FileStatus,
    ReviewerLink,
    Study,
    StudyStatus,
    StudyUserObjectPermission,
    StudyVersion,
    Thumbnail,
    ThumbnailStatus,
)
from portal.errors import NotAllowed

# Accessions are a prefix and a number; this is wide enough for any prefix setting.
ACCESSION_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


class StudyNotFound(Exception):
    """The study does not exist, or the caller may not know that it does."""


class StudyGone(Exception):
    """The study was removed from the public record (P-REMOVE): answer 410 with a tombstone."""

    def __init__(self, study: Study):
        super().__init__(study.accession)
        self.study = study


def user_is_curator(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: one query per request, not per check.
    if not hasattr(user, "_is_curator"):
        user._is_curator = user.groups.filter(name=CURATORS_GROUP).exists()
    return user._is_curator


def studies_visible_to(user) -> QuerySet[Study]:
    """Return the studies `user` may open.

    Curators see every study. Everyone sees released and obsolete studies. A
    signed-in user also sees confidential studies on which they hold the
    `view_study` object permission (owner, invited collaborators). Removed
    studies are visible to curators only; others get a tombstone by accession.
    """
    # The search vector is only ever read by the database.
    studies = Study.objects.defer("search_vector")
    if user_is_curator(user):
        return studies
    public = Q(status__in=PUBLIC_STATUSES)
    if user is None or not user.is_authenticated:
        return studies.filter(public)
    granted = StudyUserObjectPermission.objects.filter(user=user, permission__codename="view_study")
    return studies.filter(public | Q(status=StudyStatus.CONFIDENTIAL, pk__in=granted.values("content_object_id")))


def study_get_visible(user, accession: str) -> Study:
    """Return the study with this accession if `user` may open it.

    Raise StudyGone for a removed study (unless the caller is a curator) and
    StudyNotFound when it does not exist or is confidential to the caller.
    """
    if not ACCESSION_SHAPE.fullmatch(accession):
        # Junk (control characters, overlong input) never reaches the database.
        raise StudyNotFound(accession[:40])
    study = studies_visible_to(user).select_related("licence").filter(accession=accession).first()
    if study is not None:
        return study
    removed = Study.objects.filter(accession=accession, status=StudyStatus.REMOVED).first()
    if removed is not None:
        raise StudyGone(removed)
    raise StudyNotFound(accession)


def study_version_get(*, study: Study, number: int | None = None) -> StudyVersion:
    """Return version `number` of a visible study (the newest when None)."""
    versions = study.versions.all()
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise StudyNotFound(f"{study.accession} v{number}")
    return version


@dataclass(frozen=True)
class StudyPage:
    study: Study
    version: StudyVersion
    versions: list[StudyVersion]

    @property
    def is_newest(self) -> bool:
        return self.version.number == self.versions[0].number


def study_page_get(user, accession: str, number: int | None = None) -> StudyPage:
    """Return a visible study with version `number` (the newest when None) and its version list.

    Raise StudyNotFound or StudyGone as `study_get_visible` does.
    """
    study = study_get_visible(user, accession)
    # A study has few versions: one query reads them all, metadata included.
    versions = list(study.versions.all())
    wanted = versions[0].number if number is None and versions else number
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise StudyNotFound(f"{accession} v{number}")
    return StudyPage(study=study, version=version, versions=versions)


@dataclass(frozen=True)
class StudySearch:
    q: str = ""
    organism: str = ""
    imaging_method: str = ""
    licence: str = ""
    year: int | None = None
    include_obsolete: bool = False
    status: str = ""


def studies_listed_for(user, search: StudySearch | None = None) -> QuerySet[Study]:
    """Return the studies a search or listing shows `user`, best match (or newest) first.

    Listings leave out hidden entries (P-HIDE) and obsolete ones unless asked
    (P-OBSOLETE); curators see everything and may filter by status.
    """
    search = search or StudySearch()
    curator = user_is_curator(user)
    studies = studies_visible_to(user).select_related("licence")
    if curator:
        if search.status:
            studies = studies.filter(status=search.status)
    else:
        studies = studies.filter(searchable=True)
        if not search.include_obsolete:
            studies = studies.exclude(status=StudyStatus.OBSOLETE)
    if search.organism:
        studies = studies.filter(organism=search.organism)
    if search.imaging_method:
        studies = studies.filter(imaging_method=search.imaging_method)
    if search.licence:
        studies = studies.filter(licence__spdx_id=search.licence)
    if search.year:
        studies = studies.filter(release_date__year=search.year)
    if search.q:
        return _full_text(studies, search.q)
    return studies.order_by("-release_date", "-number")


def _full_text(studies: QuerySet[Study], text: str) -> QuerySet[Study]:
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            studies.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-release_date", "-number")
        )
    # SQLite fallback: every word must appear in one of the searched fields.
    for word in text.split():
        studies = studies.filter(
            Q(accession__iexact=word)
            | Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(authors_text__icontains=word)
            | Q(organism__icontains=word)
            | Q(imaging_method__icontains=word)
            | Q(keywords_text__icontains=word)
        )
    return studies.order_by("-release_date", "-number")


def study_files(*, version: StudyVersion, user=None) -> QuerySet[ArchiveFile]:
    """Return the files of a version that are listed: removed files only for curators (P-REMOVE)."""
    files = version.files.all().order_by("path")
    if not user_is_curator(user):
        files = files.exclude(status=FileStatus.REMOVED)
    return files


class FileGone(Exception):
    """The file was removed from the public record (P-REMOVE): answer 410."""

    def __init__(self, file: ArchiveFile):
        super().__init__(file.path)
        self.file = file


def study_file_get_visible(*, user, version: StudyVersion, path: str) -> ArchiveFile:
    """Return the file at `path` of a version the caller can see.

    Obsolete files are still public (P-OBSOLETE); removed ones raise FileGone
    except for curators (P-REMOVE); a missing one raises StudyNotFound.
    """
    file = version.files.filter(path=path).first()
    if file is None:
        raise StudyNotFound(path)
    if file.status == FileStatus.REMOVED and not user_is_curator(user):
        raise FileGone(file)
    return file


def _public_listing() -> QuerySet[Study]:
    return studies_listed_for(AnonymousUser(), StudySearch(include_obsolete=True)).order_by()


def facet_values() -> dict[str, list]:
    """Return the choices offered by the search filters: values present in public listings.

    Scanning every study for them costs more than the search itself on a large
    archive, so they are cached for a few minutes; a stale choice only finds nothing.
    """

    def compute():
        studies = _public_listing()
        return {
            "organism": sorted(v for v in studies.values_list("organism", flat=True).distinct() if v),
            "imaging_method": sorted(v for v in studies.values_list("imaging_method", flat=True).distinct() if v),
            "licence": sorted(studies.values_list("licence__spdx_id", flat=True).distinct()),
            "year": sorted({d.year for d in studies.dates("release_date", "year")}, reverse=True),
        }

    return cache.get_or_set("archive:facets", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)


def archive_counts() -> dict[str, int]:
    """Return the counts shown on the home page (public, searchable studies), cached like the facets."""

    def compute():
        totals = _public_listing().aggregate(studies=Count("pk"), files=Sum("files_count"), bytes=Sum("total_size"))
        return {key: value or 0 for key, value in totals.items()}

    return cache.get_or_set("archive:counts", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)


class CountedPage(Sequence):
    """One page of rows that also knows the total number of results, for Django's Paginator."""

    def __init__(self, rows: list[Study], *, total: int, start: int):
        self.rows, self.total, self.start = rows, total, start

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start != self.start:
            raise IndexError("CountedPage holds one page; ask the paginator for that page only.")
        return self.rows


# No list has rows this far; beyond it a page's OFFSET would overflow the database's 64-bit integer
# (PostgreSQL's bigint, SQLite's INTEGER), whatever number the URL carries.
MAX_PAGE_NUMBER = 10**9


def page_window(page: int, per_page: int) -> tuple[int, int]:
    """Return the start and stop offsets of page `page` (counted from 1), the page kept within 1..MAX_PAGE_NUMBER."""
    page = min(max(page, 1), MAX_PAGE_NUMBER)
    return (page - 1) * per_page, page * per_page


def study_files_page(*, version: StudyVersion, user, page: int, per_page: int) -> tuple[CountedPage, int]:
    """Return one page of a version's listed files, with their count and total size, in one query."""
    files = study_files(version=version, user=user)
    start, stop = page_window(page, per_page)
    files = files.annotate(has_thumbnail=Exists(_made_thumbnails().filter(sha256=OuterRef("sha256"))))
    rows = list(files.annotate(listed=Window(Count("pk")), listed_size=Window(Sum("size")))[start:stop])
    if not rows and page > 1:  # past the end: show the last page, as Paginator.get_page does
        count = files.count()
        return study_files_page(version=version, user=user, page=max(1, -(-count // per_page)), per_page=per_page)
    count, size = (rows[0].listed, rows[0].listed_size) if rows else (0, 0)
    return CountedPage(rows, total=count, start=start), size


def _ranked_ids(studies: QuerySet[Study], start: int, stop: int) -> tuple[list[int], int]:
    """Return the ids of results start..stop in order, and how many results there are.

    One narrow query: the window count rides along with the ranking, so the
    matches of a full-text search are scanned once, and only ids travel.
    """
    ranked = list(studies.annotate(total_matches=Window(Count("pk"))).values_list("pk", "total_matches")[start:stop])
    if ranked:
        return [pk for pk, _ in ranked], ranked[0][1]
    return [], (studies.count() if start else 0)


SEARCH_GENERATION_KEY = "archive:search:generation"


def search_cache_generation() -> str:
    """The generation of the cached search results; a change to any study starts a new one."""
    return str(cache.get_or_set(SEARCH_GENERATION_KEY, "0", None))


def study_search_page(user, search: StudySearch, *, page: int, per_page: int) -> CountedPage:
    """Return one page of `studies_listed_for(user, search)` with the total.

    The public's ranked result lists (the first SEARCH_CACHE_RESULTS ids) are
    cached for SEARCH_CACHE_SECONDS: ranking every match of a common word is
    the costliest read of a large archive. Rows are always re-read through the
    visibility selector, so an entry hidden or removed since never shows; and
    every change to a study starts a new cache generation, so an entry
    released or unhidden since shows at once.
    """
    studies = studies_listed_for(user, search)
    start, stop = page_window(page, per_page)
    timeout = settings.SEARCH_CACHE_SECONDS
    if timeout and not (user and user.is_authenticated) and stop <= settings.SEARCH_CACHE_RESULTS:
        key = f"archive:search:{search_cache_generation()}:" + hashlib.sha256(repr(search).encode()).hexdigest()
        cached = cache.get(key)
        if cached is None:
            cached = _ranked_ids(studies, 0, settings.SEARCH_CACHE_RESULTS)
            cache.set(key, cached, timeout)
        ids, total = cached[0][start:stop], cached[1]
    else:
        ids, total = _ranked_ids(studies, start, stop)
    by_id = studies_with_thumbnail(studies_listed_for(user, replace(search, q=""))).in_bulk(ids)
    return CountedPage([by_id[pk] for pk in ids if pk in by_id], total=total, start=start)


# --- Confidential access: reviewer links and collaborators ------------------------------

# Tokens are secrets.token_urlsafe output; anything else is refused before hashing.
REVIEWER_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")


def reviewer_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def study_access_manageable_by(user, study: Study) -> bool:
    """True for the owner and curators: they decide who else sees a study."""
    return bool(user and user.is_authenticated and (study.owner_id == user.pk or user_is_curator(user)))


def study_access_check_manager(user, study: Study, *, rule: str) -> None:
    """Raise NotAllowed (403) unless `user` may manage who sees `study`."""
    if not study_access_manageable_by(user, study):
        raise NotAllowed(rule=rule, message="Only the owner of the study or a curator may manage who can see it.")


def study_get_by_reviewer_token(token: str, *, now=None) -> tuple[Study, ReviewerLink]:
    """Return the one study a reviewer link opens, and the link.

    Raise StudyNotFound when the token is unknown, revoked or expired (without
    saying which), and StudyGone when its study was removed: removed studies
    never open through a link, whoever holds it (P-REMOVE).
    """
    if not REVIEWER_TOKEN_SHAPE.fullmatch(token):
        raise StudyNotFound("reviewer link")
    now = now or timezone.now()
    link = (
        ReviewerLink.objects.select_related("study__licence")
        .defer("study__search_vector")
        .filter(token_hash=reviewer_token_hash(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if link is None:
        raise StudyNotFound("reviewer link")
    if link.study.status == StudyStatus.REMOVED:
        raise StudyGone(link.study)
    return link.study, link


def reviewer_links_for(*, study: Study, actor) -> QuerySet[ReviewerLink]:
    """Return a study's reviewer links, newest first, for its owner or a curator."""
    study_access_check_manager(actor, study, rule="REVIEWER-LINK")
    return study.reviewer_links.order_by("-created_at", "-pk")


def reviewer_link_get(*, study: Study, actor, link_id: int) -> ReviewerLink:
    """Return one reviewer link of a study, for its owner or a curator."""
    link = reviewer_links_for(study=study, actor=actor).filter(pk=link_id).first()
    if link is None:
        raise StudyNotFound(f"reviewer link {link_id}")
    return link


def study_collaborators(*, study: Study) -> QuerySet:
    """Return the users invited to see a study: holders of `view_study` other than its owner."""
    granted = StudyUserObjectPermission.objects.filter(content_object=study, permission__codename="view_study")
    return get_user_model().objects.filter(pk__in=granted.values("user_id")).exclude(pk=study.owner_id)


# --- Thumbnails --------------------------------------------------------------------------


def _made_thumbnails() -> QuerySet[Thumbnail]:
    return Thumbnail.objects.filter(status=ThumbnailStatus.MADE)


def studies_with_thumbnail(studies: QuerySet[Study]) -> QuerySet[Study]:
    """Annotate each study with `thumbnail_path`: its newest version's first listed file with a thumbnail.

    Subqueries of the same query, so a list page reads its thumbnails without one
    more query per row (or at all). Removed files never lend their thumbnail.
    """
    newest = StudyVersion.objects.filter(study=OuterRef(OuterRef("pk"))).order_by("-number").values("pk")[:1]
    first = (
        ArchiveFile.objects.filter(version=Subquery(newest))
        .exclude(status=FileStatus.REMOVED)
        .filter(Exists(_made_thumbnails().filter(sha256=OuterRef("sha256"))))
        .order_by("path")
        .values("path")[:1]
    )
    return studies.annotate(thumbnail_path=Subquery(first))


def thumbnail_for_file(file: ArchiveFile) -> Thumbnail | None:
    """Return the made thumbnail of a visible file's content, or None while there is none."""
    return _made_thumbnails().filter(sha256=file.sha256).first()


def study_get_managed(user, accession: str) -> Study:
    """Return the study if `user` sees it and may manage who else does (its owner or a curator).

    Raise StudyNotFound otherwise, even for a study the caller sees, so the owner's
    controls reveal nothing to anyone else; StudyGone as `study_get_visible` does.
    """
    study = study_get_visible(user, accession)
    if not study_access_manageable_by(user, study):
        raise StudyNotFound(accession)
    return study
