"""The study-metadata contract (METADATA): accessioning takes only metadata `StudyMetadata.from_dict` accepts."""

import pytest
from django.utils import timezone

from archive.metadata import Author, MetadataInvalid, StudyMetadata, metadata_clean
from archive.models import Study
from archive.services.accession import study_create, study_version_add
from tests.factories import UserFactory, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db


def _create(metadata: dict) -> Study:
    return study_create(
        owner=UserFactory(), metadata=metadata, files=[stored_file("a.txt", b"a")], release_date=timezone.localdate()
    )


def test_metadata_contract_stores_what_a_draft_would_store():
    metadata = study_metadata(organism_taxon_id="txid9606", keywords=["mitochondria", "mitochondria"])

    contract = StudyMetadata.from_dict(metadata)

    assert contract.authors[0] == Author(name="Ada Lovelace", affiliation="EMBL-EBI", orcid="0000-0002-1825-0097")
    assert contract.as_dict() == metadata_clean(metadata, complete=True)
    assert _create(metadata).versions.get().metadata == metadata_clean(metadata, complete=True)


def test_metadata_contract_study_create_refuses_a_bad_orcid_and_stores_nothing():
    metadata = study_metadata(authors=[{"name": "Ada Lovelace", "orcid": "0000-0002-1825-0098"}])

    with pytest.raises(MetadataInvalid) as refused:
        _create(metadata)

    assert refused.value.rule == "METADATA" and refused.value.field == "authors"
    assert "check digit" in refused.value.message
    assert not Study.objects.exists()


def test_metadata_contract_study_create_refuses_incomplete_metadata_naming_each_field():
    with pytest.raises(MetadataInvalid) as refused:
        _create({"title": "Only a title", "publication_doi": "not a doi"})

    assert set(refused.value.errors) == {"description", "organism", "imaging_method", "authors", "publication_doi"}
    assert not Study.objects.exists()


def test_metadata_contract_study_version_add_refuses_a_malformed_doi_and_keeps_the_study_as_it_was():
    study = make_study()

    with pytest.raises(MetadataInvalid) as refused:
        study_version_add(study=study, metadata=study_metadata(publication_doi="doi:11.1/x"), files=[])

    assert refused.value.field == "publication_doi"
    assert study.versions.count() == 1


def test_metadata_contract_a_brokered_dataset_needs_no_publication_but_a_submission_does():
    metadata = study_metadata(publication_doi="")

    assert "publication_doi" not in StudyMetadata.from_dict(metadata).as_dict()
    with pytest.raises(MetadataInvalid) as refused:
        StudyMetadata.from_dict(metadata, publication_required=True)
    assert refused.value.field == "publication_doi"
