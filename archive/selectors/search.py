"""Search and listings: what a search shows a caller, its facets, counts and cached result pages."""

import hashlib
from collections import Counter
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from archive.models import Study, StudyStatus
from archive.selectors.files import studies_with_thumbnail
from archive.selectors.paging import CountedPage, page_window
from archive.selectors.visibility import studies_visible_to
from core.planner import scans_off
from core.roles import user_is_curator


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


def _newest_match_ids(studies: QuerySet[Study], candidates: int) -> list[int]:
    """Return the ids of the `candidates` newest matches (by accession number) of a PostgreSQL full-text search.

    Ranking every match of a common word at a million studies reads most of the table
    (6-10 s, bench/README.md). The newest matches are looked for among the newest
    accessions, walking the number index back (a common word fills the first window at
    once); when that window holds too few, the next is sized from how many it held and
    read through the GIN index. Fewer ids than `candidates` are every match there is.
    """
    newest = Study.objects.aggregate(newest=Max("number"))["newest"] or 0
    by_number = studies.order_by("-number").values_list("pk", flat=True)
    window = settings.SEARCH_FIRST_WINDOW
    with _scanned_by(gin=False):
        ids = list(by_number.filter(number__gt=newest - window)[:candidates])
    while len(ids) < candidates and window < newest:
        window = max(2 * window, window * 3 * candidates // (len(ids) or 1))
        within = by_number.filter(number__gt=newest - window) if window < newest else by_number
        with _scanned_by(gin=True):
            ids = list(within[:candidates])
    return ids


def _scanned_by(*, gin: bool):
    """Plan the statements inside as the GIN index's bitmap (ANDed with the number index's), or a walk of the number
    index alone.

    Left to itself, PostgreSQL takes words' co-occurrence for independent; for words that
    never meet, it then walks the number index through the whole table (seconds), and for
    a common word it may decode the word's whole GIN posting list to keep twenty rows.
    """
    return scans_off("enable_seqscan", "enable_indexscan" if gin else "enable_bitmapscan")


FACETS = ("organism", "imaging_method", "licence", "year")


@dataclass(frozen=True)
class FacetCounts:
    """How many public listed studies carry each filter value, as (value, count) pairs in the order offered.

    Counted over the whole public archive, not the current search: one GROUP BY over
    every public study costs about 0.4 s at 100,000 studies (bench/README.md), so per
    search it would cost more than the search itself; cached, it costs nothing.
    """

    active: dict[str, list[tuple]]
    with_obsolete: dict[str, list[tuple]]

    def of(self, *, include_obsolete: bool) -> dict[str, list[tuple]]:
        return self.with_obsolete if include_obsolete else self.active


def _tally(rows: list[tuple]) -> dict[str, list[tuple]]:
    """Sum (organism, imaging method, licence, year, count) rows into each facet's values, empty values left out."""
    counts = {name: Counter() for name in FACETS}
    for *values, number in rows:
        for name, value in zip(FACETS, values, strict=True):
            if value:
                counts[name][value] += number
    return {name: sorted(counts[name].items(), reverse=name == "year") for name in FACETS}


def facet_counts() -> FacetCounts:
    """Return the values the search filters offer with their counts: only values public listed studies carry.

    Hidden, confidential and removed studies count nowhere (P-HIDE); obsolete ones
    only with include_obsolete (P-OBSOLETE). One scan groups by every facet at once;
    the result is cached for a few minutes, so a count may lag a change by that much.
    """

    def compute():
        rows = list(
            studies_listed_for(AnonymousUser(), StudySearch(include_obsolete=True))
            .order_by()
            .values_list("status", "organism", "imaging_method", "licence__spdx_id", ExtractYear("release_date"))
            .annotate(number=Count("pk"))
        )
        return FacetCounts(
            active=_tally([rest for status, *rest in rows if status != StudyStatus.OBSOLETE]),
            with_obsolete=_tally([rest for _, *rest in rows]),
        )

    return cache.get_or_set("archive:facet-counts", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)


def archive_counts() -> dict[str, int]:
    """Return the counts shown on the home page: the studies browsing all finds, their files and bytes, cached."""

    def compute():
        listed = studies_listed_for(AnonymousUser(), StudySearch()).order_by()
        totals = listed.aggregate(studies=Count("pk"), files=Sum("files_count"), bytes=Sum("total_size"))
        return {key: value or 0 for key, value in totals.items()}

    return cache.get_or_set("archive:counts", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)


def _ranked_ids(studies: QuerySet[Study], start: int, stop: int, *, full_text: bool) -> tuple[list[int], int]:
    """Return the ids of results start..stop in order, and how many results there are, up to one past the cap.

    Only ids travel. A PostgreSQL full-text search ranks only the newest matches, one
    past the cap, and so knows its count; else a short first page is its own count, or
    the count stops one past SEARCH_COUNTED_RESULTS.
    """
    cap, total = settings.SEARCH_COUNTED_RESULTS, None
    if full_text and connection.vendor == "postgresql":
        candidates = _newest_match_ids(studies, cap + 1)
        studies, total = studies.filter(pk__in=candidates), len(candidates)
    ids = list(studies.values_list("pk", flat=True)[start:stop])
    if total is None and start == 0 and len(ids) < stop:
        total = len(ids)
    if total is None:
        total = studies.order_by().values("pk")[: cap + 1].count()
    return ids, total


SEARCH_GENERATION_KEY = "archive:search:generation"


def search_cache_generation() -> str:
    """The generation of the cached search results; a change to any study starts a new one."""
    return str(cache.get_or_set(SEARCH_GENERATION_KEY, "0", None))


def study_search_page(user, search: StudySearch, *, page: int, per_page: int) -> CountedPage:
    """Return one page of `studies_listed_for(user, search)` with the total.

    Results are counted up to SEARCH_COUNTED_RESULTS (`more` beyond); on
    PostgreSQL a full-text search ranks only that many newest matches, plus one
    to tell that there are more (`_newest_match_ids`). The API ranks and
    counts every match instead (its `count` is exact).

    The public's ranked result lists (the first SEARCH_CACHE_RESULTS ids) are
    cached for SEARCH_CACHE_SECONDS. Rows are always re-read through the
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
            cached = _ranked_ids(studies, 0, settings.SEARCH_CACHE_RESULTS, full_text=bool(search.q))
            cache.set(key, cached, timeout)
        ids, total = cached[0][start:stop], cached[1]
    else:
        ids, total = _ranked_ids(studies, start, stop, full_text=bool(search.q))
    by_id = studies_with_thumbnail(studies_listed_for(user, replace(search, q=""))).in_bulk(ids)
    rows = [by_id[pk] for pk in ids if pk in by_id]
    cap = settings.SEARCH_COUNTED_RESULTS
    return CountedPage(rows, total=min(total, cap), start=start, more=total > cap)
