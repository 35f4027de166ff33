"""Which studies OAI-PMH harvesters see, one keyset page at a time (docs/design.md §8).

Everything starts from `archive.selectors.visibility.studies_harvestable`: the public's studies, and the removed
ones it once had as tombstones. Pages are ordered by primary key and resumed after the last key sent, so a page
costs the same at the end of a million studies as at the start, and a study changed during a harvest is sent
once, as it is when the harvest reaches it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Min, QuerySet
from django.utils import timezone

from archive.exports.datacite_reads import RecordReads, record_reads
from archive.models import Study, StudyDoi, StudyVersion
from archive.selectors.search import StudySearch, facet_counts, studies_listed_for
from archive.selectors.visibility import studies_harvestable
from harvest.protocol import SET_KINDS, OaiError, OaiRequest, SetFilter, set_spec_encode

# The columns a header needs: its identifier, datestamp, status and sets.
HEADER_FIELDS = (
    "accession",
    "status",
    "searchable",
    "record_changed_at",
    "created_at",
    "organism",
    "imaging_method",
    "licence__spdx_id",
)
SET_COLUMNS = {"organism": "organism", "imaging_method": "imaging_method", "licence": "licence__spdx_id"}


@dataclass(frozen=True)
class HarvestPage:
    studies: list[Study]
    more: bool  # whether studies follow the last one of this page


def _in_set(studies: QuerySet[Study], wanted: SetFilter) -> QuerySet[Study]:
    column = SET_COLUMNS[wanted.kind]
    return studies.filter(**{column: wanted.value}) if wanted.value is not None else studies.exclude(**{column: ""})


def _requested(request: OaiRequest) -> QuerySet[Study]:
    studies = studies_harvestable().select_related("licence")
    if request.changed_since is not None:
        studies = studies.filter(record_changed_at__gte=request.changed_since)
    if request.changed_before is not None:
        studies = studies.filter(record_changed_at__lt=request.changed_before)
    if request.set_filter is not None:
        studies = _in_set(studies, request.set_filter)
    return studies


def harvest_page(request: OaiRequest, *, size: int, headers_only: bool) -> HarvestPage:
    """The next `size` harvestable studies the request selects, after the last one its token names."""
    studies = _requested(request).filter(pk__gt=request.after_pk).order_by("pk")
    studies = studies.only(*HEADER_FIELDS) if headers_only else studies.defer("description")
    rows = list(studies[: size + 1])
    return HarvestPage(studies=rows[:size], more=len(rows) > size)


def harvestable_get(accession: str) -> Study:
    """One harvestable study; OaiError(idDoesNotExist) for any other, confidential ones included, alike."""
    study = studies_harvestable().select_related("licence").filter(accession=accession).first()
    if study is None:
        raise OaiError("idDoesNotExist", "No record has this identifier.")
    return study


@dataclass(frozen=True)
class StudyRecordParts:
    """What a study's metadata record is made of besides the study row: its newest version and the DOI, and for
    oai_datacite what its DataCite record reads."""

    version: StudyVersion
    numbers: list[int]  # every version's number, newest first
    doi: str  # the concept DOI once DataCite has accepted it, else ""
    reads: RecordReads | None


def record_parts(studies: list[Study], *, datacite: bool) -> dict[int, StudyRecordParts]:
    """The newest version, version numbers and registered concept DOI of each study, in two queries; with
    `datacite`, what their DataCite records read too, in four more at most (docs/design.md §8)."""
    versions: dict[int, list[StudyVersion]] = {}
    for version in StudyVersion.objects.filter(study__in=studies).order_by("study_id", "-number"):
        versions.setdefault(version.study_id, []).append(version)
    dois = dict(
        StudyDoi.objects.filter(study__in=studies, version__isnull=True, registered_at__isnull=False).values_list(
            "study_id", "doi"
        )
    )
    newest = {pk: listed[0] for pk, listed in versions.items()}
    reads = record_reads([(study, newest[study.pk]) for study in studies if study.pk in newest]) if datacite else {}
    return {
        pk: StudyRecordParts(
            version=newest[pk], numbers=[v.number for v in listed], doi=dois.get(pk, ""), reads=reads.get(newest[pk].pk)
        )
        for pk, listed in versions.items()
    }


def earliest_datestamp() -> datetime.datetime | None:
    """The oldest datestamp, for Identify: a scan of the archive, so cached as search's facets are (a lower bound
    that may only lag)."""

    def compute():
        return studies_harvestable().aggregate(earliest=Min("record_changed_at"))["earliest"]

    return cache.get_or_set("harvest:earliest-datestamp", compute, settings.ARCHIVE_SUMMARY_CACHE_SECONDS)


def _values_changed_since(moment: datetime.datetime) -> dict[str, set[str]]:
    """The set values of live records changed since `moment`, through the record_changed_at index."""
    live = studies_listed_for(AnonymousUser(), StudySearch(include_obsolete=True)).order_by()
    rows = live.filter(record_changed_at__gte=moment).values_list(*SET_COLUMNS.values()).distinct()
    values = {kind: set() for kind in SET_COLUMNS}
    for row in rows:
        for kind, value in zip(SET_COLUMNS, row, strict=True):
            values[kind].add(value)
    return values


def harvest_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set: each kind, then each value live records carry.

    Search's cached facets, plus the values of the records changed since those could have been counted, so a
    release's new value is a set at once without a scan of the archive. The facets were counted at most their
    cache time ago, plus their scan's time: twice the cache time covers any scan shorter than the cache time. (A
    value no live record carries any more is still listed until the facets expire: an empty set is harmless.)
    """
    facets = facet_counts().of(include_obsolete=True)
    window = datetime.timedelta(seconds=2 * settings.ARCHIVE_SUMMARY_CACHE_SECONDS)
    values = _values_changed_since(timezone.now() - window)
    sets = []
    for kind in SET_KINDS:
        sets.append((kind, kind.replace("_", " ").capitalize()))
        kind_values = values[kind].union(value for value, _count in facets[kind]) - {""}
        sets += [(set_spec_encode(kind, value), value) for value in sorted(kind_values)]
    return sets
