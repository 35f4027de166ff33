"""Who sees what: every public URL × caller × study status (DESIGN §3, §5.2, §5.3).

The URL list is read from the URLconf, so a new URL falls into the matrix by
itself; a URL with a parameter this file does not know fails until it is added.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory, make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db

# Prefixes that are not about studies: the admin, personal account pages and upload
# areas (their privacy has its own tests), the schema.
NOT_IN_MATRIX = (
    "admin/",
    "accounts/",
    "account/",
    "uploads/",
    "api/v1/uploads/",
    "api/schema/",
    "api/docs/",
    "static/",
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
    known = {"accession": study.accession, "version": 1, "path": FILE_PATH}
    unknown = names - known.keys()
    assert not unknown, f"Teach the visibility matrix the URL parameter(s) {unknown}"
    return {name: known[name] for name in names}


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
            files=[stored_file(FILE_PATH, f"pixels of {status}".encode())],
        )
        for status in STATUSES
    }
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
            response = clients[caller].get(url)
            expected = EXPECTED[status][caller]
            if response.status_code != expected:
                failures.append(f"{caller} GET {url} ({status}): {response.status_code}, expected {expected}")
            elif expected != 200 and (study.title in _body(response) or "Secret description" in _body(response)):
                failures.append(f"{caller} GET {url} ({status}): title or description leaked")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("caller", CALLERS)
def test_p_hide_listings_show_only_what_the_caller_may_list(world, caller):
    """Home, search, sitemap and API lists: no confidential, removed or hidden entry leaks."""
    studies, clients = world
    may_list = {"released", "obsolete"}
    if caller == "owner":
        may_list.add("confidential")
    if caller == "curator":
        may_list = set(STATUSES)
    failures = []
    for _route, name, kwargs in public_patterns():
        if kwargs:
            continue
        for query in ("", "?q=study&include_obsolete=1"):
            url = reverse(name) + query
            response = clients[caller].get(url)
            if response.status_code != 200:
                failures.append(f"{caller} GET {url}: {response.status_code}")
                continue
            body = _body(response)
            for status, study in studies.items():
                if status not in may_list and _mentions(body, study):
                    failures.append(f"{caller} GET {url} lists the {status} study")
    assert not failures, "\n".join(failures)
