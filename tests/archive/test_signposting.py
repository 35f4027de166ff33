"""FAIR Signposting: Link headers on accession pages and files (level 1), the linkset document (level 2)."""

import json

import pytest
from django.urls import reverse
from requests.utils import parse_header_links

from archive.exports.signposting import ITEMS_MAX
from tests.factories import make_study, stored_file

pytestmark = pytest.mark.django_db


def _links(response) -> list[dict]:
    return parse_header_links(response["Link"])


def _by_rel(links, rel) -> list[dict]:
    return [link for link in links if link["rel"] == rel]


def test_accession_page_link_headers_parse_back_with_every_signpost(anonymous_client):
    study = make_study(files=[stored_file("images/cell_01.tif", b"pixels"), stored_file("README.txt", b"About")])
    base = f"http://testserver/studies/{study.accession}"

    links = _links(anonymous_client.get(reverse("study-detail", args=[study.accession])))

    assert _by_rel(links, "cite-as") == [{"url": f"{base}/", "rel": "cite-as"}]
    assert {link["url"] for link in _by_rel(links, "type")} == {
        "https://schema.org/Dataset",
        "https://schema.org/AboutPage",
    }
    assert [link["url"] for link in _by_rel(links, "author")] == ["https://orcid.org/0000-0002-1825-0097"]
    assert [link["url"] for link in _by_rel(links, "license")] == [study.licence.url]
    described = {link["type"]: link["url"] for link in _by_rel(links, "describedby") if "profile" not in link}
    assert described["application/vnd.datacite.datacite+xml"] == f"{base}/datacite.xml"
    assert described["application/ld+json"] == f"{base}/"
    assert described["application/x-bibtex"] == f"{base}/citation.bib"
    items = {link["url"]: link["type"] for link in _by_rel(links, "item")}
    assert items == {f"{base}/files/images/cell_01.tif": "image/tiff", f"{base}/files/README.txt": "text/plain"}
    assert _by_rel(links, "linkset") == [
        {"url": f"{base}/linkset.json", "rel": "linkset", "type": "application/linkset+json"}
    ]


def test_a_pinned_version_page_cites_itself(anonymous_client):
    study = make_study()

    links = _links(anonymous_client.get(reverse("study-version", args=[study.accession, 1])))

    assert _by_rel(links, "cite-as")[0]["url"] == f"http://testserver/studies/{study.accession}/v1/"
    assert _by_rel(links, "linkset")[0]["url"].endswith("/v1/linkset.json")


def test_a_large_study_names_its_manifest_instead_of_each_file(anonymous_client):
    study = make_study(files=[stored_file(f"f{n:03d}.txt", b"x%d" % n) for n in range(ITEMS_MAX + 1)])

    items = _by_rel(_links(anonymous_client.get(reverse("study-detail", args=[study.accession]))), "item")

    assert items == [
        {"url": f"http://testserver/studies/{study.accession}/manifest.sha256", "rel": "item", "type": "text/plain"}
    ]


def test_a_file_links_to_its_dataset_and_licence(anonymous_client):
    study = make_study()

    response = anonymous_client.get(reverse("study-file", args=[study.accession, "README.txt"]))

    links = _links(response)
    assert _by_rel(links, "collection")[0]["url"] == f"http://testserver/studies/{study.accession}/v1/"
    assert _by_rel(links, "license")[0]["url"] == study.licence.url


def test_the_linkset_document_holds_the_same_links_as_the_headers(anonymous_client):
    study = make_study()
    page = anonymous_client.get(reverse("study-detail", args=[study.accession]))

    response = anonymous_client.get(reverse("study-linkset", args=[study.accession]))

    assert response["Content-Type"] == "application/linkset+json"
    (context,) = json.loads(response.content)["linkset"]
    assert context["anchor"] == f"http://testserver/studies/{study.accession}/"
    in_document = {(rel, target["href"]) for rel, targets in context.items() if rel != "anchor" for target in targets}
    in_header = {(link["rel"], link["url"]) for link in _links(page) if link["rel"] != "linkset"}
    assert in_document == in_header


@pytest.mark.parametrize(("status", "expected"), [("confidential", 404), ("removed", 410)])
def test_the_linkset_of_a_study_the_public_may_not_see_is_not_served(anonymous_client, status, expected):
    study = make_study(status=status)

    assert anonymous_client.get(reverse("study-linkset", args=[study.accession])).status_code == expected
