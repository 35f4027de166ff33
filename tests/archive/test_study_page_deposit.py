"""The accession page shows what was deposited: the publication DOI, the NCBI Taxonomy and FBbi ids as links,
and the File List's attributes as columns of the file table (rule METADATA's fields, read through StudyMetadata)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from archive.metadata import StudyMetadata
from archive.services.access import reviewer_link_create
from archive.views.file_listing import FILES_PER_PAGE
from tests.factories import make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

DOI = "10.1038/s41592-021-01234-5"  # the factories' default publication
DOI_URL = f"https://doi.org/{DOI}"


def _page(client, accession: str, **query) -> str:
    response = client.get(reverse("study-detail", args=[accession]), query)
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, heading_id: str) -> str:
    return re.search(rf'aria-labelledby="{heading_id}".*?</section>', html, re.S).group()


def _file_table(html: str) -> tuple[list[str], dict[str, list[str]]]:
    """The file table's column headings, and each row's cells after the path, by path."""
    table = re.search(
        r"<table[^>]*>\s*<caption[^>]*>Files of.*?</table>", _section(html, "files-heading"), re.S
    ).group()
    headings = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    rows = {}
    for row in re.findall(r"<tbody>.*?</tbody>", table, re.S)[0].split("</tr>")[:-1]:
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return headings, rows


def test_metadata_publication_doi_links_to_doi_org_in_about_box_and_citation(anonymous_client):
    study = make_study()

    html = _page(anonymous_client, study.accession)

    assert f'href="{DOI_URL}"' in _section(html, "about-heading")
    assert f'href="{DOI_URL}"' in _section(html, "cite-heading")


def test_metadata_study_without_publication_shows_no_doi_link(anonymous_client):
    study = make_study(publication_doi="", no_publication_reason="A reference atlas.")

    html = _page(anonymous_client, study.accession)

    assert "https://doi.org/" not in html


def test_metadata_anonymised_reviewer_page_names_no_publication(submitter):
    # The publication names its authors, whom an anonymised link hides.
    study = make_study(owner=submitter, status="confidential", title="Under review")
    _link, token = reviewer_link_create(study=study, actor=submitter, anonymised=True)

    body = Client().get(reverse("review", args=[token])).content.decode()

    assert DOI not in body


def test_metadata_taxonomy_and_fbbi_ids_link_to_their_registries(anonymous_client):
    study = make_study(organism_taxon_id="9606", imaging_method_fbbi_id="FBbi:00000251")

    about = _section(_page(anonymous_client, study.accession), "about-heading")

    assert 'href="https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id=9606"' in about
    assert 'href="https://www.ebi.ac.uk/ols4/ontologies/fbbi/classes?obo_id=FBbi:00000251"' in about
    assert ">NCBI:txid9606<" in about and ">FBbi:00000251<" in about


def test_metadata_file_list_attributes_are_columns_of_the_file_table(anonymous_client):
    study = make_study(
        files=[
            stored_file("images/cell_01.tif", b"one", {"channel": "GFP", "Well": "A1"}),
            stored_file("images/cell_02.tif", b"two", {"plate": "P1", "channel": "RFP"}),
            stored_file("README.txt", b"About"),
        ]
    )

    headings, rows = _file_table(_page(anonymous_client, study.accession))

    # The union of the page's attribute keys, sorted regardless of case, between the path and the size.
    assert headings[:5] == ["Path", "channel", "plate", "Well", "Size"]
    assert rows["images/cell_01.tif"][:3] == ["GFP", "", "A1"]
    assert rows["images/cell_02.tif"][:3] == ["RFP", "P1", ""]
    assert rows["README.txt"][:3] == ["", "", ""]


def test_metadata_file_table_columns_are_the_attributes_of_the_page_shown(anonymous_client):
    files = [stored_file(f"plate/{n:03d}.tif", f"well {n}".encode(), {"well": str(n)}) for n in range(FILES_PER_PAGE)]
    files.append(stored_file("zz/late.tif", b"late", {"stain": "DAPI"}))
    study = make_study(files=files)

    first_headings, _rows = _file_table(_page(anonymous_client, study.accession))
    second_headings, second_rows = _file_table(_page(anonymous_client, study.accession, after=files[-2].path))

    assert "well" in first_headings and "stain" not in first_headings
    assert "stain" in second_headings and "well" not in second_headings
    assert second_rows["zz/late.tif"][0] == "DAPI"


def test_metadata_file_table_without_attributes_has_only_its_own_columns(anonymous_client):
    study = make_study()

    headings, _rows = _file_table(_page(anonymous_client, study.accession))

    assert headings == ["Path", "Size", "SHA-256", "Download"]


def test_metadata_publication_url_escapes_what_a_url_path_cannot_hold():
    metadata = StudyMetadata.from_dict(study_metadata(publication_doi="10.1000/abc#1?x=%"))

    assert metadata.publication_url == "https://doi.org/10.1000/abc%231%3Fx%3D%25"


def test_metadata_a_version_kept_from_before_the_contract_still_shows(anonymous_client):
    """Stored metadata is read as kept: a version written before the contract (no authors, a bad ORCID) shows."""
    study = make_study()
    study.versions.update(metadata={"title": "Kept as deposited", "authors": [{"name": "A", "orcid": "0000-0000"}]})

    html = _page(anonymous_client, study.accession)

    assert "Kept as deposited" in html
