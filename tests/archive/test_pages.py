"""Public pages: home, search, accession pages, tombstones, sitemap and robots.txt."""

import datetime
import json
import re
import urllib.robotparser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.services.accession import study_version_add
from archive.services.status import study_hide, study_remove
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db


def _jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


def _without_jsonld(html: str) -> str:
    """The page without its JSON-LD, which lists every file of a small study, not one page of them."""
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def _accessions(response) -> set[str]:
    return set(re.findall(r'href="/studies/([^/"]+)/"', response.content.decode()))


# Home


def test_home_shows_counts_and_newest_releases(anonymous_client):
    study = make_study(title="Zebrafish heart regeneration")
    make_study(title="Still confidential", status="confidential")

    response = anonymous_client.get(reverse("home"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Zebrafish heart regeneration" in body
    assert study.accession in body
    assert "Still confidential" not in body
    assert "public study" in body  # one public study counted
    assert 'role="search"' in body


def test_home_empty_archive_explains_what_to_do(anonymous_client):
    response = anonymous_client.get(reverse("home"))

    assert response.status_code == 200
    assert "No studies have been released yet" in response.content.decode()


def test_base_page_sign_out_is_a_post_form(submitter_client):
    body = submitter_client.get(reverse("home")).content.decode()

    assert f'<form method="post" action="{reverse("account_logout")}"' in body
    assert "Skip to main content" in body


# Search


def test_search_full_text_matches_every_word(anonymous_client):
    heart = make_study(title="Zebrafish heart regeneration")
    make_study(title="Zebrafish fin development")

    response = anonymous_client.get(reverse("search"), {"q": "zebrafish heart"})

    assert response.status_code == 200
    assert _accessions(response) == {heart.accession}
    assert "1 study found" in response.content.decode()


def test_search_filters_by_organism_imaging_method_licence_and_year(anonymous_client):
    mouse = make_study(title="Mouse cryo-EM", organism="Mus musculus", imaging_method="cryo-EM")
    make_study(title="Human confocal")
    brokered = make_study(title="Imported", source="EMPIAR", licence="CC-BY-4.0")
    old = make_study(title="Old release", release_date=datetime.date(2021, 5, 1))

    assert _accessions(anonymous_client.get(reverse("search"), {"organism": "Mus musculus"})) == {mouse.accession}
    assert _accessions(anonymous_client.get(reverse("search"), {"imaging_method": "cryo-EM"})) == {mouse.accession}
    assert _accessions(anonymous_client.get(reverse("search"), {"licence": "CC-BY-4.0"})) == {brokered.accession}
    assert _accessions(anonymous_client.get(reverse("search"), {"year": "2021"})) == {old.accession}


def test_search_without_matches_shows_a_helpful_empty_state(anonymous_client):
    make_study(title="Zebrafish heart regeneration")

    response = anonymous_client.get(reverse("search"), {"q": "axolotl"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "No studies found" in body
    assert "Nothing matches this search" in body
    assert "Include obsolete entries" in body


def test_search_offers_facet_values_as_choices(anonymous_client):
    make_study(organism="Mus musculus")

    body = anonymous_client.get(reverse("search")).content.decode()

    assert '<option value="Mus musculus">Mus musculus (1)</option>' in body
    assert '<label class="form-label" for="id_organism">Organism</label>' in body


def test_search_pages_twenty_results(anonymous_client):
    for number in range(21):
        make_study(title=f"Study {number}", files=[])

    first = anonymous_client.get(reverse("search"))
    second = anonymous_client.get(reverse("search"), {"page": 2})

    assert len(_accessions(first)) == 20
    assert len(_accessions(second)) == 1
    assert "21 studies found, showing 1–20" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"page": "0"}, {"page": "999"}, {"page": "x"}, {"q": "a" * 201}],
    ids=["year-not-a-number", "page-zero", "page-beyond-range", "page-not-a-number", "query-too-long"],
)
def test_search_with_invalid_parameters_answers_400_with_the_form_errors(anonymous_client, params):
    make_study()

    response = anonymous_client.get(reverse("search"), params)

    assert response.status_code == 400
    body = response.content.decode()
    assert "Please correct" in body
    assert 'role="search"' in body  # the form is shown again to fix the query


def test_search_query_count_does_not_grow_with_results(anonymous_client, django_assert_max_num_queries):
    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert anonymous_client.get(reverse("search")).status_code == 200
        return len(captured)

    for number in range(5):
        make_study(title=f"Study {number}", files=[])
    with_five = queries_for_search()
    for number in range(35):
        make_study(title=f"More {number}", files=[])

    with django_assert_max_num_queries(with_five):
        anonymous_client.get(reverse("search"))
    assert with_five <= 8


# Accession pages


def test_study_page_shows_metadata_authors_orcid_and_licence(anonymous_client):
    study = make_study(title="Mitochondria in motion", keywords=["mitochondria"])

    response = anonymous_client.get(reverse("study-detail", args=[study.accession]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1" in body and "Mitochondria in motion" in body
    assert "Live-cell confocal time-lapse" in body
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in body
    assert "Rosalind Franklin" in body
    assert "How to cite" in body
    assert "images/cell_01.tif" in body
    assert reverse("study-manifest", args=[study.accession]) in body
    assert "sha256sum -c manifest.sha256" in body


def test_study_page_embeds_schema_org_dataset(anonymous_client):
    study = make_study(title="Mitochondria in motion")

    data = _jsonld(anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode())

    assert data["@type"] == "Dataset"
    assert data["identifier"] == study.accession
    assert data["name"] == "Mitochondria in motion"
    assert data["license"] == study.licence.url
    assert data["url"] == f"http://testserver/studies/{study.accession}/"
    assert data["creator"][0]["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["isAccessibleForFree"] is True
    assert data["distribution"][0]["@type"] == "DataDownload"
    assert data["distribution"][0]["contentUrl"].endswith("/v1/manifest.sha256")


def test_study_page_json_ld_escapes_markup_in_metadata(anonymous_client):
    study = make_study(title="</script><script>alert(1)</script>")

    body = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert "<script>alert(1)" not in body
    assert _jsonld(body)["name"] == "</script><script>alert(1)</script>"


def test_study_version_pages_keep_each_versions_metadata(anonymous_client):
    study = make_study(title="First title")
    study_version_add(
        study=study, metadata=study_metadata("Second title"), files=[stored_file("b.txt", b"b")], note="Fix"
    )

    newest = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    first = anonymous_client.get(reverse("study-version", args=[study.accession, 1])).content.decode()

    assert "Second title" in newest and "b.txt" in newest
    assert "First title" in first and "images/cell_01.tif" in first
    assert "You are viewing version 1" in first
    assert reverse("study-version", args=[study.accession, 1]) in newest
    assert reverse("study-version-file", args=[study.accession, 1, "README.txt"]) in first


def test_study_unknown_accession_or_version_answers_404(anonymous_client):
    study = make_study()

    assert anonymous_client.get(reverse("study-detail", args=["S-BIAD999999"])).status_code == 404
    assert anonymous_client.get(reverse("study-version", args=[study.accession, 7])).status_code == 404
    assert anonymous_client.get(f"/studies/{study.accession}/vx/").status_code == 404


def test_study_page_file_table_pages_by_fifty(anonymous_client):
    files = [stored_file(f"f{n:03d}.txt", f"content {n}".encode()) for n in range(51)]
    study = make_study(files=files)
    url = reverse("study-detail", args=[study.accession])

    first = _without_jsonld(anonymous_client.get(url).content.decode())
    second = anonymous_client.get(url, {"page": 2}).content.decode()

    assert "f049.txt" in first and "f050.txt" not in first
    assert "f050.txt" in second
    assert "51 files" in first


def test_study_page_query_count_does_not_grow_with_files(anonymous_client, django_assert_max_num_queries):
    few = make_study(files=[stored_file(f"a{n}.txt", f"a{n}".encode()) for n in range(5)])
    many = make_study(files=[stored_file(f"b{n}.txt", f"b{n}".encode()) for n in range(40)])

    with CaptureQueriesContext(connection) as captured:
        assert anonymous_client.get(reverse("study-detail", args=[few.accession])).status_code == 200

    with django_assert_max_num_queries(len(captured)):
        assert anonymous_client.get(reverse("study-detail", args=[many.accession])).status_code == 200
    assert len(captured) <= 12  # the study, versions, folder and files, signposts, usage counted and shown


def test_confidential_study_shows_days_left_to_its_owner(submitter, submitter_client):
    release = timezone.localdate() + datetime.timedelta(days=30)
    study = make_study(owner=submitter, status="confidential", release_date=release)

    response = submitter_client.get(reverse("study-detail", args=[study.accession]))

    body = response.content.decode()
    assert "Confidential until" in body
    assert "(30 days left)" in body
    assert '<meta name="robots" content="noindex">' in body
    assert "application/ld+json" not in body


def test_confidential_study_is_not_found_for_others(other_client, anonymous_client):
    study = make_study(status="confidential")

    assert other_client.get(reverse("study-detail", args=[study.accession])).status_code == 404
    assert anonymous_client.get(reverse("study-detail", args=[study.accession])).status_code == 404


# P-LICENCE


def test_p_licence_direct_submission_shows_cc0_badge(anonymous_client):
    study = make_study()

    body = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert re.search(r'class="badge[^"]*licence-badge" href="[^"]+" rel="license"[^>]*>CC0-1.0</a>', body)
    assert "CC-BY-4.0" not in body


def test_p_licence_brokered_study_shows_its_own_licence(anonymous_client):
    study = make_study(source="EMPIAR", licence="CC-BY-4.0")

    body = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    listing = anonymous_client.get(reverse("search")).content.decode()

    assert re.search(r'licence-badge" href="[^"]+" rel="license"[^>]*>CC-BY-4.0</a>', body)
    assert ">CC0-1.0<" not in body
    assert ">CC-BY-4.0<" in listing
    assert _jsonld(body)["license"] == study.licence.url


# P-HIDE


def test_p_hide_hidden_study_reachable_by_accession_but_not_listed(anonymous_client):
    hidden = make_study(title="Erroneous entry", hidden=True)
    shown = make_study(title="Good entry")

    page = anonymous_client.get(reverse("study-detail", args=[hidden.accession]))
    search = anonymous_client.get(reverse("search"), {"include_obsolete": "1"})
    sitemap = anonymous_client.get("/sitemap.xml").content.decode()

    assert page.status_code == 200
    assert "Erroneous entry" in page.content.decode()
    assert "Hidden from search" not in page.content.decode()  # only curators and the owner see the banner
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    assert _accessions(search) == {shown.accession}
    assert f"/studies/{hidden.accession}/" not in sitemap
    assert f"/studies/{shown.accession}/" in sitemap


def test_p_hide_curator_sees_hidden_banner(curator_client):
    hidden = make_study(hidden=True)

    body = curator_client.get(reverse("study-detail", args=[hidden.accession])).content.decode()

    assert "Hidden from search" in body
    assert "Error in the entry" in body


# P-OBSOLETE


def test_p_obsolete_banner_shows_reason_and_date(anonymous_client):
    study = make_study(status="obsolete")
    study.refresh_from_db()

    body = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert "Obsolete entry" in body
    assert "Superseded" in body
    assert "Replaced by a newer study." in body
    assert f'datetime="{study.status_changed_at.replace(microsecond=0).isoformat()}"' in body


def test_p_obsolete_absent_from_default_search_present_with_include_obsolete(anonymous_client):
    obsolete = make_study(title="Old version of things", status="obsolete")
    current = make_study(title="Current things")

    default = anonymous_client.get(reverse("search"))
    included = anonymous_client.get(reverse("search"), {"include_obsolete": "1"})

    assert _accessions(default) == {current.accession}
    assert _accessions(included) == {obsolete.accession, current.accession}
    assert "Obsolete</span>" in included.content.decode()
    assert f"/studies/{obsolete.accession}/" in anonymous_client.get("/sitemap.xml").content.decode()


# P-REMOVE


def test_p_remove_tombstone_answers_410_without_metadata(anonymous_client):
    study = make_study(title="Retracted findings", status="removed")

    for url in (
        reverse("study-detail", args=[study.accession]),
        reverse("study-version", args=[study.accession, 1]),
    ):
        response = anonymous_client.get(url)
        body = response.content.decode()
        assert response.status_code == 410
        assert study.accession in body
        assert "Publication retracted" in body
        assert "Retracted findings" not in body
        assert "Live-cell confocal" not in body
        assert "Ada Lovelace" not in body
        assert "Internal note" not in body
        assert '<meta name="robots" content="noindex">' in body
        assert "application/ld+json" not in body


def test_p_remove_curator_still_sees_the_page_with_a_banner(curator_client):
    study = make_study(title="Retracted findings", status="removed")

    response = curator_client.get(reverse("study-detail", args=[study.accession]))

    assert response.status_code == 200
    assert "Removed from the public record" in response.content.decode()


def test_p_remove_curators_view_of_a_removed_study_says_it_is_removed_not_public(curator_client):
    study = make_study(title="Retracted findings", status="removed")

    body = curator_client.get(reverse("study-detail", args=[study.accession])).content.decode()

    assert "Reviewer links" in body and "Collaborators" in body  # the curator's controls are shown
    assert "is public" not in body
    assert body.count("This study is removed from the public record") == 2


def test_p_remove_removed_study_absent_from_search_and_sitemap(anonymous_client):
    study = make_study(status="removed")

    assert study.accession not in anonymous_client.get(reverse("search"), {"include_obsolete": "1"}).content.decode()
    assert study.accession not in anonymous_client.get("/sitemap.xml").content.decode()


# Sitemap, robots, errors


def test_sitemap_lists_public_studies_with_lastmod(anonymous_client):
    study = make_study()
    confidential = make_study(status="confidential")

    response = anonymous_client.get("/sitemap.xml")

    body = response.content.decode()
    assert response.status_code == 200
    assert f"<loc>http://testserver/studies/{study.accession}/</loc><lastmod>" in body
    assert confidential.accession not in body


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(anonymous_client):
    response = anonymous_client.get("/robots.txt")

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    for line in ("Allow: /", "Disallow: /admin/", "Disallow: /api/v1/uploads/", "Disallow: /review/"):
        assert line in body
    assert "Disallow: /accounts/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_robots_txt_first_match_parsers_keep_crawlers_out_of_private_areas(anonymous_client):
    # Python's robotparser takes the first matching line; RFC 9309 parsers the longest. Both must agree.
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(anonymous_client.get("/robots.txt").content.decode().splitlines())
    study = make_study()

    assert not parser.can_fetch("AnyBot", "http://testserver/admin/")
    assert not parser.can_fetch("AnyBot", "http://testserver/review/some-token/")
    assert not parser.can_fetch("AnyBot", "http://testserver/api/v1/uploads/files/")
    assert not parser.can_fetch("AnyBot", "http://testserver/accounts/login/")
    assert parser.can_fetch("AnyBot", f"http://testserver/studies/{study.accession}/")
    assert parser.can_fetch("AnyBot", "http://testserver/search/?q=zebrafish")


def test_not_found_page_is_a_page_for_people(anonymous_client):
    response = anonymous_client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "<h1" in body and "Not found" in body
    assert 'href="/search/"' in body


def test_p_hide_and_p_remove_apply_at_once_although_public_results_are_cached(anonymous_client):
    hidden_soon = make_study(title="Cached zebrafish fins")
    removed_soon = make_study(title="Cached zebrafish scales")
    make_study(title="Cached zebrafish gills")
    first = anonymous_client.get(reverse("search"), {"q": "cached"})
    assert "Cached zebrafish fins" in first.content.decode()

    study_hide(study=hidden_soon, actor=make_curator(), reason_category="error")
    study_remove(study=removed_soon, actor=make_curator(), reason_category="retraction")
    again = anonymous_client.get(reverse("search"), {"q": "cached"}).content.decode()

    assert "Cached zebrafish gills" in again
    assert "Cached zebrafish fins" not in again
    assert "Cached zebrafish scales" not in again


def test_public_ranked_results_are_read_once_per_cache_period(anonymous_client, django_assert_num_queries):
    make_study(title="Cached mitochondria one")
    anonymous_client.get(reverse("search"), {"q": "mitochondria"})
    # Cached: facets (cached), ranked ids (cached) — only the page's rows are read.
    with django_assert_num_queries(1):
        anonymous_client.get(reverse("search"), {"q": "mitochondria"})
