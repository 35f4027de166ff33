"""Study metadata (REMBI study-level fields): formats, what a draft may leave out, what submitting needs."""

import pytest

from archive.metadata import MetadataInvalid, metadata_clean
from submissions.services import (
    SubmissionNotReady,
    submission_create_draft,
    submission_metadata_update,
    submission_submit,
)
from tests.factories import study_metadata
from tests.submissions.move_helpers import file_contents, ready_draft

pytestmark = pytest.mark.django_db


def _errors(raw: dict, *, complete: bool = False) -> dict:
    with pytest.raises(MetadataInvalid) as excinfo:
        metadata_clean(raw, complete=complete)
    return excinfo.value.as_dict()


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097", "0000-0002-9079-593X"]
)
def test_metadata_orcid_with_a_right_check_digit_is_kept_in_its_short_form(orcid):
    cleaned = metadata_clean({"authors": [{"name": "Ada Lovelace", "orcid": orcid}]}, complete=False)
    assert cleaned["authors"][0]["orcid"] == orcid.removeprefix("https://orcid.org/")


@pytest.mark.parametrize("orcid", ["0000-0002-1825-0098", "0000000218250097", "0000-0002-1825-009"])
def test_metadata_orcid_with_a_wrong_check_digit_or_shape_is_refused_naming_the_author(orcid):
    errors = _errors({"authors": [{"name": "Ada Lovelace", "orcid": orcid}]})
    assert errors["rule"] == "METADATA"
    assert errors["authors"][0].startswith("Author 1 (Ada Lovelace):")


@pytest.mark.parametrize(
    ("raw", "stored"), [("9606", "9606"), ("NCBITaxon:10090", "10090"), ("txid7227", "7227"), (" 9606 ", "9606")]
)
def test_metadata_ncbi_taxon_id_accepted_forms(raw, stored):
    assert metadata_clean({"organism_taxon_id": raw}, complete=False)["organism_taxon_id"] == stored


@pytest.mark.parametrize("raw", ["human", "96-06", "NCBITaxon:", "123456789"])
def test_metadata_ncbi_taxon_id_refused(raw):
    assert "organism_taxon_id" in _errors({"organism_taxon_id": raw})


@pytest.mark.parametrize(("raw", "stored"), [("FBbi:00000246", "FBbi:00000246"), ("fbbi_00000246", "FBbi:00000246")])
def test_metadata_fbbi_id_accepted_forms(raw, stored):
    assert metadata_clean({"imaging_method_fbbi_id": raw}, complete=False)["imaging_method_fbbi_id"] == stored


@pytest.mark.parametrize("raw", ["246", "FBbi:246", "FBbi:000002461", "confocal"])
def test_metadata_fbbi_id_refused(raw):
    assert "imaging_method_fbbi_id" in _errors({"imaging_method_fbbi_id": raw})


@pytest.mark.parametrize(
    "raw",
    [
        "10.1038/s41592-021-01234-5",
        "doi:10.1038/s41592-021-01234-5",
        "https://doi.org/10.1038/s41592-021-01234-5",
        "http://dx.doi.org/10.1038/s41592-021-01234-5",
    ],
)
def test_metadata_doi_accepted_forms_are_stored_bare(raw):
    assert metadata_clean({"publication_doi": raw}, complete=False)["publication_doi"] == "10.1038/s41592-021-01234-5"


@pytest.mark.parametrize("raw", ["not a doi", "10.10/short-registrant", "https://example.org/paper", "10.1038/"])
def test_metadata_doi_refused(raw):
    assert "publication_doi" in _errors({"publication_doi": raw})


def test_metadata_a_draft_may_leave_every_field_empty():
    assert metadata_clean({}, complete=False) == {}
    assert metadata_clean({"title": "Only a title", "keywords": "a, b, a"}, complete=False) == {
        "title": "Only a title",
        "keywords": ["a", "b"],
    }


def test_metadata_required_fields_only_at_submit_all_listed_at_once():
    errors = _errors({}, complete=True)
    assert errors["rule"] == "METADATA"
    assert set(errors) == {"title", "description", "organism", "imaging_method", "authors", "publication_doi", "rule"}


def test_metadata_every_error_is_listed_at_once_format_and_required_together():
    errors = _errors(
        {
            "title": "x" * 501,
            "authors": [{"name": "", "orcid": "0000-0002-1825-0098"}],
            "organism_taxon_id": "human",
            "imaging_method_fbbi_id": "246",
            "publication_doi": "nope",
            "keywords": ["ok", 7],
        },
        complete=True,
    )
    assert {
        "title",
        "authors",
        "organism_taxon_id",
        "imaging_method_fbbi_id",
        "publication_doi",
        "keywords",
        "description",
        "organism",
        "imaging_method",
    } <= set(errors)
    assert len(errors["authors"]) == 2  # no name, and the wrong check digit


def test_metadata_no_publication_reason_stands_in_for_a_doi():
    metadata = study_metadata(publication_doi="", no_publication_reason="A reference atlas, not yet published.")
    assert metadata_clean(metadata, complete=True)["no_publication_reason"].startswith("A reference atlas")


def test_metadata_rembi_descriptions_are_kept():
    fields = {"funding": "ERC 123", "biosample": "HeLa", "specimen": "Fixed, stained", "image_acquisition": "63x oil"}
    assert metadata_clean(study_metadata(**fields), complete=True).items() >= fields.items()


def test_metadata_draft_services_refuse_bad_formats_and_keep_the_old_metadata(submitter):
    with pytest.raises(MetadataInvalid):
        submission_create_draft(owner=submitter, metadata={"publication_doi": "nope"})
    draft = submission_create_draft(owner=submitter, metadata={"title": "Draft"})
    with pytest.raises(MetadataInvalid):
        submission_metadata_update(submission=draft, actor=submitter, metadata={"organism_taxon_id": "human"})
    draft.refresh_from_db()
    assert draft.metadata == {"title": "Draft"}


def test_metadata_submit_refuses_an_incomplete_draft_listing_every_missing_field(submitter):
    submission, _ = ready_draft(submitter, file_contents(1))
    submission_metadata_update(submission=submission, actor=submitter, metadata={"title": "Only a title"})
    with pytest.raises(SubmissionNotReady) as excinfo:  # every problem at once, the metadata ones among them
        submission_submit(submission=submission, actor=submitter)
    assert {"description", "organism", "imaging_method", "authors", "publication_doi"} <= set(excinfo.value.errors)
    submission.refresh_from_db()
    assert submission.state == "draft"
