"""The DOIs a study may show (issue 14): the concept DOI and one per version, once DataCite has accepted them.

A DOI is shown once it is registered, i.e. DataCite accepted it at least once (`registered_at` set), never while it
is only allocated: a printed DOI must resolve. A later change waiting to be sent does not hide it, since the DOI
still resolves meanwhile. With DOIs off (no DATACITE_* settings) nothing is shown.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from archive.models import Study, StudyDoi

DOI_RESOLVER = "https://doi.org/"


def dois_enabled() -> bool:
    return bool(settings.DATACITE_PREFIX and settings.DATACITE_REPOSITORY_ID and settings.DATACITE_PASSWORD)


def doi_name(accession: str, number: int | None = None) -> str:
    """The DOI of a study (concept, `number` None) or of one of its versions; DOIs ignore case, so lower case."""
    suffix = accession.lower() if number is None else f"{accession.lower()}.v{number}"
    return f"{settings.DATACITE_PREFIX}/{suffix}"


def doi_url(doi: str) -> str:
    return f"{DOI_RESOLVER}{doi}"


@dataclass(frozen=True)
class StudyDois:
    """A study's registered DOIs: `concept` for the study as a whole, `versions` by version number."""

    concept: str | None = None
    versions: dict[int, str] = field(default_factory=dict)

    def of_version(self, number: int) -> str | None:
        return self.versions.get(number)

    def for_page(self, number: int, *, pinned: bool) -> str | None:
        """The DOI of what a page shows: a pinned /v<n>/ page its version's, the study's page the concept DOI."""
        return self.of_version(number) if pinned else self.concept


def study_dois(study: Study) -> StudyDois:
    """The registered DOIs of `study` (one query; none without DOI settings). The caller has checked visibility."""
    return studies_dois([study.pk]).get(study.pk, StudyDois())


def studies_dois(study_ids: Iterable[int]) -> dict[int, StudyDois]:
    """The registered DOIs of the studies `study_ids` that have any, by primary key, in one query (none without DOI
    settings): a DataCite record names its obsolete neighbours' DOIs, and OAI-PMH lists a page of records."""
    if not dois_enabled():
        return {}
    rows = StudyDoi.objects.filter(study__in=list(study_ids), registered_at__isnull=False).values_list(
        "study_id", "version__number", "doi"
    )
    concepts, versions = {}, defaultdict(dict)
    for pk, number, doi in rows:
        if number is None:
            concepts[pk] = doi
        else:
            versions[pk][number] = doi
    return {pk: StudyDois(concept=concepts.get(pk), versions=versions[pk]) for pk in concepts.keys() | versions.keys()}
