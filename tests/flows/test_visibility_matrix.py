"""Who sees what: every public URL × caller × study status (docs/design.md §2, §5.2, §5.3).

The URL list is read from the URLconf, so a new URL falls into the matrix by
itself; a URL with a parameter this file does not know fails until it is added.
"""

import io
import re

import numpy as np
import pytest
import tifffile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.services.access import reviewer_link_create
from archive.services.status import study_remove
from archive.services.thumbnails import thumbnails_make_missing
from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db

# Prefixes that are not about studies: the admin, personal account pages and upload
# areas (their privacy has its own tests), the schema.
NOT_IN_MATRIX = (
    "admin/",
    "accounts/",
    "account/",
    "uploads/",
    "submissions/",  # the submitter's own pages: 404 for anyone else (tests/submissions/test_wizard.py)
    "api/v1/submissions/",  # the same through the API (tests/submissions/test_api_submissions.py)
    "projects/",  # a proposer's own proposals: 404 for anyone else (tests/curation/test_projects.py)
    "curation/",  # curators only: 403 for anyone else (tests/curation/test_review_queue.py, test_dashboard.py)
    "api/v1/uploads/",
    "api/schema/",
    "api/docs/",
    "static/",
    "favicon.ico",  # a redirect to the static icon (tests/archive/test_favicon.py)
)

STATUSES = ["confidential", "released", "hidden", "obsolete", "removed"]
CALLERS = ["anonymous", "other_user", "owner", "curator"]
FILE_PATH = "data/plate 1/cell_01.tif"

# What opening one study answers, by caller and status.
EXPECTED = {
    "confidential": {"anonymous": 404, "other_user": 404, "owner": 200, "curator": 200},
    "released": dict.fromkeys(CALLERS, 200),
    "hidden": dict.fromkeys(CALLERS, 200),
    "obsolete": dict.fromkeys(CALLERS, 200),
    "removed": {"anonymous": 410, "other_user": 410, "owner": 410, "curator": 200},
}

# Managing who sees a study (reviewer links, collaborators) is for its owner and curators:
# the others get 404 where the study is invisible to them and 403 where they see it.
OWNER_ONLY = {
    "confidential": {"anonymous": 404, "other_user": 404, "owner": 200, "curator": 200},
    "released": {"anonymous": 403, "other_user": 403, "owner": 200, "curator": 200},
    "hidden": {"anonymous": 403, "other_user": 403, "owner": 200, "curator": 200},
    "obsolete": {"anonymous": 403, "other_user": 403, "owner": 200, "curator": 200},
    "removed": {"anonymous": 410, "other_user": 410, "owner": 410, "curator": 200},
}
# Write-only URLs: a GET is refused the same way whoever asks, so it reveals nothing.
WRITE_ONLY = {status: dict.fromkeys(CALLERS, 405) for status in STATUSES}
EXPECTED_BY_NAME = {
    "api-study-reviewer-links": OWNER_ONLY,
    "api-study-reviewer-link": WRITE_ONLY,
    "api-study-collaborators": WRITE_ONLY,
    "api-study-collaborator": WRITE_ONLY,
    "api-study-versions": WRITE_ONLY,
    **{f"api-curation-study-{action}": WRITE_ONLY for action in ("hide", "unhide", "obsolete", "remove", "restore")},
    # The owner's controls on the accession page (archive/views/sharing.py).
    **{f"study-{name}": WRITE_ONLY for name in ("reviewer-links", "reviewer-link-revoke", "collaborators")},
    **{f"study-{name}": WRITE_ONLY for name in ("collaborator-remove", "release-date", "release-now")},
}

# Listings whose rows differ from what the caller may open: "My studies" (archive/selectors/my_studies.py) lists
# only the caller's own and shared studies, a removed one as its tombstone; None: anonymous callers must sign in.
LISTED_BY_NAME = {"my-studies": {"anonymous": None, "other_user": set(), "owner": set(STATUSES), "curator": set()}}

# What a reviewer link answers, whoever holds it (docs/design.md §2): its confidential study
# opens for every caller, a removed study never opens (P-REMOVE), a bad token is 404.
EXPECTED_REVIEW = {
    "confidential": dict.fromkeys(CALLERS, 200),
    "removed": dict.fromkeys(CALLERS, 410),
    "invalid": dict.fromkeys(CALLERS, 404),
}


def _patterns(resolver=None, prefix="", namespace=""):
    """Yield (route, full url name, kwarg names) for every URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, route, ns)
        elif isinstance(entry, URLPattern):
            kwargs = set(entry.pattern.regex.groupindex)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield route, name, kwargs


def public_patterns():
    found = [p for p in _patterns() if not p[0].startswith(NOT_IN_MATRIX)]
    unnamed = [route for route, name, _ in found if name is None]
    assert not unnamed, f"Public URLs need a name to enter the visibility matrix: {unnamed}"
    return found


def _kwargs_for(names: set[str], study) -> dict:
    known = {
        "accession": study.accession,
        "version": 1,
        "path": FILE_PATH,
        "link_id": 1,
        "username": "matrix_other",
        "extension": "bib",
        "token": getattr(study, "reviewer_token", None),
    }
    unknown = names - known.keys()
    assert not unknown, f"Teach the visibility matrix the URL parameter(s) {unknown}"
    return {name: known[name] for name in names}


def _tiny_tiff(value: int) -> bytes:
    out = io.BytesIO()
    tifffile.imwrite(out, np.full((4, 4), value, dtype=np.uint8))
    return out.getvalue()


@pytest.fixture
def world():
    owner = UserFactory(username="matrix_owner")
    studies = {
        status: make_study(
            owner=owner,
            status="released" if status == "hidden" else status,
            hidden=status == "hidden",
            title=f"Zyxomatrix{status} study",
            description=f"Secret description {status}",
            files=[stored_file(FILE_PATH, _tiny_tiff(index))],
        )
        for index, status in enumerate(STATUSES)
    }
    # The file is a real image, so thumbnail URLs answer 200 where the study is visible.
    thumbnails_make_missing()
    clients = {"anonymous": Client()}
    for caller, user in {
        "other_user": UserFactory(username="matrix_other"),
        "owner": owner,
        "curator": make_curator("matrix_curator"),
    }.items():
        clients[caller] = Client()
        clients[caller].force_login(user)
    return studies, clients


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _mentions(body: str, study) -> bool:
    return study.title in body or re.search(rf"{re.escape(study.accession)}(?!\d)", body) is not None


def test_every_public_url_is_in_the_matrix():
    routes = public_patterns()
    assert any("accession" in kwargs for _, _, kwargs in routes)
    assert any(not kwargs for _, _, kwargs in routes)


def _study_url_failures(client, caller: str, url: str, status: str, study, expected: int) -> list[str]:
    """GET `url`; describe an answer other than `expected`, or a refusal that shows the study's title or description."""
    response = client.get(url)
    if response.status_code != expected:
        return [f"{caller} GET {url} ({status}): {response.status_code}, expected {expected}"]
    body = _body(response) if expected != 200 else ""  # read once: a streamed body is gone after one read
    if study.title in body or "Secret description" in body:
        return [f"{caller} GET {url} ({status}): title or description leaked"]
    return []


@pytest.mark.parametrize("caller", CALLERS)
def test_p_remove_and_confidential_study_urls_answer_by_caller_and_status(world, caller):
    """Each study URL answers 200/404/410 as EXPECTED, and never leaks a hidden title."""
    studies, clients = world
    failures = []
    for _route, name, kwargs in public_patterns():
        if "accession" not in kwargs:
            continue
        for status, study in studies.items():
            url = reverse(name, kwargs=_kwargs_for(kwargs, study))
            expected = EXPECTED_BY_NAME.get(name, EXPECTED)[status][caller]
            failures += _study_url_failures(clients[caller], caller, url, status, study, expected)
    assert not failures, "\n".join(failures)


# The file listing's folder, search and cursor parameters (archive/selectors/file_tree.py) answer as the URL does.
LISTING_QUERIES = {
    "study-detail": ["?folder=data/plate 1/", "?q=cell", "?folder=data/&q=CELL&last=1"],
    "api-study-files": ["?folder=data/", "?q=cell", "?folder=data/plate 1/&q=cell_01"],
    "api-study-folders": ["?folder=data/", ""],
}


@pytest.mark.parametrize("caller", CALLERS)
def test_p_remove_listing_folders_and_searches_answer_by_caller_and_status(world, caller):
    studies, clients = world
    failures = []
    for name, queries in LISTING_QUERIES.items():
        for status, study in studies.items():
            for query in queries:
                url = reverse(name, kwargs={"accession": study.accession}) + query
                expected = EXPECTED[status][caller]
                failures += _study_url_failures(clients[caller], caller, url, status, study, expected)
    assert not failures, "\n".join(failures)


@pytest.fixture
def reviewed(world):
    """A study per EXPECTED_REVIEW row, each carrying the token of a reviewer link to it."""
    studies, clients = world
    confidential = studies["confidential"]
    # Links are made while a study is confidential; this one is removed afterwards.
    removed = make_study(
        owner=confidential.owner,
        status="confidential",
        title="Zyxomatrixreviewremoved study",
        description="Secret description reviewremoved",
        files=[stored_file(FILE_PATH, b"pixels of the removed reviewed study")],
    )
    _link, confidential.reviewer_token = reviewer_link_create(study=confidential, actor=confidential.owner)
    _link, token = reviewer_link_create(study=removed, actor=removed.owner)
    removed = study_remove(study=removed, actor=make_curator(), reason_category="retraction")
    removed.reviewer_token = token
    invalid = make_study(owner=confidential.owner, status="confidential", title="Zyxomatrixreviewinvalid study")
    invalid.reviewer_token = "invalid-token-of-forty-three-characters-xyz"
    return {"confidential": confidential, "removed": removed, "invalid": invalid}, clients


@pytest.mark.parametrize("caller", CALLERS)
def test_p_remove_reviewer_link_urls_answer_by_caller_and_status(reviewed, caller):
    """Each reviewer-link URL answers as EXPECTED_REVIEW, and only a valid link shows the title."""
    studies, clients = reviewed
    failures = []
    routes = [(name, kwargs) for _route, name, kwargs in public_patterns() if "token" in kwargs]
    assert routes, "no reviewer-link URL is routed"
    for name, kwargs in routes:
        for status, study in studies.items():
            url = reverse(name, kwargs=_kwargs_for(kwargs, study))
            expected = EXPECTED_REVIEW[status][caller]
            failures += _study_url_failures(clients[caller], caller, url, status, study, expected)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("caller", CALLERS)
def test_p_hide_listings_show_only_what_the_caller_may_list(world, caller):
    """Home, search, sitemap and API lists: no confidential, removed or hidden entry leaks."""
    studies, clients = world
    may_list_by_default = {"released", "obsolete"}
    if caller == "owner":
        may_list_by_default.add("confidential")
    if caller == "curator":
        may_list_by_default = set(STATUSES)
    failures = []
    for _route, name, kwargs in public_patterns():
        if kwargs:
            continue
        may_list = LISTED_BY_NAME.get(name, {}).get(caller, may_list_by_default)
        for query in ("", "?q=study&include_obsolete=1"):
            url = reverse(name) + query
            response = clients[caller].get(url)
            if may_list is None:
                if response.status_code != 302 or not response["Location"].startswith(reverse("account_login")):
                    failures.append(f"{caller} GET {url}: {response.status_code}, expected a redirect to sign in")
                continue
            if response.status_code != 200:
                failures.append(f"{caller} GET {url}: {response.status_code}")
                continue
            body = _body(response)
            for status, study in studies.items():
                if status not in may_list and _mentions(body, study):
                    failures.append(f"{caller} GET {url} lists the {status} study")
    assert not failures, "\n".join(failures)


# OAI-PMH (harvest/) answers every caller as the public: live records for released and obsolete studies, a
# deleted header (no metadata) for hidden and removed ones, and nothing at all about a confidential one.
OAI_RECORD = {
    "confidential": "idDoesNotExist",
    "released": "live",
    "hidden": "deleted",
    "obsolete": "live",
    "removed": "deleted",
}


def _oai_state(body: str) -> str:
    if 'code="idDoesNotExist"' in body:
        return "idDoesNotExist"
    return "deleted" if 'status="deleted"' in body else "live"


@pytest.mark.parametrize("caller", CALLERS)
def test_p_remove_p_hide_oai_pmh_tells_every_caller_only_what_the_public_may_harvest(world, caller):
    studies, clients = world
    client = clients[caller]
    failures = []
    for status, study in studies.items():
        identifier = f"oai:testserver:{study.accession}"
        body = _body(
            client.get(reverse("oai"), {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"})
        )
        if _oai_state(body) != OAI_RECORD[status]:
            failures.append(f"{caller} GetRecord {status}: {_oai_state(body)}, expected {OAI_RECORD[status]}")
        if OAI_RECORD[status] != "live" and (study.title in body or "Secret description" in body):
            failures.append(f"{caller} GetRecord {status}: title or description leaked")
    for prefix in ("oai_dc", "oai_datacite"):
        body = _body(client.get(reverse("oai"), {"verb": "ListRecords", "metadataPrefix": prefix}))
        for status, study in studies.items():
            expected = OAI_RECORD[status]
            if (expected == "idDoesNotExist") == _mentions(body, study):
                failures.append(f"{caller} ListRecords {prefix}: the {status} study is (not) mentioned wrongly")
            if (expected == "live") != (study.title in body):
                failures.append(f"{caller} ListRecords {prefix}: the {status} study's title (not) shown wrongly")
    assert not failures, "\n".join(failures)
