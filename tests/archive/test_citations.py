"""Citing a study: APA on the page, BibTeX, RIS and CSL-JSON files, and the same by content negotiation."""

import json

import bibtexparser
import pytest
import rispy
from django.urls import reverse
from lxml import etree

from archive.exports.citations import citation_apa_text, citation_item
from archive.services.accession import study_version_add
from tests.factories import make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

BIBTEX, RIS, CSL = (
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles.csl+json",
)


@pytest.fixture
def study():
    return make_study(title="Mitochondrial {dynamics} in HeLa cells")


def _get(client, study, accept, version=None):
    args = [study.accession] if version is None else [study.accession, version]
    return client.get(reverse("study-detail" if version is None else "study-version", args=args), HTTP_ACCEPT=accept)


def test_bibtex_by_content_negotiation_parses_back(anonymous_client, study):
    response = _get(anonymous_client, study, BIBTEX)

    assert response.status_code == 200
    assert response["Content-Type"] == f"{BIBTEX}; charset=utf-8"
    assert "Accept" in response["Vary"]
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == study.accession and entry.entry_type == "misc"
    assert entry["author"] == "Lovelace, Ada and Franklin, Rosalind"
    assert entry["title"] == "{Mitochondrial dynamics in HeLa cells}"
    assert entry["year"] == str(study.release_date.year)
    assert entry["url"] == f"http://testserver/studies/{study.accession}/"


def test_ris_by_content_negotiation_parses_back(anonymous_client, study):
    response = _get(anonymous_client, study, RIS)

    (reference,) = rispy.loads(response.content.decode())
    assert reference["type_of_reference"] == "DATA"
    assert reference["authors"] == ["Lovelace, Ada", "Franklin, Rosalind"]
    assert reference["title"] == "Mitochondrial {dynamics} in HeLa cells"
    assert reference["urls"] == [f"http://testserver/studies/{study.accession}/"]


def test_csl_json_of_a_pinned_version_cites_that_version(anonymous_client, study):
    study_version_add(study=study, metadata=study_metadata("Second"), files=[stored_file("b.txt", b"b")])

    (item,) = json.loads(_get(anonymous_client, study, CSL, version=1).content)

    assert item["type"] == "dataset" and item["version"] == "1"
    assert item["URL"] == f"http://testserver/studies/{study.accession}/v1/"
    assert item["author"][0] == {"family": "Lovelace", "given": "Ada"}


def test_datacite_xml_and_json_ld_by_content_negotiation(anonymous_client, study):
    datacite = _get(anonymous_client, study, "application/vnd.datacite.datacite+xml")
    jsonld = _get(anonymous_client, study, "application/ld+json")

    assert etree.fromstring(datacite.content).tag == "{http://datacite.org/schema/kernel-4}resource"
    assert json.loads(jsonld.content)["@type"] == "Dataset"


@pytest.mark.parametrize(
    "accept",
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", "", "application/json"],
)
def test_browsers_and_other_clients_get_the_page(anonymous_client, study, accept):
    response = _get(anonymous_client, study, accept)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]


def test_a_confidential_study_is_cited_to_no_one_but_who_may_see_it(anonymous_client, submitter_client, submitter):
    study = make_study(owner=submitter, status="confidential")

    assert _get(anonymous_client, study, BIBTEX).status_code == 404
    assert _get(submitter_client, study, BIBTEX).status_code == 200


def test_a_removed_study_answers_its_tombstone_in_every_format(anonymous_client):
    study = make_study(status="removed")

    assert _get(anonymous_client, study, RIS).status_code == 410


@pytest.mark.parametrize(
    ("extension", "parse"), [("bib", bibtexparser.parse_string), ("ris", rispy.loads), ("json", json.loads)]
)
def test_citation_files_download_for_reference_managers(anonymous_client, study, extension, parse):
    response = anonymous_client.get(reverse("study-version-citation", args=[study.accession, 1, extension]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{study.accession}-v1.{extension}"'
    assert parse(response.content.decode())


def test_an_unknown_citation_format_is_404(anonymous_client, study):
    assert anonymous_client.get(reverse("study-citation", args=[study.accession, "docx"])).status_code == 404


def test_apa_text_names_authors_year_title_version_and_publisher(study, settings):
    item = citation_item(study=study, version=study.versions.get(), url="https://example.org/s")

    text = citation_apa_text(item)

    year = study.release_date.year
    assert text.startswith(f"Lovelace, A., & Franklin, R. ({year}). Mitochondrial {{dynamics}} in HeLa cells")
    assert f"({study.accession}; Version 1) [Dataset]" in text
    assert settings.PORTAL_NAME in text and "https://example.org/s" in text


def test_an_author_written_family_name_first_keeps_it():
    from archive.exports.citations import _person

    assert _person("van Gogh, Vincent") == {"family": "van Gogh", "given": "Vincent"}
    assert _person("Consortium") == {"literal": "Consortium"}


def test_the_page_cites_in_apa_and_links_each_citation_file(anonymous_client, study):
    page = anonymous_client.get(reverse("study-version", args=[study.accession, 1])).content.decode()

    address = f"http://testserver/studies/{study.accession}/v1/"
    assert f"Lovelace, A., &amp; Franklin, R. ({study.release_date.year}). <i>Mitochondrial" in page
    assert f'<a href="{address}">{address}</a>' in page
    for extension in ("bib", "ris", "json"):
        assert reverse("study-version-citation", args=[study.accession, 1, extension]) in page
    assert reverse("study-version-datacite", args=[study.accession, 1]) in page


def test_the_page_citation_escapes_markup_in_metadata(anonymous_client):
    study = make_study(title="<b>bold</b> & <script>alert(1)</script>")

    page = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert "<i>&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</i>" in page
