"""What DataCite records read besides their study and version rows, for many records at once (docs/design.md §8).

OAI-PMH's oai_datacite lists a page of records: read one by one, each would cost its own queries for its root
folder, formats, obsolete neighbours and DOIs. Read together, a page costs the same few queries whatever its size,
and a single record (datacite.xml, DOI registration) is read the same way, as a page of one.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Q

from archive.downloads import content_type_of
from archive.models import ArchiveFile, FileStatus, Study, StudyVersion
from archive.selectors.dois import StudyDois, studies_dois
from archive.selectors.file_tree import Folder, root_folders
from archive.selectors.visibility import studies_visible_to

# Content types are read from the files' names once per version: versions never change their files' names.
FORMATS_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RecordReads:
    """One version's: its root folder's counts, its downloadable files' content types, the public obsolete entries
    beside its study as (primary key, accession) by number, the study's registered DOIs and their concept DOIs."""

    root: Folder
    formats: list[str]
    neighbours: list[tuple[int, str]]
    dois: StudyDois
    concepts: dict[int, str]


def _formats(versions: list[StudyVersion]) -> dict[int, list[str]]:
    """The content types of each version's downloadable files, from their names: cached versions from the cache,
    the others in one pass over their files."""
    keys = {version.pk: f"archive:formats:{version.pk}" for version in versions}
    cached = cache.get_many(keys.values())
    formats = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in formats]
    if missing:
        types = defaultdict(set)
        names = ArchiveFile.objects.filter(version__in=missing).exclude(status=FileStatus.REMOVED).order_by()
        for pk, name in names.values_list("version_id", "path").iterator(chunk_size=5000):
            types[pk].add(content_type_of(name))
        read = {pk: sorted(types[pk]) for pk in missing}
        cache.set_many({keys[pk]: listed for pk, listed in read.items()}, FORMATS_CACHE_SECONDS)
        formats |= read
    return formats


def _neighbours(studies: list[Study]) -> dict[int, list[tuple[int, str]]]:
    # Obsolete entries and the entries that replace them (P-OBSOLETE), as far as the public sees them: the record
    # is public metadata, whoever asks for it.
    superseding = [study.superseded_by_id for study in studies if study.superseded_by_id]
    public = studies_visible_to(AnonymousUser())
    rows = list(
        public.filter(Q(pk__in=superseding) | Q(superseded_by__in=studies))
        .order_by("number")
        .values_list("pk", "accession", "superseded_by_id")
    )
    return {
        study.pk: [(pk, accession) for pk, accession, by in rows if study.superseded_by_id == pk or by == study.pk]
        for study in studies
    }


def record_reads(records: list[tuple[Study, StudyVersion]]) -> dict[int, RecordReads]:
    """What each (study, version) record reads, by version key: four queries at most, whatever their number."""
    versions = [version for _study, version in records]
    roots, formats = root_folders(versions), _formats(versions)
    neighbours = _neighbours([study for study, _version in records])
    named = {study.pk for study, _version in records} | {pk for beside in neighbours.values() for pk, _ in beside}
    dois = studies_dois(named)
    return {
        version.pk: RecordReads(
            root=roots[version.pk],
            formats=formats[version.pk],
            neighbours=neighbours[study.pk],
            dois=dois.get(study.pk, StudyDois()),
            concepts={pk: dois[pk].concept for pk, _ in neighbours[study.pk] if pk in dois and dois[pk].concept},
        )
        for study, version in records
    }
