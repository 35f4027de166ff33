"""DOIs through DataCite's REST API (issue 14): allocated on release, registered by a queued task, retried on schedule.

Each released study has a concept DOI (`<prefix>/<accession>`, the study as a whole, resolving to its page, which
shows the newest version) and one DOI per version (`<prefix>/<accession>.v<n>`, resolving to the version's page).
A change to the study marks its DOIs pending; the task, and the schedule after it, send every pending or failed row
until DataCite accepts it. Nothing here ever raises into a release or a curator's change: errors stay on the row.
DOIs are off, and nothing is stored, unless DATACITE_PREFIX, DATACITE_REPOSITORY_ID and DATACITE_PASSWORD are set.
"""

import functools
import logging

from datacite import DataCiteRESTClient
from datacite.errors import DataCiteError, HttpError
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from archive.exports.datacite import datacite_metadata
from archive.models import DoiState, Study, StudyDoi, StudyStatus
from archive.selectors.dois import doi_name, dois_enabled
from core.links import portal_url

logger = logging.getLogger(__name__)

PENDING_PER_RUN = 200
RETRY_EVERY_MINUTES = 10
ERROR_MAX_CHARS = 2000
VERSION_RELATIONS = {"IsVersionOf", "IsNewVersionOf", "IsPreviousVersionOf"}
ALREADY_TAKEN = "has already been taken"  # DataCite's 422 on a POST of a DOI it holds (the client keeps only the text)


def study_dois_mark(study: Study) -> None:
    """Allocate any DOI a released study lacks and mark all of them to be sent to DataCite once this change commits.

    Called for every recorded change of a study (`archive.services.changes._audit_study`); a study never released
    has none. The study superseding an obsolete one is marked too, since its record names the obsolete entry.
    """
    if not dois_enabled() or study.released_at is None:
        return
    for version in study.versions.filter(doi__isnull=True):
        StudyDoi.objects.create(study=study, version=version, doi=doi_name(study.accession, version.number))
    StudyDoi.objects.get_or_create(study=study, version=None, defaults={"doi": doi_name(study.accession)})
    marked = [study.pk, study.superseded_by_id] if study.superseded_by_id else [study.pk]
    StudyDoi.objects.filter(study__in=marked).update(state=DoiState.PENDING, updated_at=timezone.now())
    for pk in marked:
        transaction.on_commit(functools.partial(async_task, "archive.tasks.study_dois_register", study_pk=pk))


def _client() -> DataCiteRESTClient:
    # The library's own test_mode would ignore `url`; DATACITE_URL already names the test API in test mode.
    return DataCiteRESTClient(
        username=settings.DATACITE_REPOSITORY_ID,
        password=settings.DATACITE_PASSWORD,
        prefix=settings.DATACITE_PREFIX,
        test_mode=False,
        url=settings.DATACITE_URL,
        timeout=settings.DATACITE_TIMEOUT_SECONDS,
    )


def _version_page(accession: str, number: int) -> str:
    return portal_url(reverse("study-version", args=[accession, number]))


def _doi_relation(doi: str, relation: str) -> dict:
    return {"relatedIdentifier": doi, "relatedIdentifierType": "DOI", "relationType": relation}


def doi_attributes(row: StudyDoi) -> tuple[dict, str]:
    """The DataCite attributes and the landing address of a DOI row, as the study stands now.

    A version DOI describes its version; the concept DOI describes the newest and names every version DOI.
    """
    study = row.study
    numbers = sorted(study.versions.values_list("number", flat=True))
    version = row.version or study.versions.get(number=numbers[-1])
    record = datacite_metadata(study=study, version=version, numbers=numbers)
    if row.version is None:
        related = [item for item in record["relatedIdentifiers"] if item["relationType"] not in VERSION_RELATIONS]
        related += [_doi_relation(doi_name(study.accession, number), "HasVersion") for number in numbers]
        url = portal_url(reverse("study-detail", args=[study.accession]))
    else:
        # The concept DOI is registered right after its versions' DOIs, so it is named before DataCite has it.
        related = [item for item in record["relatedIdentifiers"] if item["relationType"] != "IsVersionOf"]
        related.append(_doi_relation(doi_name(study.accession), "IsVersionOf"))
        url = _version_page(study.accession, version.number)
    return {**record, "doi": row.doi, "relatedIdentifiers": related, "url": url, "event": "publish"}, url


def _send(client: DataCiteRESTClient, row: StudyDoi) -> None:
    study = row.study
    if study.status == StudyStatus.REMOVED:
        # P-REMOVE: the DOI resolves to the tombstone (the study page answers 410) and leaves DataCite's search.
        tombstone = portal_url(reverse("study-detail", args=[study.accession]))
        client.update_doi(row.doi, metadata={"event": "hide"}, url=tombstone)
        return
    attributes, url = doi_attributes(row)
    if row.registered_at is None:
        try:
            client.public_doi(attributes, url=url, doi=row.doi)
            return
        except DataCiteError as error:
            # DataCite took it but we never recorded so (a crash before our commit): update what it holds.
            if ALREADY_TAKEN not in str(error):
                raise
    client.update_doi(row.doi, metadata=attributes, url=url)


def _register(client: DataCiteRESTClient, row: StudyDoi) -> bool:
    """Send one row; True if DataCite accepted it. A change marked while it was sent keeps the row pending."""
    sent_state_of = row.updated_at
    now = timezone.now()
    try:
        _send(client, row)
    except (DataCiteError, HttpError, KeyError, ValueError) as error:
        logger.warning("DataCite refused %s: %s", row.doi, error)
        StudyDoi.objects.filter(pk=row.pk).update(
            state=DoiState.FAILED, attempts=F("attempts") + 1, last_error=str(error)[:ERROR_MAX_CHARS], updated_at=now
        )
        return False
    StudyDoi.objects.filter(pk=row.pk, registered_at__isnull=True).update(registered_at=now)
    StudyDoi.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error="")
    StudyDoi.objects.filter(pk=row.pk, updated_at=sent_state_of).update(state=DoiState.REGISTERED, updated_at=now)
    return True


def _unsent():
    # A removed study's DOIs not yet registered wait for a restore: DataCite cannot be given its metadata.
    never_public = Q(study__status=StudyStatus.REMOVED, registered_at__isnull=True)
    return StudyDoi.objects.exclude(state=DoiState.REGISTERED).exclude(never_public).select_related("study")


def _register_rows(rows) -> dict[str, int]:
    client = _client()
    outcome = {"registered": 0, "failed": 0}
    for row in rows:
        outcome["registered" if _register(client, row) else "failed"] += 1
    return outcome


def study_dois_register(*, study_pk: int) -> dict[str, int]:
    """Send a study's pending and failed DOIs to DataCite (queued by `study_dois_mark`)."""
    if not dois_enabled():
        return {"registered": 0, "failed": 0}
    # Version DOIs first: the concept DOI's record names them (HasVersion).
    return _register_rows(_unsent().filter(study_id=study_pk).order_by(F("version").asc(nulls_last=True), "pk"))


def dois_register_pending(limit: int = PENDING_PER_RUN) -> dict[str, int]:
    """Retry the DOIs DataCite has not accepted yet, the longest waiting first (the retry schedule)."""
    if not dois_enabled():
        return {"registered": 0, "failed": 0}
    return _register_rows(_unsent().order_by("updated_at", "pk")[:limit])
