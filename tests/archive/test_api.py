"""The read-only JSON API: lists, details, versions and files (docs/design.md §10.3)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from archive.models import FileStatus
from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file, study_metadata

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/studies/"


def _detail_url(study) -> str:
    return reverse("api-study-detail", kwargs={"accession": study.accession})


def _files_url(study) -> str:
    return reverse("api-study-files", kwargs={"accession": study.accession})


def _listed(client, query: str = "") -> list[str]:
    response = client.get(f"{LIST_URL}?page_size=100&{query}")
    assert response.status_code == 200, response.content
    return [row["accession"] for row in response.json()["results"]]


def _assert_json_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if field is not None:
        assert field in body, body
    return body


@pytest.fixture
def catalogue(submitter):
    """One study in each state, all owned by `submitter`."""
    return {
        "released": make_study(owner=submitter, title="Released zebrafish study"),
        "confidential": make_study(owner=submitter, status="confidential", title="Confidential study"),
        "obsolete": make_study(owner=submitter, status="obsolete", title="Obsolete study"),
        "removed": make_study(owner=submitter, status="removed", title="Removed study"),
        "hidden": make_study(owner=submitter, hidden=True, title="Hidden study"),
    }


# Lists: who sees what


def test_anonymous_list_shows_released_studies_only(anonymous_client, catalogue):
    assert _listed(anonymous_client) == [catalogue["released"].accession]


def test_p_obsolete_listed_only_with_include_obsolete(anonymous_client, catalogue):
    listed = _listed(anonymous_client, "include_obsolete=1")
    assert set(listed) == {catalogue["released"].accession, catalogue["obsolete"].accession}
    assert catalogue["obsolete"].accession not in _listed(anonymous_client, "include_obsolete=false")


def test_p_hide_hidden_study_absent_from_list_but_reachable_at_detail(anonymous_client, catalogue):
    hidden = catalogue["hidden"]
    assert hidden.accession not in _listed(anonymous_client, "include_obsolete=1")
    assert hidden.accession not in _listed(anonymous_client, f"q={hidden.accession}")
    response = anonymous_client.get(_detail_url(hidden))
    assert response.status_code == 200
    assert response.json()["title"] == "Hidden study"


def test_owner_also_lists_own_confidential_study(submitter_client, catalogue):
    listed = _listed(submitter_client)
    assert set(listed) == {catalogue["released"].accession, catalogue["confidential"].accession}


def test_other_user_neither_lists_nor_opens_a_confidential_study(other_client, catalogue):
    confidential = catalogue["confidential"]
    assert confidential.accession not in _listed(other_client, "include_obsolete=1")
    body = _assert_json_error(other_client.get(_detail_url(confidential)), 404, "detail")
    assert "Confidential study" not in str(body)
    _assert_json_error(other_client.get(_files_url(confidential)), 404, "detail")


def test_curator_lists_every_study_with_status_and_searchable(curator_client, catalogue):
    response = curator_client.get(f"{LIST_URL}?page_size=100")
    rows = {row["accession"]: row for row in response.json()["results"]}
    assert set(rows) == {study.accession for study in catalogue.values()}
    assert rows[catalogue["removed"].accession]["status"] == "removed"
    assert rows[catalogue["hidden"].accession]["searchable"] is False
    assert rows[catalogue["released"].accession]["searchable"] is True


def test_curator_filters_by_status(curator_client, catalogue):
    assert _listed(curator_client, "status=removed") == [catalogue["removed"].accession]
    assert _listed(curator_client, "status=confidential") == [catalogue["confidential"].accession]


def test_non_curator_may_not_filter_by_status(anonymous_client, submitter_client, catalogue):
    for client in (anonymous_client, submitter_client):
        body = _assert_json_error(client.get(f"{LIST_URL}?status=removed"), 400, "status")
        assert body["status"] == ["Only curators can filter by status."]


def test_non_curators_get_status_but_not_searchable(anonymous_client, catalogue):
    row = anonymous_client.get(LIST_URL).json()["results"][0]
    assert row["status"] == "released"
    assert "searchable" not in row


def test_token_authentication_works_like_a_session(submitter, catalogue):
    token = Token.objects.create(user=submitter)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert catalogue["confidential"].accession in _listed(client)
    assert client.get(_detail_url(catalogue["confidential"])).status_code == 200
    assert client.get(_files_url(catalogue["confidential"])).status_code == 200


def test_unknown_token_is_refused_with_json(catalogue):
    client = Client(HTTP_AUTHORIZATION="Token not-a-real-token")
    body = _assert_json_error(client.get(LIST_URL), 403, "detail")
    assert body["detail"] == "Invalid token."


# List rows and filters


def test_list_row_fields(anonymous_client, catalogue):
    study = catalogue["released"]
    response = anonymous_client.get(LIST_URL)
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"] == [
        {
            "accession": study.accession,
            "title": "Released zebrafish study",
            "status": "released",
            "licence": "CC0-1.0",
            "release_date": study.release_date.isoformat(),
            "organism": "Homo sapiens",
            "imaging_method": "confocal microscopy",
            "files_count": 2,
            "total_size": study.total_size,
            "url": f"http://testserver/api/v1/studies/{study.accession}/",
            "page_url": "http://testserver" + reverse("study-detail", kwargs={"accession": study.accession}),
        }
    ]


def test_p_licence_list_and_detail_show_spdx_id_of_imported_study(anonymous_client):
    direct = make_study(title="Direct submission")
    imported = make_study(title="Brokered dataset", source="EMPIAR", licence="CC-BY-4.0")
    rows = {row["accession"]: row["licence"] for row in anonymous_client.get(LIST_URL).json()["results"]}
    assert rows == {direct.accession: "CC0-1.0", imported.accession: "CC-BY-4.0"}
    assert _listed(anonymous_client, "licence=CC-BY-4.0") == [imported.accession]

    detail = anonymous_client.get(_detail_url(imported)).json()
    assert detail["licence"] == "CC-BY-4.0"
    assert detail["licence_url"].startswith("https://")
    assert detail["source"] == "EMPIAR"


def test_p_licence_unknown_licence_filter_is_refused(anonymous_client):
    body = _assert_json_error(anonymous_client.get(f"{LIST_URL}?licence=WTFPL-9"), 400, "licence")
    assert "SPDX" in body["licence"][0]


def test_list_filters_by_words_organism_method_and_year(anonymous_client):
    old = make_study(
        title="Yeast septin rings",
        organism="Saccharomyces cerevisiae",
        imaging_method="widefield microscopy",
        release_date=datetime.date(2021, 5, 1),
    )
    new = make_study(title="Mouse brain atlas", organism="Mus musculus", imaging_method="light sheet microscopy")
    assert _listed(anonymous_client) == [new.accession, old.accession]
    assert _listed(anonymous_client, "q=septin") == [old.accession]
    assert _listed(anonymous_client, "q=brain+atlas") == [new.accession]
    assert _listed(anonymous_client, "organism=Mus+musculus") == [new.accession]
    assert _listed(anonymous_client, "imaging_method=widefield+microscopy") == [old.accession]
    assert _listed(anonymous_client, "year=2021") == [old.accession]
    assert _listed(anonymous_client, "q=&organism=&year=") == [new.accession, old.accession]


def test_list_pages_link_to_each_other(anonymous_client):
    for n in range(3):
        make_study(title=f"Study {n}", files=[])
    first = anonymous_client.get(f"{LIST_URL}?page_size=2").json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"] == "http://testserver/api/v1/studies/?page=2&page_size=2"
    second = anonymous_client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["previous"] is not None


# Detail, versions and tombstones


def test_detail_fields(anonymous_client, catalogue):
    study = catalogue["released"]
    body = anonymous_client.get(_detail_url(study)).json()
    assert body["accession"] == study.accession
    assert body["title"] == "Released zebrafish study"
    assert body["description"].startswith("Live-cell confocal")
    assert body["authors"] == [
        {"name": "Ada Lovelace", "orcid": "0000-0002-1825-0097", "affiliation": "EMBL-EBI"},
        {"name": "Rosalind Franklin", "affiliation": "King's College London"},
    ]
    assert body["keywords"] == ["mitochondria", "live imaging"]
    assert body["licence"] == "CC0-1.0"
    assert body["files_count"] == 2
    assert body["total_size"] == study.total_size
    assert body["released_at"] is not None
    assert body["obsolete_reason"] is None
    assert body["obsolete_at"] is None
    assert body["files_url"] == f"http://testserver/api/v1/studies/{study.accession}/files/"
    assert body["manifest_url"] == "http://testserver" + reverse(
        "study-manifest", kwargs={"accession": study.accession}
    )
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["url"] == f"http://testserver/api/v1/studies/{study.accession}/versions/1/"
    assert "searchable" not in body


def test_owner_opens_own_confidential_study(submitter_client, catalogue):
    body = submitter_client.get(_detail_url(catalogue["confidential"])).json()
    assert body["status"] == "confidential"
    assert body["released_at"] is None


def test_p_obsolete_detail_carries_reason_and_date(anonymous_client, catalogue):
    study = catalogue["obsolete"]
    body = anonymous_client.get(_detail_url(study)).json()
    assert body["status"] == "obsolete"
    assert body["obsolete_reason"] == "superseded"
    assert body["obsolete_at"] is not None
    assert datetime.datetime.fromisoformat(body["obsolete_at"]) == study.status_changed_at


@pytest.mark.parametrize("suffix", ["", "files/", "versions/1/"])
def test_p_remove_removed_study_answers_410_tombstone_without_title(
    anonymous_client, submitter_client, catalogue, suffix
):
    study = catalogue["removed"]
    for client in (anonymous_client, submitter_client):
        response = client.get(f"{_detail_url(study)}{suffix}")
        body = _assert_json_error(response, 410)
        assert body == {
            "accession": study.accession,
            "status": "removed",
            "removed_at": body["removed_at"],
            "reason_category": "retraction",
        }
        assert datetime.datetime.fromisoformat(body["removed_at"]) == study.status_changed_at
        assert "Removed study" not in response.content.decode()
        assert response["X-Robots-Tag"] == "noindex"


def test_p_remove_curator_still_opens_removed_study(curator_client, catalogue):
    body = curator_client.get(_detail_url(catalogue["removed"])).json()
    assert body["title"] == "Removed study"
    assert body["status"] == "removed"
    assert body["searchable"] is True


def test_p_permanent_every_version_stays_reachable(anonymous_client, catalogue):
    study = catalogue["released"]
    study_version_add(
        study=study,
        metadata=study_metadata("Released zebrafish study, corrected", keywords=["zebrafish"]),
        files=[stored_file("images/cell_01.tif", b"corrected pixels")],
        note="Corrected the title",
    )
    body = anonymous_client.get(_detail_url(study)).json()
    assert body["title"] == "Released zebrafish study, corrected"
    assert body["keywords"] == ["zebrafish"]
    assert [(v["number"], v["note"]) for v in body["versions"]] == [
        (2, "Corrected the title"),
        (1, "Initial submission"),
    ]

    first = anonymous_client.get(body["versions"][1]["url"]).json()
    assert first["number"] == 1
    assert first["title"] == "Released zebrafish study"
    assert first["keywords"] == ["mitochondria", "live imaging"]
    assert first["files_url"] == f"http://testserver{_files_url(study)}?version=1"
    assert first["manifest_url"] == "http://testserver" + reverse(
        "study-version-manifest", kwargs={"accession": study.accession, "version": 1}
    )

    old_files = anonymous_client.get(first["files_url"]).json()["results"]
    assert [f["path"] for f in old_files] == ["README.txt", "images/cell_01.tif"]
    assert old_files[0]["download_url"] == "http://testserver" + reverse(
        "study-version-file", kwargs={"accession": study.accession, "version": 1, "path": "README.txt"}
    )
    new_files = anonymous_client.get(_files_url(study)).json()["results"]
    assert [f["path"] for f in new_files] == ["images/cell_01.tif"]


def test_missing_version_answers_404(anonymous_client, catalogue):
    study = catalogue["released"]
    _assert_json_error(anonymous_client.get(f"{_detail_url(study)}versions/2/"), 404, "detail")
    _assert_json_error(anonymous_client.get(f"{_detail_url(study)}versions/{10**30}/"), 404, "detail")
    _assert_json_error(anonymous_client.get(f"{_files_url(study)}?version=2"), 404, "detail")


# Files


def test_files_list_fields(anonymous_client):
    study = make_study(
        files=[stored_file("data/plate 1/cell_01.tif", b"TIFF pixels", attributes={"channel": "DAPI"})],
    )
    body = anonymous_client.get(_files_url(study)).json()
    assert body["count"] == 1
    [row] = body["results"]
    file = study.versions.get().files.get()
    assert row == {
        "path": "data/plate 1/cell_01.tif",
        "size": 11,
        "sha256": file.sha256,
        "status": "active",
        "download_url": "http://testserver"
        + reverse("study-file", kwargs={"accession": study.accession, "path": "data/plate 1/cell_01.tif"}),
        "attributes": {"channel": "DAPI"},
    }


def test_p_remove_removed_files_listed_to_curators_only(anonymous_client, curator_client, catalogue):
    study = catalogue["released"]
    files_set_status(
        version=study.versions.get(),
        paths=["README.txt"],
        status=FileStatus.REMOVED,
        actor=make_curator(),
        reason_category="ownership",
    )
    public = anonymous_client.get(_files_url(study)).json()["results"]
    assert [f["path"] for f in public] == ["images/cell_01.tif"]
    curated = curator_client.get(_files_url(study)).json()["results"]
    assert {f["path"]: f["status"] for f in curated} == {"README.txt": "removed", "images/cell_01.tif": "active"}


def test_p_obsolete_obsolete_files_stay_listed_and_marked(anonymous_client, catalogue):
    study = catalogue["released"]
    files_set_status(
        version=study.versions.get(),
        paths=["README.txt"],
        status=FileStatus.OBSOLETE,
        actor=make_curator(),
        reason_category="superseded",
    )
    rows = anonymous_client.get(_files_url(study)).json()["results"]
    assert {f["path"]: f["status"] for f in rows} == {"README.txt": "obsolete", "images/cell_01.tif": "active"}


# Junk input: always a 4xx JSON body naming the field, never a 500


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=last", "page"),
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=1000", "page_size"),
        ("year=abc", "year"),
        ("year=99999", "year"),
        ("year=0", "year"),
        ("include_obsolete=maybe", "include_obsolete"),
        ("q=" + "x" * 501, "q"),
        ("q=cell%00", "q"),
        ("organism=%00", "organism"),
    ],
)
def test_bad_list_parameters_answer_400_naming_the_field(anonymous_client, catalogue, query, field):
    _assert_json_error(anonymous_client.get(f"{LIST_URL}?{query}"), 400, field)


def test_bad_status_filter_answers_400_for_curators(curator_client):
    body = _assert_json_error(curator_client.get(f"{LIST_URL}?status=bogus"), 400, "status")
    assert "bogus" in body["status"][0]


def test_page_past_the_end_answers_404_json(anonymous_client, catalogue):
    _assert_json_error(anonymous_client.get(f"{LIST_URL}?page=999"), 404, "detail")


@pytest.mark.parametrize("query", ["version=abc", "version=0", f"version={10**30}", "page=x", "page_size=500"])
def test_bad_files_parameters_answer_400_naming_the_field(anonymous_client, catalogue, query):
    _assert_json_error(anonymous_client.get(f"{_files_url(catalogue['released'])}?{query}"), 400, query.split("=")[0])


@pytest.mark.parametrize("accession", ["S-BIAD999999", "nope", "%00", "S-BIAD1%00", "a" * 300, "%E2%98%83", "..."])
def test_unknown_or_malformed_accessions_answer_404_json(anonymous_client, accession):
    for suffix in ("", "files/", "versions/1/"):
        _assert_json_error(anonymous_client.get(f"{LIST_URL}{accession}/{suffix}"), 404, "detail")


# Query counts stay flat whatever the page size


@pytest.fixture
def many_studies(submitter):
    return [make_study(owner=submitter, title=f"Study {n}", files=[]) for n in range(120)]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("caller", ["anonymous", "submitter", "curator"])
def test_list_uses_a_fixed_number_of_queries(
    caller, many_studies, anonymous_client, submitter_client, curator_client, django_assert_max_num_queries
):
    client = {"anonymous": anonymous_client, "submitter": submitter_client, "curator": curator_client}[caller]
    query = "include_obsolete=1&licence=CC0-1.0"
    small = _queries(client, f"{LIST_URL}?page_size=5&{query}")
    with django_assert_max_num_queries(small):
        response = client.get(f"{LIST_URL}?page_size=100&{query}")
    assert len(response.json()["results"]) == 100
    assert small <= 6


def test_files_list_uses_a_fixed_number_of_queries(anonymous_client, django_assert_max_num_queries):
    study = make_study(files=[stored_file(f"images/cell_{n:03}.tif", f"pixels {n}".encode()) for n in range(120)])
    small = _queries(anonymous_client, f"{_files_url(study)}?page_size=5")
    with django_assert_max_num_queries(small):
        response = anonymous_client.get(f"{_files_url(study)}?page_size=100")
    assert len(response.json()["results"]) == 100
    assert small <= 5


def test_detail_query_count_does_not_grow_with_versions(anonymous_client, catalogue, django_assert_max_num_queries):
    study = catalogue["released"]
    before = _queries(anonymous_client, _detail_url(study))
    for n in range(5):
        study_version_add(study=study, metadata=study_metadata(f"Title {n}"), files=[])
    with django_assert_max_num_queries(before):
        anonymous_client.get(_detail_url(study))


def test_blank_status_is_no_filter_for_non_curators(submitter_client, catalogue):
    assert _listed(submitter_client, "status=") == _listed(submitter_client)


def test_unknown_api_address_answers_json_404(anonymous_client):
    response = anonymous_client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
