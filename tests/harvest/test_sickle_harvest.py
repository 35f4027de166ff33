"""A real harvester (Sickle, from PyPI) harvests the archive over HTTP through resumption tokens, while studies are
released, changed and removed between its pages: no record is lost or repeated (docs/design.md §8)."""

import pytest
from django.utils import timezone
from sickle import Sickle

from archive.services.accession import study_version_add
from archive.services.release import study_release_date_change
from archive.services.status import study_hide, study_remove
from tests.factories import UserFactory, make_curator, make_study, study_metadata

pytestmark = pytest.mark.django_db(transaction=True)

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _oai_id(study) -> str:
    return f"oai:localhost:{study.accession}"


@pytest.fixture
def harvester(live_server, settings):
    settings.OAI_PAGE_SIZE = 2
    settings.OAI_IDENTIFIERS_PAGE_SIZE = 3
    return Sickle(live_server.url + "/oai", max_retries=0)


def test_sickle_harvests_every_record_in_both_formats_over_several_pages(harvester):
    curator = make_curator()
    released = [make_study(title=f"Harvested study {n}", organism="Danio rerio") for n in range(4)]
    mouse = make_study(title="Mouse study", organism="Mus musculus")
    hidden = study_hide(study=make_study(title="Zyxo hidden"), actor=curator, reason_category="error")
    removed = study_remove(study=make_study(title="Zyxo removed"), actor=curator, reason_category="retraction")
    make_study(status="confidential", title="Zyxo confidential")
    everything = [*released, mouse, hidden, removed]

    for prefix in ("oai_dc", "oai_datacite"):
        records = list(harvester.ListRecords(metadataPrefix=prefix, ignore_deleted=False))
        assert [r.header.identifier for r in records] == [_oai_id(s) for s in everything]
        assert [r.header.identifier for r in records if r.header.deleted] == [_oai_id(hidden), _oai_id(removed)]
        assert not any("Zyxo" in r.raw for r in records)
    dublin_core = {
        r.header.identifier: r.metadata for r in harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True)
    }
    assert dublin_core[_oai_id(mouse)]["title"] == ["Mouse study"]
    assert dublin_core[_oai_id(mouse)]["type"] == ["Dataset"]

    in_set = harvester.ListIdentifiers(metadataPrefix="oai_dc", set="organism:Danio_rerio")
    assert [header.identifier for header in in_set] == [_oai_id(s) for s in released]
    record = harvester.GetRecord(identifier=_oai_id(mouse), metadataPrefix="oai_datacite")
    assert record.metadata["title"] == ["Mouse study"]
    tombstone = harvester.GetRecord(identifier=_oai_id(removed), metadataPrefix="oai_dc")
    assert tombstone.header.deleted
    assert harvester.Identify().deletedRecord == "persistent"


def test_a_post_harvest_through_sickle_gets_the_same_records(live_server, harvester):
    studies = [make_study() for _ in range(3)]
    posting = Sickle(live_server.url + "/oai", http_method="POST", max_retries=0)
    assert [h.identifier for h in posting.ListIdentifiers(metadataPrefix="oai_dc")] == [_oai_id(s) for s in studies]


def _response_date(iterator) -> str:
    return iterator.oai_response.xml.find(f"{OAI}responseDate").text


def test_changes_during_a_harvest_lose_no_record_and_repeat_none(harvester):
    """Records are sent in key order: a record reached after it changed comes in its new state; one changed or
    released behind the harvest's position comes in the next incremental harvest (from = the first responseDate)."""
    owner = UserFactory()
    held_back = make_study(owner=owner, status="confidential", title="Released late")
    first, second = make_study(owner=owner, title="First"), make_study(owner=owner, title="Second")
    later = [make_study(owner=owner, title=f"Later {n}") for n in range(4)]

    harvest = harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False)
    records = [next(harvest), next(harvest)]  # the first page, two records
    started = _response_date(harvest)
    # Between the pages: a study behind the harvest is released and one is changed; ahead of it, one is removed,
    # one gets a new version, and a new study is released.
    study_release_date_change(study=held_back, actor=owner, release_date=timezone.localdate())
    study_version_add(study=first, metadata=study_metadata("First, corrected"), files=[], note="typo")
    study_remove(study=later[0], actor=make_curator(), reason_category="retraction")
    study_version_add(study=later[1], metadata=study_metadata("Later 1, corrected"), files=[], note="typo")
    newcomer = make_study(owner=owner, title="Newcomer")
    records += list(harvest)

    sent = [r.header.identifier for r in records]
    assert sent == [_oai_id(s) for s in [first, second, *later, newcomer]]
    by_id = {r.header.identifier: r for r in records}
    assert by_id[_oai_id(later[0])].header.deleted
    assert by_id[_oai_id(later[1])].metadata["title"] == ["Later 1, corrected"]

    since = harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False, **{"from": started})
    caught_up = {r.header.identifier: r for r in since}
    assert caught_up[_oai_id(held_back)].metadata["title"] == ["Released late"]
    assert caught_up[_oai_id(first)].metadata["title"] == ["First, corrected"]
