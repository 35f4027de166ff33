"""A visitor in a real browser sees on the accession page what was deposited: the publication, the taxonomy and
imaging-method ids as links, and the File List's attributes as columns of the file table."""

import pytest

from tests.factories import make_study, stored_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_metadata_accession_page_shows_identifiers_as_links_and_attributes_as_columns(live_server, page, output_path):
    study = make_study(
        title="Mitotic spindles in HeLa cells",
        organism_taxon_id="9606",
        imaging_method_fbbi_id="FBbi:00000251",
        files=[
            stored_file("hela/cell_01.tif", b"one", {"channel": "GFP", "treatment": "nocodazole", "Well": "A1"}),
            stored_file("hela/cell_02.tif", b"two", {"channel": "mCherry", "treatment": "DMSO", "Well": "A2"}),
            stored_file("README.txt", b"About"),
        ],
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/studies/{study.accession}/")
    page.screenshot(path=f"{output_path}/study-with-attributes.png", full_page=True)

    files = page.get_by_role("table", name=f"Files of {study.accession} version 1")
    headings = files.get_by_role("columnheader").all_inner_texts()
    assert headings[:5] == ["Path", "channel", "treatment", "Well", "Size"]
    assert files.get_by_role("cell", name="nocodazole").is_visible()
    expected_links = {
        "NCBI:txid9606": "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id=9606",
        "FBbi:00000251": "https://www.ebi.ac.uk/ols4/ontologies/fbbi/classes?obo_id=FBbi:00000251",
    }
    for name, href in expected_links.items():
        assert page.get_by_role("link", name=name).get_attribute("href") == href
    doi_links = page.get_by_role("link", name="https://doi.org/10.1038/s41592-021-01234-5")
    assert doi_links.count() == 2  # the about box and the citation
